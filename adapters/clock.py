from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from application.ports import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """A clock that moves only when told to (demo and tests)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta

    def timestamp(self) -> float:
        return self.at.timestamp()


def seconds_of(clock: Clock) -> Callable[[], float]:
    """TikTok's side of the world reads the same clock, in Unix seconds."""
    return lambda: clock.now().timestamp()
