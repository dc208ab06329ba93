"""How a long sync reports itself while it runs, on stderr (stdout keeps the result).

On a terminal: a rich progress bar — pages read, orders read, orders per second. Anywhere else
(cron, CI, a worker's log): one plain line every `EVERY_PAGES` pages, and the last page's line
at the end. With -v every page is also logged (logger `tiktok_oms.sync`).
"""

import logging
import sys
import time
from types import TracebackType
from typing import Any

EVERY_PAGES = 10
_log = logging.getLogger("tiktok_oms.sync")


def orders_read(summary: Any) -> int:
    """Orders read from TikTok so far: whatever became of them."""
    return int(summary.new + summary.updated + getattr(summary, "unchanged", 0) + summary.skipped
               + summary.quarantined)


class SyncProgress:
    """A context manager; what it yields is the sync handler's `progress` callback (called with the
    running summary after every committed page)."""

    def __init__(self, store: str, *, stream: Any = None, every: int = EVERY_PAGES) -> None:
        self._store = store
        self._stream = stream if stream is not None else sys.stderr
        self._every = every
        self._started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        self._last: Any = None
        self._printed = 0

    def __enter__(self) -> "SyncProgress":
        if _isatty(self._stream):
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.description}"),
                TextColumn("page {task.fields[pages]}"), TextColumn("{task.completed:,.0f} orders"),
                TextColumn("{task.fields[new]:,} new, {task.fields[updated]:,} updated"),
                TextColumn("{task.fields[rate]:,.0f} orders/s"), TimeElapsedColumn(),
                console=Console(file=self._stream), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(f"syncing {self._store}", total=None, pages=0, new=0, updated=0, rate=0.0)
        return self

    def __call__(self, summary: Any) -> None:
        self._last = summary
        read = orders_read(summary)
        rate = read / max(time.monotonic() - self._started, 1e-6)
        _log.info("sync %s: page %d read, %d orders so far (%d new, %d updated)", self._store, summary.pages,
                  read, summary.new, summary.updated)
        if self._bar is not None:
            self._bar.update(self._task, completed=read, pages=summary.pages, new=summary.new,
                             updated=summary.updated, rate=rate)
        elif summary.pages % self._every == 0:
            self._line(summary, rate)

    def _line(self, summary: Any, rate: float) -> None:
        read = orders_read(summary)
        print(f"sync {self._store}: page {summary.pages}, {read:,} orders ({summary.new:,} new, "
              f"{summary.updated:,} updated), {rate:,.0f} orders/s", file=self._stream, flush=True)
        self._printed = summary.pages

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif self._last is not None and self._printed and self._printed != self._last.pages:
            self._line(self._last, orders_read(self._last) / max(time.monotonic() - self._started, 1e-6))


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
