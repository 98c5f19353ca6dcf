"""asyncio glue used by the native module: resolve a future from the loop thread."""

from __future__ import annotations

import asyncio
from typing import Any


def resolve(fut: "asyncio.Future[Any]", ok: bool, value: Any) -> None:
    # The awaiting task may have been cancelled meanwhile; then the result is dropped.
    if fut.done():
        return
    if ok:
        fut.set_result(value)
    else:
        fut.set_exception(value)


def ensure_no_running_loop(what: str) -> None:
    """Sync calls block; inside a running event loop they would stall it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(
        f"{what} is the blocking API and was called inside a running event loop; "
        "use the Async variant (await it) instead"
    )
