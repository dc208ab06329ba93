"""Every error type of the application, in one module: what a use case may raise to its caller."""

class ApplicationError(Exception):
    """An expected failure of a use case; its message is shown to the seller as is."""


class NotFound(ApplicationError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} not found: {key}")
        self.kind = kind
        self.key = key


class AlreadyExists(ApplicationError):
    def __init__(self, kind: str, key: str) -> None:
        super().__init__(f"{kind} already exists: {key}")


class StoreNotConnected(ApplicationError):
    def __init__(self, name: str) -> None:
        super().__init__(f"store {name!r} is not connected: run 'tiktok-oms stores authorize {name}'")


class StoreNeedsReauthorization(ApplicationError):
    """TikTok no longer accepts the store's authorization; the store is disconnected until re-authorized."""

    def __init__(self, store_name: str, why: str) -> None:
        super().__init__(
            f"store {store_name!r} is disconnected: {why}; run 'tiktok-oms stores authorize {store_name}'"
        )


class TokensUnreadable(StoreNeedsReauthorization):
    """A store's saved TikTok tokens cannot be decrypted with the configured secret key (a lost,
    wrong or missing key, S-6): nothing was sent to TikTok. Restoring the key, or authorizing the
    store again, fixes it; the store is left connected, so restoring the key is enough.

    `source` names where the key came from (TIKTOK_OMS_SECRET_KEY or the key file's path);
    `store_name` is None when the adapter that found it does not know the store (the TikTok
    client): `ShopSession` names it with `of_store`.
    """

    def __init__(self, source: str, store_name: str | None = None) -> None:
        if store_name is None:
            message = (f"a store's saved TikTok tokens cannot be decrypted with the secret key from {source}: "
                       "restore the key, or re-authorize the store ('tiktok-oms stores authorize STORE'); "
                       "nothing was sent to TikTok")
        else:
            message = (f"store {store_name!r}: its saved TikTok tokens cannot be decrypted with the secret key "
                       f"from {source}: restore the key, or re-authorize the store "
                       f"('tiktok-oms stores authorize {store_name}'); nothing was sent to TikTok")
        ApplicationError.__init__(self, message)
        self.source = source
        self.store_name = store_name

    def of_store(self, store_name: str) -> "TokensUnreadable":
        """The same error, naming the store."""
        return TokensUnreadable(self.source, store_name)


class StorageError(ApplicationError):
    """The database could not be read or written; nothing was half-written."""


class StorageRefused(StorageError):
    """The database refused a value (too long, a NUL, a broken constraint): trying again with the
    same data fails the same way, unlike a lock or a lost connection."""


class TikTokError(ApplicationError):
    """TikTok answered with an error or could not be reached."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TikTokRefused(TikTokError):
    """TikTok understood the request and said no (a business error); never retried."""


class TikTokUnavailable(TikTokError):
    """TikTok stayed unreachable or overloaded after the bounded retries."""


class AccessTokenExpired(TikTokError):
    """105002: refresh the access token once and retry."""


class AuthorizationRevoked(TikTokError):
    """105001 or a refused refresh: the seller must authorize the store again."""


class AuthorizationFailed(TikTokError):
    """The auth code was refused or expired, or the grant is unusable."""


class PageTokenExpired(TikTokRefused):
    """TikTok no longer accepts the stored page token: the window is read again from its start."""


class SyncAlreadyRunning(ApplicationError):
    """Another sync of this store is running (a worker, `serve` or another command): this one did
    nothing, and the running one imports the same orders."""

    def __init__(self, store: str) -> None:
        super().__init__(
            f"another sync of store {store!r} is running (a worker, 'serve' or another command); "
            "this one imported nothing — that one brings the same orders in"
        )
        self.store = store
class NoPendingCancellationRequest(ApplicationError):
    """The order has no buyer cancellation request waiting for the seller's answer."""


class RejectReasonRequired(ApplicationError):
    """A rejection needs one of the reasons TikTok offers for the request (named in the message)."""


class PendingCancellationRequest(ApplicationError):
    """Shipping would answer (US) or is blocked by (elsewhere) a buyer's pending request."""

    def __init__(self, request: str, *, order_ref: str, ships_anyway: bool) -> None:
        answer = f"answer it with 'tiktok-oms orders cancellation approve|reject {order_ref}'"
        if ships_anyway:
            super().__init__(f"{request}: shipping it rejects the request; {answer}, "
                             "or ship anyway with --despite-cancel-request")
        else:
            super().__init__(f"{request}: TikTok does not ship an order while its buyer waits for an answer "
                             f"in this market; {answer} first")
        self.ships_anyway = ships_anyway


class AlreadyDone(ApplicationError):
    """What the command asks is already done: an earlier run's change, whose answer may have been
    lost, is on TikTok and recorded. Nothing was sent; for the seller this is a success."""

    def __init__(self, message: str, *, result: str = "") -> None:
        super().__init__(message)
        self.result = result  # the package id, cancel id or split part's order id, when known


class ChangeOnItsWay(ApplicationError):
    """Another change of the same TikTok order is on its way to TikTok (its intent is pending):
    a second one is not sent until it is settled."""


class OutcomeUnknown(TikTokError):
    """TikTok may have applied the change, but its answer was lost (a timeout, a dropped
    connection, a 5xx after sending). The change is recorded as pending; the next command on the
    order, the next sync or `orders reconcile` settles it from TikTok's state."""


class SyncDoesNotEnd(ApplicationError):
    """TikTok's search pages led nowhere (a repeating or cycling page token, more pages than the
    window holds, pages without anything new): the sync stopped, keeping the pages it had read, and
    the next one reads the window again from its start."""

    def __init__(self, store: str, why: str) -> None:
        super().__init__(f"the sync of store {store!r} stopped: {why}; the orders read so far are kept, "
                         "and the next sync reads this window again from its start")
        self.store = store
