"""Phone numbers: E.164, region, type, validity, WhatsApp ids (libphonenumber's answers)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from . import _native


def parse(number: str, region: Optional[str] = None) -> Dict[str, Any]:
    """Parse one number; raises ``ValidationError`` with the reason."""
    result: Dict[str, Any] = json.loads(_native.phone_parse(number, region))
    return result


def normalize(numbers: Sequence[str], region: Optional[str] = None) -> List[Dict[str, Any]]:
    """Normalize many numbers on all cores (GIL released); bad rows carry ``error``."""
    return _native.phone_normalize(list(numbers), region)


__all__ = ["parse", "normalize"]
