"""An in-process Cloud API sandbox for tests and examples."""

from __future__ import annotations

from typing import List, Optional

from . import _native
from ._convert import encode, list_decoder
from .types import Faults, LedgerEntry

_ledger = list_decoder(LedgerEntry)


class Sandbox:
    def __init__(self, webhook_url: Optional[str] = None, app_secret: Optional[str] = None,
                 mps: Optional[float] = None) -> None:
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

    def set_faults(self, faults: Faults) -> None:
        """Inject faults; unset ones are off."""
        self._native.set_faults(encode(faults))

    def ledger(self) -> List[LedgerEntry]:
        """Every message the sandbox accepted, in order."""
        return _ledger(self._native.ledger())

    def inbound_text(self, from_wa_id: str, name: str, body: str) -> str:
        """A customer writes ``body``; the inbound message id."""
        return self._native.inbound_text(from_wa_id, name, body)


__all__ = ["Sandbox"]
