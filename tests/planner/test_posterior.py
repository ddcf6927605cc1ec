"""Seed II.2, posterior teeth: each test is a statement of the seed (section, figure)."""

from __future__ import annotations

from planner_helpers import by_rule, designs, plan_of, texts

from tadplan.case.model import SiteRegion, Surface
from tadplan.model import AnchorageType, ConnectionKind, ImplantHead


def kinds(d) -> set[ConnectionKind]:  # type: ignore[no-untyped-def]
    return {c.kind for c in d.connections}


# ---------------------------------------------------------- 7. posterior anchorage


def test_implants_distal_to_upper_molars_warn_of_loosening_and_come_in_pairs() -> None:
    """II.2 posterior anchorage: poorer bone, thicker gingiva distal to the upper molars."""
    d = by_rule(plan_of("07a_posterior_anchorage"), "hold-molars", "posterior-anchorage-distal-tie")
    assert any("loosening" in w.text and "gingiva" in w.text for w in d.warnings)
    for q in (1, 2):  # two implants per side, both distal of the first molar
        side = [i for i in d.implants if (i.site.between or (0,))[0] // 10 == q]
        assert len(side) == 2
        assert all(min(t % 10 for t in i.site.between) >= 6 for i in side)
    assert ConnectionKind.ligature_tie_back in kinds(d)


def test_anterior_median_palate_with_horseshoe_or_quadhelix_has_no_root_risk() -> None:
    """II.2 posterior anchorage, Fig. 15-16: anterior median palate, no root damage risk."""
    p = plan_of("07a_posterior_anchorage")
    for rule, kind in (
        ("posterior-anchorage-horseshoe", ConnectionKind.horseshoe_arch),
        ("posterior-anchorage-quadhelix", ConnectionKind.quadhelix),
    ):
        d = by_rule(p, "hold-molars", rule)
        assert kind in kinds(d)
        assert d.implants[0].site.region == SiteRegion.anterior_palate
        root = next(c for c in d.criteria if c.name == "root_risk")
        assert root.value == 1.0  # no root risk
    distal = by_rule(p, "hold-molars", "posterior-anchorage-distal-tie")
    assert next(c for c in distal.criteria if c.name == "root_risk").value < 1.0


def test_utility_arch_molars_protected_by_tpa_on_median_palatal_implant() -> None:
    """II.2 posterior anchorage, Fig. 17: TPA on a median palatal implant vs molar tipping."""
    p = plan_of("07b_utility_arch_molar_control")
    d = by_rule(p, "hold-molars", "posterior-anchorage-utility-arch-tpa")
    assert designs(p, "hold-molars")[0] is d  # the seed's design for a utility arch ranks first
    assert ConnectionKind.tpa in kinds(d)
    assert d.implants[0].site.region == SiteRegion.median_palatal_suture
    assert d.implants[0].head == ImplantHead.wide_slot
    assert "utility arch" in texts(d) and "tipping" in texts(d)


def test_band_auxiliary_slot_method() -> None:
    """I.5, Fig. 5: segmental wire from the implant into the molar band's auxiliary slot."""
    d = by_rule(
        plan_of("07b_utility_arch_molar_control"), "hold-molars", "posterior-anchorage-band-slot"
    )
    assert ConnectionKind.band_auxiliary_slot in kinds(d)
    assert any("auxiliary slot" in x for x in d.prerequisites)


# ---------------------------------------------------------- 8. posterior intrusion


def test_molar_intrusion_two_buccal_mesial_and_distal_plus_one_palatal() -> None:
    """II.2 intrusion of posterior teeth, Fig. 18-19."""
    d = by_rule(
        plan_of("08a_molar_intrusion"), "intrude-26", "posterior-intrusion-two-buccal-one-palatal"
    )
    buccal = [i.site.between for i in d.implants if i.site.surface == Surface.buccal]
    palatal = [i for i in d.implants if i.site.surface == Surface.palatal]
    assert sorted(buccal) == [(25, 26), (26, 27)]  # mesial and distal of 26
    assert len(palatal) == 1
    assert "flar" in texts(d)
    assert sum(c.force_g or 0 for c in d.connections) > 0
    # every design of a molar intrusion pulls from both sides of the tooth
    for x in designs(plan_of("08a_molar_intrusion"), "intrude-26"):
        surfaces = {i.site.surface for i in x.implants} | {
            "palate" for i in x.implants if i.site.region != SiteRegion.interradicular
        }
        assert Surface.buccal in surfaces and (Surface.palatal in surfaces or "palate" in surfaces)


def test_open_bite_closure_shares_one_median_palatal_implant_between_sides() -> None:
    """Combined goals: one palatal implant serves both sides (TPA on a median implant)."""
    p = plan_of("08b_open_bite_closure")
    right = by_rule(p, "intrude-right", "posterior-intrusion-tpa-midpalatal")
    left = by_rule(p, "intrude-left", "posterior-intrusion-tpa-midpalatal")
    mid_r = next(i for i in right.implants if i.site.region == SiteRegion.median_palatal_suture)
    mid_l = next(i for i in left.implants if i.site.region == SiteRegion.median_palatal_suture)
    assert mid_r.id == mid_l.id and mid_r.id in p.shared_implants
    assert set(mid_r.goal_ids) == {"intrude-right", "intrude-left"}
    # buccal implants are per side, not shared
    assert not {i.id for i in right.implants if i.site.surface} & {
        i.id for i in left.implants if i.site.surface
    }


# ---------------------------------------------------------- 9. uprighting


def test_molar_uprighting_without_full_banding() -> None:
    """II.2 tipped molars, Fig. 20-21: compression spring on implant-supported segment
    (bracket-head implant mid-alveolar), or elastic chain to a distal implant."""
    p = plan_of("09_molar_uprighting")
    spring = by_rule(p, "upright-37", "molar-uprighting-compression-spring")
    assert ConnectionKind.compression_spring in kinds(spring)
    assert spring.implants[0].head == ImplantHead.bracket_head
    assert spring.implants[0].site.region == SiteRegion.edentulous_ridge
    assert "no full banding" in texts(spring)
    assert any("composite" in a for a in spring.alternatives)
    chain = by_rule(p, "upright-37", "molar-uprighting-distal-chain")
    assert ConnectionKind.elastic_chain in kinds(chain)
    assert chain.implants[0].site.region == SiteRegion.retromolar
    assert all(c.teeth == [37] for c in [*spring.connections, *chain.connections] if c.teeth)


# ---------------------------------------------------------- 10. mesialisation


def test_molar_mesialisation_direct_from_premolar_site_with_power_hook() -> None:
    """II.2 mesialisation, Fig. 22: buccal implant near the premolars, NiTi or chain."""
    p = plan_of("10_molar_mesialisation")
    d = designs(p, "mesialise")[0]
    assert d.anchorage == AnchorageType.direct
    assert set(d.implants[0].site.between) == {44, 45}
    assert {ConnectionKind.power_hook} <= kinds(d)
    assert kinds(d) & {ConnectionKind.niti_tension_spring, ConnectionKind.elastic_chain}
    assert "hold-anterior" in d.goal_ids  # the anterior teeth are not loaded
    ind = by_rule(p, "mesialise", "molar-mesialisation-indirect")
    assert {ConnectionKind.cross_tube, ConnectionKind.composite_bond} <= kinds(ind)


def test_unilateral_maxillary_protraction_with_tpa_hinge_mechanics() -> None:
    """II.2 mesialisation, Fig. 23: palatal implants with TPA, hinge mechanics unilaterally."""
    d = by_rule(
        plan_of("10c_maxillary_molar_protraction"),
        "protract-left",
        "molar-mesialisation-palatal-tpa",
    )
    assert ConnectionKind.tpa in kinds(d) and "hinge" in texts(d)
    # issue 10: the palatal screw sits mesial of the molars (anterior palate, Fig. 23) ...
    imp = d.implants[0]
    assert imp.site.region == SiteRegion.anterior_palate
    assert imp.head_position_mm is not None
    # ... the TPAs join the two sides of the arch (16-26, 17-27), never two teeth of one side
    (tpa,) = [c for c in d.connections if c.kind == ConnectionKind.tpa]
    assert {t // 10 for t in tpa.teeth} == {1, 2}
    # ... and the molars are pulled mesially, with small side components
    assert d.mechanics is not None
    (unit,) = d.mechanics.units
    c = unit.components
    assert c.mesial_g > 100
    assert abs(c.buccal_g) < 0.2 * c.mesial_g and abs(c.intrusive_g) < 0.2 * c.mesial_g


def test_ruled_out_premolar_site_gives_lever_arm_from_another_site() -> None:
    """I. lever arm: intended site not possible (too little space) -> lever-arm mechanics."""
    p = plan_of("10b_mesialisation_site_ruled_out")
    ds = designs(p, "mesialise")
    assert ds[0].rule_id == "molar-mesialisation-lever-arm"
    assert ConnectionKind.lever_arm in kinds(ds[0])
    # the mandibular 2-3 site of the lever arm carries Monnerat's caution
    assert any(s.key == "monnerat2009" for w in ds[0].warnings for s in w.sources)
    ruled_out = {(33, 34), (34, 36)}
    assert not any(i.site.between in ruled_out for d in ds for i in d.implants)
    notes = " ".join(p.goals[0].notes)
    assert "not possible" in notes and "too little inter-radicular space" in notes
    assert "lever arm" in notes.lower()  # the failed design's listed alternatives
    # the lever arm does not fire where the premolar site is available
    assert not any(
        d.rule_id == "molar-mesialisation-lever-arm"
        for d in designs(plan_of("10_molar_mesialisation"), "mesialise")
    )


# ---------------------------------------------------------- 11. distalisation


def test_distalisation_tube_free_for_direct_crimped_for_indirect() -> None:
    """II.2 distalisation, Fig. 25: compression spring, tube and ligature."""
    p = plan_of("11a_molar_distalisation")
    direct = by_rule(p, "distalise", "molar-distalisation-direct-spring")
    assert direct.anchorage == AnchorageType.direct
    assert "not clamp" in texts(direct) and "ligature" in texts(direct)
    indirect = by_rule(p, "distalise", "molar-distalisation-indirect-spring")
    assert indirect.anchorage == AnchorageType.indirect and "crimp" in texts(indirect)
    palatal = by_rule(p, "distalise", "molar-distalisation-palatal")
    assert all(i.site.region == SiteRegion.paramedian_palate for i in palatal.implants)


def test_buccal_segment_distalisation_is_staged_with_implant_relocation() -> None:
    """II.2 distalisation, Fig. 26: relocate the implant after molar distalisation."""
    d = by_rule(
        plan_of("11b_buccal_segment_distalisation"),
        "distalise-right",
        "buccal-segment-distalisation-staged",
    )
    assert any(i.stage == 2 and i.purpose.startswith("stage 2") for i in d.implants)
    assert any(i.stage == 1 for i in d.implants)
    assert any(a.lower().startswith("stage 2") and "remove" in a for a in d.activation)
    assert "only after molar distalisation is complete" in texts(d)
    assert not any(
        d.rule_id == "buccal-segment-distalisation-staged"
        for d in designs(plan_of("11a_molar_distalisation"), "distalise")
    )


def test_palate_refused_leaves_buccal_designs_and_says_why() -> None:
    """Constraint no_palatal: the palatal distaliser is ruled out, buccal designs remain."""
    p = plan_of("15_distalisation_palate_refused")
    ds = designs(p, "distalise")
    assert ds and all(i.site.surface == Surface.buccal for d in ds for i in d.implants)
    assert any("constraints.no_palatal" in n for n in p.goals[0].notes)
