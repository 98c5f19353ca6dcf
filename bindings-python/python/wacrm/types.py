"""Typed answers of the Cloud API client, the phone parser, the sandbox and
errors: frozen dataclasses with the core's field names. ``extra`` keeps fields
Meta returns that are not named here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class SentContact:
    """One contact entry of a send response."""

    input: str = ""
    wa_id: Optional[str] = None
    user_id: Optional[str] = None


@dataclass(frozen=True)
class SentMessage:
    """The id Meta gave a message it accepted."""

    id: str = ""
    message_status: Optional[str] = None


@dataclass(frozen=True)
class SendResponse:
    """What ``send`` returns."""

    messaging_product: str = "whatsapp"
    contacts: List[SentContact] = field(default_factory=list)
    messages: List[SentMessage] = field(default_factory=list)

    @property
    def message_id(self) -> str:
        """The id of the (single) message sent."""
        return self.messages[0].id if self.messages else ""


@dataclass(frozen=True)
class Success:
    success: bool = False

    def __bool__(self) -> bool:
        return self.success


@dataclass(frozen=True)
class MediaUrl:
    """The short-lived download URL of a media id."""

    url: str = ""
    mime_type: str = ""
    sha256: str = ""
    file_size: int = 0
    id: str = ""


@dataclass(frozen=True)
class DownloadedMedia:
    path: str = ""
    bytes: int = 0


@dataclass(frozen=True)
class Template:
    """A message template of a WABA; ``components`` as Meta defines them."""

    id: str = ""
    name: str = ""
    language: str = ""
    category: str = ""
    status: str = ""
    parameter_format: Optional[str] = None
    components: List[Dict[str, Any]] = field(default_factory=list)
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TemplatePage:
    items: List[Template] = field(default_factory=list)
    next: Optional[str] = None


@dataclass(frozen=True)
class NewTemplate:
    """A template to submit for review."""

    name: str
    language: str
    category: str
    components: List[Dict[str, Any]] = field(default_factory=list)
    parameter_format: Optional[str] = None


@dataclass(frozen=True)
class TemplateQuery:
    """Filters of ``list_templates``; unset ones do not filter."""

    name: Optional[str] = None
    status: Optional[str] = None
    category: Optional[str] = None
    language: Optional[str] = None
    limit: Optional[int] = None
    after: Optional[str] = None


@dataclass(frozen=True)
class CreatedTemplate:
    id: str = ""
    status: str = ""
    category: str = ""


@dataclass(frozen=True)
class PhoneNumber:
    """A business phone number of a WABA."""

    id: str = ""
    display_phone_number: str = ""
    verified_name: str = ""
    quality_rating: Optional[str] = None
    messaging_limit_tier: Optional[str] = None
    throughput: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PhoneNumberPage:
    items: List[PhoneNumber] = field(default_factory=list)
    next: Optional[str] = None


@dataclass(frozen=True)
class BusinessProfile:
    """A number's business profile; unset fields are left unchanged on update."""

    about: Optional[str] = None
    address: Optional[str] = None
    description: Optional[str] = None
    email: Optional[str] = None
    websites: List[str] = field(default_factory=list)
    vertical: Optional[str] = None
    profile_picture_url: Optional[str] = None


@dataclass(frozen=True)
class PhoneInfo:
    """One parsed phone number."""

    e164: str = ""
    region: str = ""
    country_code: int = 0
    number_type: str = ""
    valid: bool = False
    extension: Optional[str] = None


@dataclass(frozen=True)
class ErrorDetails:
    """What every error carries, the same in every binding."""

    kind: str = "unknown"
    code: str = "UNKNOWN"
    message: str = ""
    graph_code: Optional[int] = None
    graph_subcode: Optional[int] = None
    graph_details: Optional[str] = None
    fbtrace_id: Optional[str] = None
    http_status: Optional[int] = None
    retryable: bool = False
    retry_after_ms: Optional[int] = None


@dataclass(frozen=True)
class Faults:
    """Faults the sandbox injects (rates from 0 to 1)."""

    error_rate: Optional[float] = None
    latency_ms: Optional[int] = None
    drop_rate: Optional[float] = None
    drop_after_accept_rate: Optional[float] = None
    duplicate_webhook_rate: Optional[float] = None
    out_of_order_rate: Optional[float] = None


@dataclass(frozen=True)
class LedgerEntry:
    """A message the sandbox accepted; ``body`` is the request as sent."""

    seq: int = 0
    id: str = ""
    phone_number_id: str = ""
    to: str = ""
    recipient: str = ""
    type_: str = ""
    body: Dict[str, Any] = field(default_factory=dict)
    idempotency_key: Optional[str] = None
    accepted_at_ms: int = 0
    outcome: str = ""


__all__ = [
    "BusinessProfile", "CreatedTemplate", "DownloadedMedia", "ErrorDetails", "Faults", "LedgerEntry",
    "MediaUrl", "NewTemplate", "PhoneInfo", "PhoneNumber", "PhoneNumberPage", "SendResponse",
    "SentContact", "SentMessage", "Success", "Template", "TemplatePage", "TemplateQuery",
]
