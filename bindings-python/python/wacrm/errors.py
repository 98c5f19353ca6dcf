"""Exceptions raised by wacrm. One class per error kind, all under WacrmError.

Every exception carries the fields of the core's ``ErrorDetails`` record, so the
same information is available in Rust, Python, Node and Swift.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Dict, Optional, Type, Union

from .types import ErrorDetails


class WacrmError(Exception):
    """Base class. Attributes mirror ``ErrorDetails``."""

    details: ErrorDetails
    kind: str
    code: str
    graph_code: Optional[int]
    graph_subcode: Optional[int]
    graph_details: Optional[str]
    fbtrace_id: Optional[str]
    http_status: Optional[int]
    retryable: bool
    retry_after: Optional[float]

    def __init__(self, message: str, details: Optional[ErrorDetails] = None) -> None:
        super().__init__(message)
        d = details or ErrorDetails(message=message)
        self.details = d
        self.kind = d.kind
        self.code = d.code
        self.graph_code = d.graph_code
        self.graph_subcode = d.graph_subcode
        self.graph_details = d.graph_details
        self.fbtrace_id = d.fbtrace_id
        self.http_status = d.http_status
        self.retryable = d.retryable
        ms = d.retry_after_ms
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


_FIELDS = tuple(f.name for f in dataclasses.fields(ErrorDetails))


def from_details(details: Union[ErrorDetails, Dict[str, Any]]) -> WacrmError:
    """Build the exception for an ``ErrorDetails`` (or the native module's mapping of one)."""
    if isinstance(details, dict):
        details = ErrorDetails(**{k: v for k, v in details.items() if k in _FIELDS})
    cls = _BY_CODE.get(details.code, WacrmError)
    return cls(details.message, details)


def from_graph_body(body: bytes, http_status: int, retry_after: Optional[float] = None) -> Optional[WacrmError]:
    """Classify a Graph API error response body you received yourself."""
    from . import _native

    ms = None if retry_after is None else int(retry_after * 1000)
    details = _native.graph_error_details(body, http_status, ms)
    return None if details is None else from_details(details)


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
    "ErrorDetails",
    "from_details",
    "from_graph_body",
]
