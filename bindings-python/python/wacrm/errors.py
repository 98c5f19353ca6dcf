"""Exceptions raised by wacrm. One class per error kind, all under WacrmError.

Every exception carries the fields of the core's ``ErrorDetails`` record, so the
same information is available in Rust, Python, Node and Swift.
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type


class WacrmError(Exception):
    """Base class. Attributes mirror ``ErrorDetails``."""

    kind: str
    code: str
    graph_code: Optional[int]
    graph_subcode: Optional[int]
    graph_details: Optional[str]
    fbtrace_id: Optional[str]
    http_status: Optional[int]
    retryable: bool
    retry_after: Optional[float]

    def __init__(self, message: str, details: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(message)
        d = details or {}
        self.kind = str(d.get("kind", "unknown"))
        self.code = str(d.get("code", "UNKNOWN"))
        self.graph_code = d.get("graph_code")
        self.graph_subcode = d.get("graph_subcode")
        self.graph_details = d.get("graph_details")
        self.fbtrace_id = d.get("fbtrace_id")
        self.http_status = d.get("http_status")
        self.retryable = bool(d.get("retryable", False))
        ms = d.get("retry_after_ms")
        self.retry_after = None if ms is None else ms / 1000.0

    @property
    def retry_after_ms(self) -> Optional[int]:
        return None if self.retry_after is None else int(round(self.retry_after * 1000))


class AuthError(WacrmError):
    """Token missing, expired or without permission."""


class RateLimitedError(WacrmError):
    """Number, app or WABA throughput limit (130429, 80007, ...)."""


class PairRateLimitedError(RateLimitedError):
    """Too many messages to one recipient in a short time (131056)."""


class OutsideWindowError(WacrmError):
    """Free-form message outside the 24-hour customer-service window (131047)."""


class TemplateError(WacrmError):
    """Template missing, unapproved, paused or called with wrong parameters."""


class RecipientInvalidError(WacrmError):
    """The recipient cannot receive the message."""


class PolicyBlockError(WacrmError):
    """Meta's policy or quality systems held the message."""


class TransientError(WacrmError):
    """Temporary server trouble; retry with backoff."""


class ValidationError(WacrmError, ValueError):
    """The request was rejected before or on sending because of its content."""


class NetworkError(WacrmError, ConnectionError):
    """No response arrived."""


class StoreError(WacrmError):
    """A storage adapter failed."""


class ConfigError(WacrmError):
    """Configuration is missing or wrong."""


class WebhookSignatureError(WacrmError):
    """A webhook failed verification (signature or handshake)."""


class ForbiddenError(WacrmError, PermissionError):
    """The acting user's role does not allow the action (never retryable)."""


_BY_CODE: Dict[str, Type[WacrmError]] = {
    "AUTH": AuthError,
    "RATE_LIMITED": RateLimitedError,
    "PAIR_RATE_LIMITED": PairRateLimitedError,
    "OUTSIDE_WINDOW": OutsideWindowError,
    "TEMPLATE": TemplateError,
    "RECIPIENT_INVALID": RecipientInvalidError,
    "POLICY_BLOCK": PolicyBlockError,
    "TRANSIENT": TransientError,
    "VALIDATION": ValidationError,
    "NETWORK": NetworkError,
    "STORE": StoreError,
    "CONFIG": ConfigError,
    "WEBHOOK": WebhookSignatureError,
    "FORBIDDEN": ForbiddenError,
    "UNKNOWN": WacrmError,
}


def from_details(details: Dict[str, Any]) -> WacrmError:
    """Build the exception for an ``ErrorDetails`` mapping."""
    cls = _BY_CODE.get(str(details.get("code")), WacrmError)
    return cls(str(details.get("message", "")), details)


def _from_details_json(raw: str) -> WacrmError:
    return from_details(json.loads(raw))


def from_graph_body(body: bytes, http_status: int, retry_after: Optional[float] = None) -> Optional[WacrmError]:
    """Classify a Graph API error response body you received yourself."""
    from . import _native

    ms = None if retry_after is None else int(retry_after * 1000)
    raw = _native.graph_error_details(body, http_status, ms)
    return None if raw is None else _from_details_json(raw)


__all__ = [
    "WacrmError",
    "AuthError",
    "RateLimitedError",
    "PairRateLimitedError",
    "OutsideWindowError",
    "TemplateError",
    "RecipientInvalidError",
    "PolicyBlockError",
    "TransientError",
    "ValidationError",
    "NetworkError",
    "StoreError",
    "ConfigError",
    "WebhookSignatureError",
    "ForbiddenError",
    "from_details",
    "from_graph_body",
]
