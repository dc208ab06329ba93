from dataclasses import dataclass, field

# Re-read the last two hours each time: TikTok's update_time has one-second granularity and
# its search may lag behind writes, so a window's edge is never trusted on its own. The default
# of the TIKTOK_OMS_SYNC_OVERLAP_SECONDS setting.
OVERLAP_SECONDS = 2 * 60 * 60
# Once a day, a sync reads the whole day again (stragglers later than the overlap); the default
# of TIKTOK_OMS_SYNC_DEEP_WINDOW_SECONDS.
DEEP_WINDOW_SECONDS = 24 * 60 * 60


@dataclass
class SyncCheckpoint:
    """Where a store's order import stands: the committed cursor and the window in flight."""

    store_id: str
    cursor: int = 0
    window_start: int | None = None
    window_end: int | None = None
    page_token: str | None = None

    @property
    def in_flight(self) -> bool:
        return self.window_end is not None

    def open_window(self, *, now: int, full: bool, overlap: int = OVERLAP_SECONDS,
                    deep_window: int = DEEP_WINDOW_SECONDS) -> None:
        """Start the window [start, now + 1) in Unix seconds, or resume the one in flight.

        It starts `overlap` seconds before the cursor; the first sync after each `deep_window`
        boundary (periods counted from the epoch, UTC) starts `deep_window` seconds before it
        instead, so once per period a straggler TikTok's search showed late comes in too.
        """
        if self.in_flight and not full:
            return  # resume the interrupted window where its last committed page left off
        back = overlap
        if deep_window and now // deep_window != self.cursor // deep_window:
            back = max(overlap, deep_window)
        self.window_start = 0 if full or not self.cursor else max(0, self.cursor - back)
        self.window_end = now + 1  # through the current second
        self.page_token = None

    def owns(self, window_end: int) -> bool:
        """Whether the window in flight is still the one ending at `window_end` (Unix seconds):
        a sync that opened it may still advance or close it; one whose window was closed or
        rewound meanwhile (another sync, new FBT settings) may not."""
        return self.window_end is not None and self.window_end == window_end

    def page_done(self, next_page_token: str | None, *, window_end: int | None = None) -> bool:
        """Record the next page's token as progress, if the window ending at `window_end` is still
        in flight (any window when None); returns whether it was recorded."""
        if window_end is not None and not self.owns(window_end):
            return False  # the page belongs to a window now closed: its data stays, not its token
        self.page_token = next_page_token or None
        return True

    def restart_window(self) -> None:
        self.page_token = None

    def rewind_to(self, moment: int) -> None:
        """Read again from `moment` on the next sync (orders skipped before, now wanted, come in).

        A window in flight is given up: its page token belongs to the old window.
        """
        if self.cursor > moment:
            self.cursor = moment
            self.window_start = self.window_end = None
            self.page_token = None

    def close_window(self) -> None:
        assert self.window_end is not None
        self.cursor = max(self.cursor, self.window_end)
        self.window_start = self.window_end = None
        self.page_token = None


class SyncStalled(Exception):
    """TikTok's search pages do not lead to an end; the message says how, in the seller's words."""


# A window is read again from its start at most this often in one run (TikTok expiring its tokens).
MAX_RESTARTS = 3
# Pages in a row that bring no order (id, update_time) this run has not seen: the walk is not advancing.
MAX_STALE_PAGES = 3


@dataclass
class PageWalk:
    """One run's walk through a window's search pages, which always ends (issue 9).

    TikTok's answer is trusted for the orders, not for the walk: a page token met twice (repeated
    or cycling), more pages than the window's `total_count` can fill (twice over plus two, at the
    first page's length: orders change while the walk runs, and a page may hold fewer than asked),
    or pages that bring nothing new stop it with `SyncStalled`.
    `total_count` is only a bound: a missing or unreadable one (None) bounds nothing.
    """

    page_size: int
    pages: int = 0
    max_pages: int | None = None
    restarts: int = 0
    stale: int = 0
    tokens: set[str] = field(default_factory=set)
    seen: set[tuple[str, int]] = field(default_factory=set)

    def page(self, *, next_token: str | None, orders: set[tuple[str, int]], total_count: int | None) -> None:
        """Count one page (its orders as (TikTok order id, update_time)); raises `SyncStalled`
        if the walk does not end. A page without a next token ends the walk and always passes."""
        self.pages += 1
        if self.max_pages is None and total_count is not None and total_count >= 0:
            per_page = min(len(orders), self.page_size) or self.page_size
            self.max_pages = 2 * -(-total_count // per_page) + 2
        if not next_token:
            return
        if self.max_pages is not None and self.pages >= self.max_pages:
            raise SyncStalled(f"TikTok's search sent {self.pages} pages for a window of {total_count} orders "
                              f"at {self.page_size} a page, and still names a next page")
        if next_token in self.tokens:
            raise SyncStalled("TikTok's search named a page it had already sent (its page token repeats)")
        self.tokens.add(next_token)
        fresh = orders - self.seen
        self.seen |= orders
        self.stale = 0 if fresh else self.stale + 1
        if self.stale >= MAX_STALE_PAGES:
            raise SyncStalled(f"TikTok's search sent {self.stale} pages in a row without an order not already read")

    def restart(self) -> None:
        """The window is read again from its start (TikTok refused a page token); raises
        `SyncStalled` once that has happened more than `MAX_RESTARTS` times in this run."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise SyncStalled(f"TikTok refused its own page tokens {self.restarts} times in one sync")
        self.tokens.clear()
        self.seen.clear()
        self.pages = self.stale = 0
