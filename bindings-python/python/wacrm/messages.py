"""Builders for outbound messages (the core's ``OutboundMessage`` as JSON-ready dicts).
The core validates every message before sending and raises ``ValidationError``."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

Message = Dict[str, Any]


def text(body: str, preview_url: bool = False) -> Message:
    return {"type": "text", "content": {"body": body, "preview_url": preview_url}}


def _media(kind: str, link: Optional[str], media_id: Optional[str], caption: Optional[str], filename: Optional[str]) -> Message:
    if (link is None) == (media_id is None):
        raise ValueError("give exactly one of link and media_id")
    source: Dict[str, str] = {"link": link} if link is not None else {"id": media_id or ""}
    return {"type": kind, "content": {"source": source, "caption": caption, "filename": filename}}


def image(link: Optional[str] = None, media_id: Optional[str] = None, caption: Optional[str] = None) -> Message:
    return _media("image", link, media_id, caption, None)


def document(link: Optional[str] = None, media_id: Optional[str] = None, caption: Optional[str] = None, filename: Optional[str] = None) -> Message:
    return _media("document", link, media_id, caption, filename)


def location(latitude: float, longitude: float, name: Optional[str] = None, address: Optional[str] = None) -> Message:
    return {"type": "location", "content": {"latitude": latitude, "longitude": longitude, "name": name, "address": address}}


def reaction(message_id: str, emoji: str = "") -> Message:
    return {"type": "reaction", "content": {"message_id": message_id, "emoji": emoji}}


def buttons(body: str, choices: Sequence[tuple[str, str]], header: Optional[str] = None, footer: Optional[str] = None) -> Message:
    return {
        "type": "interactive",
        "content": {
            "kind": "buttons",
            "header": None if header is None else {"text": header},
            "body": body,
            "footer": footer,
            "buttons": [{"id": i, "title": t} for i, t in choices],
        },
    }


def template(name: str, language: str = "en_US", body_params: Sequence[str] = (), named: Optional[Dict[str, str]] = None) -> Message:
    params: List[Dict[str, Any]] = [{"kind": "text", "value": {"text": p, "name": None}} for p in body_params]
    if named:
        params += [{"kind": "text", "value": {"text": v, "name": k}} for k, v in named.items()]
    components = [{"kind": "body", "value": params}] if params else []
    return {"type": "template", "content": {"name": name, "language": language, "components": components}}


__all__ = ["Message", "text", "image", "document", "location", "reaction", "buttons", "template"]
