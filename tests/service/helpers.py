"""Upload files for the service's tests: a tooth mesh of the average dentition, a zipped
CBCT phantom series (the anatomy tests' writer)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import trimesh

from tadplan.anatomy.meshes import average_dentition


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
