"""Test-wide settings: tadplan's disk caches go to a fresh temporary directory, never the
user's cache directory (set before any test module imports tadplan)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_CACHE = Path(tempfile.mkdtemp(prefix="tadplan-test-cache-"))
os.environ["TADPLAN_CACHE_DIR"] = str(_CACHE)
# compiled numba kernels are keyed by numba on their source: kept between test sessions in
# the system temporary directory (compiling them all again costs tens of seconds)
os.environ.setdefault(
    "NUMBA_CACHE_DIR",
    str(
        Path(tempfile.gettempdir())
        / f"tadplan-test-numba-{os.getuid() if hasattr(os, 'getuid') else 0}"
    ),
)
