"""Conversation assignment (least-loaded or round-robin, skills, caps, SLA
reassignment) with its state in the stores. ``Assignment`` blocks;
``AsyncAssignment`` has the same operations as awaitables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Literal, Optional, Union

from . import _native
from ._convert import encode, union_decoder
from ._ops import Awaiting, Blocking, Op, operation
from .records import Agent, Assigned, Outcome, Presence, Queued, Reason, Request
from .stores import AsyncStores, Stores

_outcome: Callable[[Any], Outcome] = union_decoder(Outcome)
_outcomes: Callable[[Any], List[Outcome]] = union_decoder(List[Outcome])


@dataclass(frozen=True)
class AssignmentSettings:
    """Unset fields keep the core's defaults; times in milliseconds."""

    strategy: Optional[Literal["least_loaded", "round_robin"]] = None
    target_min: Optional[int] = None
    target_max: Optional[int] = None
    hard_cap: Optional[int] = None
    sla_ms: Optional[int] = None
    sticky_for_ms: Optional[int] = None


class _AssignmentOps:
    def __init__(self, stores: Union[Stores, AsyncStores], settings: Optional[AssignmentSettings] = None) -> None:
        self._native = _native.NativeAssignment(stores._native, encode(settings or AssignmentSettings()))

    @operation
    def upsert_agent(self, agent: Agent) -> Op[List[Outcome]]:
        """Add or change an agent; the assignments that follow."""
        return Op(self._native.upsert_agent(encode(agent)), _outcomes)

    @operation
    def assign(self, request: Request) -> Op[Outcome]:
        return Op(self._native.assign(encode(request)), _outcome)

    @operation
    def release(self, conversation: str) -> Op[List[Outcome]]:
        """Close a conversation; the assignments that follow."""
        return Op(self._native.release(conversation), _outcomes)

    @operation
    def set_presence(self, agent: str, presence: Presence) -> Op[List[Outcome]]:
        return Op(self._native.set_presence(agent, presence), _outcomes)

    @operation
    def mark_responded(self, conversation: str) -> Op[None]:
        """The agent answered: the SLA timer stops."""
        return Op(self._native.mark_responded(conversation), lambda _: None)

    @operation
    def tick(self) -> Op[List[Outcome]]:
        """Apply SLA reassignment and drain the queue."""
        return Op(self._native.tick(), _outcomes)

    @operation
    def loads(self) -> Op[Dict[str, int]]:
        """Open conversations per agent."""
        return Op(self._native.loads(), dict)

    @operation
    def queue_len(self) -> Op[int]:
        """Conversations waiting for an agent."""
        return Op(self._native.queue_len(), int)


class Assignment(_AssignmentOps, Blocking):
    """Blocking assignment; agents and open conversations load from ``stores``."""


class AsyncAssignment(_AssignmentOps, Awaiting):
    """The same operations as awaitables."""


__all__ = ["Agent", "Assigned", "Assignment", "AssignmentSettings", "AsyncAssignment", "Outcome", "Queued", "Reason",
           "Request"]
