"""`orders reconcile`: settle every ship, cancel or split whose answer from TikTok was lost."""

from dataclasses import dataclass, field
from typing import Any

from application.commands import ReconcileIntents
from application.errors import ApplicationError
from application.intents import reconcile_pending
from application.lookup import find_store
from application.ports import Clock, TikTokShop, UnitOfWork
from domain.exceptions import DomainError
from domain.intents import Intent


def intent_view(intent: Intent) -> dict[str, Any]:
    """An intent as the CLI's JSON shows it (snake_case keys; times ISO 8601 UTC)."""
    return {
        "id": intent.id, "kind": intent.kind.value, "state": intent.state.value, "store_id": intent.store_id,
        "order_id": intent.order_id, "tiktok_order_id": intent.tiktok_order_id, "line_ids": list(intent.line_ids),
        "carrier": intent.carrier or None, "tracking_number": intent.tracking_number or None,
        "reason": intent.reason or None, "part_order_id": intent.part_order_id or None,
        "result": intent.result or None, "outcome": intent.outcome or None,
        "created_at": intent.created_at.isoformat(),
        "settled_at": intent.settled_at.isoformat() if intent.settled_at else None,
    }


@dataclass
class Reconciled:
    """The intents looked at (as they are now: done, cleared, or still pending) and the stores
    that could not be asked, with why."""

    intents: list[Intent] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # store name -> one-line reason


class ReconcileIntentsHandler:
    """
    - Reads back from TikTok (Get Order Detail) each order with a pending ship, cancel or split,
      and records what TikTok applied exactly once, or clears what it never applied.
    - `store` given: that store only (its failure is raised); else every store with pending
      intents, one failing store not stopping the others (named in `failed`).
    """

    def __init__(self, uow: UnitOfWork, tiktok: TikTokShop, clock: Clock) -> None:
        self._uow = uow
        self._tiktok = tiktok
        self._clock = clock

    def __call__(self, cmd: ReconcileIntents) -> Reconciled:
        with self._uow:
            if cmd.store is not None:
                stores = [find_store(self._uow, cmd.store)]
            else:
                stores = [s for s in self._uow.stores.list() if self._uow.intents.pending(s.id)]
            targets = [(s.id, s.name) for s in stores]
        report = Reconciled()
        for store_id, name in targets:
            try:
                report.intents += reconcile_pending(self._uow, self._tiktok, self._clock, store_id)
            except (ApplicationError, DomainError) as exc:
                if cmd.store is not None:
                    raise
                report.failed[name] = " ".join(str(exc).split())
        return report
