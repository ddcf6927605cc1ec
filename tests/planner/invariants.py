"""Clinical invariants of a plan, checked independently of the planner's own frames.

The oracle works in the patient frame of :mod:`tadplan.anatomy.frame` only (+x patient's
left, +y anterior, +z superior), from FDI numbers and the force vectors the mechanics reports,
so a wrong local frame in the mechanics cannot hide a wrong force. For every design of a plan:

- the force on the goal's teeth, side by side, points the way the goal asks;
- teeth the goal holds (anchorage maintenance) get no active force beyond a bound, and a goal
  asking absolute anchorage leaves no reaction beyond a bound on unheld teeth;
- every number the mechanics reports is finite;
- a design that breaks any of these carries a DANGER and ranks below every design that passes;
  no design with a DANGER ranks above one without.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from tadplan.anatomy import average_landmarks
from tadplan.case import fdi
from tadplan.case.model import HOLDING_KINDS, Case, CrossbiteKind, Displacement, Goal, MovementKind
from tadplan.model import Design, GoalPlan, Plan

G_PER_N = 1 / 0.00980665

MAX_ANGLE_DEG = 60.0
"""How far a side's force may lean off the goal's direction and still count as moving the
teeth that way (cos 60 deg = 0.5: at least half the force works for the goal)."""

MIN_FORCE_G = 1.0
"""Below this a side gets no force worth judging (passive designs, rigid links)."""

DISTALISATION_VERTICAL_RATIO = 0.5
"""A distalising force's vertical side component may not exceed half its distal component
(27 deg off the occlusal plane). Mini-implant distalisers move the upper first molars about
2.3 mm distally with 0.1-0.8 mm of vertical change (Miresmaeili 2015, Korean J Orthod 45(5),
Results) and 4.1 +/- 1.6 mm with 0.6 +/- 0.5 mm intrusion (Duran 2016, AJO-DO 150:188-97,
Results); a push along the line from an apical screw to the molar breaks the bound."""

SHARED_MIN_SHARE = 0.2
"""A design serving several goals on the same teeth must give each goal at least this share of
the side's force along its direction (apical retraction implants that are said to intrude the
incisors must have an intrusive component)."""

HELD_FORCE_G = 25.0
"""Active force (not an external appliance the implants hold against) on teeth a goal holds."""

UNHELD_REACTION_G = 50.0
"""Reaction left on unheld anchor teeth when the goal asks absolute anchorage."""


@dataclass(frozen=True)
class Violation:
    design_id: str
    goal_id: str
    what: str

    def __str__(self) -> str:
        return f"{self.design_id} (goal {self.goal_id}): {self.what}"


def jaw_sign(tooth: int) -> float:
    """+1 upper (intrusion is +z), -1 lower."""
    return 1.0 if fdi.arch(tooth) == "maxilla" else -1.0


ARCH_CENTRE_Y_MM = -20.0
"""A point on the midline inside the arch: outward (buccal) is away from it."""


def buccal_direction(teeth: Iterable[int]) -> np.ndarray:
    """Mean outward (buccal/labial) horizontal direction of ``teeth``: normal to the arch
    through the neighbours' brackets of the built-in average dentition (anatomy's landmarks,
    not the mechanics' frames). A canine's buccal points out and forward, a molar's sideways."""
    lm = average_landmarks()
    out = np.zeros(3)
    for t in teeth:
        here = np.asarray(lm[t].bracket_mm, dtype=float)
        near = [n for n in fdi.neighbours(t) if n in lm] or [t]
        ends = [np.asarray(lm[n].bracket_mm, dtype=float) for n in near]
        tangent = ends[-1] - ends[0] if len(ends) > 1 else here - ends[0]
        tangent[2] = 0.0
        normal = np.array([tangent[1], -tangent[0], 0.0])
        if float(np.linalg.norm(normal)) < 1e-9:  # one neighbour: lateral
            normal = np.array([here[0], 0.0, 0.0])
        normal /= np.linalg.norm(normal)
        if normal @ (here - np.array([0.0, ARCH_CENTRE_Y_MM, here[2]])) < 0:
            normal = -normal
        out += normal
    return np.asarray(out / np.linalg.norm(out), dtype=float)


def _goal_teeth(case: Case, gp: GoalPlan) -> tuple[Goal, set[int]]:
    goal = next(g for g in case.goals if (g.id or "") == gp.goal.id)
    return goal, set(gp.goal.teeth)


def _crossbite_of(case: Case, tooth: int) -> CrossbiteKind | None:
    for cb in case.findings.crossbites:
        if tooth in cb.teeth:
            return cb.kind
    return None


def expected_direction(case: Case, goal: Goal, teeth: list[int]) -> np.ndarray | None:
    """Unit vector in the patient frame the goal asks of the teeth of one side, or None
    when the goal is judged by a moment (uprighting, derotation) or holds the teeth."""
    t = teeth[0]
    v = jaw_sign(t)
    k = goal.kind
    if k == MovementKind.intrusion:
        return np.array([0.0, 0.0, v])
    if k == MovementKind.extrusion:
        return np.array([0.0, 0.0, -v])
    if k in (MovementKind.retraction, MovementKind.distalisation):
        return np.array([0.0, -1.0, 0.0])
    if k in (MovementKind.protraction, MovementKind.mesialisation):
        return np.array([0.0, 1.0, 0.0])
    if k == MovementKind.expansion:
        return buccal_direction(teeth)
    if k == MovementKind.canine_alignment:
        return _towards_arch(case, teeth, v)
    if k == MovementKind.crossbite_correction:
        kind = _crossbite_of(case, t)
        upper = v > 0
        if kind == CrossbiteKind.anterior:
            return np.array([0.0, 1.0 if upper else -1.0, 0.0])
        out = buccal_direction(teeth)
        if kind == CrossbiteKind.posterior_buccal:  # scissor bite: upper in, lower out
            return -out if upper else out
        return out if upper else -out
    return None


def _towards_arch(case: Case, teeth: list[int], v: float) -> np.ndarray:
    """Against every direction the tooth is displaced in (towards its place in the arch); a
    tooth with no stated displacement is extruded (guided eruption)."""
    away = case.findings.displacement(teeth[0])
    if not away:
        return np.array([0.0, 0.0, -v])
    out = tuple(buccal_direction(teeth))
    inward = tuple(-c for c in out)
    back = {
        Displacement.palatal: out,
        Displacement.lingual: out,
        Displacement.buccal: inward,
        Displacement.apical: (0.0, 0.0, -v),
        Displacement.mesial: (0.0, -1.0, 0.0),
        Displacement.distal: (0.0, 1.0, 0.0),
    }
    w = np.sum([back[d] for d in away], axis=0)
    return np.asarray(w / np.linalg.norm(w), dtype=float)


def _by_side(teeth: Iterable[int]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for t in sorted(teeth):
        out.setdefault(fdi.side(t), []).append(t)
    return out


def side_forces_g(design: Design, teeth: set[int], roles: set[str]) -> dict[str, np.ndarray]:
    """Sum of the connection forces (g, patient frame) on ``teeth``, per side of the arch."""
    out: dict[str, np.ndarray] = {}
    m = design.mechanics
    if m is None:
        return out
    for c in m.connections:
        if c.role not in roles or c.direction is None or not c.teeth:
            continue
        on = [t for t in c.teeth if t in teeth]
        if not on:
            continue
        side = fdi.side(on[0])
        vec = np.asarray(c.direction, dtype=float) * c.delivered_g
        out[side] = out.get(side, np.zeros(3)) + vec
    return out


def _finite(design: Design) -> Iterator[str]:
    m = design.mechanics
    if m is None:
        return
    data = m.model_dump()

    def walk(x: object, path: str) -> Iterator[str]:
        if isinstance(x, float) and not math.isfinite(x):
            yield f"{path} is {x}"
        elif isinstance(x, dict):
            for k, val in x.items():
                yield from walk(val, f"{path}.{k}")
        elif isinstance(x, list | tuple):
            for i, val in enumerate(x):
                yield from walk(val, f"{path}[{i}]")

    yield from walk(data, "mechanics")
    for imp in design.implants:
        s = imp.safety
        c = None if s is None else s.min_root_clearance_mm
        if c is not None and (not math.isfinite(c) or c < 0):
            yield f"implant {imp.id}: root clearance {c} is not a distance"


def _uprighting_ok(design: Design, teeth: set[int]) -> str | None:
    """The moment about the CR turns the crown distally (a crown point occlusal of the CR
    moves towards -y), or the force alone pushes the crown distally."""
    m = design.mechanics
    assert m is not None
    for u in m.units:
        if not set(u.teeth) & teeth:
            continue
        v = jaw_sign(u.teeth[0])
        r = np.array([0.0, 0.0, -v * 10.0])  # 10 mm occlusal of the CR
        crown = np.cross(np.asarray(u.moment_about_cr_nmm), r)
        force_y = u.force_n[1]
        if crown[1] < -1e-6 or (abs(crown[1]) < 1e-6 and force_y < 0):
            continue
        return (
            f"uprighting: the moment turns the crown of {u.teeth} mesially "
            f"(crown velocity y {crown[1]:+.1f})"
        )
    return None


def design_violations(case: Case, gp: GoalPlan, design: Design) -> list[Violation]:
    goal, teeth = _goal_teeth(case, gp)
    out: list[Violation] = []

    def bad(what: str) -> None:
        out.append(Violation(design.id, gp.goal.id, what))

    for what in _finite(design):
        bad(what)
    m = design.mechanics
    if m is None:
        return out
    k = goal.kind
    if k in HOLDING_KINDS:
        for side, f in side_forces_g(design, teeth, {"active"}).items():
            if float(np.linalg.norm(f)) > HELD_FORCE_G:
                bad(f"held teeth ({side}) get an active force of {np.linalg.norm(f):.0f} g")
        return out
    if k == MovementKind.uprighting and (why := _uprighting_ok(design, teeth)) is not None:
        bad(why)
    per_side = side_forces_g(design, teeth, {"active", "tooth_borne"})
    for side, teeth_of_side in _by_side(teeth).items():
        f = per_side.get(side)
        if f is None or float(np.linalg.norm(f)) < MIN_FORCE_G:
            continue
        want = expected_direction(case, goal, teeth_of_side)
        if want is None:
            continue
        mag = float(np.linalg.norm(f))
        cos = float(f @ want) / mag
        others = [
            w
            for g in _other_goals(case, design, goal, set(teeth_of_side))
            if (w := expected_direction(case, g, teeth_of_side)) is not None
        ]
        if others:  # one force serves several goals on these teeth: each gets its share
            span = np.linalg.qr(np.array([want, *others]).T)[0]
            covered = float(np.linalg.norm(span.T @ f)) / mag
            if cos < SHARED_MIN_SHARE:
                bad(
                    f"{k.value} ({side}): only {cos:.0%} of the {mag:.0f} g works for this "
                    "goal; the force serves the design's other goal"
                )
            elif covered < math.cos(math.radians(MAX_ANGLE_DEG)):
                bad(f"{k.value} ({side}): the force is off every goal of the design")
        elif cos < math.cos(math.radians(MAX_ANGLE_DEG)):
            off_deg = math.degrees(math.acos(max(-1.0, min(1.0, cos))))
            bad(
                f"{k.value} ({side}): force {mag:.0f} g is {off_deg:.0f} deg "
                f"off the goal's direction (x {f[0]:+.0f}, y {f[1]:+.0f}, z {f[2]:+.0f} g)"
            )
        if k == MovementKind.distalisation and abs(f[2]) > DISTALISATION_VERTICAL_RATIO * abs(f[1]):
            bad(f"distalisation ({side}): vertical {f[2]:+.0f} g exceeds distal {f[1]:+.0f} g")
    if goal.anchorage_demand.value == "absolute":
        for u in m.anchorage:
            if u.force_g > UNHELD_REACTION_G:
                bad(f"absolute anchorage: unheld teeth {u.teeth} carry {u.force_g:.0f} g")
    return out


def _other_goals(case: Case, design: Design, goal: Goal, teeth: set[int]) -> list[Goal]:
    """The design's other goals that move some of ``teeth``."""
    ids = case.goal_ids()
    return [
        g
        for i, g in enumerate(case.goals)
        if g is not goal and ids[i] in design.goal_ids and teeth & set(case.goal_teeth(i))
    ]


def has_danger(design: Design) -> bool:
    return any(w.severity == "danger" for w in design.warnings)


def plan_violations(plan: Plan) -> tuple[list[Violation], list[str]]:
    """(design violations that the plan does not flag as DANGER, ranking violations)."""
    unflagged: list[Violation] = []
    ranking: list[str] = []
    for gp in plan.goals:
        failing: set[str] = set()
        for d in gp.designs:
            vs = design_violations(plan.case, gp, d)
            if vs:
                failing.add(d.id)
                if not has_danger(d):
                    unflagged.extend(vs)
        ranked = sorted(gp.designs, key=lambda d: d.rank)
        for i, upper in enumerate(ranked):
            for lower in ranked[i + 1 :]:
                if has_danger(upper) and not has_danger(lower):
                    ranking.append(
                        f"goal {gp.goal.id}: {upper.id} (DANGER) ranks above {lower.id} (none)"
                    )
                if upper.id in failing and lower.id not in failing:
                    ranking.append(
                        f"goal {gp.goal.id}: {upper.id} (fails an invariant) ranks above "
                        f"{lower.id} (passes)"
                    )
    return unflagged, ranking
