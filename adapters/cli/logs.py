"""Logging for the command line: what the OMS did, on stderr, without the libraries' chatter.

`-v` shows the OMS's own records at INFO (sync pages, retries, tokens refreshed, webhooks, the
worker's jobs), `-vv` at DEBUG; everyone else's (SQLAlchemy, httpx, Alembic, APScheduler, uvicorn) only
from WARNING up unless `-vvv`. Every line passes the redaction (S-5): no sign, secret or token reaches stderr.
"""

import logging
import sys

# The OMS's own loggers: its packages' module loggers and the named `tiktok_oms.*` ones — and the
# job queue's, whose lines ("Job oms.sync_store[12] ... success") are what a worker did.
OWN = ("tiktok_oms", "adapters", "application", "domain", "procrastinate")


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is now (a test's capture, a redirected stream)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _Chosen(logging.Filter):
    """Lets through the OMS's records from `own` up and everyone else's from `libraries` up; the
    thresholds are this process's latest `configure`. Levels are set on the handler, never on the
    loggers: other handlers (a test's log capture) see what they always saw."""

    own = logging.WARNING
    libraries = logging.WARNING

    def filter(self, record: logging.LogRecord) -> bool:
        mine = record.name.split(".", 1)[0] in OWN
        return record.levelno >= (self.own if mine else self.libraries)


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
    handler = next((h for h in root.handlers if isinstance(h, _Stderr)), None)
    if handler is None:
        handler = _Stderr()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        handler.addFilter(_Chosen())
        handler.addFilter(_Redacted())
        root.addHandler(handler)
    chosen = next(f for f in handler.filters if isinstance(f, _Chosen))
    chosen.own = [logging.WARNING, logging.INFO, logging.DEBUG, logging.DEBUG][min(verbose, 3)]
    chosen.libraries = logging.DEBUG if verbose >= 3 else logging.WARNING
    needed = min(chosen.own, chosen.libraries)
    if root.level == logging.NOTSET or root.level > needed:
        root.setLevel(needed)  # records below the root's level are never made
    for name in OWN:  # a logger left at NOTSET follows the root; one set higher elsewhere is lowered
        logger = logging.getLogger(name)
        if logger.level > needed:
            logger.setLevel(needed)
