"""Webhooks: verify ``X-Hub-Signature-256`` over the raw body, parse into typed events.

Events are native objects: ``kind``, ``id``, ``phone_number_id``, ``wa_id``, ``user_id``,
``timestamp``, ``message_type``, ``text``, ``profile_name``, ``status`` and ``raw`` (the
object as received) as attributes; ``event["content"]`` and ``to_dict()`` give the whole
event as a dict. Unknown types keep their raw JSON."""

from __future__ import annotations

from functools import lru_cache
from typing import List, Optional

from . import _native

Event = _native.NativeEvent


class Verifier:
    """Keyed once with the app secret; verify (and parse) many bodies."""

    def __init__(self, app_secret: str) -> None:
        self._native = _native.NativeVerifier(app_secret)

    def verify(self, body: bytes, signature: Optional[str]) -> None:
        """Raise ``WebhookSignatureError`` unless ``signature`` matches ``body``."""
        self._native.verify(body, signature)

    def verify_and_parse(self, body: bytes, signature: Optional[str]) -> List[Event]:
        return self._native.verify_and_parse(body, signature)

    def __repr__(self) -> str:
        return "Verifier(...)"


@lru_cache(maxsize=16)
def _verifier(app_secret: str) -> _native.NativeVerifier:
    return _native.NativeVerifier(app_secret)


def verify(app_secret: str, body: bytes, signature: Optional[str]) -> None:
    """Raise ``WebhookSignatureError`` unless ``signature`` matches ``body``."""
    _verifier(app_secret).verify(body, signature)


def parse(body: bytes) -> List[Event]:
    """Events of the body; never fails on unknown types."""
    return _native.webhook_parse(body)


def verify_and_parse(app_secret: str, body: bytes, signature: Optional[str]) -> List[Event]:
    return _verifier(app_secret).verify_and_parse(body, signature)


__all__ = ["Event", "Verifier", "verify", "parse", "verify_and_parse"]
