"""Pipeline step after ranking by rules: place implants on the dentition and compute each
design's force system, then let what the physics says take part in the ranking.

- placement (:mod:`tadplan.anatomy`) gives each implant a head position, an axis, a screw
  size check and its :class:`~tadplan.model.SiteSafety`;
- mechanics (:mod:`tadplan.mechanics`) gives the design's :class:`ForceSystem`;
- the ``mechanics`` criterion (weight in ``tables.yaml`` ``rank_weights``) scores the force
  system for the goal it is listed under: 1 when the goal's doses are within their cited
  ranges and no implant is flagged (see :func:`mechanics_criterion`);
- the ``site_safety`` criterion scores the placed sites: green 1, amber 0.5, red 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from tadplan.anatomy import ToothLandmarks, average_landmarks
from tadplan.case.model import UNERUPTED, Case
from tadplan.knowledge import Knowledge
from tadplan.mechanics import MechanicsError, analyse_design
from tadplan.model import (
    Design,
    ForceSystem,
    GoalPlan,
    Implant,
    RankCriterion,
    SourceRef,
    TraceEntry,
    Warning,
)
from tadplan.planner.adopt import Adoption, adopt_suggested_forces
from tadplan.planner.checks import design_checks
from tadplan.planner.failure import assess, failure_criterion
from tadplan.planner.power_arms import ArmFit, fit_power_arms
from tadplan.planner.rank import order, score


class Placer(Protocol):
    """Places one implant; ``occupied_mm`` are the heads already placed in the design."""

    def __call__(
        self, case: Case, implant: Implant, occupied_mm: Sequence[Sequence[float]] = ()
    ) -> Implant: ...


def place_design(
    place: Placer, case: Case, implants: list[Implant], placed: dict[str, Implant]
) -> list[Implant]:
    """Place a design's implants in order, each seeing the heads already placed in the
    design (two screws never share one hole). An implant id already in ``placed`` (the same
    screw in another design: ids follow site and ordinal) keeps that placement and is
    counted first; new placements are added to ``placed``."""
    out: dict[str, Implant] = {}
    for imp in implants:
        if imp.id in placed:
            p = placed[imp.id]
            keep = ("site", "head_position_mm", "axis", "safety")
            out[imp.id] = imp.model_copy(update={k: getattr(p, k) for k in keep})
    for imp in implants:
        if imp.id not in out:
            heads = [i.head_position_mm for i in out.values() if i.head_position_mm is not None]
            out[imp.id] = placed[imp.id] = place(case, imp, occupied_mm=heads)
    return [out[i.id] for i in implants]


_SAFETY_VALUE = {"green": 1.0, "amber": 0.5, "red": 0.0}


def mechanics_criterion(
    fs: ForceSystem | None, goal_id: str, weight: float, error: str | None
) -> RankCriterion:
    """Score a force system 0-1 for one goal: half of it is the share of this goal's
    connections whose dose lies within its cited range, half the share of the design's
    implants that carry no flag (overload, unresisted moment). A design whose mechanics
    could not be computed scores 0."""
    if fs is None:
        return RankCriterion(name="mechanics", value=0.0, weight=weight, note=error or "")
    dosed = [c for c in fs.connections if c.dose is not None and c.goal_id == goal_id]
    off = [c.connection_id for c in dosed if c.dose is not None and c.dose.status != "within"]
    flagged = [f"{i.implant_id}: {', '.join(i.flags)}" for i in fs.implants if i.flags]
    dose_ok = 1.0 - len(off) / len(dosed) if dosed else 1.0
    load_ok = 1.0 - len(flagged) / len(fs.implants) if fs.implants else 1.0
    value = 0.5 * dose_ok + 0.5 * load_ok
    notes = []
    if off:
        notes.append(f"dose out of the cited range: {', '.join(off)}")
    notes.extend(flagged)
    return RankCriterion(
        name="mechanics",
        value=round(value, 3),
        weight=weight,
        note="; ".join(notes) or "doses within cited ranges, no implant flagged",
    )


def safety_criterion(
    design: Design, weight: float, placed: frozenset[str] = frozenset()
) -> RankCriterion:
    """The worst traffic light among the design's new implants (green 1, amber 0.5, red 0).
    Implants in ``placed`` (put in by another goal's best design) add no new risk, as in
    :mod:`tadplan.planner.rank`."""
    states = [
        (i.id, i.safety.status)
        for i in design.implants
        if i.safety is not None and i.id not in placed and i.safety.status in _SAFETY_VALUE
    ]
    if not states:
        reused = any(i.id in placed for i in design.implants)
        note = "all implants placed for another goal" if reused else "no site measured"
        return RankCriterion(
            name="site_safety", value=1.0 if reused else 0.5, weight=weight, note=note
        )
    worst = min(_SAFETY_VALUE[s] for _, s in states)
    note = ", ".join(f"{iid} {s}" for iid, s in states)
    return RankCriterion(name="site_safety", value=worst, weight=weight, note=note)


def _mech_warnings(fs: ForceSystem) -> list[Warning]:
    return [
        Warning(
            severity=w.severity,
            code=w.code,
            text=w.text,
            sources=[SourceRef(key=k) for k in w.sources],
        )
        for w in fs.warnings
        if w.severity != "info"
    ]


def check_warnings(case: Case, goal_ids: Sequence[str], fs: ForceSystem) -> list[Warning]:
    """DANGER warnings for what :func:`tadplan.planner.checks.design_checks` finds: forces
    that do not move the goal's teeth the way it asks, or that move the teeth it holds."""
    return [
        Warning(
            severity="danger",
            code=f.code,
            text=f"{f.text} (ranked below every design without a danger)",
            sources=[SourceRef(key=k) for k in f.sources],
        )
        for f in design_checks(case, goal_ids, fs)
    ]


def analyse_designs(
    goal_plans: list[GoalPlan],
    case: Case,
    knowledge: Knowledge,
    *,
    landmarks: Mapping[int, ToothLandmarks] | None = None,
    place: Placer | None = None,
    trace: list[TraceEntry] | None = None,
) -> list[GoalPlan]:
    """Attach placement and mechanics to every design and re-rank each goal's designs.

    A force out of its cited range is raised or lowered to the module the mechanics
    suggests (:mod:`tadplan.planner.adopt`); each such step is appended to ``trace``."""
    lms = dict(landmarks) if landmarks is not None else average_landmarks(case)
    # an unerupted or impacted tooth a goal brings into the arch is not in the mouth, but the
    # mechanics act on it: its arch place (the mechanics shift it by its stated displacement)
    buried = {
        t
        for i in range(len(case.goals))
        for t in case.goals[i].teeth or ()
        if case.dentition.status(t) in UNERUPTED and t not in lms
    }
    if buried:
        lms.update(average_landmarks(None, teeth=buried))
    weights = knowledge.tables.rank_weights
    assert weights is not None
    done: dict[str, tuple[Design, ForceSystem | None, str | None]] = {}
    adopted: dict[str, Adoption] = {}
    arms: dict[str, ArmFit] = {}
    placed_ids: dict[str, Implant] = {}
    best = [gp.designs[0] if gp.designs else None for gp in goal_plans]
    out: list[GoalPlan] = []
    for n, gp in enumerate(goal_plans):
        placed = frozenset(
            imp.id for j, b in enumerate(best) if j != n and b is not None for imp in b.implants
        )
        designs = []
        for d in gp.designs:
            if d.id not in done:
                sited = d
                if place is not None:
                    implants = place_design(place, case, list(d.implants), placed_ids)
                    sited = d.model_copy(update={"implants": implants})
                try:
                    fs: ForceSystem | None = analyse_design(case, sited, lms)
                    err = None
                except MechanicsError as exc:
                    fs, err = None, f"force system not computed: {exc}"
                if fs is not None:  # fit the power arm the goal's control asks for
                    arm = fit_power_arms(case, sited, fs, lms, analyse_design)
                    sited, fs, arms[d.id] = arm.design, arm.mechanics, arm
                if fs is not None:  # fit the module the mechanics asks for
                    ad = adopt_suggested_forces(case, sited, fs, lms, analyse_design, gp.goal.id)
                    sited, fs, adopted[d.id] = ad.design, ad.mechanics, ad
                    if trace is not None and ad.trace is not None:
                        trace.append(ad.trace)
                done[d.id] = (sited, fs, err)
            sited, fs, err = done[d.id]
            assessed, marginal = assess(sited.model_copy(update={"mechanics": fs}), case, placed)
            extra = [
                mechanics_criterion(fs, gp.goal.id, weights.mechanics, err),
                safety_criterion(sited, weights.site_safety, placed),
            ]
            risks = [i.risk for i in assessed.implants if i.risk is not None]
            labels = {i.id: i.site.label() for i in assessed.implants}
            failure = failure_criterion(marginal, risks, labels, weights.failure)
            cs = [
                failure if c.name == "failure" else c
                for c in d.criteria
                if c.name not in ("mechanics", "site_safety")
            ] + extra
            warnings = list(d.warnings)
            if fs is not None:
                warnings += [w for w in _mech_warnings(fs) if w not in warnings]
                warnings += [
                    w for w in check_warnings(case, sited.goal_ids, fs) if w not in warnings
                ]
            elif err:
                warnings.append(Warning(severity="caution", text=err))
            if d.id in arms:
                warnings += [w for w in arms[d.id].warnings if w not in warnings]
            adoption = adopted.get(d.id)
            if adoption is not None and adoption.warning is not None:
                warnings.append(adoption.warning)
            designs.append(
                d.model_copy(
                    update={
                        "implants": assessed.implants,
                        "risk": assessed.risk,
                        "connections": sited.connections,
                        "activation": sited.activation,
                        "mechanics": fs,
                        "estimated_duration_weeks": fs.estimated_duration_weeks if fs else None,
                        "criteria": cs,
                        "score": score(cs),
                        "warnings": warnings,
                    }
                )
            )
        out.append(gp.model_copy(update={"designs": order(designs)}))
    return out
