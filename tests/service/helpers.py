"""Upload files for the service's tests: a tooth mesh of the average dentition, a zipped
CBCT phantom series (the anatomy tests' writer)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import trimesh

from tadplan.anatomy.meshes import average_dentition
from tadplan.service.web.live import free_port


def tooth_mesh_stl(tooth: int = 16) -> bytes:
    m = average_dentition(resolution="coarse", teeth=[tooth]).meshes[tooth]
    data = trimesh.Trimesh(m.vertices, m.faces).export(file_type="stl")
    assert isinstance(data, bytes)
    return data


def cbct_zip() -> bytes:
    from tests.anatomy.test_cbct import _phantom, write_series

    with tempfile.TemporaryDirectory() as d:
        write_series(Path(d) / "series", _phantom())
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted((Path(d) / "series").iterdir()):
                z.write(p, f"series/{p.name}")
    return buf.getvalue()


# ----------------------------------------------------------------------------- a real server


class Server:
    """``tadplan serve`` in a child process on loopback, its output in ``log``."""

    def __init__(self, db_url: str, log: Path, workers: int = 1, level: str = "info") -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "TADPLAN_LOG_LEVEL": level}
        env.pop("TADPLAN_DB", None)
        cmd = [sys.executable, "-m", "tadplan.cli", "serve", "--db", db_url,
               "--port", str(self.port), "--workers", str(workers)]  # fmt: skip
        self._out = open(log, "ab")  # noqa: SIM115 (kept open while the server runs)
        self.proc = subprocess.Popen(cmd, stdout=self._out, stderr=subprocess.STDOUT, env=env)
        self.wait_ready()

    def wait_ready(self, timeout_s: float = 120) -> None:
        import time

        import httpx

        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError("server did not start")

    def kill(self) -> None:
        import signal

        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)
        self._out.close()

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except Exception:
                self.proc.kill()
                self.proc.wait(30)
        self._out.close()
