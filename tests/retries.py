"""What the TikTok client's retries waited for, read from its log (stamina's testing mode does not sleep)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOGGER = "tiktok_oms.tiktok"


class Retries(logging.Handler):
    """Each retry the client made, in order: the Retry-After wait it honoured (seconds, capped),
    or None where stamina's exponential backoff chose the wait."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.waits: list[float | None] = []

    def emit(self, record: logging.LogRecord) -> None:
        if hasattr(record, "retry_wait"):
            self.waits.append(record.retry_wait)

    def __len__(self) -> int:
        return len(self.waits)


@contextmanager
def recorded_retries() -> Iterator[Retries]:
    logger = logging.getLogger(LOGGER)
    handler, level = Retries(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
