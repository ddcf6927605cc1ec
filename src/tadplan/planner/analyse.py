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
from dataclasses import dataclass
from typing import Protocol

from tadplan.anatomy import ToothLandmarks, average_landmarks
from tadplan.case.model import UNERUPTED, Case
from tadplan.knowledge import Knowledge
from tadplan.knowledge.schema import RankWeights
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


@dataclass(frozen=True)
class _Analysed:
    """One design placed and analysed: the design as fitted (power arm, adopted module), its
    force system (None: not computed, ``error`` says why) and what each fitting step did."""

    design: Design
    mechanics: ForceSystem | None
    error: str | None
    arm: ArmFit | None = None
    adoption: Adoption | None = None

    def warnings(self, case: Case, before: list[Warning]) -> list[Warning]:
        """``before`` with the mechanics' warnings, the planner's checks and what the
        fitting steps said (each once)."""
        out = list(before)
        fs = self.mechanics
        if fs is not None:
            out += [w for w in _mech_warnings(fs) if w not in out]
            out += [w for w in check_warnings(case, self.design.goal_ids, fs) if w not in out]
        elif self.error:
            out.append(Warning(severity="caution", text=self.error))
        if self.arm is not None:
            out += [w for w in self.arm.warnings if w not in out]
        if self.adoption is not None and self.adoption.warning is not None:
            out.append(self.adoption.warning)
        return out


def _with_buried_teeth(
    case: Case, landmarks: Mapping[int, ToothLandmarks] | None
) -> dict[int, ToothLandmarks]:
    """The dentition's landmarks, with the arch place of every unerupted or impacted tooth a
    goal brings into the arch: it is not in the mouth, but the mechanics act on it (they
    shift it by its stated displacement)."""
    lms = dict(landmarks) if landmarks is not None else average_landmarks(case)
    buried = {
        t
        for i in range(len(case.goals))
        for t in case.goals[i].teeth or ()
        if case.dentition.status(t) in UNERUPTED and t not in lms
    }
    if buried:
        lms.update(average_landmarks(None, teeth=buried))
    return lms


def _analyse_one(
    case: Case,
    d: Design,
    lms: Mapping[int, ToothLandmarks],
    place: Placer | None,
    placed_ids: dict[str, Implant],
    goal_id: str,
) -> _Analysed:
    """Place a design's implants, compute its force system, fit the power arm the goal's
    control asks for and the module the mechanics asks for."""
    sited = d
    if place is not None:
        implants = place_design(place, case, list(d.implants), placed_ids)
        sited = d.model_copy(update={"implants": implants})
    try:
        fs = analyse_design(case, sited, lms)
    except MechanicsError as exc:
        return _Analysed(sited, None, f"force system not computed: {exc}")
    arm = fit_power_arms(case, sited, fs, lms, analyse_design)
    ad = adopt_suggested_forces(case, arm.design, arm.mechanics, lms, analyse_design, goal_id)
    return _Analysed(ad.design, ad.mechanics, None, arm, ad)


def _rescored(
    case: Case,
    d: Design,
    done: _Analysed,
    goal_id: str,
    weights: RankWeights,
    placed: frozenset[str],
) -> Design:
    """A ranked design with its placement, mechanics, failure risk and warnings, scored
    again with the mechanics, site-safety and failure criteria."""
    sited, fs = done.design, done.mechanics
    assessed, marginal = assess(sited.model_copy(update={"mechanics": fs}), case, placed)
    risks = [i.risk for i in assessed.implants if i.risk is not None]
    labels = {i.id: i.site.label() for i in assessed.implants}
    failure = failure_criterion(marginal, risks, labels, weights.failure)
    cs = [
        failure if c.name == "failure" else c
        for c in d.criteria
        if c.name not in ("mechanics", "site_safety")
    ] + [
        mechanics_criterion(fs, goal_id, weights.mechanics, done.error),
        safety_criterion(sited, weights.site_safety, placed),
    ]
    return d.model_copy(
        update={
            "implants": assessed.implants,
            "risk": assessed.risk,
            "connections": sited.connections,
            "activation": sited.activation,
            "mechanics": fs,
            "estimated_duration_weeks": fs.estimated_duration_weeks if fs else None,
            "criteria": cs,
            "score": score(cs),
            "warnings": done.warnings(case, list(d.warnings)),
        }
    )


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
    lms = _with_buried_teeth(case, landmarks)
    weights = knowledge.tables.rank_weights
    assert weights is not None
    done: dict[str, _Analysed] = {}
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
                done[d.id] = _analyse_one(case, d, lms, place, placed_ids, gp.goal.id)
                ad = done[d.id].adoption
                if trace is not None and ad is not None and ad.trace is not None:
                    trace.append(ad.trace)
            designs.append(_rescored(case, d, done[d.id], gp.goal.id, weights, placed))
        out.append(gp.model_copy(update={"designs": order(designs)}))
    return out
