"""Check that each name of surface.toml exists in every binding; print a coverage table.

Exit 1 when an item that no `bindings` list narrows is missing from a binding.
"""

from __future__ import annotations

import pathlib
import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOURCES = {
    "python": ROOT / "bindings-python/python/wacrm/_native.pyi",
    "node": ROOT / "bindings-node/binding.d.ts",
    "swift": ROOT / "bindings-swift/Sources/Wacrm/Wacrm.swift",
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def present(binding: str, text: str, name: str) -> bool:
    if binding == "python":
        return re.search(rf"\b(def|class)\s+{re.escape(name)}\b", text) is not None or re.search(
            rf"\b(def|class)\s+{re.escape(camel(name)[0].upper() + camel(name)[1:])}\b", text
        ) is not None
    if binding == "swift" and name.startswith("native_"):
        # Swift names its engine objects without the prefix (`Client`, `Stores`, ...).
        name = name[len("native_"):]
    n = camel(name)
    cls = n[0].upper() + n[1:]
    if binding == "node":
        return re.search(rf"\b(function|class)\s+({re.escape(n)}|{re.escape(cls)})\b|\b{re.escape(n)}\(", text) is not None
    return re.search(rf"\b(func|class)\s+({re.escape(n)}|{re.escape(cls)})\b", text) is not None


def main() -> int:
    items = tomllib.loads((ROOT / "tests/parity/surface.toml").read_text())["item"]
    texts = {b: p.read_text() if p.exists() else "" for b, p in SOURCES.items()}
    failures = []
    print(f"{'capability':<14} {'name':<34} " + " ".join(f"{b:<7}" for b in SOURCES))
    for it in items:
        expected = it.get("bindings", list(SOURCES))
        row = []
        for b in SOURCES:
            ok = present(b, texts[b], it["name"])
            row.append("yes" if ok else ("-" if b not in expected else "MISSING"))
            if not ok and b in expected:
                failures.append(f"{b}: {it['name']}")
        print(f"{it['capability']:<14} {it['name']:<34} " + " ".join(f"{c:<7}" for c in row))
    if failures:
        print("missing from bindings: " + ", ".join(failures), file=sys.stderr)
        return 1
    print(f"{len(items)} passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
