"""Logging for the command line: what the OMS did, on stderr, without the libraries' chatter.

`-v` shows the OMS's own records at INFO (sync pages, retries, tokens refreshed, webhooks), `-vv`
at DEBUG; SQLAlchemy, httpx, Alembic, procrastinate, APScheduler and uvicorn stay at WARNING
unless `-vvv`. Every line passes the redaction (S-5): no sign, secret or token reaches stderr.
"""

import logging
import sys

# The OMS's own loggers: its packages' module loggers and the named `tiktok_oms.*` ones.
OWN = ("tiktok_oms", "adapters", "application", "domain")
LIBRARIES = ("sqlalchemy", "httpx", "httpcore", "alembic", "procrastinate", "apscheduler", "uvicorn", "asyncio",
             "psycopg", "starlette", "multipart", "urllib3", "stamina")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (a test's capture, a redirected stream)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _Redacted(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        from adapters.redaction import redact

        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure(verbose: int) -> None:
    """Send log records to stderr: WARNING and above always; the OMS's INFO with `verbose` 1, its
    DEBUG with 2, and the libraries' too with 3."""
    root = logging.getLogger()
    if not any(getattr(h, "_tiktok_oms", False) for h in root.handlers):
        handler = _Stderr()
        handler._tiktok_oms = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_Redacted())
        root.addHandler(handler)
    own = [logging.WARNING, logging.INFO, logging.DEBUG, logging.DEBUG][min(verbose, 3)]
    root.setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)
    for name in OWN:
        logging.getLogger(name).setLevel(own)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 3 else logging.WARNING)
