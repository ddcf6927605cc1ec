"""Seed II.1, anterior teeth: each test is a statement of the seed (section, figure)."""

from __future__ import annotations

from planner_helpers import by_rule, designs, plan_of, texts

from tadplan.case.model import SiteRegion, Surface
from tadplan.examples import load_example
from tadplan.model import AnchorageType, ConnectionKind


def kinds(d) -> set[ConnectionKind]:  # type: ignore[no-untyped-def]
    return {c.kind for c in d.connections}


# ---------------------------------------------------------- 1. maxilla, horizontal plane


def test_symmetric_bilateral_protraction_needs_one_palatal_implant_shared_by_all_goals() -> None:
    """II.1 maxilla horizontal plane, Fig. 7: one palatal implant for bilateral protraction."""
    p = plan_of("01a_agenesis_bilateral_protraction")
    best = designs(p, "hold-centrals")[0]
    assert best.rule_id == "maxilla-anterior-palatal-one-implant"
    assert len(best.implants) == 1
    assert best.implants[0].site.region == SiteRegion.anterior_palate
    assert best.anchorage == AnchorageType.indirect
    assert {ConnectionKind.segmental_arch, ConnectionKind.composite_bond} <= kinds(best)
    assert "counter-activation" in texts(best)
    # the same implant serves both sides' space closure
    assert set(best.goal_ids) == {"hold-centrals", "close-right", "close-left"}
    assert designs(p, "close-right")[0].id == best.id == designs(p, "close-left")[0].id
    assert best.implants[0].id in p.shared_implants
    assert not any(
        d.rule_id == "maxilla-anterior-palatal-two-implants" for d in designs(p, "hold-centrals")
    )


def test_unilateral_space_closure_with_palatal_anchorage_needs_two_implants() -> None:
    """II.1 maxilla horizontal plane, Fig. 8: asymmetric load -> two implants (moment)."""
    p = plan_of("01b_unilateral_space_closure")
    d = by_rule(p, "hold-centrals", "maxilla-anterior-palatal-two-implants")
    assert len(d.implants) == 2
    assert all(i.site.region == SiteRegion.paramedian_palate for i in d.implants)
    assert {i.site.side for i in d.implants} == {"right", "left"}
    assert not any(
        x.rule_id == "maxilla-anterior-palatal-one-implant" for x in designs(p, "hold-centrals")
    )
    assert "close-left" in d.goal_ids


# ---------------------------------------------------------- 2. maxilla, vertical dimension


def test_active_anterior_extrusion_uses_segment_compression_spring_on_buccal_implant() -> None:
    """II.1 vertical dimension of the maxilla, Fig. 9."""
    d = designs(plan_of("02_anterior_extrusion"), "extrude")[0]
    assert {
        ConnectionKind.segmental_arch,
        ConnectionKind.compression_spring,
        ConnectionKind.cross_tube,
    } <= kinds(d)
    assert all(i.site.surface == Surface.buccal for i in d.implants)
    assert any("second archwire" in x.lower() for x in d.prerequisites)


def test_vertical_stabilisation_on_buccal_cortical_implant() -> None:
    """II.1 vertical dimension: buccal implant, segmental arch with cross tube or composite."""
    d = by_rule(
        plan_of("02b_vertical_stabilisation"), "hold-incisors", "maxilla-vertical-stabilise"
    )
    assert d.anchorage == AnchorageType.indirect
    assert all(i.site.surface == Surface.buccal for i in d.implants)
    assert ConnectionKind.cross_tube in kinds(d)
    assert any("composite" in a.lower() for a in d.alternatives)


# ---------------------------------------------------------- 3. mandible, horizontal plane


def test_herbst_tie_back_to_posterior_mandibular_implants() -> None:
    """II.1 mandible horizontal plane, Fig. 10: bilateral implants, ligature tie-back."""
    p = plan_of("03_mandibular_anchorage_herbst")
    d = by_rule(p, "hold-lower-anterior", "mandible-anterior-tie-back")
    assert ConnectionKind.ligature_tie_back in kinds(d)
    assert len(d.implants) == 2
    for i in d.implants:
        assert i.site.jaw == "mandible"
        assert min(t % 10 for t in i.site.between) >= 4  # posterior alveolar process
    assert {i.site.between[0] // 10 for i in d.implants} == {3, 4}  # both sides
    # stable segmental arch when anterior retraction must be resisted too
    seg = by_rule(p, "hold-lower-anterior", "mandible-anterior-stable-segment")
    assert ConnectionKind.segmental_arch in kinds(seg)
    assert "retraction" in texts(seg)


# ---------------------------------------------------------- 4. anterior intrusion


def test_symmetric_incisor_intrusion_needs_at_least_two_implants() -> None:
    """II.1 anterior intrusion, Fig. 11: symmetric -> at least two mini-implants."""
    for d in designs(plan_of("04a_incisor_intrusion_class_ii_2"), "intrude"):
        assert len(d.implants) >= 2
        assert {i.site.between[0] // 10 for i in d.implants} == {1, 2}  # one each side


def test_asymmetric_intrusion_one_implant_suffices() -> None:
    """II.1 anterior intrusion, Fig. 11: one implant may be enough when asymmetric."""
    ds = designs(plan_of("04b_asymmetric_intrusion"), "intrude-right")
    assert min(len(d.implants) for d in ds) == 1
    one = next(d for d in ds if len(d.implants) == 1)
    assert one.implants[0].site.between == (13, 12)


def test_retroclined_incisors_divert_spring_with_rectangular_segment() -> None:
    """II.1 anterior intrusion: Class II/2 -> gingival impingement; divert the spring."""
    for d in designs(plan_of("04a_incisor_intrusion_class_ii_2"), "intrude"):
        assert kinds(d) & {ConnectionKind.niti_tension_spring, ConnectionKind.elastic_chain}
        assert any("gingiva" in w.text.lower() for w in d.warnings)
        assert any("rectangular segmental arch" in x.lower() for x in d.prerequisites)
    # not for normally inclined incisors
    for d in designs(plan_of("07b_utility_arch_molar_control"), "intrude-incisors"):
        assert not any("rectangular segmental arch" in x.lower() for x in d.prerequisites)


def test_force_on_the_buccal_point_tips_incisors_buccally() -> None:
    """II.1 anterior intrusion: buccal tipping when force acts on the buccal point."""
    for d in designs(plan_of("04b_asymmetric_intrusion"), "intrude-right"):
        assert any("tips the incisors buccally" in w.text for w in d.warnings)


def test_ruled_out_intrusion_site_moves_to_the_next_site() -> None:
    """Ruled-out site (2.1 mm < 3 mm, Lee 2009) -> another site, still two implants."""
    d = designs(plan_of("14_intrusion_site_ruled_out"), "intrude")[0]
    sites = sorted(i.site.between for i in d.implants)
    # issue 10: only the side whose site is ruled out moves; the left keeps its first choice
    assert (12, 11) in sites and (13, 12) not in sites and (22, 23) in sites


# ---------------------------------------------------------- 5. anterior retraction


def test_deep_bite_retraction_advises_apical_placement() -> None:
    """II.1 anterior retraction: deep bite -> implants as apically as possible."""
    for name, goal in (("05_anterior_retraction_deep_bite", "retract"), ("demo", "retract")):
        direct = [d for d in designs(plan_of(name), goal) if d.anchorage == AnchorageType.direct]
        assert direct
        for d in direct:
            assert "apically as possible" in texts(d), name
    # not without a deep bite
    for d in designs(plan_of("13_surgical_decompensation"), "decompensate-upper"):
        assert "apically as possible" not in texts(d)


def test_second_molar_bands_with_sliding_mechanics_mean_friction_and_more_force() -> None:
    """II.1 anterior retraction, Fig. 12: bands on 7s + sliding -> friction, greater force."""
    for d in designs(plan_of("05_anterior_retraction_deep_bite"), "retract"):
        if d.anchorage == AnchorageType.direct:
            assert any("friction" in w.text and "greater forces" in w.text for w in d.warnings)
    for d in designs(plan_of("13_surgical_decompensation"), "decompensate-upper"):
        # no second-molar bands: the seed's friction warning must not fire (the mechanics'
        # own dose notes may still mention the friction of sliding mechanics)
        assert not any("Second-molar bands" in w.text for w in d.warnings)


def test_retraction_implants_adjacent_to_first_molars_keep_molars_unloaded() -> None:
    """II.1 anterior retraction, Fig. 12: small implants adjacent to the first molars."""
    p = plan_of("demo")
    best = designs(p, "retract")[0]
    assert {i.site.between for i in best.implants} == {(16, 15), (25, 26)}
    assert all(c.force_g for c in best.connections)
    # the combined plan: the molars are held by the same implants, no extra implant
    assert designs(p, "hold-molars")[0].id == best.id
    assert {i.id for i in best.implants} <= set(p.shared_implants)


# ---------------------------------------------------------- 6. displaced canine


def test_displaced_canine_palatal_suture_or_alveolar_for_greatest_anchorage() -> None:
    """II.1 displaced canine, Fig. 13-14 (a buccally displaced canine: both sites)."""
    p = plan_of("06b_buccally_displaced_canine")
    pal = by_rule(p, "align-23", "displaced-canine-palatal-suture")
    assert pal.implants[0].site.region == SiteRegion.median_palatal_suture
    alv = by_rule(p, "align-23", "displaced-canine-alveolar")
    assert alv.implants[0].site.region == SiteRegion.interradicular
    assert alv.implants[0].site.between[0] // 10 == 2  # the canine's side
    assert ConnectionKind.cantilever in kinds(alv)


def test_palatally_displaced_canine_cantilever_from_the_palatal_suture() -> None:
    """II.1 displaced canine, Fig. 13: a palatal canine is moved from the palatal implant."""
    p = plan_of("06_displaced_canine")
    d = by_rule(p, "align-23", "displaced-canine-palatal-cantilever")
    assert d.implants[0].site.region == SiteRegion.median_palatal_suture
    assert ConnectionKind.cantilever in kinds(d)


def test_retraction_with_buccal_sites_ruled_out_uses_lever_arms() -> None:
    """I. lever arm: no usable buccal site (poor bone) -> lever arm from another site."""
    from tadplan.case import case_from_data
    from tadplan.planner import plan

    data = load_example("demo").model_dump(mode="json", exclude_defaults=True)
    data["findings"]["site_assessments"] = [
        {"site": {"between": pair, "surface": "buccal"}, "bone_quality": "poor"}
        for pair in ([15, 16], [16, 17], [25, 26], [26, 27])
    ]
    p = plan(case_from_data(data))
    ds = designs(p, "retract")
    lever = by_rule(p, "retract", "anterior-retraction-lever-arm")
    assert ConnectionKind.lever_arm in kinds(lever)
    assert lever.implants[0].site.region == SiteRegion.infrazygomatic_crest
    assert not any(d.rule_id == "anterior-retraction-direct-niti" for d in ds)
    assert any("poor bone quality" in n for n in p.goals[0].notes)
    # with the sites available the lever arm is not proposed
    assert not any(
        d.rule_id == "anterior-retraction-lever-arm" for d in designs(plan_of("demo"), "retract")
    )
