"""Analytics: the report recomputed from the stores over a range and a time
zone, as typed rows (``Stores.report``), or rendered as the documents
``wacrm report`` writes (``Stores.report_html``, ``Stores.report_csv``), and
stored webhook bodies ingested into the stores (``Stores.webhook_ingest``).

Definitions (the contract): a conversation starts with an inbound message
after 24 h without a message in either direction; first-response time runs
to the first outbound message after it (automated replies excluded unless
``include_automated``); percentiles are nearest-rank; funnel stages are
cumulative per campaign message and ``replied`` counts replies within 72 h.
``sync`` is the CRM sync health each sync engine saved in the stores (one row
per connector and mapping), as it stands when the report is made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass(frozen=True)
class ReportArgs:
    """The range (epoch ms, ``to`` exclusive; everything when unset), time zone and top N."""

    from_: Optional[int] = None
    to: Optional[int] = None
    tz: str = "UTC"
    top: int = 20
    include_automated: bool = False


@dataclass(frozen=True)
class FrtStats:
    """Counted durations in seconds: ``n`` answered, nearest-rank median and p90."""

    n: int = 0
    median_s: Optional[float] = None
    p90_s: Optional[float] = None
    unanswered: int = 0


@dataclass(frozen=True)
class AgentRow:
    agent: str = ""
    frt: FrtStats = field(default_factory=FrtStats)
    #: Conversations assigned to the agent and open at some time in the range.
    handled: int = 0
    #: Handle time (opened to resolution) of the conversations the agent resolved.
    handle_time: FrtStats = field(default_factory=FrtStats)
    open: int = 0
    resolved: int = 0
    load: int = 0


@dataclass(frozen=True)
class FunnelRow:
    campaign: str = ""
    sent: int = 0
    delivered: int = 0
    read: int = 0
    failed: int = 0
    replied: int = 0


@dataclass(frozen=True)
class FailureRow:
    """Failed statuses and sends by Graph error code (``None``: no code)."""

    code: Optional[int] = None
    count: int = 0


@dataclass(frozen=True)
class WordCount:
    word: str = ""
    count: int = 0


@dataclass(frozen=True)
class Anomaly:
    """A flag: the rule, the number it concerns, the days and values, the threshold."""

    rule: str = ""
    number: Optional[str] = None
    days: List[str] = field(default_factory=list)
    values: List[float] = field(default_factory=list)
    threshold: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class RangeInfo:
    from_: Optional[str] = None
    to: Optional[str] = None
    tz: str = ""
    include_automated: bool = False


@dataclass(frozen=True)
class RejectionCount:
    """How often the CRM (or the mapping) refused records with one error code."""

    code: str = ""
    count: int = 0


@dataclass(frozen=True)
class SyncHealthRow:
    """One CRM mapping's sync health: counts over the engine's whole history,
    its parked pushes and discrepancies now, call latency and store-to-CRM lag
    in milliseconds (``None``: nothing measured), saved at ``updated_at`` (epoch ms)."""

    connector: str = ""
    #: The sync engine's name (its state namespace, one per mapping and CRM).
    mapping: str = ""
    attempts: int = 0
    successes: int = 0
    #: Successes over attempts (1.0 when nothing was tried).
    success_rate: float = 1.0
    #: Rejections, every code together.
    rejections: int = 0
    #: The most frequent codes (at most 5), by count then code.
    top_rejections: List[RejectionCount] = field(default_factory=list)
    parked: int = 0
    discrepancies: int = 0
    latency_p50_ms: Optional[float] = None
    latency_p99_ms: Optional[float] = None
    lag_p50_ms: Optional[float] = None
    lag_p99_ms: Optional[float] = None
    updated_at: int = 0


@dataclass(frozen=True)
class Report:
    range: RangeInfo = field(default_factory=RangeInfo)
    frt: FrtStats = field(default_factory=FrtStats)
    agents: List[AgentRow] = field(default_factory=list)
    funnel: List[FunnelRow] = field(default_factory=list)
    failures: List[FailureRow] = field(default_factory=list)
    #: Inbound messages per hour of the week, Monday 00:00 first (168 buckets).
    hour_of_week: List[int] = field(default_factory=list)
    hot_words: List[WordCount] = field(default_factory=list)
    anomalies: List[Anomaly] = field(default_factory=list)
    #: CRM sync health, one row per connector and mapping.
    sync: List[SyncHealthRow] = field(default_factory=list)


@dataclass(frozen=True)
class IngestSummary:
    """What ingesting one webhook body changed."""

    events: int = 0
    new_messages: int = 0
    duplicate_messages: int = 0
    outbound_created: int = 0
    statuses_applied: int = 0
    statuses_ignored: int = 0
    statuses_pending: int = 0
    graph_errors: int = 0


__all__ = ["AgentRow", "Anomaly", "FailureRow", "FrtStats", "FunnelRow", "IngestSummary", "RangeInfo",
           "RejectionCount", "Report", "ReportArgs", "SyncHealthRow", "WordCount"]
