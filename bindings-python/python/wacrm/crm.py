"""CRM field mapping and sync: load a declarative mapping (TOML; a bad file is
refused with its line and reason), apply it to a contact in both directions,
and keep the stores' contacts in step with HubSpot CRM v3 (``CrmSync``, any
base URL) with typed reports, health and the discrepancies recorded for
review. ``CrmStandin`` is an in-process HubSpot stand-in for tests and demos.
``CrmSync`` blocks; ``AsyncCrmSync`` has the same operations as awaitables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from . import _native
from ._convert import decoder, encode, list_decoder, optional_decoder
from ._ops import Awaiting, Blocking, Op, operation
from .records import Contact
from .stores import AsyncStores, Stores


@dataclass(frozen=True)
class MappingField:
    local: str
    crm: str
    direction: str = "both"
    owner: str = "latest"
    transform: List[str] = field(default_factory=list)
    default: Optional[str] = None
    required: bool = False
    null: str = "unset"


@dataclass(frozen=True)
class MappingInfo:
    crm_id_property: str = ""
    fallback: List[str] = field(default_factory=list)
    fields: List[MappingField] = field(default_factory=list)
    maps: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class MappingProblem:
    """Why a mapping file is refused."""

    line: int = 0
    reason: str = ""


@dataclass(frozen=True)
class PushReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    parked: int = 0
    retries: int = 0
    scheduled: int = 0
    requests: int = 0
    rate_limited: int = 0


@dataclass(frozen=True)
class PullReport:
    fetched: int = 0
    applied: int = 0
    created: int = 0
    conflicts: int = 0
    discrepancies: int = 0


@dataclass(frozen=True)
class SyncReport:
    pull: PullReport = field(default_factory=PullReport)
    push: PushReport = field(default_factory=PushReport)


@dataclass(frozen=True)
class FieldHealth:
    attempts: int = 0
    successes: int = 0
    errors: int = 0


@dataclass(frozen=True)
class HealthSnapshot:
    attempts: int = 0
    successes: int = 0
    rejections: Dict[str, int] = field(default_factory=dict)
    latency_p50_ms: Optional[float] = None
    latency_p99_ms: Optional[float] = None
    lag_p50_ms: Optional[float] = None
    lag_p99_ms: Optional[float] = None
    fields: Dict[str, FieldHealth] = field(default_factory=dict)


@dataclass(frozen=True)
class Discrepancy:
    """A field changed on both sides: both values and which won."""

    id: str = ""
    connector: str = ""
    key: str = ""
    field: str = ""
    local: Any = None
    remote: Any = None
    resolution: str = ""
    at: int = 0


@dataclass(frozen=True)
class HubSpotSettings:
    token: str
    #: HubSpot's public API when unset; a stand-in's ``url`` in tests.
    base_url: Optional[str] = None
    #: The name sync state is kept under (``hubspot``).
    name: Optional[str] = None
    batch_size: Optional[int] = None

    def __repr__(self) -> str:
        return f"HubSpotSettings(token=[redacted], base_url={self.base_url!r}, name={self.name!r})"


@dataclass(frozen=True)
class StandinRecord:
    id: str = ""
    properties: Dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StandinStats:
    requests: int = 0
    over_limit: int = 0
    faults: int = 0
    records: int = 0


_contact = decoder(Contact)


class _MappingOps:
    def __init__(self, native: Any) -> None:
        self._native = native

    def info(self) -> MappingInfo:
        """Identity rules and fields."""
        return decoder(MappingInfo)(self._native.info())

    def to_crm(self, contact: Contact) -> Dict[str, str]:
        """The CRM properties a push would write (``""`` clears; the identity property included)."""
        return dict(self._native.to_crm(encode(contact)))

    def from_crm(self, contact: Contact, properties: Dict[str, str]) -> Contact:
        """``contact`` with the CRM ``properties`` a pull would apply."""
        return _contact(self._native.from_crm(encode(contact), dict(properties)))


class Mapping(_MappingOps):
    """A field mapping; build one with ``Mapping.parse(text)`` or ``Mapping.load(path)``."""

    @classmethod
    def parse(cls, text: str) -> "Mapping":
        """Raises ``ConfigError`` (``mapping line N: reason``) when refused."""
        return cls(_native.NativeMapping.parse(text))

    @classmethod
    def load(cls, path: str) -> "Mapping":
        return cls(_native.NativeMapping.load(path))

    @staticmethod
    def check(text: str) -> Optional[MappingProblem]:
        """``None`` when ``text`` loads, otherwise the line and reason it is refused with."""
        return optional_decoder(MappingProblem)(_native.NativeMapping.check(text))


class _CrmSyncOps:
    def __init__(self, stores: Union[Stores, AsyncStores], mapping: Mapping, settings: HubSpotSettings) -> None:
        self._native = _native.NativeCrmSync(stores._native, mapping._native, encode(settings))

    @operation
    def push(self) -> Op[PushReport]:
        """Push local changes since the last push (every contact the first time)."""
        return Op(self._native.push(), decoder(PushReport))

    @operation
    def pull(self) -> Op[PullReport]:
        """Pull CRM changes since the stored cursor into contacts."""
        return Op(self._native.pull(), decoder(PullReport))

    @operation
    def sync(self) -> Op[SyncReport]:
        """Pull, then push."""
        return Op(self._native.sync(), decoder(SyncReport))

    @operation
    def discrepancies(self) -> Op[List[Discrepancy]]:
        return Op(self._native.discrepancies(), list_decoder(Discrepancy))

    @operation
    def health(self) -> Op[HealthSnapshot]:
        return Op(self._native.health(), decoder(HealthSnapshot))


class CrmSync(_CrmSyncOps, Blocking):
    """Blocking sync of ``stores`` with HubSpot through ``mapping``."""


class AsyncCrmSync(_CrmSyncOps, Awaiting):
    """The same operations as awaitables."""


class CrmStandin:
    """A HubSpot CRM v3 stand-in on a free loopback port (accepts ``token``)."""

    def __init__(self, token: str = "standin-token") -> None:
        self._native = _native.NativeCrmStandin(token)
        self.token = token

    @property
    def url(self) -> str:
        return str(self._native.url)

    def records(self) -> List[StandinRecord]:
        return list_decoder(StandinRecord)(self._native.records())

    def edit(self, id: str, properties: Dict[str, str]) -> Optional[StandinRecord]:
        """Change a record as a CRM user would (``""`` clears); ``None`` when absent."""
        return optional_decoder(StandinRecord)(self._native.edit(id, dict(properties)))

    def stats(self) -> StandinStats:
        return decoder(StandinStats)(self._native.stats())


__all__ = ["AsyncCrmSync", "CrmStandin", "CrmSync", "Discrepancy", "FieldHealth", "HealthSnapshot",
           "HubSpotSettings", "Mapping", "MappingField", "MappingInfo", "MappingProblem", "PullReport",
           "PushReport", "StandinRecord", "StandinStats", "SyncReport"]
