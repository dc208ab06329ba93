"""Where the database is: the one setting a read-only command needs, resolved without pydantic.

`Settings` (adapters/settings.py) reads every setting with pydantic-settings; the CLI's read-only
`orders list` needs only the database URL and resolves it here, in the same order — the flag
(or TIKTOK_OMS_DATABASE_URL, which click reads into it), then the environment, then the `.env`
file of the current folder, then the default file — and the same names (`TIKTOK_OMS_DATABASE_URL`
or `database_url`, any case). tests/cli checks both give the same URL.
"""

import os
from pathlib import Path

from application.errors import ApplicationError

# The names Settings.database_url is read from, first match wins (its AliasChoices).
NAMES = ("TIKTOK_OMS_DATABASE_URL", "database_url")


class ConfigurationError(ApplicationError):
    """A setting has a value tiktok-oms cannot use; the message names the setting and what it accepts."""


def default_database_url() -> str:
    import platformdirs

    folder = Path(platformdirs.user_data_dir("tiktok-oms", appauthor=False))
    return f"sqlite:///{folder / 'tiktok-oms.sqlite'}"


def may_create_folder(url: str) -> bool:
    """Whether opening `url` may create its SQLite file's folder: only the default file's (a
    typo in TIKTOK_OMS_DATABASE_URL must not start a new, empty OMS; `db upgrade` may)."""
    _, sep, path = url.partition(":///")
    if sep and Path(path.removeprefix("file:").split("?", 1)[0]).expanduser().parent.is_dir():
        return True  # nothing to create (and no need to look up the data folder)
    return url == default_database_url()


def configured_database_url(flag: str | None = None, *, env_file: str | None = ".env") -> str:
    """The database URL as Settings would read it (see the module's doc), checked: the flag, else
    the first of NAMES found in the environment or, for that name, the .env file (as
    pydantic-settings merges its sources: the alias order first), else the default file."""
    if flag is not None:
        return check_database_url(flag)
    sources = [_lowered(dict(os.environ))]
    if env_file and Path(env_file).is_file():
        from dotenv import dotenv_values

        sources.append(_lowered({k: v for k, v in dotenv_values(env_file).items() if v is not None}))
    for name in NAMES:
        for values in sources:
            if name.lower() in values:
                return check_database_url(values[name.lower()])
    return check_database_url(default_database_url())


def _lowered(values: dict[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in values.items()}


ACCEPTED_DATABASE_URLS = "sqlite:///PATH (a file), sqlite:// (in memory) or postgresql+psycopg://USER[:PASSWORD]@HOST[:PORT]/DATABASE"


def check_database_url(url: str) -> str:
    """`url` if tiktok-oms can use it, else a `ConfigurationError` naming TIKTOK_OMS_DATABASE_URL,
    what was wrong (without the URL's password) and what is accepted."""
    text = url.strip()
    if not text:
        raise ConfigurationError(f"TIKTOK_OMS_DATABASE_URL is empty: give {ACCEPTED_DATABASE_URLS}")
    scheme, sep, rest = text.partition("://")
    if not sep or not scheme:
        raise ConfigurationError(f"TIKTOK_OMS_DATABASE_URL is not a URL: give {ACCEPTED_DATABASE_URLS}")
    backend, _, driver = scheme.lower().partition("+")
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return text
    if backend in ("postgresql", "postgres") and driver in ("", "psycopg"):
        if not rest.split("/", 1)[0].rsplit("@", 1)[-1]:
            raise ConfigurationError(f"TIKTOK_OMS_DATABASE_URL names no PostgreSQL host: give {ACCEPTED_DATABASE_URLS}")
        return text
    raise ConfigurationError(
        f"TIKTOK_OMS_DATABASE_URL uses {scheme}://, which tiktok-oms does not support: give {ACCEPTED_DATABASE_URLS}"
    )
