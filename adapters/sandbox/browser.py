import httpx


def open_in_browser(url: str) -> None:
    """What a seller's browser does with the authorization page: follow it to the redirect URL."""
    with httpx.Client(follow_redirects=True, timeout=10.0) as browser:
        browser.get(url)
