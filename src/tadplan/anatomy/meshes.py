"""Closed triangle meshes of the average teeth (crown and roots), in the patient frame (mm).

Each tooth is a union of closed, consistently oriented (outward) components: single-rooted
teeth are one lofted body from the incisal edge/cusp to the apex; multi-rooted teeth are a
crown-and-root-trunk body closed just below the furcation plus one body per root, the roots
starting inside the trunk. Cross-sections are ellipses: at the cervix they have Wheeler's
cervical mesiodistal and buccolingual diameters, they widen to the crown diameters and close
at the occlusal end, and they taper to a rounded apex (``roots.taper`` in ``arch.yaml``).
The shape between the cited diameters is a modelling choice, not a measurement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from tadplan._cache import Derived
from tadplan.anatomy.dentition import (
    Customisation,
    ToothSize,
    arch_value,
    average_landmarks,
    root_axes,
    size_of,
)
from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.case import Case

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Resolution = Literal["clinical", "coarse"]

# (segments around, samples along a single-rooted tooth, samples along a root component)
_RES: dict[str, tuple[int, int, int]] = {"clinical": (48, 96, 64), "coarse": (20, 32, 20)}


@dataclass(frozen=True, eq=False)
class ToothMesh:
    fdi: int
    vertices: F64
    """(n, 3) mm, patient frame."""
    faces: I64
    """(m, 3) vertex indices, counter-clockwise seen from outside."""
    components: tuple[tuple[int, int], ...]
    """Face index ranges [start, stop) of the closed components (body, then roots)."""
    derived: Derived = field(default_factory=Derived, init=False, repr=False, compare=False)
    """Values derived from this mesh (its trimesh, its collision object), built once."""


@dataclass(frozen=True, eq=False)
class DentitionModel:
    """Landmarks and meshes of one dentition (average or a patient's)."""

    landmarks: Mapping[int, ToothLandmarks]
    meshes: Mapping[int, ToothMesh]
    source: str = "average"
    bone_vertices: F64 | None = None
    """Optional bone surface (patient geometry): entry points and bone depth come from it."""
    bone_faces: I64 | None = None
    derived: Derived = field(default_factory=Derived, init=False, repr=False, compare=False)
    """Values derived from this model (distance grids, site profiles and maps), built once
    per key under a lock: threads sharing the model share them."""

    @property
    def n_triangles(self) -> int:
        return sum(len(m.faces) for m in self.meshes.values())


def loft(centre: F64, u: F64, v: F64, a: F64, b: F64, n_seg: int) -> tuple[F64, I64]:
    """Closed surface through elliptical rings (centre[k], semi-axes a[k] along u, b[k]
    along v). The first and last rings must have zero radius: they become cap vertices."""
    n = len(centre)
    theta = np.linspace(0.0, 2 * np.pi, n_seg, endpoint=False)
    cos, sin = np.cos(theta), np.sin(theta)
    inner = (
        centre[1:-1, None, :]
        + a[1:-1, None, None] * cos[None, :, None] * u
        + b[1:-1, None, None] * sin[None, :, None] * v
    ).reshape(-1, 3)
    verts = np.vstack([centre[:1], inner, centre[-1:]])
    last = len(verts) - 1
    faces: list[I64] = []
    j = np.arange(n_seg)
    jn = (j + 1) % n_seg
    faces.append(np.column_stack([np.zeros(n_seg, np.int64), 1 + jn, 1 + j]))
    for k in range(n - 3):
        r0, r1 = 1 + k * n_seg, 1 + (k + 1) * n_seg
        faces.append(np.column_stack([r0 + j, r0 + jn, r1 + jn]))
        faces.append(np.column_stack([r0 + j, r1 + jn, r1 + j]))
    rl = 1 + (n - 3) * n_seg
    faces.append(np.column_stack([rl + j, rl + jn, np.full(n_seg, last)]))
    f = np.vstack(faces).astype(np.int64)
    # orient outwards: positive signed volume
    tri = verts[f]
    vol = np.einsum("ij,ij->i", tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum() / 6.0
    if vol < 0:
        f = f[:, ::-1].copy()
    return verts, f


def _ends(n: int) -> F64:
    """Samples in [0, 1], dense at both ends (rounded caps)."""
    return (1 - np.cos(np.linspace(0.0, np.pi, n))) / 2


def _crown_close(t: F64, contour: float) -> F64:
    """Occlusal closing of the crown section: 1 up to the height of contour (``contour`` of
    the crown from the CEJ), then an elliptical dome to 0 at the occlusal end (t = 1)."""
    return np.sqrt(np.clip(1 - (np.clip(t - contour, 0, None) / (1 - contour)) ** 2, 0, 1))


def tooth_mesh(
    lm: ToothLandmarks, size: ToothSize, resolution: Resolution = "clinical"
) -> ToothMesh:
    n_seg, n_single, n_root = _RES[resolution]
    taper = arch_value("roots", "taper").value
    contour = arch_value("crown", "height_of_contour").value
    tip = lm.cej_mm - lm.axis * size.crown_length_mm
    cm, cb = size.md_cervix_mm / 2, size.bl_cervix_mm / 2
    km, kb = size.md_crown_mm / 2, size.bl_crown_mm / 2

    def crown_rings(d: F64) -> tuple[F64, F64]:  # d: distance from the tip, 0..crown
        t = 1 - d / size.crown_length_mm
        p = _crown_close(t, contour)
        grow = np.clip(t / contour, 0, 1)
        grow = grow * grow * (3 - 2 * grow)
        a = np.where(t <= contour, cm + (km - cm) * grow, km * p)
        b = np.where(t <= contour, cb + (kb - cb) * grow, kb * p)
        return a, b

    parts: list[tuple[F64, I64]] = []
    if size.n_roots == 1:
        total = size.crown_length_mm + size.root_length_mm
        d = _ends(n_single) * total
        a, b = crown_rings(np.minimum(d, size.crown_length_mm))
        t = np.clip((d - size.crown_length_mm) / size.root_length_mm, 0, 1)
        f = (1 - taper * t) * np.sqrt(np.clip(1 - t**4, 0, 1))
        root = d > size.crown_length_mm
        a = np.where(root, cm * f, a)
        b = np.where(root, cb * f, b)
        a[0] = b[0] = a[-1] = b[-1] = 0.0
        parts.append(loft(tip + d[:, None] * lm.axis, lm.mesial, lm.buccal, a, b, n_seg))
    else:
        roots = root_axes(lm.fdi, lm.cej_mm, lm.axis, lm.mesial, lm.buccal, size)
        trunk = float((roots[0][0] - lm.cej_mm) @ lm.axis)
        dome = arch_value("roots", "furcation_dome_mm").value
        total = size.crown_length_mm + trunk + dome
        d = _ends(n_single * 2 // 3) * total
        a, b = crown_rings(np.minimum(d, size.crown_length_mm))
        below = d > size.crown_length_mm
        closing = np.sqrt(np.clip(1 - ((d - size.crown_length_mm - trunk) / dome) ** 2, 0, 1))
        # the trunk tapers as a root does (t from the CEJ over the whole root length)
        narrow = 1 - taper * np.clip(d - size.crown_length_mm, 0, trunk) / size.root_length_mm
        s = np.where(d > size.crown_length_mm + trunk, closing, 1.0) * narrow
        a = np.where(below, cm * s, a)
        b = np.where(below, cb * s, b)
        a[0] = b[0] = a[-1] = b[-1] = 0.0
        parts.append(loft(tip + d[:, None] * lm.axis, lm.mesial, lm.buccal, a, b, n_seg))
        for start, apex, (sa, sb) in roots:
            axis = apex - start
            length = float(np.linalg.norm(axis))
            axis = axis / length
            u = lm.mesial - (lm.mesial @ axis) * axis
            u = u / np.linalg.norm(u)
            v = np.cross(axis, u)
            if v @ lm.buccal < 0:
                v = -v
            cap = 1.5  # mm of rounded cap hidden inside the trunk (never an outer surface)
            q = _ends(n_root) * (length + cap) - cap
            t = np.clip(q / length, 0, 1)
            f = np.where(
                q < 0,
                np.sqrt(np.clip(1 - (q / cap) ** 2, 0, 1)),
                (1 - taper * t) * np.sqrt(np.clip(1 - t**4, 0, 1)),
            )
            ra, rb = sa * f, sb * f
            ra[0] = rb[0] = ra[-1] = rb[-1] = 0.0
            parts.append(loft(start + q[:, None] * axis, u, v, ra, rb, max(16, n_seg * 2 // 3)))
    verts, faces, comps = [], [], []
    nv = nf = 0
    for pv, pf in parts:
        verts.append(pv)
        faces.append(pf + nv)
        comps.append((nf, nf + len(pf)))
        nv += len(pv)
        nf += len(pf)
    return ToothMesh(lm.fdi, np.vstack(verts), np.vstack(faces), tuple(comps))


def average_dentition(
    case: Case | None = None,
    custom: Customisation | None = None,
    resolution: Resolution = "clinical",
    *,
    teeth: Iterable[int] | None = None,
) -> DentitionModel:
    """The built-in average dentition with crown and root meshes for the teeth present in
    ``case`` (all permanent teeth if None). ``clinical`` resolution has over 200k
    triangles for a full dentition; ``coarse`` is for quick tests."""
    lms = average_landmarks(case, custom, teeth=teeth)
    scale = (custom or Customisation()).tooth_size_scale
    meshes = {t: tooth_mesh(lm, size_of(t).scaled(scale), resolution) for t, lm in lms.items()}
    return DentitionModel(lms, meshes)
