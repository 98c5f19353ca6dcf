"""Signature parity: every operation of `operations.toml` exists in the Python
package, the Node `binding.d.ts` and the generated Swift with the same
parameter names in the same order and the same result type.

Exit 1 on any difference, listing each one."""

from __future__ import annotations

import ast
import pathlib
import re
import sys
from typing import Dict, List, Optional, Tuple

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

ROOT = pathlib.Path(__file__).resolve().parents[2]
PY_DIR = ROOT / "bindings-python/python/wacrm"
NODE_DTS = ROOT / "bindings-node/binding.d.ts"
SWIFT = ROOT / "bindings-swift/Sources/Wacrm/Wacrm.swift"

Sig = Tuple[List[str], str]  # parameter names (snake_case), neutral result type


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def split_top(text: str, sep: str = ",") -> List[str]:
    """Split on `sep` outside brackets."""
    out, depth, cur = [], 0, ""
    for c in text:
        if c in "<([{":
            depth += 1
        elif c in ">)]}":
            depth -= 1
        if c == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out]


def alias(t: str, aliases: Dict[str, str]) -> str:
    return aliases.get(t, t)


# ---------- Python ----------

def py_type(node: Optional[ast.expr], aliases: Dict[str, str]) -> str:
    if node is None:
        return "none"
    if isinstance(node, ast.Constant) and node.value is None:
        return "none"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return py_type(ast.parse(node.value, mode="eval").body, aliases)
    if isinstance(node, ast.Name):
        base = {"int": "int", "str": "str", "bool": "bool", "float": "float", "None": "none"}.get(node.id, node.id)
        return alias(base, aliases)
    if isinstance(node, ast.Attribute):
        return alias(node.attr, aliases)
    if isinstance(node, ast.Subscript):
        head = node.value.id if isinstance(node.value, ast.Name) else getattr(node.value, "attr", "?")
        inner = node.slice
        args = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        if head in ("Optional",):
            return py_type(args[0], aliases) + "?"
        if head in ("List", "list", "Sequence"):
            return "[" + py_type(args[0], aliases) + "]"
        if head in ("Dict", "dict", "Mapping"):
            return "{" + py_type(args[0], aliases) + ": " + py_type(args[1], aliases) + "}"
        if head == "Op":
            return py_type(args[0], aliases)
        return head + "<" + ", ".join(py_type(a, aliases) for a in args) + ">"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = py_type(node.left, aliases), py_type(node.right, aliases)
        return left + "?" if right == "none" else right + "?" if left == "none" else f"{left}|{right}"
    return ast.unparse(node)


def python_surface(sources: Dict[str, str], aliases: Dict[str, str]) -> Dict[str, Dict[str, Sig]]:
    """`_<Class>Ops` classes: their public methods (the `@operation`s and plain ones)."""
    out: Dict[str, Dict[str, Sig]] = {}
    for text in sources.values():
        for cls in ast.walk(ast.parse(text)):
            if not isinstance(cls, ast.ClassDef):
                continue
            m = re.fullmatch(r"_(\w+)Ops", cls.name)
            if not m:
                continue
            ops = out.setdefault(m.group(1), {})
            for f in cls.body:
                if isinstance(f, ast.FunctionDef) and not f.name.startswith("_"):
                    params = [a.arg.rstrip("_") for a in f.args.args[1:]]
                    ops[f.name] = (params, py_type(f.returns, aliases))
    return out


# ---------- Node ----------

def ts_type(t: str, aliases: Dict[str, str]) -> str:
    t = t.strip()
    parts = [p.strip() for p in split_top(t, "|")]
    optional = any(p in ("null", "undefined") for p in parts)
    parts = [p for p in parts if p not in ("null", "undefined")]
    if len(parts) != 1:
        base = "|".join(ts_type(p, aliases) for p in parts) if parts else "none"
    else:
        p = re.sub(r"\bT\.", "", parts[0])
        m = re.fullmatch(r"(Promise|Partial|Readonly)<(.*)>", p)
        if m:
            base = ts_type(m.group(2), aliases)
        elif p.endswith("[]"):
            base = "[" + ts_type(p[:-2], aliases) + "]"
        elif (m := re.fullmatch(r"Record<\s*string\s*,(.*)>", p)):
            base = "{str: " + ts_type(m.group(1), aliases) + "}"
        elif (m := re.fullmatch(r"(\w+)<(.*)>", p)):
            base = m.group(1) + "<" + ", ".join(ts_type(a, aliases) for a in split_top(m.group(2))) + ">"
        else:
            base = {"number": "int", "string": "str", "boolean": "bool", "void": "none", "null": "none"}.get(p, p)
            base = alias(base, aliases)
    return base + "?" if optional and base != "none" else base


def node_surface(text: str, aliases: Dict[str, str]) -> Dict[str, Dict[str, Sig]]:
    out: Dict[str, Dict[str, Sig]] = {}
    for m in re.finditer(r"export declare class Native(\w+) \{(.*?)\n\}", text, re.S):
        ops = out.setdefault(m.group(1), {})
        for line in m.group(2).splitlines():
            f = re.match(r"\s+(?!constructor)(\w+)\((.*)\): (.+)$", line)
            if not f:
                continue
            params = [snake(p.split(":")[0].rstrip("?").strip()) for p in split_top(f.group(2))]
            ops[snake(f.group(1))] = (params, ts_type(f.group(3), aliases))
    return out


# ---------- Swift ----------

def swift_type(t: str, aliases: Dict[str, str]) -> str:
    t = t.strip()
    if not t:
        return "none"
    if t.endswith("?"):
        return swift_type(t[:-1], aliases) + "?"
    if t.startswith("[") and t.endswith("]"):
        inner = t[1:-1]
        kv = split_top(inner, ":")
        if len(kv) == 2:
            return "{" + swift_type(kv[0], aliases) + ": " + swift_type(kv[1], aliases) + "}"
        return "[" + swift_type(inner, aliases) + "]"
    if re.fullmatch(r"U?Int(8|16|32|64)?", t):
        return "int"
    base = {"String": "str", "Bool": "bool", "Double": "float", "Float": "float"}.get(t, t)
    return alias(base, aliases)


def swift_surface(text: str, aliases: Dict[str, str]) -> Dict[str, Dict[str, Sig]]:
    out: Dict[str, Dict[str, Sig]] = {}
    classes = list(re.finditer(r"^open class (\w+)\s*:", text, re.M))
    for i, c in enumerate(classes):
        end = classes[i + 1].start() if i + 1 < len(classes) else len(text)
        body = text[c.end():end]
        ops = out.setdefault(c.group(1), {})
        for f in re.finditer(r"^open func (\w+)\((.*?)\)\s*(?:async)?\s*(?:throws)?\s*(?:->\s*([^{]+?))?\s*\{", body, re.M):
            params = [snake(p.split(":")[0].strip()) for p in split_top(f.group(2))]
            ops[snake(f.group(1))] = (params, swift_type(f.group(3) or "", aliases))
    return out


# ---------- the check ----------

def compare(spec: dict, surfaces: Dict[str, Dict[str, Dict[str, Sig]]]) -> List[str]:
    problems: List[str] = []
    for cls in spec["class"]:
        for op in cls["ops"]:
            want: Sig = (op["params"], op["returns"])
            for binding, surface in surfaces.items():
                got = surface.get(cls["name"], {}).get(op["name"])
                if got is None:
                    problems.append(f"{binding}: {cls['name']}.{op['name']} is missing")
                elif got[0] != want[0]:
                    problems.append(f"{binding}: {cls['name']}.{op['name']} parameters {got[0]} != {want[0]}")
                elif got[1] != want[1]:
                    problems.append(f"{binding}: {cls['name']}.{op['name']} returns {got[1]} != {want[1]}")
    return problems


def load_spec() -> dict:
    return tomllib.loads((pathlib.Path(__file__).parent / "operations.toml").read_text())


def surfaces_from(py_sources: Dict[str, str], node_text: str, swift_text: str, spec: dict) -> Dict[str, Dict[str, Dict[str, Sig]]]:
    a = spec.get("aliases", {})
    return {
        "python": python_surface(py_sources, a.get("python", {})),
        "node": node_surface(node_text, a.get("node", {})),
        "swift": swift_surface(swift_text, a.get("swift", {})),
    }


def main() -> int:
    spec = load_spec()
    py = {p.name: p.read_text() for p in sorted(PY_DIR.glob("*.py"))}
    surfaces = surfaces_from(py, NODE_DTS.read_text(), SWIFT.read_text(), spec)
    problems = compare(spec, surfaces)
    n = sum(len(c["ops"]) for c in spec["class"])
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{len(problems)} signature differences over {n} operations × 3 bindings", file=sys.stderr)
        return 1
    print(f"signatures: {n} operations identical in Python, Node and Swift")
    return 0


if __name__ == "__main__":
    sys.exit(main())
