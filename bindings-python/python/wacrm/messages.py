"""Outbound messages, one typed class per message type. The core validates
every message before sending and raises ``ValidationError``. ``to_dict()``
gives a message's Graph wire form (the Cloud API ``/messages`` body without
``messaging_product``, ``to`` and ``recipient_type``), which is also how it
crosses to the core.

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


def _present(**fields: Any) -> Json:
    return {k: v for k, v in fields.items() if v is not None}


def _text(t: Optional[str]) -> Optional[Json]:
    return None if t is None else {"text": t}


class _Wire:
    """Messages cross to the core in their wire form."""

    def to_dict(self) -> Json:
        raise NotImplementedError

    def _to_core(self) -> Json:
        return self.to_dict()


@dataclass(frozen=True)
class Text(_Wire):
    body: str
    preview_url: bool = False

    def to_dict(self) -> Json:
        return {"type": "text", "text": {"body": self.body, "preview_url": self.preview_url}}


@dataclass(frozen=True)
class _Media(_Wire):
    """A media message: an uploaded media ``id`` or a public ``link``."""

    id: Optional[str] = None
    link: Optional[str] = None
    caption: Optional[str] = None

    def _content(self) -> Json:
        return {**_source(self.id, self.link), **_present(caption=self.caption)}

    def to_dict(self) -> Json:
        kind = type(self).__name__.lower()
        return {"type": kind, kind: self._content()}


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
        return {**super()._content(), **_present(filename=self.filename)}


@dataclass(frozen=True)
class Location(_Wire):
    latitude: float
    longitude: float
    name: Optional[str] = None
    address: Optional[str] = None

    def to_dict(self) -> Json:
        return {"type": "location", "location": {"latitude": self.latitude, "longitude": self.longitude,
                                                 **_present(name=self.name, address=self.address)}}


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
class Contacts(_Wire):
    cards: List[ContactCard]

    def to_dict(self) -> Json:
        # Empty lists are left out, as Meta's examples (and the core) write cards.
        cards = [{k: v for k, v in encode(c).items() if v != []} for c in self.cards]
        return {"type": "contacts", "contacts": cards}


@dataclass(frozen=True)
class Reaction(_Wire):
    """React to ``message_id``; an empty ``emoji`` removes the reaction."""

    message_id: str
    emoji: str = ""

    def to_dict(self) -> Json:
        return {"type": "reaction", "reaction": {"message_id": self.message_id, "emoji": self.emoji}}


@dataclass(frozen=True)
class ReplyButton:
    id: str
    title: str


def _interactive(kind: str, body: str, header: Optional[str], footer: Optional[str], action: Json) -> Json:
    head = None if header is None else {"type": "text", "text": header}
    return {"type": "interactive", "interactive": {
        "type": kind, **_present(header=head), "body": {"text": body}, **_present(footer=_text(footer)),
        "action": action}}


@dataclass(frozen=True)
class Buttons(_Wire):
    """Up to three reply buttons; ``header`` is a text header."""

    body: str
    buttons: List[ReplyButton]
    header: Optional[str] = None
    footer: Optional[str] = None

    def to_dict(self) -> Json:
        action = {"buttons": [{"type": "reply", "reply": encode(b)} for b in self.buttons]}
        return _interactive("button", self.body, self.header, self.footer, action)


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
class ListMessage(_Wire):
    """A list message: ``button`` opens the ``sections``."""

    body: str
    button: str
    sections: List[ListSection]
    header: Optional[str] = None
    footer: Optional[str] = None

    def to_dict(self) -> Json:
        action = {"button": self.button, "sections": [encode(s) for s in self.sections]}
        return _interactive("list", self.body, self.header, self.footer, action)


@dataclass(frozen=True)
class TextParam:
    """A text parameter; ``name`` for templates with named parameters."""

    text: str
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "text", "text": self.text, **_present(parameter_name=self.name)}


@dataclass(frozen=True)
class CurrencyParam:
    fallback_value: str
    code: str
    amount_1000: int
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "currency", "currency": {"fallback_value": self.fallback_value, "code": self.code,
                                                 "amount_1000": self.amount_1000},
                **_present(parameter_name=self.name)}


@dataclass(frozen=True)
class DateTimeParam:
    fallback_value: str
    name: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": "date_time", "date_time": {"fallback_value": self.fallback_value},
                **_present(parameter_name=self.name)}


@dataclass(frozen=True)
class MediaParam:
    """An image, video or document header parameter."""

    kind: str
    id: Optional[str] = None
    link: Optional[str] = None
    filename: Optional[str] = None

    def _to_core(self) -> Json:
        return {"type": self.kind, self.kind: {**_source(self.id, self.link), **_present(filename=self.filename)}}


@dataclass(frozen=True)
class PayloadParam:
    """A quick-reply button's payload."""

    payload: str

    def _to_core(self) -> Json:
        return {"type": "payload", "payload": self.payload}


TemplateParam = Union[TextParam, CurrencyParam, DateTimeParam, MediaParam, PayloadParam]


@dataclass(frozen=True)
class TemplateButton:
    """Parameters of a template button (``sub_type`` ``quick_reply`` or ``url``)."""

    sub_type: str
    index: int
    parameters: List[TemplateParam]


@dataclass(frozen=True)
class Template(_Wire):
    """An approved template with its parameters."""

    name: str
    language: str = "en_US"
    body: List[TemplateParam] = field(default_factory=list)
    header: Optional[List[TemplateParam]] = None
    buttons: List[TemplateButton] = field(default_factory=list)

    def to_dict(self) -> Json:
        components: List[Json] = []
        if self.header is not None:
            components.append({"type": "header", "parameters": [encode(p) for p in self.header]})
        if self.body:
            components.append({"type": "body", "parameters": [encode(p) for p in self.body]})
        for b in self.buttons:
            components.append({"type": "button", "sub_type": b.sub_type, "index": str(b.index),
                               "parameters": [encode(p) for p in b.parameters]})
        template: Json = {"name": self.name, "language": {"code": self.language}}
        if components:
            template["components"] = components
        return {"type": "template", "template": template}


Message = Union[Text, Image, Video, Audio, Sticker, Document, Location, Contacts, Reaction, Buttons, ListMessage,
                Template]

__all__ = [
    "Audio", "Buttons", "ContactCard", "ContactEmail", "ContactName", "ContactOrg", "ContactPhone", "ContactUrl",
    "Contacts", "CurrencyParam", "DateTimeParam", "Document", "Image", "ListMessage", "ListRow", "ListSection",
    "Location", "MediaParam", "Message", "PayloadParam", "Reaction", "ReplyButton", "Sticker", "Template",
    "TemplateButton", "TemplateParam", "Text", "TextParam", "Video",
]
