"""Step 4 of the pipeline: rank each goal's designs by explicit, weighted criteria.

Criteria (each 0-1, 1 best; weights from ``tables.yaml`` ``rank_weights``):

- ``demand_met``: the anchorage the design provides against the goal's demand;
- ``failure``: 1 - probability that any new implant of the design is lost, from the
  failure-risk model :mod:`tadplan.risk` (site, screw size, patient; once the implants are
  placed and the mechanics computed, :mod:`tadplan.planner.analyse` re-scores it with the
  root clearance, soft tissue and load: :mod:`tadplan.planner.failure`);
- ``root_risk``: 1 - the highest root risk of the sites of its new implants;
- ``implant_count``: 1 / (1 + number of new implants);

Order: a design that carries a DANGER warning (from the rules, the force system, e.g. a
torque above the screw's removal torque, or :mod:`tadplan.planner.checks`, e.g. a force that
moves the goal's teeth the wrong way) ranks below every design without one, whatever its
score; within each group the score decides (:func:`order`).

"New" implants are those not already placed by the best design of another goal of the
case: a design that reuses them adds no implant, no failure and no root risk to the plan
(marginal cost). Ranking runs twice: once per goal alone, then with the other goals'
best designs known.
- ``preference``: the rule author's stated preference (e.g. NiTi spring over chain);
- ``shared``: fraction of the design's implants that also serve other goals;
- ``warnings``: 1 minus ``tables.yaml`` ``warning_penalty`` for each caution/danger warning
  the rules attached to the design (e.g. an implant in the path of teeth another goal
  moves), not below 0; info notes and the force system's warnings (in ``mechanics``) do not
  count.
"""

from __future__ import annotations

from tadplan.case.model import AnchorageDemand, Case
from tadplan.knowledge import Knowledge
from tadplan.model import Design, RankCriterion, Warning
from tadplan.planner.failure import failure_criterion, implant_facts
from tadplan.planner.propose import Draft, site_matches
from tadplan.risk import design_risk, implant_risk

DEMANDS = list(AnchorageDemand)


def warnings_criterion(warnings: list[Warning], knowledge: Knowledge) -> RankCriterion:
    """Score the rule engine's caution/danger warnings of a design (1 none, 0 worst)."""
    w = knowledge.tables.rank_weights
    assert w is not None
    pen = knowledge.tables.warning_penalty
    penalty = {"caution": pen.caution, "danger": pen.danger} if pen else {}
    hits = [x for x in warnings if penalty.get(x.severity, 0.0) > 0]
    value = max(0.0, 1.0 - sum(penalty[x.severity] for x in hits))
    note = (
        "; ".join(f"{x.severity}: {x.text[:70]}" for x in hits)
        if hits
        else "no caution or danger from the rules"
    )
    return RankCriterion(name="warnings", value=round(value, 3), weight=w.warnings, note=note)


def criteria(
    d: Draft,
    demand: AnchorageDemand,
    knowledge: Knowledge,
    placed: frozenset[str] = frozenset(),
    case: Case | None = None,
) -> list[RankCriterion]:
    """Criteria of design ``d`` for a goal needing ``demand``; ``placed``: implant ids
    already placed by the other goals' best designs; ``case``: the patient (age, smoking)
    and site assessments for the failure risk."""
    w = knowledge.tables.rank_weights
    assert w is not None
    need, have = DEMANDS.index(demand), DEMANDS.index(AnchorageDemand(d.provides))
    met = 1.0 if have >= need else (have + 1) / (need + 1)
    root = 0.0
    new = [i for i in d.implants if i.id not in placed]
    reused = sorted({i.id for i in d.implants if i.id in placed})
    for imp in new:
        row = next(r for r in knowledge.tables.site_risks if site_matches(r.match, imp.site))
        root = max(root, row.root_risk)
    unique = list({i.id: i for i in new}.values())
    facts = [implant_facts(i.id, i.site, i.diameter_mm, i.length_mm, case) for i in unique]
    risks = [implant_risk(f) for f in facts]
    failure = failure_criterion(
        design_risk(risks, facts), risks, {i.id: i.site.label() for i in unique}, w.failure
    )
    n = len({i.id for i in new})
    total = len(d.implants)
    shared = sum(1 for i in d.implants if len(i.goal_ids) > 1) / total if total else 0.0
    reuse_note = f"; reuses {', '.join(reused)} placed for another goal" if reused else ""
    return [
        RankCriterion(
            name="demand_met",
            value=round(met, 3),
            weight=w.demand_met,
            note=f"provides {d.provides}, goal needs {demand.value}",
        ),
        failure,
        RankCriterion(
            name="root_risk",
            value=round(1.0 - root, 3),
            weight=w.root_risk,
            note=f"highest root risk of the sites {root:g} (0 none, 1 inter-radicular)",
        ),
        RankCriterion(
            name="implant_count",
            value=round(1.0 / (1 + n), 3),
            weight=w.implant_count,
            note=f"{n} new implant(s){reuse_note}",
        ),
        RankCriterion(
            name="preference", value=d.preference, weight=w.preference, note=f"rule {d.rule.id}"
        ),
        RankCriterion(
            name="shared",
            value=round(shared, 3),
            weight=w.shared,
            note="fraction of implants that also serve other goals",
        ),
        warnings_criterion(d.warnings, knowledge),
    ]


def score(cs: list[RankCriterion]) -> float:
    total = sum(c.weight for c in cs)
    return round(sum(c.value * c.weight for c in cs) / total, 4) if total else 0.0


def has_danger(warnings: list[Warning]) -> bool:
    return any(w.severity == "danger" for w in warnings)


def order(designs: list[Design]) -> list[Design]:
    """``designs`` ranked: those without a DANGER first, then by score (higher first), then
    by their previous rank; ``rank`` renumbered from 1."""
    keyed = sorted(
        range(len(designs)),
        key=lambda k: (has_danger(designs[k].warnings), -designs[k].score, designs[k].rank, k),
    )
    return [designs[k].model_copy(update={"rank": r}) for r, k in enumerate(keyed, 1)]
