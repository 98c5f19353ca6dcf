"""Phone numbers: E.164, region, type, validity, WhatsApp ids (libphonenumber's answers)."""

from __future__ import annotations

from typing import List, Optional, Sequence

from . import _native
from ._convert import decode
from ._native import NormalizedPhone
from .types import PhoneInfo


def parse(number: str, region: Optional[str] = None) -> PhoneInfo:
    """Parse one number; raises ``ValidationError`` with the reason."""
    return decode(PhoneInfo, _native.phone_parse(number, region))


def normalize(numbers: Sequence[str], region: Optional[str] = None) -> List[NormalizedPhone]:
    """Normalize many numbers on all cores (GIL released); bad rows carry ``error``."""
    return _native.phone_normalize(list(numbers), region)


__all__ = ["NormalizedPhone", "PhoneInfo", "normalize", "parse"]
