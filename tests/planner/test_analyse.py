"""The analysis step: every design carries its force system and the ranking uses it."""

from tadplan.model import ForceSystem, ImplantLoad, Plan
from tadplan.planner.analyse import mechanics_criterion, safety_criterion


def test_every_design_of_every_example_has_a_force_system(all_plans: dict[str, Plan]) -> None:
    for name, p in all_plans.items():
        for gp in p.goals:
            for d in gp.designs:
                crit = {c.name for c in d.criteria}
                assert {"mechanics", "site_safety"} <= crit, (name, d.id)
                if d.mechanics is None:
                    # only a mechanics error may leave it out, and then the design says so
                    assert any("force system not computed" in w.text for w in d.warnings)
                else:
                    assert d.mechanics.design_id == d.id
                    assert {i.implant_id for i in d.mechanics.implants} == {
                        i.id for i in d.implants
                    }


def test_ranks_follow_scores_after_analysis(all_plans: dict[str, Plan]) -> None:
    for p in all_plans.values():
        for gp in p.goals:
            # a design with a DANGER ranks below every design without one (issue 10)
            keys = [(any(w.severity == "danger" for w in d.warnings), -d.score) for d in gp.designs]
            assert keys == sorted(keys)
            assert [d.rank for d in gp.designs] == list(range(1, len(gp.designs) + 1))


def _fs(flags: list[str]) -> ForceSystem:
    load = ImplantLoad(
        implant_id="i1",
        head_mm=(0.0, 0.0, 0.0),
        axis=(0.0, 0.0, 1.0),
        head_position_derived=True,
        force_n=(1.0, 0.0, 0.0),
        force_g=102.0,
        moment_about_head_nmm=(0.0, 0.0, 0.0),
        torsion_nmm=0.0,
        bending_nmm=0.0,
        flags=flags,
    )
    return ForceSystem(design_id="d", connections=[], units=[], implants=[load], goals=[])


def test_mechanics_criterion_penalises_flagged_implants_and_failures() -> None:
    clean = mechanics_criterion(_fs([]), "g1", 0.15, None)
    flagged = mechanics_criterion(_fs(["over immediate-loading limit"]), "g1", 0.15, None)
    failed = mechanics_criterion(None, "g1", 0.15, "force system not computed: x")
    assert clean.value == 1.0
    assert flagged.value == 0.5 and "i1" in flagged.note
    assert failed.value == 0.0


def test_safety_criterion_takes_the_worst_site(all_plans: dict[str, Plan]) -> None:
    d = next(d for p in all_plans.values() for gp in p.goals for d in gp.designs)
    unknown = safety_criterion(d.model_copy(update={"implants": []}), 0.15)
    assert unknown.value == 0.5 and "no site measured" in unknown.note
    measured = [i for i in d.implants if i.safety is not None]
    assert measured, "placement must give the implants a safety verdict"
    worst = min(
        {"green": 1.0, "amber": 0.5, "red": 0.0}[i.safety.status]
        for i in measured
        if i.safety and i.safety.status != "unknown"
    )
    assert safety_criterion(d, 0.15).value == worst
    reused = safety_criterion(d, 0.15, frozenset(i.id for i in d.implants))
    assert reused.value == 1.0 and "another goal" in reused.note
