"""Typed records of the stores, contacts, dedupe, scheduler and assignment:
frozen dataclasses with the core's field names. Times are Unix milliseconds."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

from ._convert import register_union
from .types import ErrorDetails

Presence = Literal["online", "away", "offline"]
Category = Literal["marketing", "utility", "authentication", "service"]
Lane = Literal["reply", "notification", "marketing"]
OutboxState = Literal["queued", "leased", "retry_later", "deferred", "sent", "parked"]


@dataclass(frozen=True)
class OptOut:
    """When and how a contact opted out."""

    at: int = 0
    #: ``keyword`` (an inbound message), ``api``, ``console`` or ``import``.
    source: str = ""
    keyword: Optional[str] = None


@dataclass(frozen=True)
class Contact:
    """A contact; ``id`` is yours (or the import's) and stays stable."""

    id: str
    e164: Optional[str] = None
    wa_id: Optional[str] = None
    bsuid: Optional[str] = None
    name: Optional[str] = None
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    email: Optional[str] = None
    city: Optional[str] = None
    external_id: Optional[str] = None
    tags: List[str] = field(default_factory=list)
    attributes: Dict[str, Any] = field(default_factory=dict)
    opted_in: bool = False
    #: Set when the contact opted out (STOP, baja, 停止, ...): marketing and
    #: utility templates are refused until they opt in again.
    opted_out: Optional[OptOut] = None
    time_zone: Optional[str] = None
    version: int = 0
    created_at: int = 0
    updated_at: int = 0


@dataclass(frozen=True)
class Conversation:
    id: str = ""
    contact_id: str = ""
    phone_number_id: str = ""
    status: Literal["open", "waiting_on_customer", "closed", "archived"] = "open"
    agent_id: Optional[str] = None
    priority: int = 0
    opened_at: int = 0
    assigned_at: Optional[int] = None
    last_inbound_at: Optional[int] = None
    last_outbound_at: Optional[int] = None
    first_response_at: Optional[int] = None
    last_human_reply_at: Optional[int] = None
    closed_at: Optional[int] = None


@dataclass(frozen=True)
class MessageRecord:
    """A stored message, either direction; ``body`` is the message object."""

    id: str = ""
    phone_number_id: str = ""
    conversation_id: Optional[str] = None
    contact_id: Optional[str] = None
    direction: Literal["inbound", "outbound"] = "inbound"
    msg_type: str = ""
    body: Any = None
    status: Optional[Literal["accepted", "sent", "delivered", "read", "played", "failed"]] = None
    status_times: Dict[str, int] = field(default_factory=dict)
    error: Optional[ErrorDetails] = None
    agent_id: Optional[str] = None
    campaign_id: Optional[str] = None
    created_at: int = 0


@dataclass(frozen=True)
class ItemState:
    """Where an outbox item is: ``state`` names it; the other fields are set
    for the states they belong to (leased: ``worker``, ``until``; sent:
    ``message_id``; deferred and parked: ``reason``)."""

    state: OutboxState = "queued"
    worker: Optional[str] = None
    until: Optional[int] = None
    message_id: Optional[str] = None
    reason: Optional[str] = None


@dataclass(frozen=True)
class OutboxItem:
    """A message in the outbox; ``history`` tells what happened to it."""

    id: str = ""
    idempotency_key: str = ""
    phone_number_id: str = ""
    recipient: str = ""
    payload: Any = None
    category: Category = "utility"
    lane: Lane = "notification"
    campaign_id: Optional[str] = None
    not_before: int = 0
    attempts: int = 0
    state: ItemState = field(default_factory=ItemState)
    last_error: Optional[ErrorDetails] = None
    history: List[str] = field(default_factory=list)
    created_at: int = 0
    updated_at: int = 0


@dataclass(frozen=True)
class OutboxStats:
    queued: int = 0
    leased: int = 0
    sent: int = 0
    deferred: int = 0
    retry_later: int = 0
    parked: int = 0


class Enqueued(str, enum.Enum):
    """Whether ``enqueue`` added the message or already had its key."""

    NEW = "new"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RoundReport:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    retried: int = 0
    parked: int = 0
    #: Unknown outcomes proved accepted by a status webhook.
    reconciled: int = 0
    #: Unknown outcomes sent again after the wait found no proof.
    resent: int = 0
    #: Sends whose answer was lost (timeout, dropped connection, 5xx).
    unknown_outcomes: int = 0


@dataclass(frozen=True)
class BadRow:
    """A CSV row not imported: its line number, why, and its fields."""

    line: int = 0
    reason: str = ""
    raw: List[str] = field(default_factory=list)
    raw_text: str = ""
    raw_base64: Optional[str] = None


@dataclass(frozen=True)
class ImportReport:
    rows: int = 0
    imported: int = 0
    duplicates_in_file: int = 0
    bad_rows: List[BadRow] = field(default_factory=list)
    blank: int = 0
    line_endings: Any = None
    last_committed_line: Optional[int] = None


@dataclass(frozen=True)
class ImportArgs:
    """A contacts CSV import; ``map`` holds ``COLUMN=FIELD`` items."""

    path: str
    map: List[str] = field(default_factory=list)
    id_column: Optional[str] = None
    region: Optional[str] = None
    add_tags: List[str] = field(default_factory=list)
    require_phone: bool = False


@dataclass(frozen=True)
class ContactFilter:
    tags_all: List[str] = field(default_factory=list)
    tags_any: List[str] = field(default_factory=list)
    tags_none: List[str] = field(default_factory=list)
    attributes: Dict[str, Any] = field(default_factory=dict)
    has_phone: bool = False


@dataclass(frozen=True)
class Segment:
    name: str
    filter: ContactFilter = field(default_factory=ContactFilter)


@dataclass(frozen=True)
class DedupeConfig:
    """Matching settings; unset ones keep the core's defaults."""

    threshold: Optional[float] = None
    review_threshold: Optional[float] = None
    name_threshold: Optional[float] = None
    attributes: Optional[List[str]] = None
    sku_attribute: Optional[str] = None
    purchase_date_attribute: Optional[str] = None
    sku_window_days: Optional[int] = None
    max_block: Optional[int] = None
    window: Optional[int] = None
    sample_pairs: Optional[int] = None
    seed: Optional[int] = None
    cross_source_only: Optional[bool] = None


@dataclass(frozen=True)
class ScoredPair:
    a: str = ""
    b: str = ""
    score: float = 0.0
    evidence: str = ""


@dataclass(frozen=True)
class Cluster:
    members: List[str] = field(default_factory=list)
    survivor: str = ""
    min_score: float = 0.0


@dataclass(frozen=True)
class MergeStep:
    survivor: str = ""
    absorbed: str = ""


@dataclass(frozen=True)
class DedupeStats:
    records: int = 0
    candidate_pairs: int = 0
    windowed_blocks: int = 0
    patterns: int = 0
    blocking_rules: List[Tuple[str, int]] = field(default_factory=list)
    matches_by_rule: List[Tuple[str, int]] = field(default_factory=list)
    millis: int = 0
    phase_millis: List[Tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class DedupeResult:
    """Pairs above the threshold, pairs to review, clusters and the merge plan;
    ``model`` is the trained match model as the core reports it."""

    pairs: List[ScoredPair] = field(default_factory=list)
    review: List[ScoredPair] = field(default_factory=list)
    clusters: List[Cluster] = field(default_factory=list)
    plan: List[MergeStep] = field(default_factory=list)
    model: Dict[str, Any] = field(default_factory=dict)
    comparisons: List[str] = field(default_factory=list)
    stats: DedupeStats = field(default_factory=DedupeStats)


@dataclass(frozen=True)
class MergeReport:
    merged: int = 0
    failed: List[Tuple[MergeStep, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DedupeOutcome:
    result: DedupeResult = field(default_factory=DedupeResult)
    merged: Optional[MergeReport] = None


@dataclass(frozen=True)
class DedupeCsvOutcome:
    """What ``dedupe_csv`` found, and one import report (bad rows) per file."""

    result: DedupeResult = field(default_factory=DedupeResult)
    reports: List[ImportReport] = field(default_factory=list)


@dataclass(frozen=True)
class Agent:
    id: str
    name: str = ""
    presence: Presence = "online"
    capacity: int = 10
    skills: List[str] = field(default_factory=list)
    teams: List[str] = field(default_factory=list)
    updated_at: int = 0

    def _to_core(self) -> Dict[str, Any]:
        return {"id": self.id, "name": self.name or self.id, "presence": self.presence, "capacity": self.capacity,
                "skills": list(self.skills), "teams": list(self.teams), "updated_at": self.updated_at}


@dataclass(frozen=True)
class Request:
    """A conversation asking for an agent."""

    conversation_id: str
    contact_id: str
    priority: int = 0
    required_skills: List[str] = field(default_factory=list)
    preferred_skills: List[str] = field(default_factory=list)
    previous_agent: Optional[str] = None
    team: Optional[str] = None
    arrived_at: int = 0


@dataclass(frozen=True)
class Reason:
    """Why an assignment went the way it did."""

    strategy: str = ""
    stage: str = ""
    candidates: int = 0
    load_after: Optional[int] = None
    note: str = ""


@dataclass(frozen=True)
class Assigned:
    conversation_id: str = ""
    agent_id: str = ""
    reason: Reason = field(default_factory=Reason)


@dataclass(frozen=True)
class Queued:
    conversation_id: str = ""
    position: int = 0
    reason: Reason = field(default_factory=Reason)


Outcome = Union[Assigned, Queued]
register_union(Outcome, "outcome", {"assigned": Assigned, "queued": Queued, "*": Queued})


__all__ = [
    "Agent", "Assigned", "BadRow", "Category", "Cluster", "Contact", "ContactFilter", "Conversation", "DedupeConfig",
    "DedupeCsvOutcome", "DedupeOutcome", "DedupeResult", "DedupeStats", "Enqueued", "ImportArgs", "ImportReport",
    "ItemState", "Lane", "MergeReport", "MergeStep", "MessageRecord", "OutboxItem", "OutboxState", "OutboxStats", "Outcome",
    "Presence", "Queued", "Reason", "Request", "RoundReport", "ScoredPair", "Segment",
]
