"""Each operation written once, for both the blocking and the async classes.

An operation is a method that starts a native call and says how to type its
answer (an ``Op``). Decorated with ``@operation``, the same method is, on a
``Blocking`` object, a call that waits (GIL released) and returns the typed
value, and on an ``Awaiting`` object a call returning an awaitable of it.
The overloads of ``operation.__get__`` give mypy both signatures from the
one definition."""

from __future__ import annotations

import functools
from typing import Any, Awaitable, Callable, Concatenate, Generic, Optional, ParamSpec, Protocol, TypeVar, overload

from ._aio import ensure_no_running_loop

T = TypeVar("T")
P = ParamSpec("P")


class _Pending(Protocol):
    def wait(self) -> Any: ...
    def start(self) -> Any: ...


class Op(Generic[T]):
    """A started native call and the decoder of its answer."""

    __slots__ = ("pending", "decode")

    def __init__(self, pending: _Pending, decode: Callable[[Any], T]) -> None:
        self.pending = pending
        self.decode = decode


class Blocking:
    """Operations of this object wait for their answer."""

    def _run(self, name: str, op: Op[T]) -> T:
        ensure_no_running_loop(f"{type(self).__name__}.{name}")
        return op.decode(op.pending.wait())


class Awaiting:
    """Operations of this object return awaitables."""

    async def _run(self, name: str, op: Op[T]) -> T:
        return op.decode(await op.pending.start())


class operation(Generic[P, T]):
    """``@operation`` on a method returning ``Op[T]``: see the module doc."""

    def __init__(self, f: Callable[Concatenate[Any, P], Op[T]]) -> None:
        self.f = f
        self.name = f.__name__
        functools.update_wrapper(self, f)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: Optional[type] = None) -> "operation[P, T]": ...
    @overload
    def __get__(self, obj: Blocking, owner: Optional[type] = None) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: Awaiting, owner: Optional[type] = None) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: Optional[type] = None) -> Any:
        if obj is None:
            return self
        f, name, run = self.f, self.name, obj._run

        @functools.wraps(f)
        def bound(*args: Any, **kwargs: Any) -> Any:
            return run(name, f(obj, *args, **kwargs))

        return bound
