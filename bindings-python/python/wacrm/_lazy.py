"""Records read on demand from a native webhook event.

A webhook server parses many bodies and often reads one or two fields of each;
building every nested object up front would cost more than the Rust parse.
A ``@lazy_record`` class declares its fields as annotations (that is what
mypy sees); each becomes a read-only attribute decoded from the event's fields
on first access and kept."""

from __future__ import annotations

import dataclasses
import sys
import typing
from typing import Any, Callable, ClassVar, Dict, Protocol, Type, TypeVar, Union

from ._convert import _decoder

R = TypeVar("R", bound="LazyRecord")


class _NativeEvent(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def raw(self) -> Any: ...
    def fields(self) -> Any: ...


def _default(tp: Any) -> Callable[[], Any]:
    origin = typing.get_origin(tp)
    if origin is Union and type(None) in typing.get_args(tp):
        return lambda: None
    if origin in (list, dict):
        return origin  # type: ignore[no-any-return]
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return tp
    if tp in (str, int, float, bool):
        return tp  # type: ignore[no-any-return]
    return lambda: None


def _read_only(descriptor: Any, obj: Any, value: Any) -> None:
    raise AttributeError(f"{type(obj).__name__} is read-only")


class _Field:
    """A field decoded on first access and kept in the instance's dict (which
    CPython creates only then), read-only like a frozen dataclass field."""

    __slots__ = ("name", "key", "decode", "default")

    def __init__(self, name: str, decode: Callable[[Any], Any], default: Callable[[], Any]) -> None:
        self.name, self.key, self.decode, self.default = name, name.rstrip("_"), decode, default

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        cache = obj.__dict__
        name = self.name
        if name in cache:
            return cache[name]
        x = obj._native.fields().get(self.key)
        value = self.default() if x is None else self.decode(x)
        cache[name] = value
        return value

    __set__ = _read_only


class _Raw:
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self if obj is None else (obj._native.raw or "")

    __set__ = _read_only


class LazyRecord:
    """Base of the webhook event classes: typed, read-only, decoded on access."""

    __slots__ = ("_native", "__dict__")
    kind: ClassVar[str]
    _field_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, native: _NativeEvent) -> None:
        self._native = native

    def to_dict(self) -> Dict[str, Any]:
        """The event as the core's plain form (``kind``, fields, ``raw``)."""
        out: Dict[str, Any] = dict(self._native.fields())
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._field_names if n != "raw")
        return f"{type(self).__name__}({shown})"


def lazy_record(cls: Type[R]) -> Type[R]:
    """Turn ``cls``'s annotations into fields read from the native event."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    names = []
    for name, tp in hints.items():
        if typing.get_origin(tp) is ClassVar or name.startswith("_"):
            continue
        names.append(name)
        if name == "raw":
            setattr(cls, name, _Raw())
        else:
            setattr(cls, name, _Field(name, _decoder(tp), _default(tp)))
    cls._field_names = tuple(names)
    return cls
