"""Patient geometry: per-tooth meshes (STL, PLY, OBJ) and an optional bone or gingiva surface.

Teeth are labelled by FDI number from the file name (``16.stl``, ``tooth_16.ply``,
``UL6-16.obj``: the first two-digit permanent FDI number standing alone) or by a manifest
(YAML/JSON)::

    units: mm            # or m: vertices are then multiplied by 1000
    teeth: {16: upper_right_first_molar.stl, 15: ur5.stl}
    bone: maxilla_bone.stl      # optional, may be an open surface
    gingiva: gingiva.ply        # optional

Meshes must already be in the patient frame (:mod:`tadplan.anatomy.frame`, mm). Refused,
each with a message naming the file: files that are not meshes, empty meshes, teeth that
are not closed manifold surfaces, sizes that look like metres (or micrometres), labels that
are not permanent FDI teeth, and a tooth given twice.

Landmarks of a patient tooth: the long axis is the mesh's principal axis (oriented to the
apex: +z in the maxilla, -z in the mandible); the CEJ splits the axis extent in the ratio of
the average crown and root lengths (Wheeler, ``teeth.yaml``), an estimate until crown/root
segmentation is available.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh
import yaml

from tadplan._yaml import load_user, read_user_file, yaml_problem
from tadplan.anatomy.dentition import arch_value, size_of
from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.anatomy.meshes import DentitionModel, ToothMesh
from tadplan.case import Case, fdi
from tadplan.case.model import ABSENT
from tadplan.errors import DAMAGED_FILE_ERRORS, InputError

MESH_SUFFIXES = (".stl", ".ply", ".obj")
_LABEL = re.compile(r"(?<!\d)([1-4][1-8])(?!\d)")


def _tooth_extent_mm() -> tuple[float, float]:
    """Plausible largest extent of one tooth: half the shortest to 1.6 x the longest average
    tooth (crown + root, ``teeth.yaml``); outside it the units are wrong."""
    from tadplan.anatomy.dentition import tooth_sizes

    lengths = [s.crown_length_mm + s.root_length_mm for s in tooth_sizes().values()]
    return 0.5 * min(lengths), 1.6 * max(lengths)


class PatientMeshError(InputError):
    """A patient mesh or manifest is refused; the message names the file and the reason."""


@dataclass(frozen=True, eq=False)
class PatientGeometry:
    model: DentitionModel
    bone: trimesh.Trimesh | None = None
    gingiva: trimesh.Trimesh | None = None


def label_from_name(path: Path) -> int:
    found = _LABEL.findall(path.stem)
    if not found:
        raise PatientMeshError(
            f"{path.name}: no FDI tooth number in the file name (e.g. 16.stl); use a manifest"
        )
    tooth = int(found[0])
    if not fdi.is_tooth(tooth):
        raise PatientMeshError(f"{path.name}: {tooth} is not an FDI tooth number")
    return tooth


def _load_mesh(path: Path, scale: float, *, closed: bool) -> trimesh.Trimesh:
    if not path.is_file():
        raise PatientMeshError(f"{path}: file not found")
    if path.suffix.lower() not in MESH_SUFFIXES:
        raise PatientMeshError(f"{path.name}: not a mesh file (expected STL, PLY or OBJ)")
    try:
        loaded = trimesh.load(path, force="mesh", process=True)
    except DAMAGED_FILE_ERRORS as exc:
        raise PatientMeshError(f"{path.name}: not a readable mesh ({exc})") from None
    if not isinstance(loaded, trimesh.Trimesh) or len(loaded.faces) == 0:
        raise PatientMeshError(f"{path.name}: empty mesh (no triangles)")
    mesh = loaded
    if scale != 1.0:
        mesh.apply_scale(scale)
    if closed:
        if not mesh.is_watertight:
            open_edges = len(trimesh.grouping.group_rows(mesh.edges_sorted, require_count=1))
            raise PatientMeshError(
                f"{path.name}: not a closed manifold surface ({open_edges} open edges); "
                "repair the mesh"
            )
        if not mesh.is_winding_consistent:
            raise PatientMeshError(f"{path.name}: inconsistent face winding; repair the mesh")
        if mesh.volume < 0:
            mesh.invert()
    extent = float(mesh.extents.max())
    lo, hi = _tooth_extent_mm()
    if closed and extent < lo:
        hint = " (metres? give units: m in a manifest)" if extent < 0.1 else ""
        raise PatientMeshError(
            f"{path.name}: a tooth {extent:.4g} units long is too small for millimetres{hint}"
        )
    if closed and extent > hi:
        raise PatientMeshError(
            f"{path.name}: a tooth {extent:.4g} units long is too large for millimetres "
            "(micrometres? scale the mesh)"
        )
    return mesh


def _arch_centre(tooth: int) -> np.ndarray:
    """A point inside the arch (on the midline, level with the average first molars): the
    buccal direction of a patient tooth points away from it."""
    from tadplan.anatomy.dentition import average_landmarks

    molars = (16, 26) if fdi.arch(tooth) == "maxilla" else (36, 46)
    lm = average_landmarks(teeth=molars)
    return np.array([0.0, float(np.mean([lm[t].crown_centre_mm[1] for t in molars])), 0.0])


def _landmarks(tooth: int, mesh: trimesh.Trimesh) -> ToothLandmarks:
    v = np.asarray(mesh.vertices, dtype=np.float64)
    c = v.mean(axis=0)
    _, _, vt = np.linalg.svd(v - c, full_matrices=False)
    axis = vt[0]
    up = 1.0 if fdi.arch(tooth) == "maxilla" else -1.0
    if axis[2] * up < 0:
        axis = -axis
    along = (v - c) @ axis
    tip = c + axis * along.min()
    total = float(along.max() - along.min())
    avg = size_of(tooth)
    crown = total * avg.crown_length_mm / (avg.crown_length_mm + avg.root_length_mm)
    cej = tip + axis * crown
    outward = c - _arch_centre(tooth)
    outward[2] = 0.0
    outward -= (outward @ axis) * axis
    buccal = outward / np.linalg.norm(outward)
    mesial = np.cross(axis, buccal)
    to_midline = np.array([-c[0], -c[1], 0.0])  # towards the incisal point, the origin
    if mesial @ to_midline < 0:
        mesial = -mesial
    crest = cej + axis * arch_value("periodontium", "crest_below_cej_mm").value
    return ToothLandmarks(
        fdi=tooth,
        crown_centre_mm=tip + axis * crown / 2,
        bracket_mm=tip + axis * crown / 2 + buccal * avg.bl_crown_mm / 2,
        cej_mm=cej,
        apex_mm=tip + axis * total,
        axis=axis,
        mesial=mesial,
        buccal=buccal,
        crown_length_mm=crown,
        root_length_mm=total - crown,
        n_roots=avg.n_roots,
        alveolar_crest_mm=crest,
    )


def _read_manifest(path: Path) -> dict[str, object]:
    try:
        text = read_user_file(path)
        data = json.loads(text) if path.suffix.lower() == ".json" else load_user(text)
    except yaml.YAMLError as exc:
        where, reason = yaml_problem(exc)
        raise PatientMeshError(f"{path.name}: {where}: unreadable manifest ({reason})") from None
    except (ValueError, RecursionError) as exc:
        raise PatientMeshError(f"{path.name}: unreadable manifest ({str(exc)[:120]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("teeth"), dict):
        raise PatientMeshError(f"{path.name}: a manifest needs 'teeth: {{FDI: file}}'")
    return data


@dataclass(frozen=True)
class IdentityLimits:
    volume_ratio: tuple[float, float] = (0.33, 3.0)
    same_place_mm: float = 1.5
    wrong_side_mm: float = 2.0
    from_average_mm: float = 12.0
    order_slack_mm: float = 1.0


IDENTITY_LIMITS = IdentityLimits()
"""[E] stated limits for "this mesh cannot be the tooth its label names", against the
average dentition (Wheeler sizes, ``arch.yaml`` arch form): volume within 1/3-3 x the
average tooth's (a lower central incisor is a quarter of a first molar); a centroid on the
other side of the midline by more than 2 mm, in the other jaw, more than 12 mm (over a
molar's width) from the average tooth's, or out of order along the arch by more than 1 mm;
two teeth closer than 1.5 mm are the same tooth."""


def check_identity(
    meshes: Mapping[int, trimesh.Trimesh], paths: Mapping[int, Path], case: Case | None = None
) -> None:
    """Refuse meshes that cannot be the tooth their label names (swapped or mislabelled
    files, Universal numbers read as FDI, copies of one tooth, flat meshes, teeth the case
    says are absent), comparing each with the average tooth of the same number."""
    from tadplan.anatomy.meshes import average_dentition

    lim = IDENTITY_LIMITS
    avg = average_dentition(resolution="coarse", teeth=sorted(meshes))
    names = {t: paths[t].name for t in meshes}
    centre: dict[int, np.ndarray] = {}
    expect: dict[int, np.ndarray] = {}
    for t, m in sorted(meshes.items()):
        if case is not None and case.dentition.status(t) in ABSENT:
            status = case.dentition.status(t).value
            raise PatientMeshError(f"{names[t]}: tooth {t} is {status} in the case")
        ref = trimesh.Trimesh(avg.meshes[t].vertices, avg.meshes[t].faces, process=False)
        lo, hi = lim.volume_ratio
        if not lo * ref.volume <= m.volume <= hi * ref.volume:
            raise PatientMeshError(
                f"{names[t]}: a volume of {m.volume:.0f} mm3 cannot be tooth {t} "
                f"({fdi.name(t)}, about {ref.volume:.0f} mm3)"
            )
        centre[t] = np.asarray(m.center_mass, dtype=np.float64)
        expect[t] = np.asarray(ref.center_mass, dtype=np.float64)
    for a, b in itertools.combinations(sorted(centre), 2):
        if np.linalg.norm(centre[a] - centre[b]) < lim.same_place_mm:
            raise PatientMeshError(
                f"{names[a]} and {names[b]} are one tooth in the same place (labelled {a} and {b})"
            )
    for t, c in centre.items():
        side = fdi.side(t)
        if c[0] * np.sign(expect[t][0]) < -lim.wrong_side_mm:
            other_side = "left" if side == "right" else "right"
            raise PatientMeshError(
                f"{names[t]}: lies on the patient's {other_side} side, tooth {t} is on the "
                f"{side} (a Universal or Palmer number read as FDI?)"
            )
        if c[2] * np.sign(expect[t][2]) < 0:
            raise PatientMeshError(
                f"{names[t]}: lies in the other jaw, tooth {t} is in the {fdi.arch(t)}"
            )
    by_quadrant: dict[int, list[int]] = {}
    for t in sorted(meshes, key=fdi.position):
        by_quadrant.setdefault(fdi.quadrant(t), []).append(t)
    for teeth in by_quadrant.values():
        for near, far in itertools.pairwise(teeth):
            r_near, r_far = (float(np.hypot(*centre[t][:2])) for t in (near, far))
            if r_far < r_near - lim.order_slack_mm:
                raise PatientMeshError(
                    f"{names[far]} (tooth {far}) lies mesial of {names[near]} (tooth {near}) "
                    "along the arch: are the labels swapped?"
                )
    for t, c in centre.items():
        off = float(np.linalg.norm(c - expect[t]))
        if off > lim.from_average_mm:
            raise PatientMeshError(
                f"{names[t]}: {off:.0f} mm from where tooth {t} ({fdi.name(t)}) sits in an "
                f"average arch (more than {lim.from_average_mm:g} mm): mislabelled or not "
                "in the patient frame?"
            )


def load_patient(source: Path | str, case: Case | None = None) -> PatientGeometry:
    """Read a directory of tooth meshes (labels from file names) or a manifest file; with
    ``case``, a mesh of a tooth the case lists as absent is refused (:func:`check_identity`)."""
    src = Path(source)
    scale = 1.0
    bone_file = gingiva_file = None
    files: list[tuple[int, Path]] = []
    if src.is_dir():
        for p in sorted(src.iterdir()):
            if p.suffix.lower() in MESH_SUFFIXES and not p.stem.lower().startswith(
                ("bone", "gingiva")
            ):
                files.append((label_from_name(p), p))
            elif p.stem.lower().startswith("bone") and p.suffix.lower() in MESH_SUFFIXES:
                bone_file = p
            elif p.stem.lower().startswith("gingiva") and p.suffix.lower() in MESH_SUFFIXES:
                gingiva_file = p
    else:
        m = _read_manifest(src)
        units = str(m.get("units", "mm"))
        if units not in ("mm", "m"):
            raise PatientMeshError(f"{src.name}: units: {units[:20]!r} is not 'mm' or 'm'")
        scale = 1000.0 if units == "m" else 1.0
        teeth = m["teeth"]
        assert isinstance(teeth, Mapping)
        for key, name in teeth.items():
            try:
                tooth = int(key)
            except (TypeError, ValueError):
                raise PatientMeshError(
                    f"{src.name}: teeth: {str(key)[:20]!r} is not an FDI number"
                ) from None
            if not fdi.is_tooth(tooth):
                raise PatientMeshError(f"{src.name}: teeth: {tooth} is not an FDI tooth number")
            files.append((tooth, src.parent / str(name)))
        bone_file = src.parent / str(m["bone"]) if m.get("bone") else None
        gingiva_file = src.parent / str(m["gingiva"]) if m.get("gingiva") else None
    if not files:
        raise PatientMeshError(f"{src}: no tooth meshes found")
    seen: dict[int, Path] = {}
    for tooth, p in files:
        if fdi.is_primary(tooth):
            raise PatientMeshError(f"{p.name}: primary tooth {tooth} is not supported yet")
        if tooth in seen:
            raise PatientMeshError(f"tooth {tooth} is given twice: {seen[tooth].name} and {p.name}")
        seen[tooth] = p
    meshes = {t: _load_mesh(p, scale, closed=True) for t, p in files}
    check_identity(meshes, dict(files), case)
    lms = {t: _landmarks(t, m) for t, m in sorted(meshes.items())}
    tm = {
        t: ToothMesh(
            t,
            np.asarray(m.vertices, dtype=np.float64),
            np.asarray(m.faces, dtype=np.int64),
            ((0, len(m.faces)),),
        )
        for t, m in sorted(meshes.items())
    }
    bone = _load_mesh(bone_file, scale, closed=False) if bone_file else None
    gingiva = _load_mesh(gingiva_file, scale, closed=False) if gingiva_file else None
    model = DentitionModel(
        lms,
        tm,
        source=str(src),
        bone_vertices=None if bone is None else np.asarray(bone.vertices, dtype=np.float64),
        bone_faces=None if bone is None else np.asarray(bone.faces, dtype=np.int64),
    )
    return PatientGeometry(model, bone, gingiva)
