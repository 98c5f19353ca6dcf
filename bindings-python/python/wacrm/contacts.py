"""Contacts without a store: dedupe or link CSV files (like ``wacrm contacts
dedupe``). Runs on all cores with the GIL released. Store-backed import,
segments and merges are on :class:`wacrm.Stores`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from . import _native
from ._convert import decode, encode
from .records import DedupeConfig, DedupeCsvOutcome


@dataclass(frozen=True)
class DedupeCsvArgs:
    """CSV files to dedupe; ``map`` holds ``COLUMN=FIELD`` items; ``link=True``
    matches the files against each other only (record linkage)."""

    paths: List[str]
    map: List[str] = field(default_factory=list)
    id_column: Optional[str] = None
    region: Optional[str] = None
    link: bool = False
    config: Optional[DedupeConfig] = None


def dedupe_csv(args: DedupeCsvArgs) -> DedupeCsvOutcome:
    """Pairs, clusters and the merge plan, and each file's bad rows."""
    return decode(DedupeCsvOutcome, _native.contacts_dedupe_csv(encode(args)))


__all__ = ["DedupeCsvArgs", "dedupe_csv"]
