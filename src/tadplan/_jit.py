"""numba kernels that load numba on their first call, not on import.

Importing numba costs about 0.4 s, and a plan whose distance grids and insertions come from
the disk cache (:mod:`tadplan._cache`) calls no kernel. A module of kernels writes
``@njit(...)`` from here instead of ``numba.njit`` (and ``prange`` from here, bound to
``numba.prange`` when compiled). The first call of any kernel of a module imports numba
(its kernel cache set by :func:`tadplan._cache.configure_numba` first) and rebinds every
kernel of that module, and every kernel it imported from another one, to a numba
dispatcher, so kernels calling kernels compile as with ``numba.njit`` (numba resolves the
module's globals when it compiles). Callers that imported a kernel by name keep this
wrapper, which forwards to the dispatcher.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

prange = range
"""``numba.prange`` inside compiled kernels (rebound when the module's kernels compile)."""

_LOCK = threading.RLock()
_BOUND: set[str] = set()


class Kernel:
    """A kernel before numba is loaded: ``py_func`` and its ``numba.njit`` options."""

    def __init__(self, py_func: Callable[..., Any], options: dict[str, Any]) -> None:
        self.py_func = py_func
        self.options = options
        self._dispatcher: Any = None
        functools.update_wrapper(self, py_func)

    def compiled(self) -> Any:
        """The numba dispatcher (its module's kernels bound to numba on first use)."""
        if self._dispatcher is None:
            _bind(sys.modules[self.py_func.__module__])
        return self._dispatcher

    def __call__(self, *args: Any) -> Any:
        return self.compiled()(*args)


def njit(**options: Any) -> Callable[[F], F]:
    """``numba.njit(**options)``, loaded on the first call of a kernel of the module."""

    def wrap(fn: F) -> F:
        return Kernel(fn, options)  # type: ignore[return-value]

    return wrap


def _bind(module: ModuleType) -> None:
    """Make every kernel of ``module`` (and each one it imported) a numba dispatcher."""
    with _LOCK:
        if module.__name__ in _BOUND:
            return
        from tadplan._cache import configure_numba

        configure_numba()  # numba reads its cache directory when first imported
        import numba

        names = vars(module)
        own = {
            name: k
            for name, k in list(names.items())
            if isinstance(k, Kernel) and k.py_func.__module__ == module.__name__
        }
        dispatchers = {name: numba.njit(**k.options)(k.py_func) for name, k in own.items()}
        if names.get("prange") is range:
            module.prange = numba.prange  # type: ignore[attr-defined]
        for name, d in dispatchers.items():
            setattr(module, name, d)
        for name, k in list(names.items()):
            if isinstance(k, Kernel):  # imported from another module of kernels
                setattr(module, name, k.compiled())
        _BOUND.add(module.__name__)
        for name, k in own.items():
            k._dispatcher = dispatchers[name]
