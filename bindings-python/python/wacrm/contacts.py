"""Contacts without a store: dedupe or link CSV files (like ``wacrm contacts
dedupe``). Runs on all cores with the GIL released. Store-backed import,
segments and merges are on :class:`wacrm.Stores`."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Sequence

from . import _native

JSON = Dict[str, Any]


def dedupe_csv(paths: Sequence[str], map: Sequence[str], id_column: Optional[str] = None,
               region: Optional[str] = None, link: bool = False, **config: Any) -> JSON:
    """``{"result": {pairs, review, clusters, plan, stats, ...}, "reports": [one per file]}``.
    ``map`` holds ``COLUMN=FIELD`` items; ``link=True`` matches the files against each other."""
    args = {"paths": list(paths), "map": list(map), "id_column": id_column, "region": region, "link": link,
            "config": config or None}
    r: JSON = json.loads(_native.contacts_dedupe_csv(json.dumps({k: v for k, v in args.items() if v is not None})))
    return r


__all__ = ["dedupe_csv"]
