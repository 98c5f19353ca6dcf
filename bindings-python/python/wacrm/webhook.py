"""Webhooks: verify ``X-Hub-Signature-256`` over the raw body and parse it into
typed events, one class per kind (``MessageEvent``, ``StatusEvent``, ...;
``WebhookEvent`` is their union). Each has ``kind``; every event but
``ErrorEvent`` has ``raw``, the object as received (JSON text), and
``to_dict()`` gives the whole event in the core's plain form. Fields are
decoded on first access (see ``_lazy``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, ClassVar, Dict, List, Optional, Union

from . import _native
from ._lazy import LazyRecord, lazy_record
from .events import (
    ContactInfo,
    GraphErrorInfo,
    MessageContent,
    Pricing,
    Referral,
    ReplyContext,
    Routing,
    TextContent,
)
from .updates import (
    AccountAlert,
    AccountUpdate,
    AppStateSync,
    Call,
    CallStatus,
    History,
    MessageEcho,
    PhoneNumberName,
    PhoneNumberQuality,
    TemplateCategory,
    TemplateQuality,
    TemplateStatus,
)


@lazy_record
class MessageEvent(LazyRecord):
    """An inbound message. ``from_`` is the customer's wa_id (absent for a
    username-only customer: then ``from_user_id``, the BSUID)."""

    kind: ClassVar[str] = "message"
    routing: Routing
    id: str
    from_: Optional[str]
    from_user_id: Optional[str]
    from_parent_user_id: Optional[str]
    timestamp: int
    contact: Optional[ContactInfo]
    context: Optional[ReplyContext]
    referral: Optional[Referral]
    content: MessageContent
    errors: List[GraphErrorInfo]
    raw: str

    @property
    def text(self) -> Optional[str]:
        """The text a person would read: body, caption or button title."""
        c = self.content
        for name in ("body", "caption", "text", "title"):
            v = getattr(c, name, None)
            if isinstance(v, str):
                return v
        return None


@lazy_record
class StatusEvent(LazyRecord):
    """A sent message's status: ``sent``, ``delivered``, ``read``, ``played`` or ``failed``."""

    kind: ClassVar[str] = "status"
    routing: Routing
    id: str
    status: str
    timestamp: int
    recipient_id: Optional[str]
    recipient_user_id: Optional[str]
    biz_opaque_callback_data: Optional[str]
    pricing: Optional[Pricing]
    conversation: Optional[Dict[str, Any]]
    errors: List[GraphErrorInfo]
    raw: str


@lazy_record
class ErrorEvent(LazyRecord):
    """An error about the app or number, not about one message."""

    kind: ClassVar[str] = "error"
    routing: Routing
    error: GraphErrorInfo


@lazy_record
class UnknownEvent(LazyRecord):
    """A change this version does not model; ``raw`` is its ``value`` object."""

    kind: ClassVar[str] = "unknown"
    field: str
    routing: Optional[Routing]
    reason: str
    raw: str


@lazy_record
class CallEvent(LazyRecord):
    kind: ClassVar[str] = "call"
    routing: Routing
    field: str
    data: Call
    raw: str


@lazy_record
class CallStatusEvent(LazyRecord):
    kind: ClassVar[str] = "call_status"
    routing: Routing
    field: str
    data: CallStatus
    raw: str


@lazy_record
class TemplateStatusEvent(LazyRecord):
    kind: ClassVar[str] = "template_status"
    routing: Routing
    field: str
    data: TemplateStatus
    raw: str


@lazy_record
class TemplateQualityEvent(LazyRecord):
    kind: ClassVar[str] = "template_quality"
    routing: Routing
    field: str
    data: TemplateQuality
    raw: str


@lazy_record
class TemplateCategoryEvent(LazyRecord):
    kind: ClassVar[str] = "template_category"
    routing: Routing
    field: str
    data: TemplateCategory
    raw: str


@lazy_record
class PhoneNumberQualityEvent(LazyRecord):
    kind: ClassVar[str] = "phone_number_quality"
    routing: Routing
    field: str
    data: PhoneNumberQuality
    raw: str


@lazy_record
class PhoneNumberNameEvent(LazyRecord):
    kind: ClassVar[str] = "phone_number_name"
    routing: Routing
    field: str
    data: PhoneNumberName
    raw: str


@lazy_record
class AccountAlertEvent(LazyRecord):
    kind: ClassVar[str] = "account_alert"
    routing: Routing
    field: str
    data: AccountAlert
    raw: str


@lazy_record
class AccountUpdateEvent(LazyRecord):
    kind: ClassVar[str] = "account_update"
    routing: Routing
    field: str
    data: AccountUpdate
    raw: str


@lazy_record
class MessageEchoEvent(LazyRecord):
    kind: ClassVar[str] = "message_echo"
    routing: Routing
    field: str
    data: MessageEcho
    raw: str


@lazy_record
class HistoryEvent(LazyRecord):
    kind: ClassVar[str] = "history"
    routing: Routing
    field: str
    data: History
    raw: str


@lazy_record
class AppStateSyncEvent(LazyRecord):
    kind: ClassVar[str] = "app_state_sync"
    routing: Routing
    field: str
    data: AppStateSync
    raw: str


WebhookEvent = Union[MessageEvent, StatusEvent, ErrorEvent, CallEvent, CallStatusEvent, TemplateStatusEvent,
                     TemplateQualityEvent, TemplateCategoryEvent, PhoneNumberQualityEvent, PhoneNumberNameEvent,
                     AccountAlertEvent, AccountUpdateEvent, MessageEchoEvent, HistoryEvent, AppStateSyncEvent,
                     UnknownEvent]
_KINDS: Dict[str, Callable[[Any], WebhookEvent]] = {
    c.kind: c for c in WebhookEvent.__args__}  # type: ignore[attr-defined]


def _events(natives: List[_native.NativeEvent]) -> List[WebhookEvent]:
    kinds = _KINDS
    return [kinds.get(n.kind, UnknownEvent)(n) for n in natives]


class Verifier:
    """Keyed once with the app secret; verify (and parse) many bodies."""

    def __init__(self, app_secret: str) -> None:
        self._native = _native.NativeVerifier(app_secret)

    def verify(self, body: bytes, signature: Optional[str]) -> None:
        """Raise ``WebhookSignatureError`` unless ``signature`` matches ``body``."""
        self._native.verify(body, signature)

    def verify_and_parse(self, body: bytes, signature: Optional[str]) -> List[WebhookEvent]:
        return _events(self._native.verify_and_parse(body, signature))

    def __repr__(self) -> str:
        return "Verifier(...)"


@lru_cache(maxsize=16)
def _verifier(app_secret: str) -> _native.NativeVerifier:
    return _native.NativeVerifier(app_secret)


def verify(app_secret: str, body: bytes, signature: Optional[str]) -> None:
    """Raise ``WebhookSignatureError`` unless ``signature`` matches ``body``."""
    _verifier(app_secret).verify(body, signature)


def parse(body: bytes) -> List[WebhookEvent]:
    """Events of the body; never fails on unknown types."""
    return _events(_native.webhook_parse(body))


def verify_and_parse(app_secret: str, body: bytes, signature: Optional[str]) -> List[WebhookEvent]:
    return _events(_verifier(app_secret).verify_and_parse(body, signature))


__all__ = [
    "AccountAlertEvent", "AccountUpdateEvent", "AppStateSyncEvent", "CallEvent", "CallStatusEvent", "ErrorEvent",
    "HistoryEvent", "MessageEchoEvent", "MessageEvent", "PhoneNumberNameEvent", "PhoneNumberQualityEvent",
    "StatusEvent", "TemplateCategoryEvent", "TemplateQualityEvent", "TemplateStatusEvent", "UnknownEvent",
    "Verifier", "WebhookEvent", "parse", "verify", "verify_and_parse",
]
