"""Intent records: what the OMS is about to ask TikTok to change, kept before the request is sent.

TikTok's ship, cancel and split endpoints take no idempotency key (TIKTOK_API.md §4.1, §5), and
an answer can be lost after TikTok applied the change (a read timeout, a dropped connection, a
5xx after the request arrived). So the OMS writes down what it asks (an `Intent`, committed on
its own) before it sends, and settles it in the same transaction as the effect: `done`, or
`refused` with TikTok's reason. One left `pending` is settled later from TikTok's own state
(Get Order Detail's line items: `display_status`, `package_id`, `tracking_number`), so a lost
answer ends with the change recorded exactly once — or cleared when TikTok never applied it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from domain import limits
from domain.exceptions import NotStorable
from domain.imports import SHIPPED_ON_TIKTOK, RemoteOrder, unit_lines


# The longest one command waits on one TikTok request, retries and Retry-After waits included
# (adapters/tiktok/client.py bounds it well below this): a pending intent older than this, whose
# command never said the answer was lost, belongs to a command that crashed.
IN_FLIGHT = timedelta(minutes=10)


class IntentKind(str, Enum):
    SHIP = "ship"
    CANCEL = "cancel"
    SPLIT = "split"


class IntentState(str, Enum):
    PENDING = "pending"  # sent (or about to be), answer not known
    DONE = "done"  # TikTok applied it and the OMS recorded the effect
    REFUSED = "refused"  # TikTok said no (the reason is kept)
    CLEARED = "cleared"  # the answer was lost, and TikTok's state shows it was never applied


@dataclass(slots=True)
class Intent:
    """One change asked of TikTok for one order (or split part).

    - `id` is the idempotency key: one per command run, never reused.
    - `line_ids` are the OMS lines concerned (ship: the package's lines; cancel: the lines
      cancelled; split: the lines moving to the new part), `line_item_ids` their TikTok ids.
    - ship: `carrier` (TikTok's provider name), `provider_id`, `tracking_number`; `package_id`
      once known. cancel: `reason` (TikTok's reason name); `partial` when only some lines go.
      split: `part_order_id` is the id the new OMS part gets.
    - `result` is TikTok's id of what was made once known: the shipped package, the cancel id,
      the split-off lines' package.
    - `outcome` says why it was refused or cleared, or how a pending one was completed.
    - `answer_lost_at`: when the command that sent it gave up on TikTok's answer (a timeout, a
      dropped connection, a 5xx). Until then — or until `IN_FLIGHT` after `created_at`, for a
      command that crashed — the request may still be on its way, so TikTok not showing the change
      yet does not mean it never will (`in_flight`).
    """

    id: str
    kind: IntentKind
    store_id: str
    order_id: str
    tiktok_order_id: str
    line_ids: tuple[str, ...]
    line_item_ids: tuple[str, ...]
    created_at: datetime
    carrier: str = ""
    provider_id: str = ""
    tracking_number: str = ""
    reason: str = ""
    partial: bool = False
    part_order_id: str = ""
    state: IntentState = IntentState.PENDING
    result: str = ""
    outcome: str = ""
    settled_at: datetime | None = None
    answer_lost_at: datetime | None = None
    # The other open lines of the order when a split was asked (they stay): TikTok's grouping.
    staying_line_item_ids: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        """Everything the OMS keeps about the change must fit before TikTok hears of it."""
        texts = [("tracking number", self.tracking_number, limits.TRACKING_NUMBER),
                 ("carrier", self.carrier, limits.CARRIER), ("carrier id", self.provider_id, limits.ID),
                 ("cancel reason", self.reason, limits.CANCEL_REASON)]
        texts += [("line id", ref, limits.ID) for ref in (*self.line_ids, *self.line_item_ids)]
        texts += [("order id", ref, limits.ID) for ref in (self.order_id, self.tiktok_order_id, self.part_order_id)]
        for what, value, limit in texts:
            if limits.too_long(value, limit):
                raise NotStorable(self.kind.value, what, f"is {len(value)} characters long; the OMS keeps at most {limit}")
            found = limits.control_characters(value)
            if found:
                raise NotStorable(self.kind.value, what, f"contains control characters ({', '.join(found)})")

    @property
    def is_pending(self) -> bool:
        return self.state is IntentState.PENDING

    def in_flight(self, now: datetime) -> bool:
        """Pending, its command still waiting for TikTok's answer (at most `IN_FLIGHT` long)."""
        return self.is_pending and self.answer_lost_at is None and now - self.created_at < IN_FLIGHT

    def answer_lost(self, at: datetime) -> None:
        self.answer_lost_at = at

    def done(self, result: str, at: datetime, outcome: str = "") -> None:
        self.state, self.result, self.outcome, self.settled_at = IntentState.DONE, result, outcome, at

    def refused(self, reason: str, at: datetime) -> None:
        self.state, self.outcome, self.settled_at = IntentState.REFUSED, reason, at

    def cleared(self, reason: str, at: datetime) -> None:
        self.state, self.outcome, self.settled_at = IntentState.CLEARED, reason, at


def same_tracking(a: str, b: str) -> bool:
    """Tracking numbers as carriers read them: case and spaces do not matter (a carrier or TikTok
    may store `1z 999 aa1` as `1Z999AA1`)."""
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


@dataclass(frozen=True, slots=True)
class Verdict:
    """What TikTok's state says about a pending intent: applied (with what TikTok made) or not."""

    applied: bool
    result: str = ""  # ship: the package TikTok shows for the lines; split: the moving lines' package
    why: str = ""


def judge(intent: Intent, remote: RemoteOrder | None) -> Verdict:
    """Whether TikTok applied `intent`, read from its order as Get Order Detail returns it now.

    - ship: every line item is shipped (`display_status`) in one package with the intent's
      tracking number. Shipped with another tracking number means someone else shipped it.
    - cancel: every line item is cancelled.
    - split: the moving line items sit in one package that none of the staying ones shares.
    `remote` None: TikTok does not know the order, so nothing was applied.
    """
    if remote is None:
        return Verdict(False, why="TikTok does not list the order")
    by_id = {line.tiktok_line_item_id: line for line in unit_lines(remote)}  # the OMS's line ids
    lines = [by_id.get(item) for item in intent.line_item_ids]
    if any(line is None for line in lines):
        return Verdict(False, why="TikTok's order no longer has these line items")
    found = [line for line in lines if line is not None]
    if intent.kind is IntentKind.SHIP:
        shipped = [line for line in found if line.status in SHIPPED_ON_TIKTOK]
        ours = [line for line in shipped if same_tracking(line.tracking_number, intent.tracking_number)]
        packages = {line.package_id for line in ours}
        if len(ours) == len(found) and len(packages) == 1 and "" not in packages:
            return Verdict(True, result=packages.pop())
        if shipped:
            others = sorted({line.tracking_number for line in shipped if line not in ours} - {""})
            return Verdict(False, why="TikTok shows these lines shipped with another tracking number"
                                      + (f" ({', '.join(others)})" if others else ""))
        return Verdict(False, why="TikTok shows the lines still to ship")
    if intent.kind is IntentKind.CANCEL:
        if all(line.status == "CANCELLED" for line in found):
            return Verdict(True)
        return Verdict(False, why="TikTok shows the lines not cancelled")
    moving = {line.package_id for line in found}
    staying = {by_id[item].package_id for item in intent.staying_line_item_ids if item in by_id}
    if len(moving) == 1 and "" not in moving and not moving & staying:
        return Verdict(True, result=moving.pop())
    return Verdict(False, why="TikTok shows the lines still in one package")
