"""Access and audit: a ``Console`` over the stores hands out sessions bound to
one acting user (``as_user``); every session call is checked against the
user's roles, performed and written to the tamper-evident audit log. A
refused call raises :class:`wacrm.errors.ForbiddenError` (code ``FORBIDDEN``)
and is logged too. ``Session`` blocks; ``AsyncSession`` (``session.aio``) has
the same operations as awaitables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, List, Literal, Optional, Sequence, Union

from . import _native
from ._convert import decoder, encode, list_decoder
from ._ops import Awaiting, Blocking, Op, operation
from .records import Contact, ContactFilter, Conversation, Enqueued
from .scheduler import AsyncScheduler, OutgoingMessage, Scheduler
from .stores import AsyncStores, Stores

AuditOutcome = Literal["ok", "forbidden", "failed"]
ExportFormat = Literal["jsonl", "csv"]


@dataclass(frozen=True)
class User:
    """A console user; ``agent_id`` is the agent it works as (conversations
    are assigned to agents)."""

    id: str
    name: str = ""
    agent_id: Optional[str] = None
    disabled: bool = False
    created_at: int = 0


@dataclass(frozen=True)
class Scope:
    """Where a membership applies; empty means everywhere."""

    teams: List[str] = field(default_factory=list)
    numbers: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Membership:
    """``user_id`` holds ``role`` within ``scope``."""

    user_id: str
    role: str
    scope: Scope = field(default_factory=Scope)


@dataclass(frozen=True)
class Role:
    """A named set of permissions (wire names, see ``permission_names()``)."""

    name: str
    permissions: List[str] = field(default_factory=list)
    description: str = ""


@dataclass(frozen=True)
class UserRoles:
    user: User
    memberships: List[Membership] = field(default_factory=list)


@dataclass(frozen=True)
class AuditEntry:
    """One audited attempt: who, what, on which object, when, from where, how it ended."""

    seq: int = 0
    at: int = 0
    actor: str = ""
    action: str = ""
    target: str = ""
    details: Any = None
    client_id: Optional[str] = None
    outcome: AuditOutcome = "ok"
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class AuditProblem:
    """The first entry that does not verify: ``kind`` is ``edited``, ``removed``,
    ``reordered``, ``truncated``, ``unsealed`` or ``checkpoint``."""

    seq: int = 0
    kind: str = ""
    reason: str = ""


@dataclass(frozen=True)
class AuditVerification:
    entries: int = 0
    legacy: int = 0
    last_seq: int = 0
    head_hash: str = ""
    checkpoints: int = 0
    signatures_checked: bool = False
    #: ``None`` when the whole chain verifies.
    problem: Optional[AuditProblem] = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def role_presets() -> List[Role]:
    """The preset roles: ``agent``, ``supervisor``, ``admin``, ``viewer``."""
    return list_decoder(Role)(_native.role_presets())


def permission_names() -> List[str]:
    """Every permission's wire name (``send``, ``broadcast``, ``export_contacts``, ...)."""
    return list(_native.permission_names())


def _none(_: Any) -> None:
    return None


class _SessionOps:
    def __init__(self, native: Any) -> None:
        self._native = native

    @property
    def actor(self) -> str:
        """``user:ID`` or ``operator:NAME``."""
        return str(self._native.actor)

    def permissions(self) -> List[str]:
        """The permissions the session holds somewhere."""
        return list(self._native.permissions())

    def can(self, permission: str) -> bool:
        """Whether the session holds ``permission`` somewhere (not audited)."""
        return bool(self._native.can(permission))

    @operation
    def send(self, message: OutgoingMessage) -> Op[Enqueued]:
        """Queue one message through the console's scheduler (``send`` / ``send_template``)."""
        return Op(self._native.send(encode(message)), Enqueued)

    @operation
    def broadcast(self, campaign_id: str, messages: Sequence[OutgoingMessage]) -> Op[List[Enqueued]]:
        """Start a campaign (``broadcast`` for every sending number; nothing queued otherwise)."""
        return Op(self._native.broadcast(campaign_id, encode(list(messages))), lambda v: [Enqueued(e) for e in v])

    @operation
    def list_conversations(self) -> Op[List[Conversation]]:
        """Open conversations in this user's scope (an agent sees its own)."""
        return Op(self._native.list_conversations(), list_decoder(Conversation))

    @operation
    def export_contacts(self, filter: Optional[ContactFilter] = None) -> Op[List[Contact]]:
        return Op(self._native.export_contacts(encode(filter or ContactFilter())), list_decoder(Contact))

    @operation
    def upsert_user(self, user: User) -> Op[None]:
        return Op(self._native.upsert_user(encode(user)), _none)

    @operation
    def upsert_role(self, role: Role) -> Op[None]:
        """Create or replace a custom role (presets cannot be redefined)."""
        return Op(self._native.upsert_role(encode(role)), _none)

    @operation
    def grant(self, membership: Membership) -> Op[None]:
        return Op(self._native.grant(encode(membership)), _none)

    @operation
    def revoke(self, user_id: str, role: str) -> Op[bool]:
        """``False`` when the user did not hold the role."""
        return Op(self._native.revoke(user_id, role), bool)

    @operation
    def list_users(self) -> Op[List[UserRoles]]:
        return Op(self._native.list_users(), list_decoder(UserRoles))

    @operation
    def list_roles(self) -> Op[List[Role]]:
        """Presets followed by custom roles."""
        return Op(self._native.list_roles(), list_decoder(Role))

    @operation
    def audit_verify(self) -> Op[AuditVerification]:
        """Verify the hash chain; ``problem`` names the first bad entry."""
        return Op(self._native.audit_verify(), decoder(AuditVerification))

    @operation
    def audit_entries(self, from_: Optional[int] = None, to: Optional[int] = None) -> Op[List[AuditEntry]]:
        """Entries with ``from_ <= at < to`` (Unix ms), in order."""
        return Op(self._native.audit_entries(from_, to), list_decoder(AuditEntry))

    @operation
    def audit_export(self, path: str, format: ExportFormat = "jsonl", from_: Optional[int] = None,
                     to: Optional[int] = None) -> Op[int]:
        """Write entries to ``path`` as JSON lines or CSV; how many."""
        return Op(self._native.audit_export(path, format, from_, to), int)


class Session(_SessionOps, Blocking):
    """A blocking session of one acting user."""

    @property
    def aio(self) -> "AsyncSession":
        """The same session with awaitable operations."""
        return AsyncSession(self._native)


class AsyncSession(_SessionOps, Awaiting):
    """The same operations as awaitables."""


class _ConsoleOps:
    def __init__(self, stores: Union[Stores, AsyncStores],
                 scheduler: Optional[Union[Scheduler, AsyncScheduler]] = None) -> None:
        self._native = _native.NativeConsole(stores._native, None if scheduler is None else scheduler._native)

    def as_user(self, user_id: str, client_id: Optional[str] = None) -> Session:
        """A session acting as ``user_id``; ``client_id`` (app, device, IP) goes
        into every audit entry. An unknown or disabled user raises ``ForbiddenError``."""
        return Session(self._native.as_user(user_id, client_id))

    def operator(self, name: str) -> Session:
        """An operator session (direct database access: every permission),
        audited as ``operator:NAME``; it creates the first admin."""
        return Session(self._native.operator(name))


class Console(_ConsoleOps):
    """The engine seen from an agent console, over ``stores`` (and ``scheduler`` for sends)."""


__all__ = ["AuditEntry", "AuditProblem", "AuditVerification", "AsyncSession", "Console", "Membership", "Role",
           "Scope", "Session", "User", "UserRoles", "permission_names", "role_presets"]
