"""The send scheduler: enqueue messages into the durable outbox, run workers
that respect every Meta limit and policy, read the outbox stats. ``Scheduler``
blocks; ``AsyncScheduler`` has the same operations as awaitables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Union

from . import _native
from ._convert import decoder, encode
from ._ops import Awaiting, Blocking, Op, operation
from .client import AsyncClient, Client
from .messages import Message
from .records import Category, Enqueued, Lane, OutboxStats, RoundReport
from .stores import AsyncStores, Stores

Json = Dict[str, Any]


def _duration(ms: Optional[int]) -> Optional[Json]:
    # The core's durations cross in serde's form for std::time::Duration.
    return None if ms is None else {"secs": ms // 1000, "nanos": (ms % 1000) * 1_000_000}


@dataclass(frozen=True)
class LimitConfig:
    """Messages per second per number (``mps``, or per number id) and the pair
    limit: ``pair_burst`` messages to one recipient, then one per ``pair_interval_ms``."""

    mps: Optional[int] = None
    mps_by_number: Dict[str, int] = field(default_factory=dict)
    pair_burst: Optional[int] = None
    pair_interval_ms: Optional[int] = None

    def _to_core(self) -> Json:
        out: Json = {"mps": self.mps, "mps_by_number": dict(self.mps_by_number), "pair_burst": self.pair_burst,
                     "pair_interval": _duration(self.pair_interval_ms)}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class QuietHours:
    """Quiet hours in the recipient's local time, wrapping midnight (21 to 9)."""

    start_hour: int
    end_hour: int
    #: The business's IANA zone, used when the recipient's zone is unknown.
    business_time_zone: str = "UTC"
    #: When the recipient's zone is unknown: ``business_hours`` (keep the quiet
    #: hours in ``business_time_zone``) or ``send`` (an explicit opt-out).
    unknown_zone: str = "business_hours"


DAY_MS = 86_400_000
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class PolicyConfig:
    """Send policies; ``None`` turns one off. The defaults are the core's."""

    window_templates_only: bool = True
    marketing_per_day_without_opt_in: Optional[int] = 1
    same_content_per_month: Optional[int] = 5
    promotion_interval_ms: Optional[int] = 7 * DAY_MS
    notification_min_gap_ms: Optional[int] = 6 * HOUR_MS
    automation_pause_after_human_ms: Optional[int] = 12 * HOUR_MS
    quiet_hours: Optional[QuietHours] = QuietHours(21, 9)
    #: Refuse marketing and utility templates to contacts who opted out.
    honor_opt_out: bool = True

    def _to_core(self) -> Json:
        # Every field is sent, `None` included: here it means "off", not "default".
        return {
            "window_templates_only": self.window_templates_only,
            "marketing_per_day_without_opt_in": self.marketing_per_day_without_opt_in,
            "same_content_per_month": self.same_content_per_month,
            "promotion_interval": _duration(self.promotion_interval_ms),
            "notification_min_gap": _duration(self.notification_min_gap_ms),
            "automation_pause_after_human": _duration(self.automation_pause_after_human_ms),
            "quiet_hours": None if self.quiet_hours is None else encode(self.quiet_hours),
            "honor_opt_out": self.honor_opt_out,
        }


@dataclass(frozen=True)
class WorkerConfig:
    """Worker settings; unset ones keep the core's defaults."""

    worker_id: Optional[str] = None
    lease_ms: Optional[int] = None
    batch: Optional[int] = None
    transient_retries: Optional[int] = None
    throttle_retries: Optional[int] = None
    max_inline_wait_ms: Optional[int] = None

    def _to_core(self) -> Json:
        out: Json = {"worker_id": self.worker_id, "lease": _duration(self.lease_ms), "batch": self.batch,
                     "transient_retries": self.transient_retries, "throttle_retries": self.throttle_retries,
                     "max_inline_wait": _duration(self.max_inline_wait_ms)}
        return {k: v for k, v in out.items() if v is not None}


@dataclass(frozen=True)
class SchedulerSettings:
    """Limits, policies, worker, the messaging tier (unique recipients per 24 h)
    and Redis for limits shared by several processes."""

    limits: Optional[LimitConfig] = None
    policies: Optional[PolicyConfig] = None
    worker: Optional[WorkerConfig] = None
    tier_cap: Optional[int] = None
    redis_url: Optional[str] = None
    redis_prefix: Optional[str] = None


@dataclass(frozen=True)
class OutgoingMessage:
    """An outbox message; ``idempotency_key`` makes enqueuing twice send once.
    ``lane`` follows ``category`` when unset."""

    idempotency_key: str
    phone_number_id: str
    recipient: str
    message: Message
    category: Category = "utility"
    lane: Optional[Lane] = None
    campaign_id: Optional[str] = None
    not_before: int = 0
    event_key: Optional[str] = None
    promotion: bool = False
    automated: bool = False

    def _to_core(self) -> Json:
        lane = self.lane or {"marketing": "marketing", "service": "reply"}.get(self.category, "notification")
        return {"idempotency_key": self.idempotency_key, "phone_number_id": self.phone_number_id,
                "recipient": self.recipient, "message": encode(self.message), "category": self.category,
                "lane": lane, "campaign_id": self.campaign_id, "not_before": self.not_before,
                "event_key": self.event_key, "promotion": self.promotion, "automated": self.automated}


class _SchedulerOps:
    def __init__(self, stores: Union[Stores, AsyncStores], client: Union[Client, AsyncClient],
                 settings: Optional[SchedulerSettings] = None) -> None:
        self._native = _native.NativeScheduler(stores._native, client._native,
                                               encode(settings or SchedulerSettings()))

    @operation
    def enqueue(self, message: OutgoingMessage) -> Op[Enqueued]:
        """``Enqueued.NEW``, or ``Enqueued.DUPLICATE`` when the key is already queued or sent."""
        return Op(self._native.enqueue(encode(message)), Enqueued)

    @operation
    def run_once(self) -> Op[RoundReport]:
        """One round: claim due items, decide, send."""
        return Op(self._native.run_once(), decoder(RoundReport))

    @operation
    def run_until_idle(self, horizon_ms: int = 0, timeout_ms: int = 30_000) -> Op[RoundReport]:
        """Rounds until nothing is due within ``horizon_ms``, or ``timeout_ms`` passed."""
        return Op(self._native.run_until_idle(horizon_ms, timeout_ms), decoder(RoundReport))

    @operation
    def recover(self) -> Op[int]:
        """Return expired leases to the queue; how many."""
        return Op(self._native.recover(), int)

    @operation
    def stats(self) -> Op[OutboxStats]:
        return Op(self._native.stats(), decoder(OutboxStats))


class Scheduler(_SchedulerOps, Blocking):
    """Blocking scheduler over ``stores`` sending with ``client``."""


class AsyncScheduler(_SchedulerOps, Awaiting):
    """The same operations as awaitables."""


__all__ = ["AsyncScheduler", "LimitConfig", "OutgoingMessage", "PolicyConfig", "QuietHours", "Scheduler",
           "SchedulerSettings", "WorkerConfig"]
