"""Conversation assignment (least-loaded or round-robin, skills, caps, SLA
reassignment) with its state in the stores. ``Assignment`` blocks;
``AsyncAssignment`` has the same methods as awaitables."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _native
from ._call import call_async, call_sync
from .stores import AsyncStores, Stores

JSON = Dict[str, Any]


def agent(agent_id: str, name: str = "", capacity: int = 10, skills: Sequence[str] = (), teams: Sequence[str] = (),
          presence: str = "online") -> JSON:
    return {"id": agent_id, "name": name or agent_id, "capacity": capacity, "skills": list(skills),
            "teams": list(teams), "presence": presence}


def request(conversation_id: str, contact_id: str, priority: int = 0, required_skills: Sequence[str] = (),
            preferred_skills: Sequence[str] = (), previous_agent: Optional[str] = None, team: Optional[str] = None,
            arrived_at: int = 0) -> JSON:
    return {"conversation_id": conversation_id, "contact_id": contact_id, "priority": priority,
            "required_skills": list(required_skills), "preferred_skills": list(preferred_skills),
            "previous_agent": previous_agent, "team": team, "arrived_at": arrived_at}


def _config(strategy: Optional[str], hard_cap: Optional[int], sla_ms: Optional[int]) -> str:
    c = {"strategy": strategy, "hard_cap": hard_cap, "sla_ms": sla_ms}
    return json.dumps({k: v for k, v in c.items() if v is not None})


class Assignment:
    """Blocking assignment; agents and open conversations load from ``stores``."""

    def __init__(self, stores: Union[Stores, AsyncStores], strategy: Optional[str] = None,
                 hard_cap: Optional[int] = None, sla_ms: Optional[int] = None) -> None:
        self._native = _native.NativeAssignment(stores._native, _config(strategy, hard_cap, sla_ms))

    def _call(self, op: str, **args: Any) -> Any:
        return call_sync(self._native, "Assignment", op, args)

    def upsert_agent(self, agent: JSON) -> List[JSON]:
        r: List[JSON] = self._call("upsert_agent", **agent)
        return r

    def assign(self, request: JSON) -> JSON:
        r: JSON = self._call("assign", **request)
        return r

    def release(self, conversation_id: str) -> List[JSON]:
        r: List[JSON] = self._call("release", conversation=conversation_id)
        return r

    def set_presence(self, agent_id: str, presence: str) -> List[JSON]:
        r: List[JSON] = self._call("set_presence", agent=agent_id, presence=presence)
        return r

    def mark_responded(self, conversation_id: str) -> None:
        self._call("mark_responded", conversation=conversation_id)

    def tick(self) -> List[JSON]:
        r: List[JSON] = self._call("tick")
        return r

    def loads(self) -> Dict[str, int]:
        r: Dict[str, int] = self._call("loads")
        return r

    def queue_len(self) -> int:
        return int(self._call("queue_len"))


class AsyncAssignment:
    """The same as ``Assignment`` with awaitable methods."""

    def __init__(self, stores: Union[Stores, AsyncStores], strategy: Optional[str] = None,
                 hard_cap: Optional[int] = None, sla_ms: Optional[int] = None) -> None:
        self._native = _native.NativeAssignment(stores._native, _config(strategy, hard_cap, sla_ms))

    async def _call(self, op: str, **args: Any) -> Any:
        return await call_async(self._native, op, args)

    async def upsert_agent(self, agent: JSON) -> List[JSON]:
        r: List[JSON] = await self._call("upsert_agent", **agent)
        return r

    async def assign(self, request: JSON) -> JSON:
        r: JSON = await self._call("assign", **request)
        return r

    async def release(self, conversation_id: str) -> List[JSON]:
        r: List[JSON] = await self._call("release", conversation=conversation_id)
        return r

    async def set_presence(self, agent_id: str, presence: str) -> List[JSON]:
        r: List[JSON] = await self._call("set_presence", agent=agent_id, presence=presence)
        return r

    async def mark_responded(self, conversation_id: str) -> None:
        await self._call("mark_responded", conversation=conversation_id)

    async def tick(self) -> List[JSON]:
        r: List[JSON] = await self._call("tick")
        return r

    async def loads(self) -> Dict[str, int]:
        r: Dict[str, int] = await self._call("loads")
        return r

    async def queue_len(self) -> int:
        return int(await self._call("queue_len"))


__all__ = ["Assignment", "AsyncAssignment", "agent", "request"]
