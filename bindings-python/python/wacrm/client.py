"""Cloud API clients: ``AsyncClient`` (awaitables for asyncio) and ``Client``
(blocking, releases the GIL, refuses to run inside a running event loop)."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from . import _native
from ._aio import ensure_no_running_loop
from .messages import Message


class AsyncClient:
    """Async client. ``base_url`` points at the Graph host or a sandbox."""

    def __init__(self, access_token: str, base_url: Optional[str] = None, api_version: Optional[str] = None) -> None:
        self._native = _native.NativeClient(access_token, base_url, api_version)

    async def send(self, from_id: str, to: str, message: Message, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        raw: str = await self._native.send_async(from_id, to, json.dumps(message), idempotency_key)
        result: Dict[str, Any] = json.loads(raw)
        return result

    async def send_text(self, from_id: str, to: str, body: str) -> Dict[str, Any]:
        return await self.send(from_id, to, {"type": "text", "content": {"body": body, "preview_url": False}})

    def __repr__(self) -> str:  # never shows the token
        return "AsyncClient(...)"


class Client:
    """Blocking client with the same methods as ``AsyncClient``."""

    def __init__(self, access_token: str, base_url: Optional[str] = None, api_version: Optional[str] = None) -> None:
        self._native = _native.NativeClient(access_token, base_url, api_version)

    def send(self, from_id: str, to: str, message: Message, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        ensure_no_running_loop("Client.send")
        result: Dict[str, Any] = json.loads(self._native.send_blocking(from_id, to, json.dumps(message), idempotency_key))
        return result

    def send_text(self, from_id: str, to: str, body: str) -> Dict[str, Any]:
        return self.send(from_id, to, {"type": "text", "content": {"body": body, "preview_url": False}})

    def __repr__(self) -> str:
        return "Client(...)"


__all__ = ["AsyncClient", "Client"]
