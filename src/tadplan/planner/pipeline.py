"""``plan(case)``: propose -> combine -> rank -> place and analyse (anatomy, mechanics) and
re-rank -> cite.

Each step is a separate function so later steps (anatomy places and checks sites,
mechanics computes force systems) slot in between :func:`combine` and :func:`rank`.
"""

from __future__ import annotations

from tadplan import __version__
from tadplan.anatomy.safety import place_implant
from tadplan.case.model import Case
from tadplan.knowledge import Knowledge, load_knowledge
from tadplan.model import (
    Connection,
    Design,
    GoalPlan,
    GoalSummary,
    Implant,
    Plan,
    SourceRef,
    TraceEntry,
    Warning,
)
from tadplan.planner.analyse import analyse_designs
from tadplan.planner.combine import combine
from tadplan.planner.propose import Draft, DraftImplant, GoalDrafts, limit_implants, propose
from tadplan.planner.rank import criteria, has_danger, order, score


def _amount(case: Case, i: int) -> str:
    g = case.goals[i]
    if g.amount_mm is not None:
        return f"{g.amount_mm:g} mm"
    if g.amount_deg is not None:
        return f"{g.amount_deg:g} deg"
    return ""


def freeze(
    d: Draft, gd: GoalDrafts, knowledge: Knowledge, placed: frozenset[str] = frozenset()
) -> Design:
    """The Design of draft ``d`` as listed under goal ``gd`` (ranked against its demand)."""
    cs = criteria(d, gd.ctx.goal.anchorage_demand, knowledge, placed, gd.ctx.case)
    implants = [
        Implant(
            id=i.id,
            site=i.site,
            diameter_mm=i.diameter_mm,
            length_mm=i.length_mm,
            head=i.head,
            purpose=i.purpose,
            goal_ids=list(i.goal_ids),
            stage=i.stage,
            apical=i.apical,
        )
        for i in _unique_implants(d)
    ]
    conns = [
        Connection(
            id=f"{d.id}-c{n}",
            kind=c.kind,
            from_implants=list(dict.fromkeys(i.id for i in c.from_refs)),
            teeth=c.teeth,
            attachment=c.attachment,
            attachment_site=c.attachment_site,
            hook_teeth=c.hook_teeth,
            module=c.module,
            activation_mm=c.activation_mm,
            activation=c.activation,
            passive=c.passive,
            force_g=c.force_g,
            force_source=c.force_source,
        )
        for n, c in enumerate(d.connections, start=1)
    ]
    return Design(
        id=d.id,
        rule_id=d.rule.id,
        title=d.title,
        goal_ids=list(d.goal_ids),
        anchorage=d.anchorage,
        implants=implants,
        connections=conns,
        activation=list(d.activation),
        reactivation=d.reactivation,
        prerequisites=list(d.prerequisites),
        warnings=list(d.warnings),
        alternatives=list(d.alternatives),
        sources=list(d.sources),
        score=score(cs),
        criteria=cs,
    )


def _unique_implants(d: Draft) -> list[DraftImplant]:
    out: list[DraftImplant] = []
    for i in d.implants:
        if all(i.id != o.id for o in out):
            out.append(i)
    return out


def _best(gd: GoalDrafts, knowledge: Knowledge, placed: frozenset[str]) -> Draft | None:
    if not gd.drafts:
        return None
    scores = [
        score(criteria(d, gd.ctx.goal.anchorage_demand, knowledge, placed, gd.ctx.case))
        for d in gd.drafts
    ]
    safe = [not has_danger(d.warnings) for d in gd.drafts]
    return gd.drafts[max(range(len(scores)), key=lambda k: (safe[k], scores[k], -k))]


def rank(goals: list[GoalDrafts], knowledge: Knowledge) -> list[GoalPlan]:
    """Rank each goal's designs; implants of the other goals' best designs count as placed."""
    best = [_best(gd, knowledge, frozenset()) for gd in goals]
    out = []
    for i, gd in enumerate(goals):
        placed = frozenset(
            imp.id for j, b in enumerate(best) if j != i and b is not None for imp in b.implants
        )
        ranked = order([freeze(d, gd, knowledge, placed) for d in gd.drafts])
        case = gd.ctx.case
        g = gd.ctx.goal
        summary = GoalSummary(
            id=gd.ctx.goal_id,
            kind=g.kind,
            teeth=list(gd.ctx.teeth),
            amount=_amount(case, i),
            anchorage_demand=g.anchorage_demand,
        )
        out.append(GoalPlan(goal=summary, designs=ranked, notes=list(gd.notes)))
    return out


def cite(ref: SourceRef, knowledge: Knowledge) -> SourceRef:
    return ref.model_copy(update={"text": knowledge.cite(ref.key)})


def cite_all(plan: Plan, knowledge: Knowledge) -> Plan:
    """Fill every SourceRef's text from the registry; list every cited source once."""
    keys: list[str] = []

    def c(refs: list[SourceRef]) -> list[SourceRef]:
        for r in refs:
            if r.key not in keys:
                keys.append(r.key)
        return [cite(r, knowledge) for r in refs]

    def w(ws: list[Warning]) -> list[Warning]:
        return [x.model_copy(update={"sources": c(x.sources)}) for x in ws]

    goals = [
        gp.model_copy(
            update={
                "designs": [
                    d.model_copy(update={"sources": c(d.sources), "warnings": w(d.warnings)})
                    for d in gp.designs
                ]
            }
        )
        for gp in plan.goals
    ]
    for gp in goals:
        for d in gp.designs:
            if d.mechanics is not None:
                c([SourceRef(key=k) for k in d.mechanics.sources])
    warnings = w(plan.warnings)
    sources = [SourceRef(key=k, text=knowledge.cite(k)) for k in keys]
    return plan.model_copy(update={"goals": goals, "warnings": warnings, "sources": sources})


def _implant_total_warning(case: Case, goal_plans: list[GoalPlan]) -> list[Warning]:
    """A warning when the first-ranked designs of all goals together insert more
    mini-implants than ``constraints.max_implants`` (each design alone is within it)."""
    limit = case.constraints.max_implants
    firsts = [gp.designs[0] for gp in goal_plans if gp.designs]
    ids = {i.id for d in firsts for i in d.implants}
    if limit is None or len(ids) <= limit:
        return []
    return [
        Warning(
            severity="caution",
            text=f"the first-ranked designs of all goals together need {len(ids)} "
            f"mini-implants, more than constraints.max_implants ({limit}): choose designs "
            "that share implants, or treat the goals one after the other",
        )
    ]


def plan(case: Case, knowledge: Knowledge | None = None) -> Plan:
    """Ranked anchorage designs for every goal of ``case``, with trace and sources."""
    kb = knowledge if knowledge is not None else load_knowledge()
    goals = propose(case, kb)
    over_limit = limit_implants(goals, case.constraints.max_implants)
    shared = combine(goals)
    adopted: list[TraceEntry] = []
    goal_plans = analyse_designs(rank(goals, kb), case, kb, place=place_implant, trace=adopted)
    warnings = [
        Warning(
            severity="caution",
            text=f"goal {gp.goal.id}: "
            + (
                "every design proposed needs more mini-implants than "
                f"constraints.max_implants ({case.constraints.max_implants})"
                if gp.goal.id in over_limit
                else "no rule of the knowledge base proposed a design"
            )
            + "; plan this goal by hand",
        )
        for gp in goal_plans
        if not gp.designs
    ]
    warnings += _implant_total_warning(case, goal_plans)
    trace = [t for gd in goals for t in gd.trace] + adopted
    result = Plan(
        tadplan_version=__version__,
        case=case,
        goals=goal_plans,
        shared_implants=shared,
        warnings=warnings,
        trace=trace,
    )
    return cite_all(result, kb)
