"""The one place secrets are taken out of text before it is logged, raised or printed (S-5).

TikTok's error messages sometimes echo the request they refuse, query string included: the
`sign`, the token endpoints' `app_secret` and `auth_code`, access and refresh tokens. `redact`
removes the values of those parameters wherever they appear (`name=value` in a URL or form,
`"name": "value"` in JSON, `name: value` in a header dump), and every secret value the caller
knows of, plain or URL-encoded.
"""

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
SECRET_PARAMETERS = ("sign", "app_secret", "auth_code", "access_token", "refresh_token", "x-tts-access-token")

_NAMES = "|".join(re.escape(name) for name in sorted(SECRET_PARAMETERS, key=len, reverse=True))
# name=value (query, form), "name": "value" (JSON), name: value (headers); the name may itself be
# URL-encoded inside an echoed URL or quoted in JSON.
_PARAMETER = re.compile(
    rf"""(?P<name>(?:(?<![\w-])|(?<=%3[Ff])|(?<=%26))["']?(?:{_NAMES})["']?)(?P<sep>\s*(?:=|:|%3D)\s*["']?)(?P<value>[^\s&"',;)}}\]]+)""",
    re.IGNORECASE,
)


def redact(text: str, known: Iterable[str] = ()) -> str:
    """`text` without any secret parameter's value, nor any of the `known` secrets (encoded or not)."""
    for secret in sorted({s for s in known if s and len(s) >= 4}, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, MASK)
    return _PARAMETER.sub(lambda m: f"{m.group('name')}{m.group('sep')}{MASK}", text)
