"""The send scheduler: enqueue messages into the durable outbox, run workers
that respect every Meta limit and policy, read the outbox stats. ``Scheduler``
blocks; ``AsyncScheduler`` has the same methods as awaitables."""

from __future__ import annotations

from typing import Any, Dict, Optional, Union

from . import _native
from ._call import call_async, call_sync
from .client import AsyncClient, Client
from .messages import Message
from .stores import AsyncStores, Stores

JSON = Dict[str, Any]


def outgoing(key: str, from_id: str, to: str, message: Message, category: str = "utility",
             lane: Optional[str] = None, campaign_id: Optional[str] = None, not_before: int = 0,
             event_key: Optional[str] = None, promotion: bool = False, automated: bool = False) -> JSON:
    """An outbox message; ``key`` is its idempotency key (enqueuing twice never sends twice)."""
    if lane is None:
        lane = {"marketing": "marketing", "service": "reply"}.get(category, "notification")
    return {"idempotency_key": key, "phone_number_id": from_id, "recipient": to, "message": message,
            "category": category, "lane": lane, "campaign_id": campaign_id, "not_before": not_before,
            "event_key": event_key, "promotion": promotion, "automated": automated}


def _config(limits: Optional[JSON], policies: Optional[JSON], worker: Optional[JSON], tier_cap: Optional[int],
            redis_url: Optional[str], redis_prefix: Optional[str]) -> str:
    import json

    c = {"limits": limits, "policies": policies, "worker": worker, "tier_cap": tier_cap,
         "redis_url": redis_url, "redis_prefix": redis_prefix}
    return json.dumps({k: v for k, v in c.items() if v is not None})


class Scheduler:
    """Blocking scheduler over ``stores`` sending with ``client``. ``limits``,
    ``policies`` and ``worker`` take the core's settings as dicts; ``redis_url``
    shares limits between processes."""

    def __init__(self, stores: Union[Stores, AsyncStores], client: Union[Client, AsyncClient],
                 limits: Optional[JSON] = None, policies: Optional[JSON] = None, worker: Optional[JSON] = None,
                 tier_cap: Optional[int] = None, redis_url: Optional[str] = None, redis_prefix: Optional[str] = None) -> None:
        self._native = _native.NativeScheduler(stores._native, client._native,
                                               _config(limits, policies, worker, tier_cap, redis_url, redis_prefix))

    def _call(self, op: str, **args: Any) -> Any:
        return call_sync(self._native, "Scheduler", op, args)

    def enqueue(self, message: JSON) -> str:
        """``"new"``, or ``"duplicate"`` when the idempotency key is already queued or sent."""
        return str(self._call("enqueue", **message))

    def run_once(self) -> JSON:
        r: JSON = self._call("run_once")
        return r

    def run_until_idle(self, horizon_ms: int = 0, timeout_ms: int = 30_000) -> JSON:
        r: JSON = self._call("run_until_idle", horizon_ms=horizon_ms, timeout_ms=timeout_ms)
        return r

    def recover(self) -> int:
        return int(self._call("recover"))

    def stats(self) -> JSON:
        r: JSON = self._call("stats")
        return r


class AsyncScheduler:
    """The same as ``Scheduler`` with awaitable methods."""

    def __init__(self, stores: Union[Stores, AsyncStores], client: Union[Client, AsyncClient],
                 limits: Optional[JSON] = None, policies: Optional[JSON] = None, worker: Optional[JSON] = None,
                 tier_cap: Optional[int] = None, redis_url: Optional[str] = None, redis_prefix: Optional[str] = None) -> None:
        self._native = _native.NativeScheduler(stores._native, client._native,
                                               _config(limits, policies, worker, tier_cap, redis_url, redis_prefix))

    async def _call(self, op: str, **args: Any) -> Any:
        return await call_async(self._native, op, args)

    async def enqueue(self, message: JSON) -> str:
        return str(await self._call("enqueue", **message))

    async def run_once(self) -> JSON:
        r: JSON = await self._call("run_once")
        return r

    async def run_until_idle(self, horizon_ms: int = 0, timeout_ms: int = 30_000) -> JSON:
        r: JSON = await self._call("run_until_idle", horizon_ms=horizon_ms, timeout_ms=timeout_ms)
        return r

    async def recover(self) -> int:
        return int(await self._call("recover"))

    async def stats(self) -> JSON:
        r: JSON = await self._call("stats")
        return r


__all__ = ["Scheduler", "AsyncScheduler", "outgoing"]
