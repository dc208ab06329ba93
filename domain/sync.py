from dataclasses import dataclass

# Re-read the last two hours each time: TikTok's update_time has one-second granularity and
# its search may lag behind writes, so a window's edge is never trusted on its own.
OVERLAP_SECONDS = 2 * 60 * 60


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

    def open_window(self, *, now: int, full: bool) -> None:
        if self.in_flight and not full:
            return  # resume the interrupted window where its last committed page left off
        self.window_start = 0 if full or not self.cursor else max(0, self.cursor - OVERLAP_SECONDS)
        self.window_end = now + 1  # through the current second
        self.page_token = None

    def page_done(self, next_page_token: str | None) -> None:
        self.page_token = next_page_token or None

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
