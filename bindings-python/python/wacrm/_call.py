"""The one way the facade calls the native handles: JSON arguments in, JSON out."""

from __future__ import annotations

import json
from typing import Any, Dict, Protocol

from ._aio import ensure_no_running_loop


class _Native(Protocol):
    def call_async(self, op: str, args_json: str) -> Any: ...
    def call_blocking(self, op: str, args_json: str) -> str: ...


def _clean(args: Dict[str, Any]) -> str:
    # None means "not given": the core then uses its default.
    return json.dumps({k: v for k, v in args.items() if v is not None})


def call_sync(native: _Native, what: str, op: str, args: Dict[str, Any]) -> Any:
    ensure_no_running_loop(f"{what}.{op}")
    return json.loads(native.call_blocking(op, _clean(args)))


async def call_async(native: _Native, op: str, args: Dict[str, Any]) -> Any:
    return json.loads(await native.call_async(op, _clean(args)))
