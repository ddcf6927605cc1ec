"""Crossbite and surgical orthodontics (literature), anchorage methods (seed I), ranking."""

from __future__ import annotations

from planner_helpers import by_rule, designs, plan_of, texts

from tadplan.case.model import SiteRegion
from tadplan.model import ConnectionKind


def kinds(d) -> set[ConnectionKind]:  # type: ignore[no-untyped-def]
    return {c.kind for c in d.connections}


def test_skeletal_transverse_deficiency_gets_marpe_on_four_palatal_implants() -> None:
    """Kapetanovic 2021, Chun 2022: miniscrew-assisted rapid palatal expansion."""
    p = plan_of("12_crossbite_correction")
    d = designs(p, "expand")[0]
    assert d.rule_id == "crossbite-marpe" and ConnectionKind.expander in kinds(d)
    assert len(d.implants) == 4
    assert all(i.site.region == SiteRegion.paramedian_palate for i in d.implants)
    assert {s.key for s in d.sources} >= {"kapetanovic2021", "chun2022"}


def test_scissor_bite_palatal_implant_or_cross_elastic() -> None:
    """Tamamura 2009 (palatal miniscrew), Yuwono 2022 (miniscrew + cross-elastic)."""
    p = plan_of("12_crossbite_correction")
    pal = by_rule(p, "scissor-17", "crossbite-scissor-palatal-implant")
    # in the palatal vault, medial of the molar (test_crossbite_force_direction.py)
    assert pal.implants[0].site.region in (
        SiteRegion.median_palatal_suture,
        SiteRegion.paramedian_palate,
    )
    cross = by_rule(p, "scissor-17", "crossbite-scissor-cross-elastic")
    assert ConnectionKind.elastic in kinds(cross)
    # MARPE only for a skeletal crossbite
    assert not any(d.rule_id == "crossbite-marpe" for d in designs(p, "scissor-17"))


def test_surgical_case_gets_decompensation_anchorage_usable_for_imf() -> None:
    """Surgical orthodontics: skeletal anchorage for decompensation and IMF (Cornelius 2010)."""
    d = by_rule(
        plan_of("13_surgical_decompensation"), "decompensate-upper", "surgical-decompensation-imf"
    )
    assert ConnectionKind.intermaxillary_fixation in kinds(d)
    assert {i.site.jaw for i in d.implants} == {"maxilla", "mandible"}
    assert any("root" in w.text and w.sources for w in d.warnings)
    assert "surgeon" in texts(d)
    # not proposed without planned surgery
    assert not any(
        x.rule_id == "surgical-decompensation-imf"
        for x in designs(plan_of("05_anterior_retraction_deep_bite"), "retract")
    )


def test_compression_spring_always_needs_a_second_archwire(all_plans: dict) -> None:
    """I.1, Fig. 1: a second archwire or wire segment is always needed."""
    n = 0
    for p in all_plans.values():
        for gp in p.goals:
            for d in gp.designs:
                if ConnectionKind.compression_spring in kinds(d):
                    n += 1
                    assert any("second archwire" in x.lower() for x in d.prerequisites)
    assert n >= 4


def test_niti_spring_attachment_and_chain_decay_notes(all_plans: dict) -> None:
    """I.2 (ligature or Monkey Hook, constant force) and I.3 (chain quick and simple)."""
    for p in all_plans.values():
        for gp in p.goals:
            for d in gp.designs:
                if ConnectionKind.niti_tension_spring in kinds(d):
                    assert "monkey hook" in texts(d)
                if ConnectionKind.elastic_chain in kinds(d):
                    assert any(s.key == "buchmann2012" for w in d.warnings for s in w.sources)


def test_niti_spring_ranks_above_elastic_chain_when_otherwise_equal() -> None:
    """I.2: NiTi springs are preferred over elastic chains (constant force)."""
    ds = designs(plan_of("05_anterior_retraction_deep_bite"), "retract")
    niti = next(d for d in ds if d.rule_id == "anterior-retraction-direct-niti")
    chain = next(d for d in ds if d.rule_id == "anterior-retraction-direct-chain")
    assert niti.rank < chain.rank
    assert {i.site for i in niti.implants} == {i.site for i in chain.implants}


def test_ranking_prefers_the_design_meeting_the_demand() -> None:
    """Direct (absolute) anchorage outranks indirect (maximum) for an absolute demand."""
    ds = designs(plan_of("05_anterior_retraction_deep_bite"), "retract")
    indirect = next(d for d in ds if d.rule_id == "anterior-retraction-indirect-cross-tube")
    met = next(c for c in indirect.criteria if c.name == "demand_met")
    assert met.value < 1
    best = ds[0]
    assert best.anchorage == "direct" and best.rank < indirect.rank
    assert next(c for c in best.criteria if c.name == "demand_met").value == 1


def test_failure_criterion_uses_the_failure_risk_model() -> None:
    """tadplan.risk: a midpalatal screw (mohammed2018 1.3 % pooled) is less likely to be
    lost than either of two buccal maxillary screws (9.2 % pooled); the criterion is
    1 - P(any new implant of the design fails)."""
    p = plan_of("demo")
    tpa = by_rule(p, "hold-molars", "posterior-anchorage-tpa")
    ret = next(d for d in designs(p, "retract") if d.rule_id == "anterior-retraction-direct-niti")
    for d in (tpa, ret):
        fail = next(c for c in d.criteria if c.name == "failure")
        assert "failure-risk model" in fail.note or fail.note == "no new implant"
        assert d.risk is not None and 1 - fail.value <= d.risk.failure_probability + 1e-4
    palatal = next(i for i in tpa.implants if i.site.region == "median_palatal_suture")
    assert palatal.risk is not None and palatal.risk.failure_probability < 0.013
    buccal = [i.risk.failure_probability for i in ret.implants if i.risk is not None]
    assert len(buccal) == 2 and min(buccal) > palatal.risk.failure_probability
    assert ret.risk is not None and tpa.risk is not None
    assert ret.risk.failure_probability > tpa.risk.failure_probability


def test_smoker_warning_and_implants_in_the_path_of_other_goals() -> None:
    """Bayat 2010 (smoking); seed II.2 Fig. 26 (an implant must not block moved roots)."""
    p = plan_of("16_combined_retraction_intrusion")
    for gp in p.goals:
        for d in gp.designs:
            if d.implants:
                assert any("smoker" in w.text.lower() for w in d.warnings)
    intr = designs(p, "intrude")
    retracted = set(next(gp.goal.teeth for gp in p.goals if gp.goal.id == "retract"))
    for d in intr:
        in_path = any(set(i.site.between or ()) & retracted for i in d.implants)
        assert in_path == any("can block" in w.text for w in d.warnings), d.rule_id
    assert any(any("can block" in w.text for w in d.warnings) for d in intr)
    assert not any("can block" in w.text for d in designs(p, "retract") for w in d.warnings)
    assert not any(
        "smoker" in w.text.lower() for d in designs(plan_of("demo"), "retract") for w in d.warnings
    )
