"""Properties every plan must have: ranked, sourced, traced, valid JSON."""

from __future__ import annotations

from planner_helpers import plan_of

from tadplan.examples import example_paths
from tadplan.model import ConnectionKind, Plan


def test_every_goal_of_every_example_gets_a_ranked_sourced_design(all_plans: dict) -> None:
    assert len(all_plans) >= 16
    for name, p in all_plans.items():
        assert not p.warnings or all("no rule" not in w.text for w in p.warnings), name
        for gp in p.goals:
            assert gp.designs, f"{name}: goal {gp.goal.id} has no design"
            assert [d.rank for d in gp.designs] == list(range(1, len(gp.designs) + 1))
            # designs without a DANGER first, each group by score (issue 10)
            keys = [(any(w.severity == "danger" for w in d.warnings), -d.score) for d in gp.designs]
            assert keys == sorted(keys), name
            for d in gp.designs:
                assert d.sources, (name, d.id)
                assert all(s.text for s in d.sources), (name, d.id)
                assert all(s.text for w in d.warnings for s in w.sources), (name, d.id)
                assert {c.name for c in d.criteria} >= {
                    "demand_met",
                    "failure",
                    "root_risk",
                    "implant_count",
                }
                assert gp.goal.id in d.goal_ids


def test_plan_sources_list_every_cited_key(all_plans: dict) -> None:
    for name, p in all_plans.items():
        cited = {s.key for gp in p.goals for d in gp.designs for s in d.sources}
        cited |= {
            s.key for gp in p.goals for d in gp.designs for w in d.warnings for s in w.sources
        }
        cited |= {
            k for gp in p.goals for d in gp.designs if d.mechanics for k in d.mechanics.sources
        }
        listed = [s.key for s in p.sources]
        assert set(listed) == cited, name
        assert len(listed) == len(set(listed))
        assert all(s.text for s in p.sources)


def test_trace_names_the_facts_that_fired_each_design(all_plans: dict) -> None:
    for name, p in all_plans.items():
        fired = {(t.rule_id, t.goal_id) for t in p.trace if t.fired}
        for gp in p.goals:
            for d in gp.designs:
                owner = d.goal_ids[0]
                assert (d.rule_id, owner) in fired, (name, d.rule_id)
        for t in p.trace:
            if t.fired and t.reason.startswith("proposed"):
                assert t.facts, (name, t.rule_id)


def test_implant_ids_are_one_per_site(all_plans: dict) -> None:
    for name, p in all_plans.items():
        seen: dict[str, tuple] = {}
        for gp in p.goals:
            for d in gp.designs:
                ids = [i.id for i in d.implants]
                assert len(ids) == len(set(ids)), (name, d.id)
                for i in d.implants:
                    key = (i.site, i.head)
                    assert seen.setdefault(i.id, key) == key, (name, i.id)
                    assert set(i.goal_ids) >= set(d.goal_ids) or len(d.goal_ids) == 1


def test_json_round_trip() -> None:
    p = plan_of("demo")
    again = Plan.model_validate_json(p.model_dump_json())
    assert again == p


def test_every_anchorage_method_is_reachable_from_an_example(all_plans: dict) -> None:
    kinds = {
        c.kind
        for p in all_plans.values()
        for gp in p.goals
        for d in gp.designs
        for c in d.connections
    }
    methods = {
        ConnectionKind.compression_spring,
        ConnectionKind.niti_tension_spring,
        ConnectionKind.elastic_chain,
        ConnectionKind.lever_arm,
        ConnectionKind.segmental_arch,
        ConnectionKind.cross_tube,
        ConnectionKind.band_auxiliary_slot,
        ConnectionKind.tpa,
        ConnectionKind.quadhelix,
        ConnectionKind.horseshoe_arch,
        ConnectionKind.composite_bond,
        ConnectionKind.ligature_tie_back,
        ConnectionKind.power_hook,
        ConnectionKind.expander,
        ConnectionKind.intermaxillary_fixation,
        ConnectionKind.elastic,
    }
    assert methods <= kinds, methods - kinds


def test_every_design_rule_proposes_in_some_example(all_plans: dict) -> None:
    from tadplan.knowledge import load_knowledge

    used = {d.rule_id for p in all_plans.values() for gp in p.goals for d in gp.designs}
    fired = {t.rule_id for p in all_plans.values() for t in p.trace if t.fired}
    for r in load_knowledge().rules:
        assert r.id in (used if r.is_design else fired), r.id


def test_examples_cover_every_application(all_plans: dict) -> None:
    from tadplan.knowledge import load_knowledge

    apps = {r.application for r in load_knowledge().rules if r.is_design}
    used = {d.rule_id for p in all_plans.values() for gp in p.goals for d in gp.designs}
    reached = {r.application for r in load_knowledge().rules if r.id in used}
    assert apps == reached
    assert len(example_paths()) >= 16
