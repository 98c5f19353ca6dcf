"""What the webhook changes other than messages carry: calls, template and
phone-number updates, account alerts and updates, and the WhatsApp Business
app coexistence fields (echoes, history, contact sync)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ._convert import renamed
from .events import ContactInfo, GraphErrorInfo, MessageContent, TextContent


@dataclass(frozen=True)
class TemplateStatus:
    event: str = ""
    template_id: Optional[str] = renamed("message_template_id")
    template_name: Optional[str] = renamed("message_template_name")
    language: Optional[str] = renamed("message_template_language")
    reason: Optional[str] = None
    category: Optional[str] = renamed("message_template_category")
    disable_info: Optional[Dict[str, Any]] = None
    other_info: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class TemplateQuality:
    previous_quality_score: Optional[str] = None
    new_quality_score: Optional[str] = None
    template_id: Optional[str] = renamed("message_template_id")
    template_name: Optional[str] = renamed("message_template_name")
    language: Optional[str] = renamed("message_template_language")


@dataclass(frozen=True)
class TemplateCategory:
    template_id: Optional[str] = renamed("message_template_id")
    template_name: Optional[str] = renamed("message_template_name")
    language: Optional[str] = renamed("message_template_language")
    previous_category: Optional[str] = None
    new_category: Optional[str] = None
    correct_category: Optional[str] = None
    category_update_timestamp: Optional[int] = None


@dataclass(frozen=True)
class PhoneNumberQuality:
    display_phone_number: Optional[str] = None
    event: str = ""
    old_limit: Optional[str] = None
    current_limit: Optional[str] = None
    max_daily_conversations_per_business: Optional[str] = None


@dataclass(frozen=True)
class PhoneNumberName:
    display_phone_number: Optional[str] = None
    decision: str = ""
    requested_verified_name: Optional[str] = None
    rejection_reason: Optional[str] = None


@dataclass(frozen=True)
class AlertInfo:
    alert_severity: Optional[str] = None
    alert_status: Optional[str] = None
    alert_type: Optional[str] = None
    alert_description: Optional[str] = None


@dataclass(frozen=True)
class AccountAlert:
    entity_type: Optional[str] = None
    entity_id: Optional[str] = None
    alert_info: Optional[AlertInfo] = None


@dataclass(frozen=True)
class AccountUpdate:
    event: str = ""
    phone_number: Optional[str] = None
    ban_info: Optional[Dict[str, Any]] = None
    violation_info: Optional[Dict[str, Any]] = None
    restriction_info: Optional[Dict[str, Any]] = None
    waba_info: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class CallSession:
    sdp_type: Optional[str] = None
    sdp: Optional[str] = None


@dataclass(frozen=True)
class Call:
    """A call connecting, ending or being offered (``event``)."""

    id: str = ""
    event: str = ""
    from_: Optional[str] = None
    to: Optional[str] = None
    direction: Optional[str] = None
    timestamp: Optional[int] = None
    session: Optional[CallSession] = None
    status: Optional[str] = None
    start_time: Optional[int] = None
    end_time: Optional[int] = None
    duration: Optional[int] = None
    biz_opaque_callback_data: Optional[str] = None
    errors: List[GraphErrorInfo] = field(default_factory=list)
    contact: Optional[ContactInfo] = None


@dataclass(frozen=True)
class CallStatus:
    id: str = ""
    status: str = ""
    type_: Optional[str] = None
    timestamp: Optional[int] = None
    recipient_id: Optional[str] = None
    recipient_user_id: Optional[str] = None
    biz_opaque_callback_data: Optional[str] = None


@dataclass(frozen=True)
class MessageEcho:
    """A message the business sent from the WhatsApp Business app."""

    id: str = ""
    from_: Optional[str] = None
    to: Optional[str] = None
    timestamp: int = 0
    content: MessageContent = field(default_factory=TextContent)


@dataclass(frozen=True)
class HistoryChunk:
    phase: Optional[int] = None
    chunk_order: Optional[int] = None
    progress: Optional[int] = None


@dataclass(frozen=True)
class HistoryThread:
    """One chat of the history sync; its messages as Meta sends them."""

    id: str = ""
    messages: List[Dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class History:
    metadata: Optional[HistoryChunk] = None
    threads: List[HistoryThread] = field(default_factory=list)
    errors: List[GraphErrorInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SyncedContact:
    full_name: Optional[str] = None
    first_name: Optional[str] = None
    phone_number: Optional[str] = None


@dataclass(frozen=True)
class SyncMeta:
    timestamp: Optional[int] = None


@dataclass(frozen=True)
class AppStateSync:
    type_: str = ""
    contact: Optional[SyncedContact] = None
    action: Optional[str] = None
    metadata: Optional[SyncMeta] = None
