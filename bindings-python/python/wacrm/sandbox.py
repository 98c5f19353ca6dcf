"""An in-process Cloud API sandbox for tests and examples."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from . import _native


class Sandbox:
    def __init__(self, webhook_url: Optional[str] = None, app_secret: Optional[str] = None, mps: Optional[float] = None) -> None:
        self._native = _native.NativeSandbox(webhook_url, app_secret, mps)

    @property
    def base_url(self) -> str:
        return self._native.base_url

    @property
    def access_token(self) -> str:
        return self._native.access_token

    @property
    def waba_id(self) -> str:
        return self._native.waba_id

    @property
    def phone_number_id(self) -> str:
        return self._native.phone_number_id

    def set_faults(self, **faults: Any) -> None:
        """Inject faults: ``error_rate``, ``latency_ms``, ``drop_rate``, ``drop_after_accept_rate``,
        ``duplicate_webhook_rate``, ``out_of_order_rate``."""
        self._native.set_faults(json.dumps(faults))

    def ledger(self) -> List[Dict[str, Any]]:
        entries: List[Dict[str, Any]] = json.loads(self._native.ledger())
        return entries

    def inbound_text(self, from_wa_id: str, name: str, body: str) -> str:
        return self._native.inbound_text(from_wa_id, name, body)


__all__ = ["Sandbox"]
