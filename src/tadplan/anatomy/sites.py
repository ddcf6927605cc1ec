"""Inter-radicular sites: their frame and the inter-radicular distance table.

An inter-radicular site lies between two neighbouring teeth A and B of one arch, on the
buccal or the palatal/lingual side. Its frame (mm, patient frame):

- ``md``: horizontal unit from A's crown centre towards B's;
- ``out``: horizontal unit perpendicular to ``md``, pointing out of the alveolus on the
  site's side (buccal: away from the arch centre; palatal/lingual: towards it);
- ``apical``: +z in the maxilla, -z in the mandible;
- heights are measured apically from the alveolar crest (the mean crest level of A and B).

Inter-radicular distance (IRD) at a height: the smallest distance between the root
surfaces of A and B in the horizontal section at that height, counting only the half of the
section of each root on the site's side of its own long axis (the buccal halves for a
buccal site; for an upper molar the palatal half is its palatal root). Root-to-root minima
are smaller than distances measured at the cortex
(literature.md section 0), which is what the published tables mostly report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from tadplan.anatomy.dentition import neighbour_pairs
from tadplan.anatomy.meshes import DentitionModel, ToothMesh
from tadplan.case import fdi

if TYPE_CHECKING:
    import trimesh

F64 = NDArray[np.float64]
DEFAULT_HEIGHTS_MM: tuple[float, ...] = tuple(float(h) for h in range(2, 13))


@dataclass(frozen=True, eq=False)
class SiteFrame:
    a: int
    b: int
    surface: str
    jaw: fdi.Arch
    md: F64
    out: F64
    apical: F64
    crest_z: float

    @property
    def label(self) -> str:
        return f"{self.surface} {self.a}-{self.b}"

    def level_z(self, height_mm: float) -> float:
        return self.crest_z + float(self.apical[2]) * height_mm


def surface_for(jaw: fdi.Arch, inner: bool) -> str:
    return ("palatal" if jaw == "maxilla" else "lingual") if inner else "buccal"


def site_frame(model: DentitionModel, a: int, b: int, surface: str) -> SiteFrame:
    la, lb = model.landmarks[a], model.landmarks[b]
    jaw = fdi.arch(a)
    md = lb.crown_centre_mm - la.crown_centre_mm
    md[2] = 0.0
    md /= np.linalg.norm(md)
    buccal = la.buccal + lb.buccal
    buccal[2] = 0.0
    buccal -= (buccal @ md) * md
    buccal /= np.linalg.norm(buccal)
    out = buccal if surface == "buccal" else -buccal
    apical = np.array([0.0, 0.0, 1.0 if jaw == "maxilla" else -1.0])
    assert la.alveolar_crest_mm is not None and lb.alveolar_crest_mm is not None
    crest = (la.alveolar_crest_mm[2] + lb.alveolar_crest_mm[2]) / 2
    return SiteFrame(a, b, surface, jaw, md, out, apical, float(crest))


def axis_point_at(model: DentitionModel, tooth: int, z: float) -> F64:
    """Where the long axis of ``tooth`` crosses the horizontal plane at ``z``."""
    lm = model.landmarks[tooth]
    t = (z - lm.cej_mm[2]) / lm.axis[2]
    return lm.cej_mm + t * lm.axis


def _trimesh(mesh: ToothMesh) -> trimesh.Trimesh:
    """The mesh as a trimesh (kept on the mesh: built once, shared by threads)."""
    import trimesh  # about 0.2 s to import: only when a section is cut

    return mesh.derived.get(
        "trimesh", lambda: trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    )


def section_points(mesh: ToothMesh, z: float, spacing_mm: float = 0.05) -> F64:
    """Points along the horizontal section of a tooth mesh at height ``z`` (empty if none)."""
    from trimesh.intersections import mesh_plane

    segs = mesh_plane(
        _trimesh(mesh),
        plane_normal=[0.0, 0.0, 1.0],
        plane_origin=[0.0, 0.0, z],
    )
    if len(segs) == 0:
        return np.empty((0, 3))
    seg = np.asarray(segs, dtype=np.float64)
    length = np.linalg.norm(seg[:, 1] - seg[:, 0], axis=1)
    n = np.maximum(1, np.ceil(length / spacing_mm).astype(int))
    # k + 1 evenly spaced points on a segment cut into k pieces, all segments at once
    counts = n + 1
    which = np.repeat(np.arange(len(seg)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    t = (np.arange(int(counts.sum())) - first) / n[which]
    out: F64 = seg[which, 0] + t[:, None] * (seg[which, 1] - seg[which, 0])
    return out


def interradicular_distance(
    model: DentitionModel, frame: SiteFrame, height_mm: float
) -> tuple[float, F64 | None, F64 | None]:
    """IRD (mm) at ``height_mm`` from the crest, with the closest points on A and B.
    ``inf`` when a root does not reach that height on the site's side."""
    z = frame.level_z(height_mm)
    sides = []
    for t in (frame.a, frame.b):
        p = section_points(model.meshes[t], z)
        if len(p):
            p = p[(p - axis_point_at(model, t, z)) @ frame.out >= 0.0]
        sides.append(p)
    pa, pb = sides
    if len(pa) == 0 or len(pb) == 0:
        return float("inf"), None, None
    from scipy.spatial import cKDTree

    d, j = cKDTree(pb).query(pa)
    i = int(np.argmin(d))
    return float(d[i]), pa[i], pb[j[i]]


@dataclass(frozen=True)
class IRDRow:
    site: str
    jaw: str
    a: int
    b: int
    surface: str
    height_mm: float
    ird_mm: float


def interradicular_table(
    model: DentitionModel,
    heights_mm: Iterable[float] = DEFAULT_HEIGHTS_MM,
    surfaces: Iterable[str] = ("buccal", "inner"),
) -> list[IRDRow]:
    """IRD for every pair of neighbouring teeth present, each surface and height."""
    rows = []
    hs = list(heights_mm)
    for a, b in neighbour_pairs(model.landmarks):
        jaw = fdi.arch(a)
        for s in surfaces:
            surf = surface_for(jaw, s != "buccal")
            frame = site_frame(model, a, b, surf)
            for h in hs:
                ird, _, _ = interradicular_distance(model, frame, h)
                rows.append(IRDRow(frame.label, jaw, a, b, surf, h, ird))
    return rows


def interradicular_profile(
    model: DentitionModel,
    a: int,
    b: int,
    surface: str,
    heights_mm: tuple[float, ...] = DEFAULT_HEIGHTS_MM,
) -> tuple[tuple[float, float], ...]:
    """(height from the crest mm, IRD mm) of site ``a``-``b`` on ``surface`` at each of
    ``heights_mm`` where both roots reach (kept on the model: computed once)."""

    def build() -> tuple[tuple[float, float], ...]:
        frame = site_frame(model, a, b, surface)
        out = ((h, interradicular_distance(model, frame, h)[0]) for h in heights_mm)
        return tuple((float(h), float(d)) for h, d in out if np.isfinite(d))

    return model.derived.get(("interradicular_profile", a, b, surface, heights_mm), build)
