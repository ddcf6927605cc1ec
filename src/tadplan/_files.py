"""Writing output files safely: the whole file or nothing at its final path."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` through a temporary file in the same directory, renamed over
    ``path`` once complete and flushed to disk: an interrupted or failed write (a kill, a full
    disk) leaves the previous file as it was. Returns whether an existing file was replaced;
    a replaced file keeps its permissions, a new one gets the usual ones (0666 less umask)."""
    replaced = path.exists()
    mode = stat.S_IMODE(path.stat().st_mode) if replaced else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return replaced
