"""Fit the hook or power arm a goal's control asks for.

A goal that asks for bodily movement (``Goal.control``, default bodily for molars slid along
the arch) needs the pull from the implant to pass through the unit's centre of resistance.
The mechanics reports, for every sliding pull from an implant on a bracket hook, the hook
height that does so (``ConnectionForce.translation_height_mm``, with the friction in the
slot). The planner fits that length, once, when it lies within the power-arm lengths
studied (0 to ``geometry.yaml`` ``power_arm_max_mm``), and recomputes the force system;
otherwise it keeps the rule's attachment and says what bodily control would need.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tadplan.anatomy import ToothLandmarks
from tadplan.case.model import Case, Control
from tadplan.mechanics import mechanics_data
from tadplan.model import ConnectionKind, Design, ForceSystem, MovementType, SourceRef, Warning

Analyse = Callable[[Case, Design, Mapping[int, ToothLandmarks]], ForceSystem]

_TIPPING = {MovementType.uncontrolled_tipping, MovementType.controlled_tipping}

_SAME_MM = 0.05
"""A hook already within 0.05 mm of the length is left as it is."""


@dataclass(frozen=True)
class ArmFit:
    """The design and force system to keep and the notes that say what was done."""

    design: Design
    mechanics: ForceSystem
    warnings: tuple[Warning, ...] = ()


def fit_power_arms(
    case: Case,
    design: Design,
    fs: ForceSystem,
    landmarks: Mapping[int, ToothLandmarks],
    analyse: Analyse,
) -> ArmFit:
    """Set ``attachment_height_mm`` of every pull whose goal asks for bodily movement to the
    length that translates its unit (and of the power hook it runs through), and recompute."""
    goals = dict(zip(case.goal_ids(), case.goals, strict=True))
    lim = mechanics_data().geometry.power_arm_max_mm
    src = [SourceRef(key=lim.source, detail=lim.detail)]
    wanted: dict[str, list[float]] = {}
    out_of_range: dict[str, float] = {}
    off_slot: list[str] = []
    for cf in fs.connections:
        goal = goals.get(cf.goal_id or "")
        if goal is None or goal.movement_control != Control.bodily:
            continue
        h = cf.translation_height_mm
        if h is None:
            tips = cf.system is not None and cf.system.movement in _TIPPING
            if cf.role == "active" and cf.attachment_height_mm is None and tips:
                off_slot.append(cf.connection_id)
            continue
        cid = cf.design_connection_id
        if 0.0 <= h <= lim.value:
            if cf.attachment_height_mm is None or abs(h - cf.attachment_height_mm) > _SAME_MM:
                wanted.setdefault(cid, []).append(h)
        else:
            out_of_range[cid] = h
    notes = [
        Warning(
            severity="info",
            text=(
                f"{cid}: bodily movement would need a hook {h:.1f} mm from the slot, outside the "
                f"0-{lim.value:g} mm of power arms studied: expect tipping; move the implant "
                "head towards the height of the centre of resistance or add torque to the wire"
            ),
            sources=src,
        )
        for cid, h in out_of_range.items()
    ]
    notes += [
        Warning(
            severity="info",
            text=(
                f"{cid}: the goal asks for bodily movement, but this pull acts off the bracket "
                "slot (button, TPA or band) at crown level: expect crown tipping; a hook "
                "towards the centre of resistance would be needed"
            ),
        )
        for cid in off_slot
    ]
    if not wanted:
        return ArmFit(design, fs, tuple(notes))
    height = {cid: round(sum(hs) / len(hs), 1) for cid, hs in wanted.items()}
    pulled = {t: height[c.id] for c in design.connections if c.id in height for t in c.teeth}
    conns = []
    for c in design.connections:
        h = height.get(c.id)
        if h is None and c.kind == ConnectionKind.power_hook and c.from_implant is None:
            hooked = [pulled[t] for t in c.teeth if t in pulled]
            h = hooked[0] if hooked else None
        conns.append(c if h is None else c.model_copy(update={"attachment_height_mm": h}))
    lines = [
        f"{cid}: hook or power arm {h:.1f} mm from the bracket slot, so the pull passes through "
        "the centre of resistance (bodily movement, the goal's control)"
        for cid, h in height.items()
    ]
    fitted = design.model_copy(
        update={"connections": conns, "activation": [*design.activation, *lines]}
    )
    return ArmFit(fitted, analyse(case, fitted, landmarks), tuple(notes))
