"""wacrm: the WhatsApp Business Cloud API engine, from Python.

The heavy lifting is Rust (``wacrm._native``); this package adds the Python
conventions: exceptions in :mod:`wacrm.errors`, ``async`` and blocking variants.
"""

from __future__ import annotations

from . import _native, assignment, contacts, errors, messages, phone, scheduler, webhook
from .assignment import Assignment, AsyncAssignment
from .client import AsyncClient, Client
from .sandbox import Sandbox
from .scheduler import AsyncScheduler, Scheduler
from .stores import AsyncStores, Stores
from .errors import (
    AuthError,
    ConfigError,
    ForbiddenError,
    NetworkError,
    OutsideWindowError,
    PairRateLimitedError,
    PolicyBlockError,
    RateLimitedError,
    RecipientInvalidError,
    StoreError,
    TemplateError,
    TransientError,
    ValidationError,
    WacrmError,
    WebhookSignatureError,
)

__version__: str = _native.__version__

__all__ = [
    "assignment",
    "contacts",
    "scheduler",
    "Assignment",
    "AsyncAssignment",
    "AsyncScheduler",
    "AsyncStores",
    "Scheduler",
    "Stores",
    "errors",
    "messages",
    "phone",
    "webhook",
    "AsyncClient",
    "Client",
    "Sandbox",
    "AuthError",
    "ConfigError",
    "ForbiddenError",
    "NetworkError",
    "OutsideWindowError",
    "PairRateLimitedError",
    "PolicyBlockError",
    "RateLimitedError",
    "RecipientInvalidError",
    "StoreError",
    "TemplateError",
    "TransientError",
    "ValidationError",
    "WacrmError",
    "WebhookSignatureError",
]
