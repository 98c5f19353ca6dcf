"""Webhook events: one typed class per kind, as the core parses them. Every
event but ``ErrorEvent`` keeps ``raw``, the object exactly as received (JSON
text), so a field not modelled here is never lost; ``UnknownEvent`` is a
change this version does not know."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Dict, List, Optional, Union

from ._convert import register_union, renamed


@dataclass(frozen=True)
class Routing:
    """Which WABA and business number a change is for: route on ``phone_number_id``."""

    waba_id: str = ""
    phone_number_id: str = ""
    display_phone_number: str = ""


@dataclass(frozen=True)
class GraphErrorInfo:
    """An error object inside a webhook (Meta's ``errors`` entries)."""

    code: int = 0
    error_subcode: Optional[int] = None
    message: str = ""
    type_: Optional[str] = None
    title: Optional[str] = None
    error_data: Any = None
    fbtrace_id: Optional[str] = None
    is_transient: Optional[bool] = None
    error_user_title: Optional[str] = None
    error_user_msg: Optional[str] = None
    href: Optional[str] = None


@dataclass(frozen=True)
class ContactInfo:
    """The customer's profile as the webhook gives it."""

    name: Optional[str] = None
    username: Optional[str] = None
    wa_id: Optional[str] = None
    user_id: Optional[str] = None
    parent_user_id: Optional[str] = None


# ---- what an inbound message carries -------------------------------------------------

@dataclass(frozen=True)
class TextContent:
    type: ClassVar[str] = "text"
    body: str = ""


@dataclass(frozen=True)
class MediaContent:
    """Image, audio, video, document or sticker: ``type`` says which."""

    type_: str = ""
    id: str = ""
    mime_type: Optional[str] = None
    sha256: Optional[str] = None
    caption: Optional[str] = None
    filename: Optional[str] = None
    voice: Optional[bool] = None
    animated: Optional[bool] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LocationContent:
    type: ClassVar[str] = "location"
    latitude: float = 0.0
    longitude: float = 0.0
    name: Optional[str] = None
    address: Optional[str] = None
    url: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactsContent:
    """Shared contact cards, as Meta sends them."""

    type: ClassVar[str] = "contacts"
    contacts: List[Dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class InteractiveContent:
    """A reply to an interactive message: ``reply_type`` is ``button_reply``,
    ``list_reply``, ``nfm_reply`` (a Flow; ``response_json`` is its answer as
    Meta sends it) or ``other`` (then ``other_type`` is Meta's type)."""

    type: ClassVar[str] = "interactive"
    # The core's form carries the reply's own tag in `type` (it replaces "interactive").
    reply_type: str = renamed("type")
    other_type: Optional[str] = renamed("reply_type")
    id: Optional[str] = None
    title: Optional[str] = None
    description: Optional[str] = None
    name: Optional[str] = None
    body: Optional[str] = None
    response_json: Optional[str] = None


@dataclass(frozen=True)
class ButtonContent:
    """A template quick-reply button tap."""

    type: ClassVar[str] = "button"
    text: str = ""
    payload: Optional[str] = None


@dataclass(frozen=True)
class ReactionContent:
    """``emoji`` absent means the reaction was removed."""

    type: ClassVar[str] = "reaction"
    message_id: str = ""
    emoji: Optional[str] = None


@dataclass(frozen=True)
class OrderContent:
    type: ClassVar[str] = "order"
    catalog_id: Optional[str] = None
    product_items: List[Dict[str, Any]] = field(default_factory=list)
    text: Optional[str] = None


@dataclass(frozen=True)
class SystemContent:
    """A number or identity change notice."""

    type: ClassVar[str] = "system"
    body: Optional[str] = None
    system_type: Optional[str] = None
    wa_id: Optional[str] = None
    user_id: Optional[str] = None


@dataclass(frozen=True)
class OtherContent:
    """``request_welcome``, ``unsupported`` or a type this version does not know."""

    type_: str = ""
    type_name: Optional[str] = None


MessageContent = Union[TextContent, MediaContent, LocationContent, ContactsContent, InteractiveContent,
                       ButtonContent, ReactionContent, OrderContent, SystemContent, OtherContent]
_MEDIA = {t: MediaContent for t in ("image", "audio", "video", "document", "sticker")}
register_union(MessageContent, "type", {
    "text": TextContent, **_MEDIA, "location": LocationContent, "contacts": ContactsContent,
    **{t: InteractiveContent for t in ("interactive", "button_reply", "list_reply", "nfm_reply", "other")},
    "button": ButtonContent, "reaction": ReactionContent,
    "order": OrderContent, "system": SystemContent, "*": OtherContent})


@dataclass(frozen=True)
class ReplyContext:
    """The message this one replies to, or forwarding flags."""

    from_: Optional[str] = None
    id: Optional[str] = None
    forwarded: Optional[bool] = None
    frequently_forwarded: Optional[bool] = None
    referred_product: Optional[Dict[str, Any]] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Referral:
    """The ad a click-to-WhatsApp conversation started from."""

    source_url: Optional[str] = None
    source_id: Optional[str] = None
    source_type: Optional[str] = None
    headline: Optional[str] = None
    body: Optional[str] = None
    ctwa_clid: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pricing:
    pricing_model: Optional[str] = None
    category: Optional[str] = None
    type_: Optional[str] = None
    billable: Optional[bool] = None
