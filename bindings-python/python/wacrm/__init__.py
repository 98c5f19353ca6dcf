"""wacrm: the WhatsApp Business Cloud API engine, from Python.

The heavy lifting is Rust (``wacrm._native``); this package adds the Python
conventions: typed results (frozen dataclasses in :mod:`wacrm.types`,
:mod:`wacrm.records`, :mod:`wacrm.webhook`), typed messages
(:mod:`wacrm.messages`), exceptions in :mod:`wacrm.errors`, and each
operation as a blocking and an ``async`` variant.
"""

from __future__ import annotations

from . import _native, access, analytics, assignment, automation, contacts, crm, errors, events, messages, phone, records, scheduler, types, updates, webhook
from .access import Console, Session
from .analytics import IngestSummary, Report, ReportArgs
from .assignment import Assignment, AssignmentSettings, AsyncAssignment
from .automation import AsyncAutomation, Automation, AutomationMessage, AutomationSettings, Evaluation, Rules
from .client import AsyncClient, Client
from .contacts import DedupeCsvArgs
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
from .records import (
    Agent,
    Assigned,
    Contact,
    ContactFilter,
    DedupeConfig,
    Enqueued,
    ImportArgs,
    Queued,
    Request,
    Segment,
)
from .sandbox import Sandbox
from .scheduler import (
    AsyncScheduler,
    LimitConfig,
    OutgoingMessage,
    PolicyConfig,
    QuietHours,
    Scheduler,
    SchedulerSettings,
    WorkerConfig,
)
from .stores import AsyncStores, Stores
from .types import BusinessProfile, ErrorDetails, Faults, NewTemplate, TemplateQuery

__version__: str = _native.__version__

__all__ = [
    "access", "analytics", "assignment", "automation", "contacts", "crm", "errors", "events", "messages", "phone", "records", "scheduler", "types", "updates",
    "webhook",
    "Agent", "Assigned", "Assignment", "AssignmentSettings", "AsyncAssignment", "AsyncAutomation", "AsyncClient",
    "AsyncScheduler", "Automation", "AutomationMessage", "AutomationSettings", "Evaluation", "IngestSummary",
    "Report", "ReportArgs", "Rules",
    "AsyncStores", "BusinessProfile", "Client", "Console", "Contact", "ContactFilter", "DedupeConfig", "DedupeCsvArgs",
    "Enqueued", "ErrorDetails", "Faults", "ImportArgs", "LimitConfig", "NewTemplate", "OutgoingMessage",
    "PolicyConfig", "Queued", "QuietHours", "Request", "Sandbox", "Scheduler", "SchedulerSettings", "Segment",
    "Session", "Stores", "TemplateQuery", "WorkerConfig",
    "AuthError", "ConfigError", "ForbiddenError", "NetworkError", "OutsideWindowError", "PairRateLimitedError",
    "PolicyBlockError", "RateLimitedError", "RecipientInvalidError", "StoreError", "TemplateError",
    "TransientError", "ValidationError", "WacrmError", "WebhookSignatureError",
]
