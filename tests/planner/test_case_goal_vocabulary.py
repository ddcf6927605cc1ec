"""What the case can now state: surgical goal kinds, both buccal segments by name, the utility
arch as the active mechanics, and the open-bite check on every design's vertical forces."""

from __future__ import annotations

from typing import Any

import pytest

from tadplan.case import CaseError, case_from_data
from tadplan.case.model import parse_segment
from tadplan.examples import load_example
from tadplan.planner import plan


def _case(**over: Any) -> Any:
    data: dict[str, Any] = {
        "id": "t",
        "patient": {"age_y": 25},
        "attachments": {"brackets": "all", "bands": [16, 26], "appliances": ["fixed_full_arch"]},
        "goals": [],
    }
    data.update(over)
    return case_from_data(data)


def test_surgical_goal_kinds_get_screws_in_both_jaws_and_no_palatal_arch() -> None:
    for kind in ("intermaxillary_fixation", "surgery_first"):
        case = _case(
            findings={"sagittal_class": "III", "orthognathic_surgery_planned": True},
            goals=[{"kind": kind, "teeth": [16, 26, 36, 46]}],
        )
        ds = plan(case).goals[0].designs
        assert ds, kind
        best = ds[0]
        assert best.rule_id == "surgical-imf-anchorage"
        jaws = {i.site.jaw for i in best.implants}
        assert jaws == {"maxilla", "mandible"}
        kinds = {str(c.kind) for d in ds for c in d.connections}
        assert not kinds & {"horseshoe_arch", "quadhelix", "tpa"}, kinds


def test_surgical_goals_take_no_amount() -> None:
    with pytest.raises(CaseError) as info:
        _case(goals=[{"kind": "intermaxillary_fixation", "teeth": [16, 36], "amount_mm": 2}])
    assert "takes no amount" in str(info.value.problems[0])


def test_example_13_states_its_fixation_goal() -> None:
    case = load_example("13_surgical_decompensation")
    assert "intermaxillary_fixation" in {g.kind.value for g in case.goals}
    assert "anchorage_maintenance" not in {g.kind.value for g in case.goals}


def test_both_buccal_segments_by_name() -> None:
    assert parse_segment("upper_buccal_segments") == (17, 16, 15, 14, 24, 25, 26, 27)
    assert parse_segment("lower buccal segments") == (47, 46, 45, 44, 34, 35, 36, 37)
    case = _case(
        dentition={"extracted": [14, 24]},
        goals=[{"kind": "intrusion", "segment": "upper_buccal_segments", "amount_mm": 2}],
    )
    assert case.goal_teeth(0) == (17, 16, 15, 25, 26, 27)  # extracted premolars dropped


def test_utility_arch_named_ranks_the_seeds_tpa_design_first() -> None:
    """seed II.2 Fig. 17: with a utility arch, the TPA on a median palatal implant keeps the
    molars from tipping; it is the first design for both goals of example 07b."""
    p = plan(load_example("07b_utility_arch_molar_control"))
    for gp in p.goals:
        best = gp.designs[0]
        assert "tpa" in {str(c.kind) for c in best.connections}, (gp.goal.id, best.rule_id)
        assert {i.site.region.value for i in best.implants} == {"median_palatal_suture"}
    intrude = next(gp for gp in p.goals if gp.goal.kind.value == "intrusion").designs[0]
    assert intrude.mechanics is not None
    inc = next(u for u in intrude.mechanics.units if set(u.teeth) == {12, 11, 21, 22})
    assert inc.resultant.intrusive_g > 0  # the utility arch intrudes the incisors


def _open_bite_warnings(case: Any) -> list[str]:
    out = []
    for gp in plan(case).goals:
        for d in gp.designs:
            assert d.mechanics is not None
            out += [w.text for w in d.mechanics.warnings if w.text.startswith("open bite")]
            assert all(
                w.severity == "caution"
                for w in d.mechanics.warnings
                if w.text.startswith("open bite")
            )
    return out


def test_open_bite_warns_when_a_design_intrudes_the_incisors() -> None:
    case = _case(
        findings={"vertical": "open_bite", "overbite_mm": -2},
        goals=[{"kind": "intrusion", "segment": "upper_incisors", "amount_mm": 1}],
    )
    ws = _open_bite_warnings(case)
    assert ws and all("opens the bite further" in w for w in ws)
    # the same design without an open bite: no warning
    deep = _case(
        findings={"vertical": "deep_bite"},
        goals=[{"kind": "intrusion", "segment": "upper_incisors", "amount_mm": 1}],
    )
    assert _open_bite_warnings(deep) == []


def test_open_bite_closure_by_molar_intrusion_gets_no_warning() -> None:
    assert _open_bite_warnings(load_example("08b_open_bite_closure")) == []


def test_open_bite_warns_when_molars_are_extruded() -> None:
    """An elastic chain from a screw head occlusal of the upper first molar pulls it down:
    in an open bite that opens the bite further; in a deep bite nothing is said."""
    from tadplan.anatomy import average_landmarks
    from tadplan.case.model import SiteRef
    from tadplan.mechanics import analyse_design
    from tadplan.model import Connection, Design, Implant

    def warnings(vertical: str) -> list[str]:
        case = _case(
            findings={"vertical": vertical},
            goals=[{"id": "x", "kind": "extrusion", "teeth": [16], "amount_mm": 1}],
        )
        lm = average_landmarks(case)
        head = lm[16].bracket_mm - lm[16].axis * 8 + lm[16].buccal * 2
        d = Design(
            id="t",
            rule_id="test",
            title="test",
            goal_ids=["x"],
            anchorage="direct",
            implants=[
                Implant(
                    id="i1",
                    site=SiteRef(between=(15, 16), surface="buccal"),
                    diameter_mm=1.6,
                    length_mm=8,
                    head_position_mm=tuple(float(v) for v in head),
                )
            ],
            connections=[Connection(id="c1", kind="elastic_chain", from_implant="i1", teeth=[16])],
        )
        fs = analyse_design(case, d, lm)
        return [w.text for w in fs.warnings if w.text.startswith("open bite")]

    ws = warnings("open_bite")
    assert ws and "posterior teeth 16" in ws[0] and "extrusive" in ws[0]
    assert warnings("deep_bite") == []
