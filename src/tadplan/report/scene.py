"""The 3D scene of a plan: the dentition's crowns and roots and the planned screws along their
insertion axes, each screw coloured by its root clearance, as binary glTF (GLB) for a browser
viewer (three.js's GLTFLoader).

Only data already computed is drawn: the tooth meshes of a
:class:`~tadplan.anatomy.meshes.DentitionModel` (the built-in average dentition or the
patient's meshes) and the implants of the plan's designs with their head position, axis,
size and :class:`~tadplan.model.SiteSafety`. Nothing is measured here: a screw's
colour is its site-safety status (green, amber, red; grey when unknown), the same levels the
plan and the report give.

Nodes are named ``tooth_<FDI>`` and ``implant_<plan id>`` (one per tooth, one per screw);
coordinates are the patient frame in millimetres (:mod:`tadplan.anatomy.frame`: +x patient's
left, +y anterior, +z superior).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import trimesh
from trimesh.visual.material import PBRMaterial

from tadplan.anatomy.meshes import DentitionModel
from tadplan.case import ToothStatus
from tadplan.model import Design, Implant, Plan

RGBA = tuple[int, int, int, int]

SAFETY_RGBA: dict[str, RGBA] = {
    "green": (46, 160, 67, 255),
    "amber": (240, 165, 0, 255),
    "red": (211, 47, 47, 255),
    "unknown": (140, 140, 140, 255),
}
"""Screw colour per :attr:`SiteSafety.status` (traffic lights; grey: not assessed)."""

TOOTH_RGBA: RGBA = (236, 230, 214, 255)
PLANNED_EXTRACTION_RGBA: RGBA = (214, 160, 160, 255)
"""A tooth to be extracted is drawn pink, so the gap it leaves is seen in the scene."""

HEAD_HEIGHT_MM = 1.5
"""Height of the drawn screw head above the entry point (a drawing size, not a product)."""


@dataclass(frozen=True)
class SceneScrew:
    """One screw as drawn: the implant and the status that chose its colour."""

    implant_id: str
    status: str
    rgba: RGBA


def default_designs(plan: Plan) -> list[Design]:
    """The designs a plan overview shows: the first-ranked design of every goal (a design
    shared by two goals once)."""
    out: list[Design] = []
    for gp in plan.goals:
        if gp.designs and all(d.id != gp.designs[0].id for d in out):
            out.append(gp.designs[0])
    return out


def find_design(plan: Plan, design_id: str) -> Design | None:
    for gp in plan.goals:
        for d in gp.designs:
            if d.id == design_id:
                return d
    return None


def scene_implants(designs: Iterable[Design]) -> list[Implant]:
    """The placed implants of ``designs``, each once (shared implants keep one id)."""
    seen: dict[str, Implant] = {}
    for d in designs:
        for imp in d.implants:
            if imp.head_position_mm is not None and imp.axis is not None:
                seen.setdefault(imp.id, imp)
    return list(seen.values())


def screw_status(imp: Implant) -> str:
    return imp.safety.status if imp.safety is not None else "unknown"


def _material(rgba: RGBA, name: str) -> trimesh.visual.TextureVisuals:
    colour = [c / 255 for c in rgba]
    return trimesh.visual.TextureVisuals(
        material=PBRMaterial(
            name=name, baseColorFactor=colour, metallicFactor=0.1, roughnessFactor=0.6
        )
    )


def _screw_mesh(imp: Implant, rgba: RGBA) -> trimesh.Trimesh:
    assert imp.head_position_mm is not None and imp.axis is not None
    axis = np.asarray(imp.axis, dtype=float)
    axis = axis / np.linalg.norm(axis)
    head = np.asarray(imp.head_position_mm, dtype=float)
    radius = imp.diameter_mm / 2
    body = trimesh.creation.cylinder(
        radius=radius, segment=np.array([head, head + axis * imp.length_mm]), sections=16
    )
    cap = trimesh.creation.cylinder(
        radius=radius * 1.6, segment=np.array([head - axis * HEAD_HEIGHT_MM, head]), sections=16
    )
    mesh = trimesh.Trimesh(
        np.vstack([body.vertices, cap.vertices]),
        np.vstack([body.faces, cap.faces + len(body.vertices)]),
        process=False,
    )
    mesh.visual = _material(rgba, f"screw-{screw_status(imp)}")
    return mesh


def plan_scene(
    plan: Plan, dentition: DentitionModel, designs: Sequence[Design] | None = None
) -> tuple[trimesh.Scene, list[SceneScrew]]:
    """The scene of ``designs`` (default: :func:`default_designs`) on ``dentition``: one
    node per tooth mesh and one per placed screw. Returns the scene and the screws drawn."""
    chosen = list(designs) if designs is not None else default_designs(plan)
    scene = trimesh.Scene()
    dent = plan.case.dentition
    for fdi in sorted(dentition.meshes):
        tm = dentition.meshes[fdi]
        mesh = trimesh.Trimesh(tm.vertices, tm.faces, process=False)
        extraction = dent.status(fdi) == ToothStatus.planned_extraction
        rgba = PLANNED_EXTRACTION_RGBA if extraction else TOOTH_RGBA
        mesh.visual = _material(rgba, "planned-extraction" if extraction else "tooth")
        scene.add_geometry(mesh, node_name=f"tooth_{fdi}", geom_name=f"tooth_{fdi}")
    screws: list[SceneScrew] = []
    for imp in scene_implants(chosen):
        status = screw_status(imp)
        rgba = SAFETY_RGBA[status]
        scene.add_geometry(
            _screw_mesh(imp, rgba), node_name=f"implant_{imp.id}", geom_name=f"implant_{imp.id}"
        )
        screws.append(SceneScrew(imp.id, status, rgba))
    return scene, screws


def plan_glb(
    plan: Plan, dentition: DentitionModel, designs: Sequence[Design] | None = None
) -> bytes:
    """:func:`plan_scene` as binary glTF (GLB)."""
    scene, _ = plan_scene(plan, dentition, designs)
    data = scene.export(file_type="glb")
    assert isinstance(data, bytes)
    return data
