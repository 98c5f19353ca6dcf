"""Typed values from the native module's plain objects, and back.

The native module hands over the core's serde form as dicts, lists and
scalars. ``decode(cls, value)`` turns it into the frozen dataclasses of this
package by their annotations (compiled once per class); ``encode(obj)`` turns
a typed input back into the core's form. A field named with a trailing
underscore (``from_``, ``type_``) is the key without it; a field made with
``renamed(key)`` reads ``key``; a field ``extra`` collects the keys the class
does not name (Meta adds fields over time)."""

from __future__ import annotations

import dataclasses
import enum
import sys
import typing
from typing import Any, Callable, Dict, List, Optional, Tuple, Type, TypeVar, Union

T = TypeVar("T")
Decoder = Callable[[Any], Any]

_Step = Tuple[str, str, Decoder, Callable[[], Any]]
# Per class: its steps, and the keys it names when it has an `extra` field.
_PLANS: Dict[type, Tuple[List[_Step], Optional[frozenset[str]]]] = {}
# Tagged unions: the union's members by tag value, keyed by the union type.
_UNIONS: Dict[Any, Tuple[str, Dict[str, type]]] = {}


def _ident(v: Any) -> Any:
    return v


def register_union(union: Any, tag: str, members: Dict[str, type]) -> None:
    """Decode values of ``union`` by their ``tag`` key."""
    _UNIONS[union] = (tag, members)


def _decoder(tp: Any) -> Decoder:
    if tp in _UNIONS:
        tag, members = _UNIONS[tp]

        def tagged(v: Any) -> Any:
            cls = members.get(v.get(tag)) or members["*"]
            return _build(cls, v)

        return tagged
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return lambda v: _build(tp, v)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union:
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            d = _decoder(inner[0])
        else:
            rest = Union[tuple(inner)]  # type: ignore[valid-type]
            d = _decoder(rest) if rest in _UNIONS else _ident
        return _ident if d is _ident else (lambda v: None if v is None else d(v))
    if origin in (list, List):
        d = _decoder(args[0]) if args else _ident
        return list if d is _ident else (lambda v: [d(i) for i in v])
    if origin in (dict, Dict):
        d = _decoder(args[1]) if args else _ident
        return dict if d is _ident else (lambda v: {k: d(i) for k, i in v.items()})
    if origin in (tuple, Tuple):
        ds = [_decoder(a) for a in args]
        return lambda v: tuple(d(i) for d, i in zip(ds, v))
    return _ident


def _plan(cls: type) -> Tuple[List[_Step], Optional[frozenset[str]]]:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
        steps = []
        has_extra = False
        for f in dataclasses.fields(cls):
            if f.name == "extra":
                has_extra = True
                continue
            # A factory (a fresh list per object) or a plain default.
            if f.default_factory is not dataclasses.MISSING:
                default: Any = f.default_factory
            else:
                value = None if f.default is dataclasses.MISSING else f.default
                default = lambda value=value: value  # noqa: E731
            key = f.metadata.get("key", f.name.rstrip("_"))
            steps.append((f.name, key, _decoder(hints[f.name]), default))
        known = frozenset(key for _, key, _, _ in steps) | {"kind", "type"}
        plan = (steps, known if has_extra else None)
        _PLANS[cls] = plan
    return plan


def _build(cls: type, v: Dict[str, Any]) -> Any:
    steps, known = _plan(cls)
    obj: Any = object.__new__(cls)
    values: Dict[str, Any] = {}
    for name, key, dec, default in steps:
        x = v.get(key)
        values[name] = default() if x is None else dec(x)
    if known is not None:
        values["extra"] = {k: x for k, x in v.items() if k not in known}
    # Frozen dataclasses refuse setattr; filling the instance dict is the
    # documented way around it and skips a per-field call.
    obj.__dict__.update(values)
    return obj


def renamed(key: str) -> Any:
    """A field (default ``None``) read from the core's ``key``."""
    return dataclasses.field(default=None, metadata={"key": key})


def decode(cls: Type[T], value: Any) -> T:
    """``value`` (the native module's plain objects) as ``cls``."""
    out: T = _decoder(cls)(value)
    return out


def decoder(cls: Type[T]) -> Callable[[Any], T]:
    """A compiled ``decode`` for ``cls``."""
    return _decoder(cls)


def list_decoder(cls: Type[T]) -> Callable[[Any], List[T]]:
    """A compiled ``decode`` for a list of ``cls``."""
    return _decoder(List[cls])  # type: ignore[valid-type]


def union_decoder(union: Any) -> Callable[[Any], Any]:
    """A compiled ``decode`` for a registered tagged union (annotate the result)."""
    return _decoder(union)


def optional_decoder(cls: Type[T]) -> Callable[[Any], Optional[T]]:
    """A compiled ``decode`` for ``cls`` or ``None``."""
    return _decoder(Optional[cls])


def encode(obj: Any) -> Any:
    """A typed input in the core's form: dataclasses as dicts without their
    ``None`` fields (the core then uses its default), enums as their values."""
    to_core = getattr(obj, "_to_core", None)
    if to_core is not None:
        return to_core()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {}
        for f in dataclasses.fields(obj):
            x = getattr(obj, f.name)
            if x is not None:
                out[f.name.rstrip("_")] = encode(x)
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [encode(i) for i in obj]
    if isinstance(obj, dict):
        return {k: encode(x) for k, x in obj.items()}
    return obj
