import asyncio
import os
import pathlib
import sys
from typing import Any, Awaitable, TypeVar

# The uniffi-generated Python module of the same cdylib the Swift package uses.
sys.path.insert(0, os.environ["WACRM_UNIFFI_PY"])

ROOT = pathlib.Path(__file__).resolve().parents[3]
WEBHOOK_FIXTURES = ROOT / "core/tests/fixtures/webhook"

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def main() -> Any:
        return await coro

    return asyncio.run(main())
