"""A plan judged again on the patient's tooth meshes: each placed inter-radicular screw's
root clearance measured on the patient's roots (anatomy.safety.assess_on_patient), the
designs scored and ranked again (planner.meshes.assess_on_meshes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests.planner.patient_meshes import screw_between, touching, write_teeth

from tadplan.anatomy.patient import load_patient
from tadplan.anatomy.safety import assess_on_patient, dentition_model
from tadplan.examples import load_example
from tadplan.model import Implant, Plan
from tadplan.planner import plan
from tadplan.planner.meshes import STEP_ID, assess_on_meshes

TEETH = [15, 16, 17]


@pytest.fixture(scope="module")
def demo_plan() -> Plan:
    return plan(load_example("demo"))


def _implants(p: Plan) -> dict[str, Implant]:
    return {i.id: i for gp in p.goals for d in gp.designs for i in d.implants}


def _first_buccal(p: Plan) -> Implant:
    """The demo's screw at buccal 16-15 (right side)."""
    return screw_between(p, (16, 15))


def test_the_average_teeth_as_patient_meshes_change_nothing(
    demo_plan: Plan, tmp_path: Path
) -> None:
    patient = load_patient(write_teeth(tmp_path, demo_plan.case, TEETH), demo_plan.case).model
    after = assess_on_meshes(demo_plan, patient)
    before = _implants(demo_plan)
    for iid, imp in _implants(after).items():
        a, b = imp.safety, before[iid].safety
        assert a is not None and b is not None
        assert a.status == b.status, (iid, a.notes)
        if b.min_root_clearance_mm is not None:
            assert a.min_root_clearance_mm == pytest.approx(b.min_root_clearance_mm, abs=0.01)
    assert [[d.id for d in gp.designs] for gp in after.goals] == [
        [d.id for d in gp.designs] for gp in demo_plan.goals
    ]
    assert after.warnings[-1].severity == "info"
    assert "no screw changed its traffic light" in after.warnings[-1].text


def test_a_patient_root_at_a_screw_turns_it_red_and_its_designs_rank_last(
    demo_plan: Plan, tmp_path: Path
) -> None:
    case = demo_plan.case
    screw = _first_buccal(demo_plan)
    assert screw.safety is not None and screw.safety.status == "amber"
    moved = {16: touching(case, screw, 16)}
    patient = load_patient(write_teeth(tmp_path, case, TEETH, moved), case).model
    # the anatomy step alone: red, touching the patient's 16, said in the notes
    s = assess_on_patient(case, screw, patient)
    assert s is not None and s.status == "red" and s.root_contact
    assert s.min_root_clearance_mm is not None and s.min_root_clearance_mm < 0.2
    assert 16 in s.teeth_at_risk
    assert "patient's meshes" in s.notes[0] and "root of 16" in s.notes[0]
    after = assess_on_meshes(demo_plan, patient)
    assert _implants(after)[screw.id].safety == s
    for gp in after.goals:
        danger = [
            any(w.code == "root_contact_on_patient_meshes" for w in d.warnings) for d in gp.designs
        ]
        uses = [
            any(i.head_position_mm == screw.head_position_mm for i in d.implants)
            for d in gp.designs
        ]
        assert danger == uses  # every design with a screw there, and only those
        assert danger == sorted(danger)  # DANGER last
        assert [d.rank for d in gp.designs] == list(range(1, len(gp.designs) + 1))
    assert after.goals[0].designs[0].id != demo_plan.goals[0].designs[0].id
    assert after.warnings[-1].severity == "caution"
    assert f"{screw.id} amber -> red" in after.warnings[-1].text
    assert after.trace[-1].rule_id == STEP_ID


def test_a_root_moved_away_keeps_the_amber_the_bone_depth_gives(
    demo_plan: Plan, tmp_path: Path
) -> None:
    case = demo_plan.case
    screw = _first_buccal(demo_plan)
    assert screw.safety is not None and screw.safety.bone_depth_mm is not None
    assert screw.length_mm > screw.safety.bone_depth_mm  # amber on the average dentition
    v = dentition_model(case).meshes[16].vertices
    away = v - 2.0 * (touching(case, screw, 16) - v)[0] / np.linalg.norm(
        (touching(case, screw, 16) - v)[0]
    )
    patient = load_patient(write_teeth(tmp_path, case, TEETH, {16: away}), case).model
    s = assess_on_patient(case, screw, patient)
    assert s is not None and s.min_root_clearance_mm is not None
    assert s.min_root_clearance_mm > (screw.safety.min_root_clearance_mm or 0.0)
    assert s.status == "amber"  # still longer than the bone along its axis


def test_palatal_screws_and_teeth_without_meshes_are_left_as_planned(
    demo_plan: Plan, tmp_path: Path
) -> None:
    case = demo_plan.case
    patient = load_patient(write_teeth(tmp_path, case, [36, 37]), case).model
    for imp in _implants(demo_plan).values():
        assert assess_on_patient(case, imp, patient) is None, imp.site.label()
