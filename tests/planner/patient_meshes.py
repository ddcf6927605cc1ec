"""Patient tooth meshes for the tests of planning on them: the case's average teeth exported
to STL, one of them moved until its root touches a planned screw."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import trimesh

from tadplan.anatomy.safety import dentition_model
from tadplan.case import Case
from tadplan.model import Implant, Plan


def screw_between(p: Plan, teeth: tuple[int, int]) -> Implant:
    """The first planned screw of ``p`` between ``teeth`` (e.g. the demo's buccal 16-15)."""
    return next(
        i for gp in p.goals for d in gp.designs for i in d.implants if i.site.between == teeth
    )


def touching(case: Case, implant: Implant, tooth: int) -> np.ndarray:
    """The vertices of ``tooth`` of the case's average dentition moved straight towards
    ``implant``'s axis until its nearest vertex lies on the screw's surface."""
    assert implant.head_position_mm is not None and implant.axis is not None
    v = dentition_model(case).meshes[tooth].vertices
    head, axis = np.asarray(implant.head_position_mm), np.asarray(implant.axis)
    along = np.clip((v - head) @ axis, 0.0, implant.length_mm)
    on_axis = head + along[:, None] * axis
    gap = np.linalg.norm(on_axis - v, axis=1)
    k = int(np.argmin(gap))
    step = (on_axis[k] - v[k]) / gap[k] * (gap[k] - implant.diameter_mm / 2)
    return np.asarray(v + step)


def tooth_stl(case: Case, tooth: int, vertices: np.ndarray | None = None) -> bytes:
    m = dentition_model(case).meshes[tooth]
    data = trimesh.Trimesh(m.vertices if vertices is None else vertices, m.faces).export(
        file_type="stl"
    )
    assert isinstance(data, bytes)
    return data


def write_teeth(
    d: Path, case: Case, teeth: list[int], moved: dict[int, np.ndarray] | None = None
) -> Path:
    """``teeth`` as ``{fdi}.stl`` files in ``d`` (``moved``: vertices of moved teeth)."""
    d.mkdir(parents=True, exist_ok=True)
    for t in teeth:
        (d / f"{t}.stl").write_bytes(tooth_stl(case, t, (moved or {}).get(t)))
    return d
