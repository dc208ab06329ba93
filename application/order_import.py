"""Writing TikTok's orders into the OMS: shared by the incremental sync and the targeted refresh."""

import json
from dataclasses import dataclass, field
from datetime import datetime

from application.lookup import new_id
from application.ports import OrderPage, Quarantined, Rejected, UnitOfWork, UnreadOrder
from domain.catalog import Listing
from domain.imports import RemoteOrder, import_page
from domain.stores import Store


@dataclass
class SyncSummary:
    """What one sync (or refresh) did, in orders (and search pages read)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    in_review: int = 0
    quarantined: int = 0
    pages: int = 0
    cancellation_requests: int = 0  # orders whose buyer waits for an answer to a cancellation request
    quarantine_reasons: list[str] = field(default_factory=list)

    def add(self, other: "SyncSummary") -> None:
        """Count `other`'s orders and pages in this summary too."""
        for name in ("new", "updated", "unchanged", "skipped", "in_review", "quarantined", "pages",
                     "cancellation_requests"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.quarantine_reasons += other.quarantine_reasons

    def describe(self) -> str:
        return (f"{self.new} new, {self.updated} updated, {self.in_review} in review, "
                f"{self.skipped} skipped (FBT import settings), {self.quarantined} set aside")


def import_orders(uow: UnitOfWork, store_id: str, page: OrderPage, now: datetime,
                  summary: SyncSummary | None = None, *, store: Store | None = None) -> SyncSummary:
    """Import one page of TikTok orders inside the caller's transaction (which has taken the
    store lock); the caller commits. Newer versions only (R16); FBT per the store's settings (R9);
    unknown listings registered unmapped (R12); malformed orders set aside with their reason."""
    summary = summary if summary is not None else SyncSummary()
    store = store or uow.stores.get(store_id)  # a sync reads its store once
    assert store is not None
    remotes, rejected = list(page.orders), list(page.rejected)
    if page.unread:
        kept = uow.orders.versions(store_id, [u.tiktok_order_id for u in page.unread])
        for unread in page.unread:
            if unchanged(unread, kept.get(unread.tiktok_order_id)):
                summary.unchanged += 1
                continue
            parsed = unread.read(unread.raw)
            (rejected if isinstance(parsed, Rejected) else remotes).append(parsed)  # type: ignore[arg-type]
    if not remotes and not rejected:
        return summary  # every order of the page is held already: nothing to decide or write
    # Read in this transaction: mapping a listing takes the store lock too, so a page never
    # imports with a mapping older than the last one committed.
    mapping = uow.listings.mapping(store_id)
    existing = uow.orders.parts(store_id, [o.tiktok_order_id for o in remotes])
    decided = import_page(remotes, store=store, existing=existing, mapping=mapping, now=now, new_id=new_id)
    # Written once: the changed orders are the repository's own (read above), written at commit.
    for order in decided.created:
        uow.orders.add(order)
    for sku in decided.listings:
        uow.listings.add(Listing(store_id=store_id, seller_sku=sku))
    for remote in decided.payloads:
        uow.orders.keep_payload(store_id, remote)
    for movement in decided.movements:
        uow.movements.add(movement)
    for name, count in decided.counts.items():
        setattr(summary, name, getattr(summary, name) + count)
    uow.quarantine.release(store_id, [o.tiktok_order_id for o in remotes])
    for bad in rejected:
        uow.quarantine.add(Quarantined(store_id, bad.tiktok_order_id, bad.reason, bad.raw))
        summary.quarantined += 1
        summary.quarantine_reasons.append(f"{bad.tiktok_order_id}: {bad.reason}")
    return summary


def unchanged(order: UnreadOrder, kept: tuple[int, bytes] | None) -> bool:
    """Whether importing this order again would change nothing: the OMS keeps a newer version,
    or the same version (update_time) in the very same bytes. An equal update_time alone is not
    enough: TikTok counts in seconds, so two changes within one second share it (R16)."""
    if kept is None:
        return False
    update_time, raw = kept
    return update_time > order.update_time or (update_time == order.update_time and raw == order.raw)


def raw_text(remote: RemoteOrder) -> str:
    """TikTok's order as JSON text, for the quarantine (as it came when it is kept)."""
    if isinstance(remote.raw, bytes):
        return remote.raw.decode(errors="replace")
    return json.dumps(remote.raw, default=str) if remote.raw is not None else "{}"
