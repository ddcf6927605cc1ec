"""Goals that had no design (anterior crossbite, dentoalveolar posterior crossbite, derotation,
dentoalveolar expansion), the ``warnings`` ranking criterion, and combined-goal cases."""

from __future__ import annotations

import pytest
from planner_helpers import by_rule, designs

from tadplan.case import fdi
from tadplan.case.model import SiteRegion, Surface
from tadplan.examples import load_example
from tadplan.knowledge import load_knowledge
from tadplan.model import ConnectionKind, Plan, Warning
from tadplan.planner.rank import warnings_criterion


def kinds(d) -> set[ConnectionKind]:  # type: ignore[no-untyped-def]
    return {c.kind for c in d.connections}


def test_every_example_goal_gets_a_design(all_plans: dict[str, Plan]) -> None:
    empty = [(n, gp.goal.id) for n, p in all_plans.items() for gp in p.goals if not gp.designs]
    assert empty == []


def test_anterior_crossbite_class_iii_elastics_to_mandibular_implants(
    all_plans: dict[str, Plan],
) -> None:
    """Dahabreh 2019: screws between the lower canine and first premolar, Class III elastics."""
    p = all_plans["17_anterior_crossbite"]
    # proposed, hooked on the upper first molars (the archwire advances the incisors); its
    # 216 g per side (oesterle2012) is above the immediate-loading limit of the mandibular
    # screws, which can rank it just below the open-coil design
    best = by_rule(p, "anterior-crossbite", "anterior-crossbite-class-iii-elastics")
    assert not any(w.code == "goal_force_wrong_way" for w in best.warnings)
    assert {i.site.between for i in best.implants} == {(44, 43), (33, 34)}
    assert all(i.site.jaw == "mandible" for i in best.implants)
    assert ConnectionKind.elastic in kinds(best)
    assert any("bite plate" in x for x in best.prerequisites)
    # the alternative holds the upper buccal segments (indirect) and pushes with open coils
    alt = by_rule(p, "anterior-crossbite", "anterior-crossbite-open-coil-indirect")
    assert alt.anchorage == "indirect" and ConnectionKind.compression_spring in kinds(alt)


def test_dentoalveolar_palatal_crossbite_of_one_molar(all_plans: dict[str, Plan]) -> None:
    """Semin Orthod 2022 (direct, palatal vault on the line of action); Jung 2021; Binder 2004."""
    p = all_plans["18_dental_posterior_crossbite"]
    ds = designs(p, "crossbite-26")
    rules = [d.rule_id for d in ds]
    assert "crossbite-marpe" not in rules  # not skeletal
    arm = by_rule(p, "crossbite-26", "posterior-crossbite-palatal-arm")
    assert [i.site.region for i in arm.implants] == [SiteRegion.paramedian_palate]
    assert arm.implants[0].site.side == "left"  # only the crossbite side
    cross = by_rule(p, "crossbite-26", "posterior-crossbite-cross-elastic-to-lower-implant")
    assert cross.implants[0].site.jaw == "mandible"
    assert cross.implants[0].site.surface == Surface.buccal
    assert all(c.teeth == [26] for c in cross.connections)
    assert any("dentoalveolar" in x for d in ds for x in d.prerequisites)


def test_skeletal_crossbite_gets_no_dentoalveolar_design(all_plans: dict[str, Plan]) -> None:
    p = all_plans["12_crossbite_correction"]
    rules = {d.rule_id for gp in p.goals for d in gp.designs}
    assert "expansion-dentoalveolar-palatal-quadhelix" not in rules
    assert "posterior-crossbite-palatal-arm" not in rules


def test_canine_derotation_on_a_5_6_implant_with_a_compression_spring(
    all_plans: dict[str, Plan],
) -> None:
    """Seed I.1 Fig. 1: NiTi segment, compression spring from a 6-5 implant to tooth 3."""
    d = designs(all_plans["19_canine_derotation"], "derotate-13")[0]
    assert d.rule_id == "derotation-segmental-compression-spring"
    assert d.implants[0].site.between == (16, 15)
    (c,) = d.connections
    assert c.kind == ConnectionKind.compression_spring and c.teeth == [13]
    assert c.force_g is not None and 50 <= c.force_g <= 75  # rotation 50-75 g [R2]


def test_molar_derotation_uses_a_palatal_couple(all_plans: dict[str, Plan]) -> None:
    """Seed I.1 Fig. 1 (implant-anchored derotation); rotation 50-75 g (literature.md §6.1)."""
    ds = designs(all_plans["19b_molar_derotation"], "derotate-26")
    assert ds[0].rule_id == "derotation-palatal-couple"
    assert "derotation-segmental-compression-spring" not in [d.rule_id for d in ds]
    assert ds[0].implants[0].site.region == SiteRegion.paramedian_palate
    assert ds[0].implants[0].site.side == "left"
    (c,) = ds[0].connections
    assert c.teeth == [26] and c.force_g == 50


def test_dentoalveolar_expansion_quadhelix_on_a_palatal_implant(
    all_plans: dict[str, Plan],
) -> None:
    """Seed I.6 Fig. 6: a quadhelix stabilised by a palatal mini-implant (wide slot)."""
    d = designs(all_plans["20_dentoalveolar_expansion"], "expand")[0]
    assert d.rule_id == "expansion-dentoalveolar-palatal-quadhelix"
    assert d.implants[0].site.region == SiteRegion.anterior_palate
    (c,) = d.connections
    assert c.kind == ConnectionKind.quadhelix and sorted(c.teeth) == [16, 26]


def test_intrusion_during_retraction_avoids_implants_in_the_path(
    all_plans: dict[str, Plan],
) -> None:
    """Seed II.1 (deep bite: apical retraction implants open the bite) and II.2 Fig. 26 (an
    implant must not block moved teeth): the shared design keeps its implants out of the path
    of the retracted teeth and shares the retraction implants. On the average dentition the
    screws cannot go higher than the attached gingiva allows, level with the power hooks, so
    the pull has almost no intrusive part (issue 10): the intrusion goal is not served, the
    design says so with a DANGER and ranks below the designs that do intrude."""
    p = all_plans["16_combined_retraction_intrusion"]
    intr = designs(p, "intrude")
    shared = next(d for d in intr if d.rule_id == "anterior-intrusion-by-apical-retraction")
    assert not any("can block" in w.text for w in shared.warnings)
    retracted = set(p.goals[0].goal.teeth)
    assert all(not set(i.site.between or ()) & retracted for i in shared.implants)
    ret_best = designs(p, "retract")[0]
    assert {i.id for i in shared.implants} == {i.id for i in ret_best.implants}
    assert any(
        w.severity == "danger" and w.code == "goal_force_mostly_side_effect"
        for w in shared.warnings
    )
    intruding = [d for d in intr if not any(w.severity == "danger" for w in d.warnings)]
    assert intruding and all(d.rank < shared.rank for d in intruding)
    best = intr[0]
    assert best.mechanics is not None
    for u in best.mechanics.units:
        assert u.resultant.intrusive_g > 0.5 * u.force_g  # it intrudes


def test_warnings_criterion_counts_caution_and_danger_not_info() -> None:
    kb = load_knowledge()
    pen = kb.tables.warning_penalty
    assert pen is not None and 0 < pen.caution < pen.danger <= 1
    assert warnings_criterion([], kb).value == 1.0
    info = Warning(severity="info", text="note")
    assert warnings_criterion([info], kb).value == 1.0
    caution = Warning(severity="caution", text="risk")
    danger = Warning(severity="danger", text="contraindication")
    assert warnings_criterion([caution], kb).value == pytest.approx(1 - pen.caution)
    assert warnings_criterion([caution, danger], kb).value == pytest.approx(
        max(0.0, 1 - pen.caution - pen.danger)
    )
    assert warnings_criterion([danger] * 3, kb).value == 0.0
    assert warnings_criterion([caution], kb).weight == kb.tables.rank_weights.warnings  # type: ignore[union-attr]


def test_ruled_out_lower_site_moves_the_anterior_crossbite_to_the_alternative() -> None:
    case = load_example("17_anterior_crossbite")
    from tadplan.case.model import SiteAssessment, SiteRef

    out = [
        SiteAssessment(site=SiteRef(between=pair, surface=Surface.buccal), available=False)
        for pair in [(43, 44), (44, 45), (33, 34), (34, 35)]
    ]
    findings = case.findings.model_copy(update={"site_assessments": out})
    p = _plan(case.model_copy(update={"findings": findings}))
    ds = designs(p, "anterior-crossbite")
    assert ds and ds[0].rule_id == "anterior-crossbite-open-coil-indirect"
    gp = next(g for g in p.goals if g.goal.id == "anterior-crossbite")
    assert any("anterior-crossbite-class-iii-elastics" in n for n in gp.notes)
    assert all(
        fdi.arch(t) == "maxilla" for d in ds for i in d.implants for t in i.site.between or ()
    )


def _plan(case):  # type: ignore[no-untyped-def]
    from tadplan.planner import plan

    return plan(case)


def test_a_site_ruled_out_on_one_side_moves_that_side_only(all_plans: dict[str, Plan]) -> None:
    """Seed II.1 Fig. 11: symmetric intrusion on two implants. With 13-12 too narrow (2.1 mm,
    below the 3 mm of lee_kj2009) the right implant moves to 12-11; the left one keeps its
    first choice 22-23 (issue 10: a site ruled out on one side moved both sides)."""
    for d in designs(all_plans["14_intrusion_site_ruled_out"], "intrude"):
        by_side = {
            fdi.side(i.site.between[0]): tuple(sorted(fdi.position(t) for t in i.site.between))
            for i in d.implants
            if i.site.between
        }
        assert by_side == {"right": (1, 2), "left": (2, 3)}, d.rule_id


def test_symmetric_goal_without_a_ruled_out_site_keeps_mirror_image_sites(
    all_plans: dict[str, Plan],
) -> None:
    for d in designs(all_plans["04a_incisor_intrusion_class_ii_2"], "intrude"):
        pos = {
            fdi.side(i.site.between[0]): tuple(sorted(fdi.position(t) for t in i.site.between))
            for i in d.implants
            if i.site.between
        }
        if len(pos) == 2:
            assert pos["right"] == pos["left"], d.rule_id


def test_palate_refused_leaves_the_cross_elastic_for_a_dental_crossbite() -> None:
    """constraints.no_palatal: the palatal arm is not possible (noted), the cross-elastic to a
    lower buccal implant remains (Jung 2021) and ranks first."""
    case = load_example("18_dental_posterior_crossbite")
    refused = case.constraints.model_copy(update={"no_palatal": True})
    p = _plan(case.model_copy(update={"constraints": refused}))
    ds = designs(p, "crossbite-26")
    assert [d.rule_id for d in ds] == ["posterior-crossbite-cross-elastic-to-lower-implant"]
    gp = next(g for g in p.goals if g.goal.id == "crossbite-26")
    assert any("posterior-crossbite-palatal-arm" in n and "refused" in n for n in gp.notes)


def test_premolar_retraction_uses_a_single_tooth_force_not_the_en_masse_force(
    all_plans: dict[str, Plan],
) -> None:
    """En-masse 200-250 g per side (joi2015) is for the anterior segment; a canine/premolar
    alone is retracted with about 100 g NiTi (angle2019, literature.md §6.2 [R]) from the
    implants beside the first molars, which also hold the molars (seed II.1 Fig. 12)."""
    p = all_plans["07a_posterior_anchorage"]
    rules = [d.rule_id for d in designs(p, "retract-premolars")]
    assert "anterior-retraction-direct-niti" not in rules
    best = designs(p, "retract-premolars")[0]
    assert best.rule_id == "canine-premolar-retraction-direct-niti"
    assert all(c.force_g == 100 and c.teeth in ([14], [24]) for c in best.connections)
    assert designs(p, "hold-molars")[0].id == best.id  # the same implants hold the molars
    en_masse = designs(all_plans["05_anterior_retraction_deep_bite"], "retract")
    assert "canine-premolar-retraction-direct-niti" not in [d.rule_id for d in en_masse]


def test_unilateral_dentoalveolar_expansion_loads_only_the_narrow_side() -> None:
    """Semin Orthod 2022: asymmetric expansion on a screw in the palatal vault on the line of
    action (direct); the implant sits on the expanded side only."""
    case = load_example("20_dentoalveolar_expansion")
    goal = case.goals[0].model_copy(
        update={"teeth": [14, 15, 16], "side": "right", "symmetry": "asymmetric"}
    )
    p = _plan(case.model_copy(update={"goals": [goal]}))
    arm = by_rule(p, "expand", "posterior-crossbite-palatal-arm")
    assert [(i.site.region, i.site.side) for i in arm.implants] == [
        (SiteRegion.paramedian_palate, "right")
    ]
    assert all(fdi.side(t) == "right" for c in arm.connections for t in c.teeth)
