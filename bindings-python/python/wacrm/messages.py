"""Outbound messages, one typed class per message type. The core validates
every message before sending and raises ``ValidationError``.

    Text("hi")
    Image(link="https://...", caption="logo")   # or Image(id=media_id)
    Template("order_update", "en_US", body=[TextParam("Ana"), TextParam("#1")])
    Buttons("Pick one", [ReplyButton("y", "Yes"), ReplyButton("n", "No")])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from ._convert import encode

Json = Dict[str, Any]


def _source(id: Optional[str], link: Optional[str]) -> Json:
    if (id is None) == (link is None):
        raise ValueError("give exactly one of id and link")
    return {"id": id} if id is not None else {"link": link}


@dataclass(frozen=True)
class Text:
    body: str
    preview_url: bool = False

    def _to_core(self) -> Json:
        return {"type": "text", "content": {"body": self.body, "preview_url": self.preview_url}}


@dataclass(frozen=True)
class _Media:
    """A media message: an uploaded media ``id`` or a public ``link``."""

    id: Optional[str] = None
    link: Optional[str] = None
    caption: Optional[str] = None

    def _content(self) -> Json:
        return {"source": _source(self.id, self.link), "caption": self.caption}

    def _to_core(self) -> Json:
        return {"type": type(self).__name__.lower(), "content": self._content()}


@dataclass(frozen=True)
class Image(_Media):
    pass


@dataclass(frozen=True)
class Video(_Media):
    pass


@dataclass(frozen=True)
class Audio(_Media):
    pass


@dataclass(frozen=True)
class Sticker(_Media):
    pass


@dataclass(frozen=True)
class Document(_Media):
    filename: Optional[str] = None

    def _content(self) -> Json:
        return {**super()._content(), "filename": self.filename}


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    name: Optional[str] = None
    address: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "location", "content": {"latitude": self.latitude, "longitude": self.longitude,
                                                "name": self.name, "address": self.address}}


@dataclass(frozen=True)
class ContactName:
    formatted_name: str
    first_name: Optional[str] = None
    last_name: Optional[str] = None


@dataclass(frozen=True)
class ContactPhone:
    phone: str
    type_: Optional[str] = None
    wa_id: Optional[str] = None


@dataclass(frozen=True)
class ContactEmail:
    email: str
    type_: Optional[str] = None


@dataclass(frozen=True)
class ContactOrg:
    company: Optional[str] = None
    department: Optional[str] = None
    title: Optional[str] = None


@dataclass(frozen=True)
class ContactUrl:
    url: str
    type_: Optional[str] = None


@dataclass(frozen=True)
class ContactCard:
    name: ContactName
    phones: List[ContactPhone] = field(default_factory=list)
    emails: List[ContactEmail] = field(default_factory=list)
    org: Optional[ContactOrg] = None
    urls: List[ContactUrl] = field(default_factory=list)
    birthday: Optional[str] = None


@dataclass(frozen=True)
class Contacts:
    cards: List[ContactCard]

    def _to_core(self) -> Json:
        return {"type": "contacts", "content": [encode(c) for c in self.cards]}


@dataclass(frozen=True)
class Reaction:
    """React to ``message_id``; an empty ``emoji`` removes the reaction."""

    message_id: str
    emoji: str = ""

    def _to_core(self) -> Json:
        return {"type": "reaction", "content": {"message_id": self.message_id, "emoji": self.emoji}}


@dataclass(frozen=True)
class ReplyButton:
    id: str
    title: str


@dataclass(frozen=True)
class Buttons:
    """Up to three reply buttons; ``header`` is a text header."""

    body: str
    buttons: List[ReplyButton]
    header: Optional[str] = None
    footer: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "interactive", "content": {
            "kind": "buttons", "body": self.body, "footer": self.footer,
            "header": None if self.header is None else {"text": self.header},
            "buttons": [encode(b) for b in self.buttons]}}


@dataclass(frozen=True)
class ListRow:
    id: str
    title: str
    description: Optional[str] = None


@dataclass(frozen=True)
class ListSection:
    rows: List[ListRow]
    title: Optional[str] = None


@dataclass(frozen=True)
class ListMessage:
    """A list message: ``button`` opens the ``sections``."""

    body: str
    button: str
    sections: List[ListSection]
    header: Optional[str] = None
    footer: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "interactive", "content": {
            "kind": "list", "body": self.body, "button": self.button, "header": self.header,
            "footer": self.footer, "sections": [encode(s) for s in self.sections]}}


@dataclass(frozen=True)
class TextParam:
    """A text parameter; ``name`` for templates with named parameters."""

    text: str
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"kind": "text", "value": {"text": self.text, "name": self.name}}


@dataclass(frozen=True)
class CurrencyParam:
    fallback_value: str
    code: str
    amount_1000: int
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"kind": "currency", "value": encode_fields(self)}


@dataclass(frozen=True)
class DateTimeParam:
    fallback_value: str
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"kind": "date_time", "value": encode_fields(self)}


@dataclass(frozen=True)
class MediaParam:
    """An image, video or document header parameter."""

    kind: str
    id: Optional[str] = None
    link: Optional[str] = None
    filename: Optional[str] = None

    def _to_core(self) -> Json:
        source = _source(self.id, self.link)
        if self.kind == "document":
            return {"kind": "document", "value": {"source": source, "filename": self.filename}}
        return {"kind": self.kind, "value": source}


@dataclass(frozen=True)
class PayloadParam:
    """A quick-reply button's payload."""

    payload: str

    def _to_core(self) -> Json:
        return {"kind": "payload", "value": self.payload}


TemplateParam = Union[TextParam, CurrencyParam, DateTimeParam, MediaParam, PayloadParam]


def encode_fields(obj: Any) -> Json:
    out: Json = {k: v for k, v in vars(obj).items() if v is not None}
    return out


@dataclass(frozen=True)
class TemplateButton:
    """Parameters of a template button (``sub_type`` ``quick_reply`` or ``url``)."""

    sub_type: str
    index: int
    parameters: List[TemplateParam]


@dataclass(frozen=True)
class Template:
    """An approved template with its parameters."""

    name: str
    language: str = "en_US"
    body: List[TemplateParam] = field(default_factory=list)
    header: Optional[List[TemplateParam]] = None
    buttons: List[TemplateButton] = field(default_factory=list)

    def _to_core(self) -> Json:
        components: List[Json] = []
        if self.header is not None:
            components.append({"kind": "header", "value": [encode(p) for p in self.header]})
        if self.body:
            components.append({"kind": "body", "value": [encode(p) for p in self.body]})
        for b in self.buttons:
            components.append({"kind": "button", "value": {
                "sub_type": b.sub_type, "index": b.index, "parameters": [encode(p) for p in b.parameters]}})
        return {"type": "template", "content": {"name": self.name, "language": self.language,
                                                "components": components}}


Message = Union[Text, Image, Video, Audio, Sticker, Document, Location, Contacts, Reaction, Buttons, ListMessage,
                Template]

__all__ = [
    "Audio", "Buttons", "ContactCard", "ContactEmail", "ContactName", "ContactOrg", "ContactPhone", "ContactUrl",
    "Contacts", "CurrencyParam", "DateTimeParam", "Document", "Image", "ListMessage", "ListRow", "ListSection",
    "Location", "MediaParam", "Message", "PayloadParam", "Reaction", "ReplyButton", "Sticker", "Template",
    "TemplateButton", "TemplateParam", "Text", "TextParam", "Video",
]
