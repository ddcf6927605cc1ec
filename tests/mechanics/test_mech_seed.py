"""The seed's mechanical statements, reproduced by the engine (seed sections in each test)."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case import case_from_data, dump_case
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design, default_head_position, mechanics_data
from tadplan.model import MovementType


def _case(name: str):
    case = load_example(name)
    return case, average_landmarks(case)


def test_more_apical_implant_gives_more_intrusion_in_retraction():
    """II.1 Anterior teeth retraction (Fig. 12): 'the mini-implants need to be placed as
    apically as possible ... the bite opening increases the further apically'."""
    case, lm = _case("05_anterior_retraction_deep_bite")
    site = SiteRef(between=(15, 16), surface="buccal")
    intrusive = []
    for h in (3.0, 6.0, 9.0):
        head = tuple(default_head_position(site, lm, height_mm=h))
        d = design(
            [("i1", site)],
            [
                dict(
                    id="c",
                    kind="niti_tension_spring",
                    from_implant="i1",
                    teeth=[13, 12, 11, 21, 22, 23],
                    force_g=200,
                )
            ],
            heads={"i1": head},
        )
        unit = analyse_design(case, d, lm).units[0]
        intrusive.append(unit.resultant.intrusive_g)
    assert intrusive[0] < intrusive[1] < intrusive[2]
    assert intrusive[2] > 0  # the force line rises above the segment: it intrudes


def _molar_intrusion(with_palatal: bool):
    case, lm = _case("08a_molar_intrusion")
    implants = [
        ("b1", SiteRef(between=(25, 26), surface="buccal")),
        ("b2", SiteRef(between=(26, 27), surface="buccal")),
    ]
    conns = [
        dict(id="cb1", kind="elastic_chain", from_implant="b1", teeth=[26], force_g=50),
        dict(id="cb2", kind="elastic_chain", from_implant="b2", teeth=[26], force_g=50),
    ]
    if with_palatal:
        implants.append(("p", SiteRef(between=(26, 27), surface="palatal")))
        conns.append(
            dict(
                id="cp",
                kind="elastic_chain",
                from_implant="p",
                teeth=[26],
                attachment="palatal button",
                attachment_site="lingual",
                force_g=100,
            )
        )
    return analyse_design(case, design(implants, conns), lm).units[0]


def test_buccal_only_molar_intrusion_tips_the_crown_buccally_buccal_and_palatal_does_not():
    """II.2 Intrusion of posterior teeth (Fig. 18-19): 'to prevent buccal flaring ... force
    needs to be applied to both the palatal and buccal surfaces'."""
    buccal = _molar_intrusion(False)
    both = _molar_intrusion(True)
    assert "buccal crown tipping of the molar" in buccal.effects
    assert buccal.movement == MovementType.uncontrolled_tipping
    assert buccal.resultant.intrusive_g > 0
    tip_b = abs(buccal.moment_components.about_mesial_nmm)
    tip_both = abs(both.moment_components.about_mesial_nmm)
    assert tip_both < 0.2 * tip_b
    assert not any("buccal crown tipping" in e for e in both.effects)
    assert both.resultant.intrusive_g > buccal.resultant.intrusive_g


def test_force_at_the_buccal_point_tips_the_incisor_buccally():
    """II.1 Anterior tooth intrusion (Fig. 11): 'buccal tipping of teeth can occur when force
    is exerted on the buccal point'."""
    case, lm = _case("04b_asymmetric_intrusion")
    # one tooth on its own: without a bracketed archwire the pull moves 11 alone (with one,
    # the archwire would carry it to the whole goal segment 13-11)
    from tadplan.case.model import Attachments

    case = case.model_copy(update={"attachments": Attachments()})
    t = lm[11]
    above = tuple(t.bracket_mm + t.axis * 12.0)
    d = design(
        [("i1", SiteRef(between=(11, 12), surface="buccal"))],
        [dict(id="c", kind="elastic_chain", from_implant="i1", teeth=[11], force_g=25)],
        heads={"i1": above},
    )
    at_bracket = analyse_design(case, d, lm).units[0]
    assert at_bracket.movement == MovementType.uncontrolled_tipping
    assert "labial crown tipping of the incisor" in at_bracket.effects
    # the same intrusive force on a line through the CR intrudes without tipping
    from tadplan.mechanics import tooth_cr

    cr, _ = tooth_cr(t)
    through = design(
        [("i1", SiteRef(between=(11, 12), surface="buccal"))],
        [
            dict(
                id="c",
                kind="elastic_chain",
                from_implant="i1",
                teeth=[11],
                force_g=25,
                attachment_point_mm=tuple(cr - t.axis * 8.0),
            )
        ],
        heads={"i1": tuple(cr + t.axis * 4.0)},
    )
    bodily = analyse_design(case, through, lm).units[0]
    assert bodily.movement == MovementType.translation
    assert bodily.effects == ["intrusion of the incisor", "bite opening"]


def _space_closure(implants, force_g=150.0):
    case, lm = _case("01b_unilateral_space_closure")
    conns = [
        dict(id=f"r{i}", kind="segmental_arch", from_implant=iid, teeth=[11, 21], passive=True)
        for i, (iid, _) in enumerate(implants)
    ]
    conns.append(
        dict(id="s", kind="niti_tension_spring", teeth=[23, 24, 25, 26, 27], force_g=force_g)
    )
    return analyse_design(case, design(implants, conns, goal_ids=["close-left"]), lm)


def test_one_implant_carries_the_moment_that_two_implants_share_as_forces():
    """II.1 Maxilla horizontal plane (Fig. 7-8): asymmetric space closure 'applies an
    asymmetric, unilateral load ... two mini-implants are required to offset any moment'."""
    one = _space_closure([("p", SiteRef(region="anterior_palate"))])
    two = _space_closure(
        [
            ("p1", SiteRef(region="paramedian_palate", side="right")),
            ("p2", SiteRef(region="paramedian_palate", side="left")),
        ]
    )
    (single,) = one.implants
    assert abs(single.torsion_nmm) > 10.0
    for imp in two.implants:
        assert abs(imp.torsion_nmm) < 0.05 * abs(single.torsion_nmm)
    # the pair resists the moment as a couple of forces: opposite transverse/AP forces,
    # while together they carry the same net force as the single implant
    total = np.sum([i.force_n for i in two.implants], axis=0)
    assert total == pytest.approx(np.array(single.force_n), abs=1e-6)
    f1, f2 = (np.array(i.force_n) for i in two.implants)
    assert np.dot(f1 - total / 2, f2 - total / 2) < 0


def test_a_single_implant_is_flagged_when_the_moment_exceeds_what_it_can_resist():
    limit = mechanics_data().implant_loads.torsion_resistance_nmm.value
    one = _space_closure([("p", SiteRef(region="anterior_palate"))], force_g=300)
    (single,) = one.implants
    assert abs(single.torsion_nmm) > limit
    assert "unresisted_moment" in single.flags
    assert any("second implant" in w.text for w in one.warnings)


def _utility_arch(with_tpa: bool):
    case, lm = _case("07b_utility_arch_molar_control")
    implants = [("p", SiteRef(region="median_palatal_suture"))] if with_tpa else []
    conns = [
        dict(
            id="ua",
            kind="cantilever",
            teeth=[12, 11, 21, 22],
            attachment="Ricketts utility arch from the molar tubes",
            force_g=80,
        )
    ]
    if with_tpa:
        conns.append(dict(id="tpa", kind="tpa", from_implant="p", teeth=[16, 26], passive=True))
    return analyse_design(case, design(implants, conns), lm)


def test_tpa_on_a_palatal_implant_removes_the_reactive_molar_tipping_of_a_utility_arch():
    """II.2 Posterior teeth's anchorage (Fig. 17): 'undesirable moments are applied to the
    anchoring molars ... a TPA connected to a mini-implant in the median palate' prevents it."""
    plain = _utility_arch(False)
    held = _utility_arch(True)
    (molars,) = plain.anchorage
    assert molars.teeth == [16, 26]
    assert np.linalg.norm(molars.moment_about_cr_nmm) > 5.0
    assert any("distal crown tipping of the molars" in e for e in molars.effects)
    assert any("extrusion of the molars" in e for e in molars.effects)
    assert held.anchorage == []  # the molars carry nothing: the implant does
    (imp,) = held.implants
    assert imp.force_g == pytest.approx(80.0)
    # the incisors are intruded the same way in both
    assert held.units[0].resultant.intrusive_g == pytest.approx(
        plain.units[0].resultant.intrusive_g
    )


def test_second_molar_bands_mean_more_friction_so_more_force():
    """II.1 Anterior teeth retraction (Fig. 12): 'when second molar bands are in place and
    sliding mechanics with hooks are used, there can be high frictional loads'."""
    banded = load_example("05_anterior_retraction_deep_bite")
    data = yaml.safe_load(dump_case(banded))
    data["attachments"]["bands"] = []
    unbanded = case_from_data(data)
    lm = average_landmarks(banded)
    d = design(
        [("i1", SiteRef(between=(15, 16), surface="buccal"))],
        [
            dict(
                id="c",
                kind="niti_tension_spring",
                from_implant="i1",
                teeth=[13, 12, 11, 21, 22, 23],
                force_g=200,
            )
        ],
        goal_ids=["retract"],
    )
    hi = analyse_design(banded, d, lm).connections[0]
    lo = analyse_design(unbanded, d, lm).connections[0]
    fr = mechanics_data().friction
    assert hi.friction_loss_fraction == fr.high_friction_loss_fraction.value
    assert lo.friction_loss_fraction == fr.sliding_loss_fraction.value
    assert hi.delivered_g < lo.delivered_g < hi.applied_g
    assert hi.dose is not None and lo.dose is not None
    assert hi.dose.required_applied_g > lo.dose.required_applied_g
    assert hi.dose.status == "below" and hi.dose.suggestion
