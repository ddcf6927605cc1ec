"""Pipeline step after ranking by rules: place implants on the dentition and compute each
design's force system, then let what the physics says take part in the ranking.

- placement (:mod:`tadplan.anatomy`) gives each implant a head position, an axis, a screw
  size check and its :class:`~tadplan.planner.model.SiteSafety`;
- mechanics (:mod:`tadplan.mechanics`) gives the design's :class:`ForceSystem`;
- the ``mechanics`` criterion (weight in ``tables.yaml`` ``rank_weights``) scores the force
  system: 1 when every dose is within its cited range and no implant is flagged, lowered
  for each out-of-range dose, flagged implant and danger warning;
- the ``site_safety`` criterion scores the placed sites: green 1, amber 0.5, red 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tadplan.anatomy import ToothLandmarks, average_landmarks
from tadplan.case.model import Case
from tadplan.knowledge import Knowledge
from tadplan.mechanics import ForceSystem, MechanicsError, analyse_design
from tadplan.planner.model import Design, GoalPlan, Implant, RankCriterion, SourceRef, Warning
from tadplan.planner.rank import score

Placer = Callable[[Case, Implant], Implant]

_SAFETY_VALUE = {"green": 1.0, "amber": 0.5, "red": 0.0}


def mechanics_criterion(fs: ForceSystem | None, weight: float, error: str | None) -> RankCriterion:
    """Score a force system 0-1: -0.25 per dose out of range, -0.25 per flagged implant,
    -0.25 per danger warning (floor 0). A design whose mechanics failed scores 0."""
    if fs is None:
        return RankCriterion(name="mechanics", value=0.0, weight=weight, note=error or "")
    out_of_range = [
        c.connection_id for c in fs.connections if c.dose is not None and c.dose.status != "within"
    ]
    flagged = [f"{i.implant_id}: {', '.join(i.flags)}" for i in fs.implants if i.flags]
    danger = [w.text for w in fs.warnings if w.severity == "danger"]
    value = max(0.0, 1.0 - 0.25 * (len(out_of_range) + len(flagged) + len(danger)))
    notes = []
    if out_of_range:
        notes.append(f"dose out of range: {', '.join(out_of_range)}")
    notes.extend(flagged)
    if not notes and not danger:
        notes.append("doses within cited ranges, no implant flagged")
    return RankCriterion(
        name="mechanics", value=round(value, 3), weight=weight, note="; ".join(notes)
    )


def safety_criterion(design: Design, weight: float) -> RankCriterion:
    states = [(i.id, i.safety.status) for i in design.implants if i.safety is not None]
    known = [(iid, s) for iid, s in states if s in _SAFETY_VALUE]
    if not known:
        return RankCriterion(
            name="site_safety", value=0.5, weight=weight, note="no site measured on the dentition"
        )
    worst = min(_SAFETY_VALUE[s] for _, s in known)
    note = ", ".join(f"{iid} {s}" for iid, s in known)
    return RankCriterion(name="site_safety", value=worst, weight=weight, note=note)


def _mech_warnings(fs: ForceSystem) -> list[Warning]:
    return [
        Warning(severity=w.severity, text=w.text, sources=[SourceRef(key=k) for k in w.sources])
        for w in fs.warnings
        if w.severity != "info"
    ]


def analyse_designs(
    goal_plans: list[GoalPlan],
    case: Case,
    knowledge: Knowledge,
    *,
    landmarks: Mapping[int, ToothLandmarks] | None = None,
    place: Placer | None = None,
) -> list[GoalPlan]:
    """Attach placement and mechanics to every design and re-rank each goal's designs."""
    lms = dict(landmarks) if landmarks is not None else average_landmarks(case)
    weights = knowledge.tables.rank_weights
    assert weights is not None
    done: dict[str, tuple[Design, ForceSystem | None, str | None]] = {}
    out: list[GoalPlan] = []
    for gp in goal_plans:
        designs = []
        for d in gp.designs:
            if d.id not in done:
                placed = d
                if place is not None:
                    placed = d.model_copy(
                        update={"implants": [place(case, imp) for imp in d.implants]}
                    )
                try:
                    fs: ForceSystem | None = analyse_design(case, placed, lms)
                    err = None
                except MechanicsError as exc:
                    fs, err = None, f"force system not computed: {exc}"
                done[d.id] = (placed, fs, err)
            placed, fs, err = done[d.id]
            extra = [
                mechanics_criterion(fs, weights.mechanics, err),
                safety_criterion(placed, weights.site_safety),
            ]
            cs = [c for c in d.criteria if c.name not in ("mechanics", "site_safety")] + extra
            warnings = list(d.warnings)
            if fs is not None:
                warnings += [w for w in _mech_warnings(fs) if w not in warnings]
            elif err:
                warnings.append(Warning(severity="caution", text=err))
            designs.append(
                d.model_copy(
                    update={
                        "implants": placed.implants,
                        "mechanics": fs,
                        "estimated_duration_weeks": fs.estimated_duration_weeks if fs else None,
                        "criteria": cs,
                        "score": score(cs),
                        "warnings": warnings,
                    }
                )
            )
        order = sorted(range(len(designs)), key=lambda k: (-designs[k].score, designs[k].rank))
        ranked = [designs[k].model_copy(update={"rank": r}) for r, k in enumerate(order, 1)]
        out.append(gp.model_copy(update={"designs": ranked}))
    return out
