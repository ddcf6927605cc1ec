"""Does a design move the goal's teeth the way the goal asks, and leave alone the teeth the
case holds? A pure check on a computed :class:`~tadplan.model.ForceSystem`.

For each part of the goal's teeth (a one-sided unit, or each side of a unit that spans the
midline, in that side's own frame) the net force must point the way the goal asks:

- retraction and distalisation: posterior (distal); protraction and mesialisation: anterior
  (mesial); intrusion: intrusive; extrusion: extrusive;
- expansion: buccal on each side; crossbite correction: towards the side the crossbite
  finding asks (a palatal/lingual crossbite: upper buccal, lower lingual; a scissor bite the
  reverse; an anterior crossbite: upper labial, lower lingual; no finding: buccal);
- uprighting: a moment that tips the crown distally;

and its component along that direction must be at least ``goal_share_min`` of the force
(``data/checks.yaml``). Teeth of the case's anchorage-maintenance goals that are not moved by
the goal may carry at most the cited lowest optimal tipping force per tooth.

Each failure is a :class:`Finding` with a stable ``code``; the planner turns them into DANGER
warnings and ranks such designs below every design without one (:mod:`.rank`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np

from tadplan._yaml import load_data
from tadplan.case import fdi
from tadplan.case.model import Case, CrossbiteKind, Goal, MovementKind
from tadplan.mechanics import mechanics_data
from tadplan.mechanics.system import crossbite_of
from tadplan.model import (
    Components,
    ForceSystem,
    MomentComponents,
    PatientComponents,
    UnitForceSystem,
)

Code = Literal[
    "goal_force_wrong_way",
    "goal_force_mostly_side_effect",
    "anchor_teeth_loaded",
]
"""Stable codes of the findings (the warning's ``code``)."""


@dataclass(frozen=True)
class Finding:
    """One way a design fails its goal: ``code`` (stable), the teeth concerned, the words."""

    code: Code
    goal_id: str | None
    teeth: tuple[int, ...]
    text: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bounds:
    goal_share_min: float
    goal_share_source: str
    shared_goal_share_min: float
    anchor_per_tooth_g: float
    anchor_source: str


@cache
def bounds() -> Bounds:
    """The check's bounds (``data/checks.yaml``; the anchor bound from the cited ranges)."""
    raw = load_data(resources.files("tadplan.planner").joinpath("data/checks.yaml").read_text())
    tipping = mechanics_data().ranges.per_tooth_by_movement.uncontrolled_tipping
    return Bounds(
        goal_share_min=float(raw["goal_share_min"]["value"]),
        goal_share_source=str(raw["goal_share_min"]["source"]),
        shared_goal_share_min=float(raw["shared_goal_share_min"]["value"]),
        anchor_per_tooth_g=float(tipping.low_g),
        anchor_source=tipping.source,
    )


@dataclass(frozen=True)
class _Part:
    """One side's (or a one-sided unit's) force in its own frame."""

    teeth: tuple[int, ...]
    force_g: float
    local: Components
    patient: PatientComponents
    moment: MomentComponents


def _parts(u: UnitForceSystem) -> list[_Part]:
    if u.components is not None:
        return [_Part(tuple(u.teeth), u.force_g, u.components, u.resultant, u.moment_components)]
    return [
        _Part(tuple(s.teeth), s.force_g, s.components, s.resultant, s.moment_components)
        for s in u.sides
    ]


def _outward(goal: Goal, teeth: Sequence[int], case: Case | None) -> float:
    """+1 when the goal moves ``teeth`` out of the arch (buccal/labial), -1 into it."""
    upper = fdi.arch(teeth[0]) == "maxilla"
    if goal.kind == MovementKind.expansion or case is None:
        return 1.0
    for cb in case.findings.crossbites:
        if not set(cb.teeth) & set(teeth) and not set(cb.teeth) & set(goal.tooth_list()):
            continue
        if cb.kind == CrossbiteKind.posterior_buccal:  # scissor bite
            return -1.0 if upper else 1.0
        return 1.0 if upper else -1.0
    return 1.0


def _along(goal: Goal, p: _Part, case: Case | None) -> tuple[float, str] | None:
    """The part's force component along the goal's direction (g; for uprighting the crown's
    distal tipping moment, N*mm) and the direction's name; None when the goal gives none."""
    k = goal.kind
    inner = "palatal" if fdi.arch(p.teeth[0]) == "maxilla" else "lingual"
    if k in (MovementKind.retraction, MovementKind.distalisation):
        return -p.patient.anterior_g, "distal (posterior)"
    if k in (MovementKind.protraction, MovementKind.mesialisation):
        return p.patient.anterior_g, "mesial (anterior)"
    if k == MovementKind.intrusion:  # perpendicular to the occlusal plane, not the long axis
        return p.patient.intrusive_g, "intrusive"
    if k == MovementKind.extrusion:
        return -p.patient.intrusive_g, "extrusive"
    if (
        k == MovementKind.crossbite_correction
        and case is not None
        and crossbite_of(case, goal.tooth_list()) == CrossbiteKind.anterior
    ):
        # labial for the upper incisors is forward, whatever frame the unit (the half-arch a
        # Class III elastic moves from the molar hook) has
        upper = fdi.arch(p.teeth[0]) == "maxilla"
        sign = 1.0 if upper else -1.0
        return sign * p.patient.anterior_g, "labial (forward)" if upper else "lingual (back)"
    if k in (MovementKind.expansion, MovementKind.crossbite_correction):
        out = _outward(goal, p.teeth, case)
        outer = "labial" if all(fdi.is_anterior(t) for t in p.teeth) else "buccal"
        return out * p.local.buccal_g, outer if out > 0 else inner
    if k == MovementKind.uprighting:
        return -p.moment.about_buccal_nmm, "a distal crown-tipping moment"
    return None


def direction_check(
    goal: Goal,
    teeth: Sequence[int],
    fs: ForceSystem,
    *,
    goal_id: str | None = None,
    case: Case | None = None,
    anchor_teeth: Sequence[int] = (),
    also: Sequence[tuple[Goal, Sequence[int]]] = (),
) -> list[Finding]:
    """Findings for ``goal`` (moving ``teeth``) in the force system ``fs`` of one design: the
    net force on each side of the goal's teeth against the goal's direction, and the load on
    ``anchor_teeth`` (teeth the case holds) against the anchorage bound. [] when it passes.
    ``case`` gives the crossbite findings (which way a crossbite is corrected); ``also``: the
    design's other goals (goal, teeth), whose movement of the same teeth is no side effect.
    A goal whose teeth get no force from the design (indirect anchorage: conventional
    mechanics, not modelled, move them) is not judged."""
    gid = goal_id or goal.id
    goal_teeth = set(teeth)
    parts = [
        p
        for u in fs.units
        if goal_teeth & set(u.teeth)
        for p in _parts(u)
        if goal_teeth & set(p.teeth)
    ]
    out = [f for p in parts if (f := _part_finding(goal, gid, p, case, also)) is not None]
    held = [t for t in anchor_teeth if t not in goal_teeth]
    return out + (_anchor_findings(gid, fs, held, goal_teeth) if held else [])


def _part_finding(
    goal: Goal,
    gid: str | None,
    p: _Part,
    case: Case | None,
    also: Sequence[tuple[Goal, Sequence[int]]],
) -> Finding | None:
    """The finding for the force on one side of the goal's teeth: it moves them the wrong
    way, or mostly another way (or serves another goal of the design); None when it passes."""
    along = _along(goal, p, case)
    if along is None:
        return None
    b = bounds()
    value, name = along
    label = " ".join(map(str, p.teeth))
    if goal.kind == MovementKind.uprighting:
        if value > 0:
            return None
        text = f"goal {gid}: the moment on {label} tips the crown mesially; uprighting needs {name}"
        return Finding("goal_force_wrong_way", gid, p.teeth, text)
    if p.force_g < 1e-6 or value <= 0:
        text = (
            f"goal {gid} ({goal.kind.value}): the net force on {label} ({p.force_g:.0f} g) "
            f"moves them the wrong way: its {name} component is {value:+.0f} g"
        )
        return Finding("goal_force_wrong_way", gid, p.teeth, text)
    # the design's other goals on these teeth: their movement is wanted too
    wanted = [value] + [
        v
        for g, gt in also
        if set(gt) & set(p.teeth) and g.kind != MovementKind.uprighting
        for v, _ in [_along(g, p, case) or (0.0, "")]
        if v > 0
    ]
    shared = len(wanted) > 1 and value < b.shared_goal_share_min * p.force_g
    if not shared and float(np.hypot.reduce(wanted)) >= b.goal_share_min * p.force_g:
        return None
    share, rest = (
        (
            b.shared_goal_share_min,
            "the force serves the design's other goal and leaves this one undone",
        )
        if shared
        else (b.goal_share_min, "the rest moves the teeth another way")
    )
    text = (
        f"goal {gid} ({goal.kind.value}): only {value:.0f} of the {p.force_g:.0f} g on "
        f"{label} is {name} (less than {share:.0%}): {rest}"
    )
    return Finding("goal_force_mostly_side_effect", gid, p.teeth, text, (b.goal_share_source,))


def _anchor_findings(
    gid: str | None, fs: ForceSystem, held: Sequence[int], goal_teeth: set[int]
) -> list[Finding]:
    """A unit of held teeth (not the goal's) that carries more than the anchorage bound."""
    b = bounds()
    out = []
    for u in [*fs.units, *fs.anchorage]:
        on = sorted(set(u.teeth) & set(held))
        if not on or set(u.teeth) & goal_teeth:
            continue
        bound = b.anchor_per_tooth_g * len(u.teeth)
        if u.force_g > bound + 0.5:
            out.append(
                Finding(
                    "anchor_teeth_loaded",
                    gid,
                    tuple(on),
                    f"goal {gid}: the teeth held for anchorage "
                    f"{' '.join(map(str, on))} carry {u.force_g:.0f} g (unit "
                    f"{' '.join(map(str, u.teeth))}), more than {bound:.0f} g "
                    f"({b.anchor_per_tooth_g:g} g per tooth): they will move",
                    (b.anchor_source,),
                )
            )
    return out


def anchor_teeth(case: Case) -> list[int]:
    """The teeth the case's anchorage-maintenance goals hold."""
    return sorted(
        {
            t
            for i, g in enumerate(case.goals)
            if g.kind == MovementKind.anchorage_maintenance
            for t in case.goal_teeth(i)
        }
    )


def design_checks(case: Case, goal_ids: Sequence[str], fs: ForceSystem) -> list[Finding]:
    """:func:`direction_check` for each of the design's goals (``goal_ids``; all the case's
    goals when empty)."""
    ids = case.goal_ids()
    held = anchor_teeth(case)
    mine = [i for i, gid in enumerate(ids) if not goal_ids or gid in goal_ids]
    out: list[Finding] = []
    for i in mine:
        also = [(case.goals[j], case.goal_teeth(j)) for j in mine if j != i]
        out += direction_check(
            case.goals[i],
            case.goal_teeth(i),
            fs,
            goal_id=ids[i],
            case=case,
            anchor_teeth=held,
            also=also,
        )
    return out
