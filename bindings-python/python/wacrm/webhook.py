"""Webhooks: verify ``X-Hub-Signature-256`` over the raw body, parse into events."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from . import _native


def verify(app_secret: str, body: bytes, signature: Optional[str]) -> None:
    """Raise ``WebhookSignatureError`` unless ``signature`` matches ``body``."""
    _native.webhook_verify(app_secret, body, signature)


def parse(body: bytes) -> List[Dict[str, Any]]:
    """Events with ``kind`` message/status/error/unknown; unknown types keep their raw JSON."""
    events: List[Dict[str, Any]] = json.loads(_native.webhook_parse(body))
    return events


def verify_and_parse(app_secret: str, body: bytes, signature: Optional[str]) -> List[Dict[str, Any]]:
    verify(app_secret, body, signature)
    return parse(body)


__all__ = ["verify", "parse", "verify_and_parse"]
