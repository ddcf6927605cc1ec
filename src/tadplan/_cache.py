"""Caches: derived values kept on the object that owns the data, and values kept on disk.

In memory, a frozen object (a dentition model, a tooth mesh) carries a :class:`Derived`
attribute: values computed from it are kept there, each built once under a per-key lock,
so threads sharing the object neither race nor build twice, and the values go when the
object goes (no module-level dictionary, nothing keyed on ``id()``).

On disk, :func:`load_arrays` / :func:`save_arrays` (named numpy arrays) and
:func:`load_json` / :func:`save_json` keep values in the user's cache directory
(``TADPLAN_CACHE_DIR``, else the platform's user cache directory + ``tadplan``), one file
per key. The key is a hash of the tadplan version and of the inputs
(:func:`input_key`); a file is written to a temporary name and renamed over the final one,
so two processes building at once each write a whole file and a reader never sees half of
one; a file that cannot be read (truncated, corrupt, foreign) is ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import sys
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from tadplan import __version__
from tadplan._files import write_atomic

T = TypeVar("T")

ENV_CACHE_DIR = "TADPLAN_CACHE_DIR"


class Derived:
    """Values derived from one frozen object, each computed once (thread-safe)."""

    __slots__ = ("_lock", "_locks", "_maxsize", "_values")

    def __init__(self, maxsize: int | None = None) -> None:
        self._lock = threading.Lock()
        self._locks: dict[object, threading.Lock] = {}
        self._values: OrderedDict[object, object] = OrderedDict()
        self._maxsize = maxsize
        """At most this many values (the least recently used go first); None: no limit."""

    def get(self, key: object, build: Callable[[], T]) -> T:
        """The value under ``key``, built by ``build()`` on first use. Other keys are not
        held up while one is built; a second caller of the same key waits for the first."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
            key_lock = self._locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]  # type: ignore[return-value]
            value = build()
            with self._lock:
                self._values[key] = value
                self._locks.pop(key, None)
                while self._maxsize is not None and len(self._values) > self._maxsize:
                    self._values.popitem(last=False)
            return value

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)

    def __repr__(self) -> str:
        return f"Derived({len(self)} values)"


# ----------------------------------------------------------------------------- on disk


def user_cache_dir() -> Path:
    """``TADPLAN_CACHE_DIR`` if set, else the platform's user cache directory + tadplan
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows)."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "tadplan" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "tadplan"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "tadplan"


def configure_numba() -> None:
    """Point numba's kernel cache at ``<cache dir>/numba`` unless ``NUMBA_CACHE_DIR`` is
    set already. Must run before numba is first imported (numba reads it then)."""
    if "NUMBA_CACHE_DIR" not in os.environ and "numba" not in sys.modules:
        os.environ["NUMBA_CACHE_DIR"] = str(user_cache_dir() / "numba")


def input_key(*parts: object) -> str:
    """Hash of the tadplan version and ``parts`` (arrays by dtype, shape and bytes; other
    values by ``repr``): changes whenever the code version or an input does."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"tadplan {__version__}\0".encode())
    for p in parts:
        if isinstance(p, np.ndarray):
            a = np.ascontiguousarray(p)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
        else:
            h.update(repr(p).encode())
        h.update(b"\0")
    return h.hexdigest()


@functools.cache
def source_digest(*modules: str) -> str:
    """Hash of the source files of ``modules`` (dotted names): part of a disk key, so that
    values computed by code changed since (without a version bump) are not read back."""
    import importlib.util

    h = hashlib.blake2b(digest_size=16)
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        h.update(name.encode() + b"\0")
        if origin and os.path.isfile(origin):
            h.update(Path(origin).read_bytes())
    return h.hexdigest()


@functools.cache
def package_digest(*packages: str) -> str:
    """Hash of the code and data files (``*.py``, ``*.yaml``) of ``packages`` (dotted
    names, subpackages included): part of a disk key for values that depend on a whole
    package's code and data."""
    import importlib.util

    h = hashlib.blake2b(digest_size=16)
    for name in packages:
        spec = importlib.util.find_spec(name)
        dirs = list(spec.submodule_search_locations or []) if spec is not None else []
        h.update(name.encode() + b"\0")
        for d in dirs:
            files = sorted(
                p
                for p in Path(d).rglob("*")
                if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts
            )
            for f in files:
                h.update(f.relative_to(d).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def _path(kind: str, key: str, suffix: str = ".npz") -> Path:
    return user_cache_dir() / kind / f"{key}{suffix}"


def _save(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError:
        return False
    return True


def load_json(kind: str, key: str) -> Any:
    """The JSON value saved under ``kind``/``key``, or None when missing or unreadable."""
    try:
        return json.loads(_path(kind, key, ".json").read_bytes())
    except (OSError, ValueError):
        return None


def save_json(kind: str, key: str, value: Any) -> bool:
    """Save ``value`` as JSON under ``kind``/``key`` atomically (False if not writable)."""
    return _save(_path(kind, key, ".json"), json.dumps(value).encode())


def cached_json(kind: str, key: str, build: Callable[[], T]) -> T:
    """The JSON value on disk under ``kind``/``key``, else ``build()``, saved there when it
    is plain JSON (it reads back equal: no dates, no integer keys, no NaN)."""
    hit = load_json(kind, key)
    if hit is not None:
        return hit
    value = build()
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        return value
    if json.loads(text) == value:
        _save(_path(kind, key, ".json"), text.encode())
    return value


def load_arrays(kind: str, key: str, names: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The arrays saved under ``kind``/``key``, or None when there is no such file or it
    cannot be read whole (the caller then rebuilds and saves again)."""
    path = _path(kind, key)
    try:
        with np.load(path, allow_pickle=False) as z:
            out = {n: np.array(z[n]) for n in names}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # truncated, corrupt or from another layout: rebuilt by the caller
    return out


def save_arrays(kind: str, key: str, arrays: Mapping[str, np.ndarray]) -> bool:
    """Save ``arrays`` under ``kind``/``key`` atomically (a temporary file renamed over the
    final one: :func:`tadplan._files.write_atomic`). Returns False, leaving no file behind,
    when the cache directory cannot be written: a cache that cannot be kept only costs
    time."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return _save(_path(kind, key), buf.getvalue())


def cached_arrays(
    kind: str, key: str, names: tuple[str, ...], build: Callable[[], dict[str, Any]]
) -> dict[str, np.ndarray]:
    """The arrays on disk under ``kind``/``key``, else ``build()`` saved there."""
    hit = load_arrays(kind, key, names)
    if hit is not None:
        return hit
    arrays = build()
    save_arrays(kind, key, arrays)
    return arrays
