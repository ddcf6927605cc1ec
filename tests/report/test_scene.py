"""The 3D scene of a plan (tadplan.report.scene): one node per tooth and per screw, screws
along their insertion axis, coloured by the plan's site-safety level, readable as GLB."""

from __future__ import annotations

import io

import numpy as np
import pytest
import trimesh

from tadplan.anatomy import average_dentition
from tadplan.examples import load_example
from tadplan.model import Plan, SiteSafety
from tadplan.planner import plan as make_plan
from tadplan.report.scene import SAFETY_RGBA, default_designs, plan_glb, plan_scene


@pytest.fixture(scope="module")
def demo() -> Plan:
    return make_plan(load_example("demo"))


def _with_statuses(plan: Plan, statuses: dict[str, str]) -> Plan:
    """The plan with the named implants' safety status replaced (everything else kept)."""
    goals = []
    for gp in plan.goals:
        designs = []
        for d in gp.designs:
            imps = [
                i.model_copy(update={"safety": SiteSafety(status=statuses[i.id])})  # type: ignore[arg-type]
                if i.id in statuses
                else i
                for i in d.implants
            ]
            designs.append(d.model_copy(update={"implants": imps}))
        goals.append(gp.model_copy(update={"designs": designs}))
    return plan.model_copy(update={"goals": goals})


def _load(glb: bytes) -> trimesh.Scene:
    scene = trimesh.load(io.BytesIO(glb), file_type="glb")
    assert isinstance(scene, trimesh.Scene)
    return scene


def _node_colour(scene: trimesh.Scene, node: str) -> tuple[int, int, int]:
    _, geom_name = scene.graph[node]
    mat = scene.geometry[geom_name].visual.material
    rgba = np.asarray(mat.baseColorFactor, dtype=float)
    if rgba.max() <= 1.0:
        rgba = rgba * 255
    return tuple(round(float(v)) for v in rgba[:3])  # type: ignore[return-value]


def test_one_node_per_tooth_and_per_screw(demo: Plan) -> None:
    dent = average_dentition(demo.case, resolution="coarse")
    designs = default_designs(demo)
    scene = _load(plan_glb(demo, dent, designs))
    nodes = set(scene.graph.nodes_geometry)
    teeth = {n for n in nodes if n.startswith("tooth_")}
    screws = {n for n in nodes if n.startswith("implant_")}
    assert teeth == {f"tooth_{t}" for t in dent.meshes}
    # the demo keeps 14 and 24 (planned extractions) and has no third molars: 28 teeth
    assert len(teeth) == 28
    expected = {f"implant_{i.id}" for d in designs for i in d.implants}
    assert screws == expected and len(screws) >= 2
    assert nodes == teeth | screws


def test_screw_runs_from_head_along_axis(demo: Plan) -> None:
    dent = average_dentition(demo.case, resolution="coarse")
    design = default_designs(demo)[0]
    scene, _ = plan_scene(demo, dent, [design])
    imp = design.implants[0]
    assert imp.head_position_mm is not None and imp.axis is not None
    mesh = scene.geometry[f"implant_{imp.id}"]
    head = np.asarray(imp.head_position_mm)
    axis = np.asarray(imp.axis) / np.linalg.norm(imp.axis)
    along = (mesh.vertices - head) @ axis
    # the body reaches the screw's length into the bone, the head stands out of it
    assert along.max() == pytest.approx(imp.length_mm, abs=1e-6)
    assert along.min() < 0
    radial = np.linalg.norm((mesh.vertices - head) - np.outer(along, axis), axis=1)
    assert radial[along > 0.01].max() == pytest.approx(imp.diameter_mm / 2, rel=1e-6)


def test_screw_colours_follow_safety_levels(demo: Plan) -> None:
    dent = average_dentition(demo.case, resolution="coarse")
    ids = [i.id for i in default_designs(demo)[0].implants]
    assert len(ids) == 2
    for statuses in ({ids[0]: "green", ids[1]: "red"}, {ids[0]: "amber", ids[1]: "unknown"}):
        changed = _with_statuses(demo, statuses)
        scene = _load(plan_glb(changed, dent, default_designs(changed)[:1]))
        for iid, status in statuses.items():
            assert _node_colour(scene, f"implant_{iid}") == SAFETY_RGBA[status][:3]


def test_planned_colours_are_the_plans_own(demo: Plan) -> None:
    """Without changes, each screw's colour is its planned status (the demo's buccal 15-16
    screws are amber on the average dentition)."""
    dent = average_dentition(demo.case, resolution="coarse")
    _scene, screws = plan_scene(demo, dent)
    by_id = {i.id: i for d in default_designs(demo) for i in d.implants}
    assert screws
    for s in screws:
        safety = by_id[s.implant_id].safety
        assert s.status == (safety.status if safety else "unknown")
        assert s.rgba == SAFETY_RGBA[s.status]
    assert {s.status for s in screws} == {"amber"}
