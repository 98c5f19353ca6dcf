"""Webhooks: verify ``X-Hub-Signature-256`` over the raw body and parse it into
typed events, one class per kind (``MessageEvent``, ``StatusEvent``, ...;
``WebhookEvent`` is their union). Each has ``kind``; every event but
``ErrorEvent`` has ``raw``, the object as received (JSON text)."""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from typing import Any, Callable, ClassVar, Dict, List, Optional, Union

from . import _native
from ._convert import register_union, union_decoder
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


@dataclass(frozen=True)
class MessageEvent:
    """An inbound message. ``from_`` is the customer's wa_id (absent for a
    username-only customer: then ``from_user_id``, the BSUID)."""

    kind: ClassVar[str] = "message"
    routing: Routing = dc_field(default_factory=Routing)
    id: str = ""
    from_: Optional[str] = None
    from_user_id: Optional[str] = None
    from_parent_user_id: Optional[str] = None
    timestamp: int = 0
    contact: Optional[ContactInfo] = None
    context: Optional[ReplyContext] = None
    referral: Optional[Referral] = None
    content: MessageContent = dc_field(default_factory=TextContent)
    errors: List[GraphErrorInfo] = dc_field(default_factory=list)
    raw: str = ""

    @property
    def text(self) -> Optional[str]:
        """The text a person would read: body, caption or button title."""
        c = self.content
        for name in ("body", "caption", "text", "title"):
            v = getattr(c, name, None)
            if isinstance(v, str):
                return v
        return None


@dataclass(frozen=True)
class StatusEvent:
    """A sent message's status: ``sent``, ``delivered``, ``read``, ``played`` or ``failed``."""

    kind: ClassVar[str] = "status"
    routing: Routing = dc_field(default_factory=Routing)
    id: str = ""
    status: str = ""
    timestamp: int = 0
    recipient_id: Optional[str] = None
    recipient_user_id: Optional[str] = None
    biz_opaque_callback_data: Optional[str] = None
    pricing: Optional[Pricing] = None
    conversation: Optional[Dict[str, Any]] = None
    errors: List[GraphErrorInfo] = dc_field(default_factory=list)
    raw: str = ""


@dataclass(frozen=True)
class ErrorEvent:
    """An error about the app or number, not about one message."""

    kind: ClassVar[str] = "error"
    routing: Routing = dc_field(default_factory=Routing)
    error: GraphErrorInfo = dc_field(default_factory=GraphErrorInfo)


@dataclass(frozen=True)
class UnknownEvent:
    """A change this version does not model; ``raw`` is its ``value`` object."""

    kind: ClassVar[str] = "unknown"
    field: str = ""
    routing: Optional[Routing] = None
    reason: str = ""
    raw: str = ""


@dataclass(frozen=True)
class CallEvent:
    kind: ClassVar[str] = "call"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: Call = dc_field(default_factory=Call)
    raw: str = ""


@dataclass(frozen=True)
class CallStatusEvent:
    kind: ClassVar[str] = "call_status"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: CallStatus = dc_field(default_factory=CallStatus)
    raw: str = ""


@dataclass(frozen=True)
class TemplateStatusEvent:
    kind: ClassVar[str] = "template_status"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: TemplateStatus = dc_field(default_factory=TemplateStatus)
    raw: str = ""


@dataclass(frozen=True)
class TemplateQualityEvent:
    kind: ClassVar[str] = "template_quality"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: TemplateQuality = dc_field(default_factory=TemplateQuality)
    raw: str = ""


@dataclass(frozen=True)
class TemplateCategoryEvent:
    kind: ClassVar[str] = "template_category"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: TemplateCategory = dc_field(default_factory=TemplateCategory)
    raw: str = ""


@dataclass(frozen=True)
class PhoneNumberQualityEvent:
    kind: ClassVar[str] = "phone_number_quality"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: PhoneNumberQuality = dc_field(default_factory=PhoneNumberQuality)
    raw: str = ""


@dataclass(frozen=True)
class PhoneNumberNameEvent:
    kind: ClassVar[str] = "phone_number_name"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: PhoneNumberName = dc_field(default_factory=PhoneNumberName)
    raw: str = ""


@dataclass(frozen=True)
class AccountAlertEvent:
    kind: ClassVar[str] = "account_alert"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: AccountAlert = dc_field(default_factory=AccountAlert)
    raw: str = ""


@dataclass(frozen=True)
class AccountUpdateEvent:
    kind: ClassVar[str] = "account_update"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: AccountUpdate = dc_field(default_factory=AccountUpdate)
    raw: str = ""


@dataclass(frozen=True)
class MessageEchoEvent:
    kind: ClassVar[str] = "message_echo"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: MessageEcho = dc_field(default_factory=MessageEcho)
    raw: str = ""


@dataclass(frozen=True)
class HistoryEvent:
    kind: ClassVar[str] = "history"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: History = dc_field(default_factory=History)
    raw: str = ""


@dataclass(frozen=True)
class AppStateSyncEvent:
    kind: ClassVar[str] = "app_state_sync"
    routing: Routing = dc_field(default_factory=Routing)
    field: str = ""
    data: AppStateSync = dc_field(default_factory=AppStateSync)
    raw: str = ""


WebhookEvent = Union[MessageEvent, StatusEvent, ErrorEvent, CallEvent, CallStatusEvent, TemplateStatusEvent,
                     TemplateQualityEvent, TemplateCategoryEvent, PhoneNumberQualityEvent, PhoneNumberNameEvent,
                     AccountAlertEvent, AccountUpdateEvent, MessageEchoEvent, HistoryEvent, AppStateSyncEvent,
                     UnknownEvent]
_KINDS: Dict[str, type] = {c.kind: c for c in WebhookEvent.__args__}  # type: ignore[attr-defined]
register_union(WebhookEvent, "kind", {**_KINDS, "*": UnknownEvent})
_events: Callable[[Any], List[WebhookEvent]] = union_decoder(List[WebhookEvent])


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
