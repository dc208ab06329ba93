"""Which job failures are worth retrying."""

from adapters.secret_key import SecretKeyError, TokensUnreadable
from application.errors import NotFound, StoreNeedsReauthorization, StoreNotConnected, SyncAlreadyRunning, TikTokRefused
from domain.exceptions import DomainError

# The seller must act (re-authorize), TikTok said no for good, or the input can never work:
# running again changes nothing. Everything else (TikTok unreachable after its own retries, the
# database unavailable, a crash) is retried with backoff.
PERMANENT = (StoreNeedsReauthorization, StoreNotConnected, NotFound, TikTokRefused, DomainError, SyncAlreadyRunning,
             TokensUnreadable, SecretKeyError)  # the key must be restored or the store re-authorized


def is_permanent(exc: BaseException) -> bool:
    return isinstance(exc, PERMANENT)
