"""Stores opened by URL (``memory:``, ``sqlite://PATH``, ``postgres://...``):
contacts (CSV import with a bad-row report, segments, dedupe and merge),
conversations, messages and the outbox. ``Stores`` blocks; ``AsyncStores``
has the same methods as awaitables. Both share one native handle type, so a
scheduler or assignment built on either sees the same data."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from . import _native
from ._call import call_async, call_sync

JSON = Dict[str, Any]


def _import_args(path: str, map: Sequence[str], id_column: Optional[str], region: Optional[str],
                 add_tags: Sequence[str], require_phone: bool) -> JSON:
    return {"path": path, "map": list(map), "id_column": id_column, "region": region,
            "add_tags": list(add_tags), "require_phone": require_phone}


def _segment(name: str, tags_all: Sequence[str], tags_any: Sequence[str], tags_none: Sequence[str],
             attributes: Optional[JSON]) -> JSON:
    return {"name": name, "filter": {"tags_all": list(tags_all), "tags_any": list(tags_any),
                                     "tags_none": list(tags_none), "attributes": attributes or {}, "has_phone": True}}


class Stores:
    """Blocking access to the stores at ``url`` (opened and migrated now)."""

    def __init__(self, url: str = "memory:") -> None:
        self._native = _native.NativeStores(url)

    def _call(self, op: str, **args: Any) -> Any:
        return call_sync(self._native, "Stores", op, args)

    def import_contacts_csv(self, path: str, map: Sequence[str], id_column: Optional[str] = None,
                            region: Optional[str] = None, add_tags: Sequence[str] = (),
                            require_phone: bool = False) -> JSON:
        """Import a CSV; ``map`` holds ``COLUMN=FIELD`` items. The report lists bad rows by line."""
        r: JSON = self._call("contacts_import_csv", **_import_args(path, map, id_column, region, add_tags, require_phone))
        return r

    def dedupe_contacts(self, merge: bool = False, **config: Any) -> JSON:
        """Find duplicates among the stored contacts; ``merge=True`` executes the merge plan."""
        r: JSON = self._call("contacts_dedupe", config=config, merge=merge)
        return r

    def get_contact(self, contact_id: str) -> Optional[JSON]:
        r: Optional[JSON] = self._call("contact_get", id=contact_id)
        return r

    def find_contact_by_phone(self, e164: str) -> Optional[JSON]:
        r: Optional[JSON] = self._call("contact_find_by_phone", phone=e164)
        return r

    def upsert_contact(self, contact: JSON) -> JSON:
        r: JSON = self._call("contact_upsert", **contact)
        return r

    def segment_members(self, name: str, tags_all: Sequence[str] = (), tags_any: Sequence[str] = (),
                        tags_none: Sequence[str] = (), attributes: Optional[JSON] = None) -> List[JSON]:
        r: List[JSON] = self._call("segment_members", **_segment(name, tags_all, tags_any, tags_none, attributes))
        return r

    def open_conversations(self) -> List[JSON]:
        r: List[JSON] = self._call("conversations_open")
        return r

    def messages_for_contact(self, contact_id: str) -> List[JSON]:
        r: List[JSON] = self._call("messages_for_contact", id=contact_id)
        return r

    def outbox_stats(self) -> JSON:
        r: JSON = self._call("outbox_stats")
        return r

    def outbox_items(self, state: Optional[str] = None, limit: int = 100) -> List[JSON]:
        r: List[JSON] = self._call("outbox_items", state=state, limit=limit)
        return r


class AsyncStores:
    """The same as ``Stores`` with awaitable methods."""

    def __init__(self, url: str = "memory:") -> None:
        self._native = _native.NativeStores(url)

    async def _call(self, op: str, **args: Any) -> Any:
        return await call_async(self._native, op, args)

    async def import_contacts_csv(self, path: str, map: Sequence[str], id_column: Optional[str] = None,
                                  region: Optional[str] = None, add_tags: Sequence[str] = (),
                                  require_phone: bool = False) -> JSON:
        r: JSON = await self._call("contacts_import_csv", **_import_args(path, map, id_column, region, add_tags, require_phone))
        return r

    async def dedupe_contacts(self, merge: bool = False, **config: Any) -> JSON:
        r: JSON = await self._call("contacts_dedupe", config=config, merge=merge)
        return r

    async def get_contact(self, contact_id: str) -> Optional[JSON]:
        r: Optional[JSON] = await self._call("contact_get", id=contact_id)
        return r

    async def find_contact_by_phone(self, e164: str) -> Optional[JSON]:
        r: Optional[JSON] = await self._call("contact_find_by_phone", phone=e164)
        return r

    async def upsert_contact(self, contact: JSON) -> JSON:
        r: JSON = await self._call("contact_upsert", **contact)
        return r

    async def segment_members(self, name: str, tags_all: Sequence[str] = (), tags_any: Sequence[str] = (),
                              tags_none: Sequence[str] = (), attributes: Optional[JSON] = None) -> List[JSON]:
        r: List[JSON] = await self._call("segment_members", **_segment(name, tags_all, tags_any, tags_none, attributes))
        return r

    async def open_conversations(self) -> List[JSON]:
        r: List[JSON] = await self._call("conversations_open")
        return r

    async def messages_for_contact(self, contact_id: str) -> List[JSON]:
        r: List[JSON] = await self._call("messages_for_contact", id=contact_id)
        return r

    async def outbox_stats(self) -> JSON:
        r: JSON = await self._call("outbox_stats")
        return r

    async def outbox_items(self, state: Optional[str] = None, limit: int = 100) -> List[JSON]:
        r: List[JSON] = await self._call("outbox_items", state=state, limit=limit)
        return r


__all__ = ["Stores", "AsyncStores"]
