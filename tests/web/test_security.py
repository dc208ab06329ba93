"""Issue 11 item 2: sign-in, session cookie, CSRF, throttling, headers, no secrets on pages."""

import re
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from adapters.container import Container
from application.commands import CompleteAuthorization
from tests.web.conftest import csrf_of, post_form, sign_in
from tests.web.harness import EMAIL, PASSWORD, oms_app

PAGES = ["/", "/stores", "/stores/new", "/warehouses", "/warehouses/new"]
OPEN = {"/login"}


def connect_store(seller: TestClient, container: Container, name: str = "Sunset US") -> str:
    """New Store, then Authorize: TikTok's page sends the browser back to the callback with a code."""
    created = post_form(seller, "/stores/new", "/stores", {"name": name, "region": "US", "currency": "USD"})
    store_id = created.headers["location"].rsplit("/", 1)[1]
    authorize = post_form(seller, f"/stores/{store_id}", f"/stores/{store_id}/authorize")
    assert authorize.status_code == 303
    back = httpx.get(authorize.headers["location"], follow_redirects=False)
    container.complete_authorization()(CompleteAuthorization(store=store_id, redirect_url=back.headers["location"]))
    return store_id


def all_pages(seller: TestClient, store_id: str) -> list[str]:
    return PAGES + [f"/stores/{store_id}", f"/stores/{store_id}?edit=fbt"]


def test_every_page_redirects_to_sign_in_when_signed_out(client: TestClient, container: Container) -> None:
    store_id = container.create_store()(__import__("application.commands", fromlist=["CreateStore"]).CreateStore(name="Dawn"))
    for path in all_pages(client, store_id):
        response = client.get(path)
        assert response.status_code == 303, path
        assert urlsplit(response.headers["location"]).path == "/login", path
    # and forms: no change without a seller (the CSRF cookie alone does not sign anyone in)
    token = csrf_of(client.get("/login").text)
    for action in ("/stores", f"/stores/{store_id}/sync", f"/stores/{store_id}/disconnect", "/warehouses"):
        response = client.post(action, data={"name": "X", "csrftoken": token})
        assert response.status_code == 303 and response.headers["location"] == "/login", action
    assert [s["name"] for s in container.queries().stores()] == ["Dawn"]


def test_after_sign_in_the_seller_lands_where_they_were_going(client: TestClient) -> None:
    first = client.get("/warehouses")
    assert first.headers["location"] == "/login?next=%2Fwarehouses"
    login = client.get(first.headers["location"])
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": csrf_of(login.text),
                                           "next": "/warehouses"})
    assert response.headers["location"] == "/warehouses"
    assert client.get("/warehouses").status_code == 200


def test_sign_in_never_redirects_off_site(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil"):
        response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": token, "next": target})
        assert not urlsplit(response.headers["location"]).netloc, target


def test_every_form_refuses_a_missing_or_wrong_csrf_token(seller: TestClient, container: Container) -> None:
    store_id = connect_store(seller, container)
    forms: set[str] = set()
    for path in all_pages(seller, store_id)[1:]:  # "/" only redirects to /stores
        page = seller.get(path)
        assert page.status_code == 200, path
        forms |= set(re.findall(r'<form method="post" action="([^"]+)"', page.text))
    assert {"/logout", "/stores", f"/stores/{store_id}/sync", f"/stores/{store_id}/authorize",
            f"/stores/{store_id}/fbt-import", "/warehouses"} <= forms
    for action in sorted(forms):
        for token in (None, "forged-token"):
            data = {"name": "Forged", "enabled": "no"} | ({"csrftoken": token} if token else {})
            response = seller.post(action, data=data)
            assert response.status_code == 403, (action, token)
            assert "Nothing was changed" in response.text
    assert [s["name"] for s in container.queries().stores()] == ["Sunset US"]
    assert container.queries().store(store_id)["status"] == "connected"


def test_a_wrong_password_is_refused_and_sign_in_is_then_throttled(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        wrong = client.post("/login", data={"email": EMAIL, "password": "not the password", "csrftoken": token})
        assert wrong.status_code == 401
        assert "Wrong e-mail or password." in wrong.text
    # now even the right password is refused for a while, without being checked
    throttled = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": token})
    assert throttled.status_code == 429
    assert "Too many failed sign-ins" in throttled.text
    assert client.get("/stores").status_code == 303


def test_an_unknown_email_reads_exactly_like_a_wrong_password(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": "nobody@example.com", "password": PASSWORD, "csrftoken": token})
    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text


def test_the_session_cookie_is_signed_http_only_lax_and_expiring(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": token})
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("oms_session="))
    flags = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"httponly", "max-age", "path"} <= flags
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in flags  # plain HTTP on loopback: a Secure cookie would never come back
    assert re.search(r"max-age=43200", cookie.lower())  # 12 hours by default
    # tampering with the signed cookie signs the seller out
    client.cookies.set("oms_session", cookie.split(";")[0].split("=", 1)[1][:-4] + "AAAA")
    assert client.get("/stores").status_code == 303


def test_over_https_the_cookies_are_secure(container: Container) -> None:
    with TestClient(oms_app(container), base_url="https://testserver", follow_redirects=False) as client:
        login = client.get("/login")
        assert "secure" in login.headers["set-cookie"].lower()  # the CSRF cookie
        response = client.post("/login", data={"email": EMAIL, "password": PASSWORD, "csrftoken": csrf_of(login.text)})
        cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("oms_session="))
        assert "secure" in cookie.lower()
        assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_signing_out_ends_the_session(seller: TestClient) -> None:
    response = post_form(seller, "/stores", "/logout")
    assert response.headers["location"] == "/login"
    assert seller.get("/stores").status_code == 303


def test_pages_carry_security_headers(seller: TestClient) -> None:
    for path in ("/login", "/stores"):
        headers = seller.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"


def test_no_page_shows_a_token_or_secret(seller: TestClient, container: Container, tiktok) -> None:  # type: ignore[no-untyped-def]
    store_id = connect_store(seller, container)
    with container.uow() as uow:
        conn = uow.stores.get(store_id).connection
        secrets = [conn.access_token, conn.refresh_token, tiktok.model.app_secret,
                   container.settings().session_secret.get_secret_value(), PASSWORD]
    for path in all_pages(seller, store_id):
        body = seller.get(path, follow_redirects=True).text
        for secret in secrets:
            assert secret not in body, path


def test_an_unexpected_failure_shows_no_trace(seller: TestClient, container: Container) -> None:
    def broken() -> None:
        raise RuntimeError("database password is hunter2 at /srv/app.py line 3")

    with container.queries.override(broken):
        response = seller.get("/stores")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "hunter2" not in response.text and "Traceback" not in response.text


def test_a_missing_store_is_a_clear_message(seller: TestClient) -> None:
    response = seller.get("/stores/st_nope")
    assert response.status_code == 400
    assert "store not found: st_nope" in response.text


def test_users_create_asks_for_a_password_and_stores_only_a_hash(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner
    from sqlalchemy import create_engine, text

    from adapters.cli import main

    url = f"sqlite:///{tmp_path / 'users.sqlite'}"
    runner = CliRunner()
    result = runner.invoke(main, ["--database-url", url, "users", "create", "Ann@Example.com"],
                           input="a long passphrase\na long passphrase\n")
    assert result.exit_code == 0, result.output
    assert "created user ann@example.com" in result.output
    again = runner.invoke(main, ["--database-url", url, "users", "create", "ann@example.com"],
                          input="another passphrase\nanother passphrase\n")
    assert again.exit_code == 1 and "user already exists: ann@example.com" in again.output
    short = runner.invoke(main, ["--database-url", url, "users", "create", "bo@example.com"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    with create_engine(url).connect() as connection:
        stored = connection.execute(text("select email, password_hash from users")).all()
    assert [email for email, _ in stored] == ["ann@example.com"]
    assert stored[0][1].startswith("$argon2id$") and "a long passphrase" not in stored[0][1]
