"""Issue 10: "as apically as possible" (seed II.1, deep-bite retraction) places the screw
more apically when the attached gingiva allows, and the force vector gets steeper; when the
usual height is already the limit, the note says so."""

from __future__ import annotations

import pytest

from tadplan.anatomy import average_landmarks, place_implant
from tadplan.case.model import SiteAssessment, SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design
from tadplan.model import Connection, Design, Implant

SITES = (SiteRef(between=(15, 16), surface="buccal"), SiteRef(between=(25, 26), surface="buccal"))


def _case(attached_gingiva_mm: float | None):
    case = load_example("05_anterior_retraction_deep_bite")
    if attached_gingiva_mm is None:
        return case
    found = case.findings.model_copy(
        update={
            "site_assessments": [
                SiteAssessment(site=s, attached_gingiva_height_mm=attached_gingiva_mm)
                for s in SITES
            ]
        }
    )
    return case.model_copy(update={"findings": found})


def _placed(case, apical: bool) -> list[Implant]:
    return [
        place_implant(
            case,
            Implant(id=f"i{n}", site=s, diameter_mm=1.6, length_mm=8, apical=apical),
        )
        for n, s in enumerate(SITES, 1)
    ]


def _retraction(case, implants: list[Implant]):
    d = Design(
        id="t",
        rule_id="test",
        title="t",
        goal_ids=["retract"],
        anchorage="direct",
        implants=implants,
        connections=[
            Connection(
                id=f"c{n}",
                kind="niti_tension_spring",
                from_implants=[i.id],
                teeth=[13 if n == 1 else 23],
                force_g=150,
            )
            for n, i in enumerate(implants, 1)
        ],
    )
    return analyse_design(case, d, average_landmarks(case))


def test_apical_screws_go_up_to_the_measured_attached_gingiva_and_steepen_the_pull():
    case = _case(8.0)
    usual, apical = _placed(case, False), _placed(case, True)
    for u, a in zip(usual, apical, strict=True):
        assert u.safety is not None and a.safety is not None
        assert a.safety.insertion_height_mm == pytest.approx(8.0)
        assert a.safety.insertion_height_mm > u.safety.insertion_height_mm
        assert a.head_position_mm[2] > u.head_position_mm[2]  # higher head (maxilla: +z)
        assert a.safety.status == u.safety.status or a.safety.status == "green"
        assert any("as apically as possible: 8 mm" in n for n in a.safety.notes)
    flat = _retraction(case, usual).units[0]
    steep = _retraction(case, apical).units[0]
    # the more apical the implants, the larger the intrusive component (seed II.1)
    assert steep.resultant.intrusive_g > flat.resultant.intrusive_g


def test_apical_placement_says_when_the_usual_height_is_already_the_limit():
    case = _case(None)
    for a in _placed(case, True):
        assert a.safety is not None
        assert a.safety.insertion_height_mm == pytest.approx(6.0)
        assert any("already the limit" in n and "attached gingiva" in n for n in a.safety.notes)
