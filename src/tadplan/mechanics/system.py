"""The force system of a design: forces, moments about the CR, implant loads, dose and time.

Conventions for a design's connections (see :class:`tadplan.model.Connection`):

- ``from_implant`` set, an active kind, not ``passive``: *direct* anchorage. Tension modules
  (closed coil, chain, elastic, power hook, lever arm) pull the teeth towards the implant
  head; a compression (open-coil) spring pushes them away along the same line; cantilevers,
  distalisers and expanders push along the goal's direction and are clamped in the head (the
  implant then carries a moment too).
- ``from_implant`` set and ``passive`` (or a rigid kind: segmental arch, cross tube, band slot,
  composite, TPA, quadhelix, horseshoe arch, tie-back): *indirect* anchorage. The teeth become
  an anchorage unit held by that implant (all such teeth form one unit, held by all such
  implants together).
- no ``from_implant``, active: a *tooth-borne* module from the moved teeth (``teeth``) to the
  anchorage unit: the rigid-linked teeth, else the case's anchorage-maintenance teeth, else
  the banded teeth of that arch. Its reaction loads that unit (and through it the implants).

A connection carried by several implants (``from_implants``, rigidly joined by the
appliance) passes its reaction to all of them together: :func:`share_load` splits it (equal
forces where the implants' layout lets them share the moment as forces). Its force acts on the
teeth once. A one-piece pusher whose teeth are on both sides (``expander``, ``distaliser`` or
``cantilever`` carried by implants right and left) is analysed one side at a time: each side's
teeth are pushed along the goal's direction. For an expander the reaction of one side's push
goes, through the expansion screw, to the implants of the other side (the screw pushes the two
halves apart); for the others (one rigid plate) to every implant that carries it.

A module hooked on a tooth that is not one of its ``teeth`` (``hook_teeth``: a Class III
elastic on the first-molar hook that advances the incisors) acts at that hook, and the
archwire carries its force along the arch: the unit it moves runs from the hook to the
connection's teeth on that side (all bonded), see :func:`_hooked_unit`.

Force magnitude: ``force_g`` (per connection), else the middle of the cited dose range.

Appliance forces (:data:`APPLIANCE_FORCES`: the Herbst telescope, Class II and Class III
elastics, from ``case.attachments.appliances``) are not produced by the implants: the implants
hold teeth against them. When a design holds the appliance's tooth in a jaw with passive links
or rigid links from implants (the tooth is in the held unit, or bonded on the same full-arch
archwire), the cited force per side acts on that tooth along the appliance line (Herbst: pushes
the lower first premolar away from the upper first molar, mesially; elastics pull the two hooks
together) and the links carry it to the implants with the unit's other reactions
(:func:`share_load`). Each side's force is reported as a connection of role ``appliance``.

Orthopaedic appliances (:data:`ORTHOPAEDIC_KINDS`: the expander of a MARPE) move bones, not teeth:
their force is checked against the cited expansion-force range (kg, ``orthopaedic.yaml``),
whatever the goal, and the implants that carry them are judged against the cited load limit
per screw for that use, not against the immediate-loading limit for orthodontic forces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.case import fdi
from tadplan.case.model import (
    HOLDING_KINDS,
    Case,
    CrossbiteKind,
    Displacement,
    Goal,
    MovementKind,
)
from tadplan.errors import ComputationError
from tadplan.mechanics import modules as mod
from tadplan.mechanics.data import CitedRange, MechanicsData, Rate, mechanics_data
from tadplan.mechanics.geometry import (
    GeometryError,
    Unit,
    Vec,
    default_head_position,
    default_implant_axis,
    make_unit,
    power_arm_for_translation,
    unit_vector,
)
from tadplan.mechanics.text import curve_words, dose_words, friction_words
from tadplan.model import (
    CLAMPED_KINDS,
    COMPRESSION_KINDS,
    ORTHOPAEDIC_KINDS,
    RIGID_KINDS,
    TENSION_KINDS,
    AttachmentSite,
    Components,
    Connection,
    ConnectionForce,
    Design,
    DoseCheck,
    ForceCurve,
    ForceSystem,
    GoalTime,
    ImplantLoad,
    MechWarning,
    ModuleUse,
    MomentComponents,
    MovementType,
    PatientComponents,
    Side,
    SideForce,
    SourceRef,
    UnitForceSystem,
    usual_attachment_site,
    usual_module,
)

G = mod.G_TO_N

SLIDING = {
    MovementKind.retraction,
    MovementKind.mesialisation,
    MovementKind.protraction,
    MovementKind.distalisation,
}
NO_TOOTH_DOSE = {MovementKind.expansion, *HOLDING_KINDS}
"""Goals whose force is not a tooth-movement dose (orthopedic expansion, holding)."""
APPLIANCE_FORCES = ("herbst", "class_ii_elastics", "class_iii_elastics")
"""Case appliances whose force the anchorage holds against (``data/appliances.yaml``)."""


class MechanicsError(ComputationError):
    """A design that cannot be analysed (names the connection or implant and the reason)."""


# ----------------------------------------------------------------------------- unit systems


def _v3(v: Vec) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def unit_force_system(
    unit: Unit,
    loads: Sequence[tuple[Vec, Vec]],
    couple_nmm: Vec | None = None,
    goal: Goal | None = None,
    data: MechanicsData | None = None,
    other_goals: Sequence[Goal] = (),
    displaced: Sequence[Displacement] = (),
) -> UnitForceSystem:
    """Reduce point forces ``[(point_mm, force_n)]`` and a couple to the unit's CR and classify
    the movement.

    With F the resultant and M the moment about the CR, the attachment's own tipping moment is
    M_tip = (attachment - CR) x F; r = 1 - M.M_tip / |M_tip|^2 is the share of it that the
    system cancels, and M/F at the attachment = r |M_tip| / |F|. r is classified with the
    cited M/F ranges (uncontrolled tipping, controlled tipping, translation, root movement).
    A force line through the CR (within the cited tolerance) is translation; no force but a
    moment is a pure rotation.
    """
    data = data or mechanics_data()
    cls = data.classification
    f = np.zeros(3)
    m = np.zeros(3) if couple_nmm is None else np.asarray(couple_nmm, dtype=float).copy()
    for p, force in loads:
        f = f + force
        m = m + np.cross(np.asarray(p) - unit.cr_mm, force)
    kind, lever, mf = classify_movement(unit, f, m, data)
    loc = unit.local(f) / G
    effects, side = describe(unit, f, m, kind, goal, data, other_goals, displaced)
    per_side = side_forces(unit, loads, couple_nmm)
    across = _across(unit, per_side, cls.mention_fraction.value)
    if across is not None:
        effects.append(across[0])
        kinds = {g.kind for g in (goal, *other_goals) if g is not None}
        ok = MovementKind.crossbite_correction in kinds or (
            across[1] and MovementKind.expansion in kinds
        )
        if not ok:
            side.append(across[0])
    return UnitForceSystem(
        teeth=list(unit.teeth),
        cr_mm=_v3(unit.cr_mm),
        cr_basis=unit.cr_basis,
        cr_sources=list(unit.cr_sources),
        force_n=_v3(f),
        force_g=float(np.linalg.norm(f)) / G,
        components=None
        if unit.spans_midline
        else Components(mesial_g=float(loc[0]), buccal_g=float(loc[1]), intrusive_g=float(loc[2])),
        resultant=patient_components(f, unit.jaw),
        sides=per_side,
        moment_about_cr_nmm=_v3(m),
        moment_components=moment_components(unit, m),
        lever_mm=lever,
        moment_to_force_mm=mf,
        movement=kind,
        effects=effects,
        side_effects=side,
    )


def classify_movement(
    unit: Unit, f: Vec, m: Vec, data: MechanicsData
) -> tuple[MovementType, float | None, float | None]:
    """The movement that the resultant ``f`` (N) and moment ``m`` (N*mm, about the CR) give
    the unit, with the attachment-to-CR lever (mm, perpendicular to the force) and the M/F
    ratio at the attachment (mm); see :func:`unit_force_system`."""
    cls = data.classification
    fmag = float(np.linalg.norm(f))
    mmag = float(np.linalg.norm(m))
    tol = cls.negligible_moment_arm_mm.value
    lever = mf = None
    if fmag < 1e-9:
        kind = MovementType.rotation if mmag > 1e-9 else MovementType.none
    else:
        f_perp = f - np.dot(f, unit.axis) * unit.axis
        m_perp = m - np.dot(m, unit.axis) * unit.axis
        axial = float(np.linalg.norm(f_perp)) < cls.mention_fraction.value * fmag
        ftip = f if axial else f_perp
        m_tip = np.cross(unit.attachment_mm - unit.cr_mm, ftip)
        lever = float(np.linalg.norm(m_tip)) / float(np.linalg.norm(ftip))
        if mmag / fmag < tol:
            kind, r = MovementType.translation, 1.0
        elif axial or lever < tol:
            # intrusion/extrusion (or a force along the attachment-CR line) with a moment:
            # the moment tips the unit about its CR
            kind, r = MovementType.uncontrolled_tipping, 0.0
            if float(np.linalg.norm(m_perp)) / fmag < tol:
                kind = MovementType.rotation
        else:
            r = 1.0 - float(np.dot(m_perp, m_tip)) / float(np.dot(m_tip, m_tip))
            if r < cls.uncontrolled_below.value or r >= cls.crown_led_from.value:
                kind = MovementType.uncontrolled_tipping
            elif r < cls.translation_from.value:
                kind = MovementType.controlled_tipping
            elif r < cls.root_movement_from.value:
                kind = MovementType.translation
            else:
                kind = MovementType.root_movement
        mf = r * lever
    return kind, lever, mf


def patient_components(force_n: Vec, jaw: str) -> PatientComponents:
    """A force (N, patient frame) in the patient's planes, g: + left, + anterior, + towards the
    apices of that jaw perpendicular to the occlusal plane (up in the maxilla)."""
    up = 1.0 if jaw == "maxilla" else -1.0
    return PatientComponents(
        left_g=float(force_n[0]) / G,
        anterior_g=float(force_n[1]) / G,
        intrusive_g=up * float(force_n[2]) / G,
    )


MIDLINE_MM = 0.5
"""A load within 0.5 mm of the midsagittal plane acts on both sides' teeth: half to each."""


def side_forces(
    unit: Unit, loads: Sequence[tuple[Vec, Vec]], couple_nmm: Vec | None = None
) -> list[SideForce]:
    """The force on each side's teeth of a unit that spans the midline, in that side's own
    frame, with its moment about that side's CR ([] for a one-sided unit). A load is given
    to the side of its point of application (+x is the patient's left); a load at the
    midline and a couple count half to each side."""
    out = []
    for half in unit.halves:
        s = fdi.side(half.teeth[0])
        f = np.zeros(3)
        m = np.zeros(3) if couple_nmm is None else np.asarray(couple_nmm, dtype=float) / 2
        for p, force in loads:
            x = float(np.asarray(p)[0])
            share = 0.5 if abs(x) < MIDLINE_MM else float((x > 0) == (s == "left"))
            f = f + share * np.asarray(force)
            m = m + share * np.cross(np.asarray(p) - half.cr_mm, force)
        loc = half.local(f) / G
        out.append(
            SideForce(
                side=s,
                teeth=list(half.teeth),
                force_g=float(np.linalg.norm(f)) / G,
                components=Components(
                    mesial_g=float(loc[0]), buccal_g=float(loc[1]), intrusive_g=float(loc[2])
                ),
                resultant=patient_components(f, half.jaw),
                moment_components=moment_components(half, m),
            )
        )
    return out


def _across(unit: Unit, sides: Sequence[SideForce], frac: float) -> tuple[str, bool] | None:
    """For a unit on both sides: the transverse movement both sides share (out of the arch:
    expansion; into it: constriction), which cancels in the resultant; with whether it is
    outward. None when the sides do not move the same way across the arch."""
    if len(sides) != 2 or unit.anterior or not all(s.force_g > 1e-9 for s in sides):
        return None  # an anterior side's labial is mostly forward: that is retraction
    b = [s.components.buccal_g for s in sides]
    if not all(abs(x) >= frac * s.force_g for x, s in zip(b, sides, strict=True)):
        return None
    if (b[0] > 0) != (b[1] > 0):
        return None
    out = b[0] > 0
    inner = "palatal" if unit.jaw == "maxilla" else "lingual"
    word = "buccal" if out else inner
    what = "widens the arch" if out else "narrows the arch"
    return f"{word} movement of both sides ({what}) of {_noun(unit)}", out


def moment_components(unit: Unit, m: Vec) -> MomentComponents:
    """The moment ``m`` (N*mm, about the CR) as the crown movement it gives, signed the same
    way on both sides of the arch (a right and a left frame are mirror images): + tips the
    crown buccally (labially), + tips it mesially, + turns its mesial surface buccally."""
    v = np.cross(unit.axis, m)  # crown-tip velocity of the rotation m
    turn = float(np.dot(np.cross(unit.axis, unit.mesial), unit.buccal))
    return MomentComponents(
        about_mesial_nmm=float(np.dot(v, unit.buccal)),
        about_buccal_nmm=float(np.dot(v, unit.mesial)),
        about_axis_nmm=float(np.dot(m, unit.axis)) * (1.0 if turn >= 0 else -1.0),
    )


def _noun(unit: Unit) -> str:
    types = {fdi.tooth_type(t).value for t in unit.teeth}
    n = len(unit.teeth)
    if len(types) == 1:
        t = next(iter(types))
        return f"the {t}" if n == 1 else f"the {t}s"
    if unit.anterior:
        return "the anterior segment"
    if not any(fdi.is_anterior(t) for t in unit.teeth):
        return "the buccal segment" if not unit.spans_midline else "the posterior teeth"
    return "the segment"


def _words(unit: Unit) -> dict[str, tuple[str, str]]:
    """Names of the + and - directions of each local axis."""
    inner = "palatal" if unit.jaw == "maxilla" else "lingual"
    if unit.spans_midline and not unit.anterior:
        return {
            "mesial": ("to the patient's left", "to the patient's right"),
            "buccal": ("mesial", "distal"),
        }
    if unit.spans_midline:
        return {
            "mesial": ("to the patient's left", "to the patient's right"),
            "buccal": ("labial", inner),
        }
    outer = "labial" if unit.anterior else "buccal"
    return {"mesial": ("mesial", "distal"), "buccal": (outer, inner)}


def describe(
    unit: Unit,
    f: Vec,
    m: Vec,
    kind: MovementType,
    goal: Goal | None,
    data: MechanicsData | None = None,
    other_goals: Sequence[Goal] = (),
    displaced: Sequence[Displacement] = (),
) -> tuple[list[str], list[str]]:
    """What the unit does, in clinicians' words, and which of it is a side effect of the goal
    (and of ``other_goals``, the design's other goals on these teeth)."""
    data = data or mechanics_data()
    frac = data.classification.mention_fraction.value
    noun = _noun(unit)
    words = _words(unit)
    fmag = float(np.linalg.norm(f))
    out: list[tuple[str, str]] = []  # (text, tag for the goal match)
    if fmag > 1e-9:
        loc = unit.local(f)
        if abs(loc[2]) >= frac * fmag:
            out.append(
                (
                    "intrusion" if loc[2] > 0 else "extrusion",
                    "intrusion" if loc[2] > 0 else "extrusion",
                )
            )
        for i, ax in ((0, "mesial"), (1, "buccal")):
            if abs(loc[i]) >= frac * fmag:
                w = words[ax][0 if loc[i] > 0 else 1]
                out.append((f"{w} movement", f"{ax}{'+' if loc[i] > 0 else '-'}"))
    lever = float(np.linalg.norm(m)) / fmag if fmag > 1e-9 else None
    tol = data.classification.negligible_moment_arm_mm.value
    if kind not in (MovementType.translation, MovementType.none) and (
        lever is None or lever >= tol
    ):
        v = np.cross(unit.axis, m)  # crown-tip velocity direction of a rotation m
        vn = float(np.linalg.norm(v))
        mag = float(np.linalg.norm(m))
        if vn > 1e-9:
            for i, ax in ((0, "mesial"), (1, "buccal")):
                c = float(np.dot(v, unit.mesial if i == 0 else unit.buccal))
                if abs(c) >= frac * vn and (fmag < 1e-9 or abs(c) / fmag >= tol):
                    w = words[ax][0 if c > 0 else 1]
                    if kind == MovementType.root_movement:
                        w = words[ax][1 if c > 0 else 0]  # the root moves against the crown tip
                        out.append((f"{w} root movement", f"root{ax}"))
                    else:
                        out.append((f"{w} crown tipping", f"tip{ax}{'+' if c > 0 else '-'}"))
        about_axis = float(np.dot(m, unit.axis))
        if (
            mag > 1e-9
            and abs(about_axis) >= frac * mag
            and (fmag < 1e-9 or abs(about_axis) / fmag >= tol)
            and not unit.spans_midline
        ):
            # the mesial surface moves along about_axis * (axis x mesial)
            sense = np.dot(np.cross(unit.axis, unit.mesial), unit.buccal) * about_axis
            out.append(
                (f"rotation (mesial surface {words['buccal'][0 if sense > 0 else 1]})", "rotation")
            )
    texts = [f"{t} of {noun}" for t, _ in out]
    extra = _bite(unit, out)
    intended = _intended(goal, unit, displaced).union(
        *(_intended(g, unit, displaced) for g in other_goals)
    )
    side = [f"{t} of {noun}" for t, tag in out if tag not in intended]
    # the bite change that the goal's own vertical movement makes is no side effect
    wanted = {tag for _, tag in out} & intended & {"intrusion", "extrusion"}
    side += [b for b in extra if b not in _bite(unit, [(w, w) for w in wanted])]
    return texts + extra, side


def _bite(unit: Unit, effects: list[tuple[str, str]]) -> list[str]:
    tags = {tag for _, tag in effects}
    out = []
    if unit.anterior:
        if "intrusion" in tags:
            out.append("bite opening")
        elif "extrusion" in tags or "tipbuccal-" in tags:
            out.append("bite deepening")
    elif "extrusion" in tags:
        out.append("bite opening at the front (posterior extrusion)")
    elif "intrusion" in tags:
        out.append("bite closing at the front (posterior intrusion)")
    return out


def _intended(goal: Goal | None, unit: Unit, displaced: Sequence[Displacement] = ()) -> set[str]:
    if goal is None:
        return set()
    k = goal.kind
    if k == MovementKind.intrusion:
        return {"intrusion"}
    if k == MovementKind.canine_alignment and displaced:
        v = unit.local(towards_arch(displaced, unit))
        out = {
            f"{ax}{'+' if v[i] > 0 else '-'}"
            for i, ax in ((0, "mesial"), (1, "buccal"))
            if abs(v[i]) > 1e-6
        }
        # tipping of the crown towards the arch is part of bringing it there
        out |= {f"tip{t}" for t in out}
        if v[2] < -1e-6:
            out.add("extrusion")
        return out
    if k in (MovementKind.extrusion, MovementKind.canine_alignment):
        return {"extrusion"}
    if k in (MovementKind.retraction, MovementKind.distalisation):
        if unit.spans_midline:
            return {"buccal-"}
        return {"mesial-", "buccal-"} if unit.anterior else {"mesial-"}
    if k in (MovementKind.mesialisation, MovementKind.protraction):
        return {"buccal+"} if unit.spans_midline else {"mesial+"}
    if k in (MovementKind.expansion, MovementKind.crossbite_correction):
        return {"buccal+", "buccal-"}
    if k == MovementKind.uprighting:  # the crown of a mesially tipped molar goes distally
        return {"tipmesial-", "tipmesial+", "rootmesial", "mesial-"}
    if k == MovementKind.derotation:
        return {"rotation"}
    return set()


def _transverse(v: Vec) -> Vec:
    """``v`` without its anteroposterior part: expansion and crossbite correction move
    teeth across the arch (a half-arch's mean buccal direction also points forward)."""
    w = np.array([v[0], 0.0, v[2]])
    n = float(np.linalg.norm(w))
    return w / n if n > 1e-9 else v


def towards_arch(displaced: Sequence[Displacement], unit: Unit) -> Vec:
    """Unit vector from a displaced tooth's position towards its place in the arch: against
    every stated displacement (``findings.displaced_teeth``: palatal -> buccal, buccal ->
    palatal, apical -> occlusal, mesial -> distal, distal -> mesial). A displaced canine
    without a stated mesio-distal displacement is also brought distally: the seed's
    posteriorly directed force (II.1 Displaced canine correction, Fig. 13), which moves its
    crown away from the lateral incisor root first. Nothing stated: extrusion (eruption)."""
    d = set(displaced)
    v = np.zeros(3)
    if d & {Displacement.palatal, Displacement.lingual}:
        v = v + unit.buccal
    if Displacement.buccal in d:
        v = v - unit.buccal
    if Displacement.apical in d:
        v = v - unit.axis
    if Displacement.mesial in d:
        v = v - unit.mesial
    if Displacement.distal in d:
        v = v + unit.mesial
    canines = all(fdi.tooth_type(t) == fdi.ToothType.canine for t in unit.teeth)
    if d and canines and not d & {Displacement.mesial, Displacement.distal}:
        v = v - unit.mesial
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-9 else -unit.axis


def displaced_landmarks(
    case: Case, landmarks: Mapping[int, ToothLandmarks]
) -> dict[int, ToothLandmarks]:
    """``landmarks`` with every displaced tooth (``findings.displaced_teeth``) that a
    canine-alignment goal moves put where it is: its arch place shifted by the goal's
    ``amount_mm`` along the stated displacement (the amount is the distance to the arch)."""
    out = dict(landmarks)
    for i, g in enumerate(case.goals):
        if g.kind != MovementKind.canine_alignment or g.amount_mm is None:
            continue
        for t in case.goal_teeth(i):
            d = set(case.findings.displacement(t))
            if not d or t not in landmarks:
                continue
            lm = landmarks[t]
            v = np.zeros(3)
            if d & {Displacement.palatal, Displacement.lingual}:
                v = v - lm.buccal
            if Displacement.buccal in d:
                v = v + lm.buccal
            if Displacement.apical in d:
                v = v + lm.axis
            if Displacement.mesial in d:
                v = v + lm.mesial
            if Displacement.distal in d:
                v = v - lm.mesial
            shift = unit_vector(v) * g.amount_mm
            out[t] = replace(
                lm,
                crown_centre_mm=lm.crown_centre_mm + shift,
                bracket_mm=lm.bracket_mm + shift,
                cej_mm=lm.cej_mm + shift,
                apex_mm=lm.apex_mm + shift,
                alveolar_crest_mm=None
                if lm.alveolar_crest_mm is None
                else lm.alveolar_crest_mm + shift,
            )
    return out


def _displacement(case: Case, teeth: Sequence[int]) -> tuple[Displacement, ...]:
    """The stated displacement of a one-tooth unit (a segment is not displaced as one)."""
    return case.findings.displacement(teeth[0]) if len(teeth) == 1 else ()


def crossbite_of(case: Case, teeth: Sequence[int]) -> CrossbiteKind | None:
    """The kind of crossbite the case's findings give for ``teeth`` (the first listed that
    names one of them), or None."""
    for cb in case.findings.crossbites:
        if set(cb.teeth) & set(teeth):
            return cb.kind
    return None


def crossbite_sense(crossbite: CrossbiteKind | None, unit: Unit) -> float:
    """+1 when correcting the crossbite moves ``unit`` out of the arch (buccal / labial),
    -1 into it. Upper teeth in a palatal (lingual) or anterior crossbite go out, lower teeth
    in; in a scissor bite (posterior buccal crossbite) the upper tooth stands buccal of the
    lower one and goes in (palatally), the lower tooth goes out (buccally)."""
    upper = unit.jaw == "maxilla"
    if crossbite == CrossbiteKind.posterior_buccal:
        return -1.0 if upper else 1.0
    return 1.0 if upper else -1.0


def goal_direction(
    goal: Goal,
    unit: Unit,
    displaced: Sequence[Displacement] = (),
    crossbite: CrossbiteKind | None = None,
) -> Vec:
    """Unit vector of the goal's movement in the patient frame. ``displaced``: how the unit's
    tooth lies out of the arch, for canine alignment (:func:`towards_arch`). A crossbite
    correction moves the teeth across the arch (labially for an anterior crossbite) the way
    :func:`crossbite_sense` says for the case's ``crossbite`` kind of the unit."""
    k = goal.kind
    if k == MovementKind.crossbite_correction:
        sense = crossbite_sense(crossbite, unit)
        if crossbite == CrossbiteKind.anterior:
            return sense * unit.buccal
        return sense * _transverse(unit.buccal)
    fwd = unit.buccal if unit.spans_midline else unit.mesial
    table = {
        MovementKind.intrusion: unit.axis,
        MovementKind.extrusion: -unit.axis,
        MovementKind.canine_alignment: towards_arch(displaced, unit),
        MovementKind.retraction: -unit.buccal if unit.spans_midline else -unit.mesial,
        MovementKind.distalisation: -fwd,
        MovementKind.mesialisation: fwd,
        MovementKind.protraction: fwd,
        MovementKind.expansion: _transverse(unit.buccal),
        MovementKind.uprighting: -unit.mesial,
    }
    if k not in table:
        raise MechanicsError(f"goal {goal.id or k.value}: no force direction for {k.value}")
    return table[k]


# ----------------------------------------------------------------------------- dose, time


def _types(teeth: Sequence[int]) -> set[str]:
    return {fdi.tooth_type(t).value for t in teeth}


_ADJ = {"maxilla": "maxillary", "mandible": "mandibular"}


def dose_range(
    goal: Goal | None,
    teeth: Sequence[int],
    movement: MovementType,
    data: MechanicsData | None = None,
    modules: int = 1,
) -> CitedRange | None:
    """The cited force range (g) for one of ``modules`` modules acting on the unit ``teeth``.

    The unit's dose is the goal's cited range per side times the sides the unit spans, when
    a range was measured for the goal's movement in the unit's jaw on such teeth (a
    mandibular buccal-shelf range does not dose a maxillary distalisation); else the per-tooth
    range of the predicted movement times the number of teeth, whose detail then says that no
    cited range of the goal fits. The modules on the unit share it equally (two springs on a
    bilateral segment: one side's range each; three chains on one molar: a third each)."""
    data = data or mechanics_data()
    jaw = fdi.arch(teeth[0])
    if goal is not None and goal.kind in NO_TOOTH_DOSE:
        return None
    if goal is not None:
        for r in data.ranges.goal_ranges:
            if r.matches(goal.kind, len(teeth), _types(teeth), jaw):
                cited = CitedRange.model_validate(
                    r.model_dump(include=set(CitedRange.model_fields))
                )
                k = len({fdi.side(t) for t in teeth}) / modules
                if abs(k - 1) < 1e-9:
                    return cited
                return cited.model_copy(
                    update={
                        "low_g": cited.low_g * k,
                        "high_g": cited.high_g * k,
                        "detail": f"{cited.detail}; x {k:.2g} (sides of the unit / modules on it)",
                    }
                )
    per = data.ranges.per_tooth_by_movement
    key = movement.value
    if goal is not None and goal.kind in (MovementKind.intrusion, MovementKind.extrusion):
        key = goal.kind.value
    base = getattr(per, key, None)
    if base is None:
        return None
    n = len(teeth) / modules
    unfit = [r for r in data.ranges.goal_ranges if r.kind == goal.kind] if goal is not None else []
    why = ""
    if goal is not None and unfit:
        measured = "; ".join(
            f"{r.source}: {_ADJ.get(r.jaw or '', 'either jaw')}"
            + (f", {'/'.join(r.tooth_types)}" if r.tooth_types else "")
            + (f", {r.min_teeth}+ teeth" if r.min_teeth else "")
            + (f", up to {r.max_teeth} teeth" if r.max_teeth else "")
            for r in unfit
        )
        why = (
            f"no cited {goal.kind.value} range fits {len(teeth)} {_ADJ[jaw]} teeth "
            f"({'/'.join(sorted(_types(teeth)))}; cited only for {measured}): "
        )
    return CitedRange(
        low_g=base.low_g * n,
        high_g=base.high_g * n,
        source=base.source,
        detail=f"{why}{base.detail} per tooth x {n:.2g}",
        tag=base.tag,
        basis=base.basis,
        basis_detail=base.basis_detail,
    )


def movement_rate(
    goal: Goal, teeth: Sequence[int], data: MechanicsData | None = None
) -> Rate | None:
    """The cited rate entry (mm/month) for a goal, or None."""
    data = data or mechanics_data()
    jaw = fdi.arch(teeth[0])
    for r in data.rates.rates:
        if r.matches(goal.kind, len(teeth), _types(teeth), jaw):
            return r
    return None


def goal_time(
    goal_id: str, goal: Goal, teeth: Sequence[int], data: MechanicsData | None = None
) -> GoalTime:
    rate = movement_rate(goal, teeth, data) if teeth else None
    weeks = None
    note = ""
    if rate is None:
        note = f"no cited movement rate for {goal.kind.value}"
    elif goal.amount_mm is None:
        note = "no amount given"
    else:
        weeks = mod.months_to_days(goal.amount_mm / rate.value) / 7.0
    return GoalTime(
        goal_id=goal_id,
        kind=goal.kind.value,
        amount_mm=goal.amount_mm,
        rate_mm_per_month=rate.value if rate else None,
        rate_source=SourceRef(key=rate.source, detail=rate.detail, tag=rate.tag) if rate else None,
        duration_weeks=weeks,
        note=note,
    )


# ----------------------------------------------------------------------------- implant loads


@dataclass
class _ImplantState:
    id: str
    head: Vec
    axis: Vec
    derived: bool
    force: Vec = field(default_factory=lambda: np.zeros(3))
    moment: Vec = field(default_factory=lambda: np.zeros(3))


def share_load(
    heads: Sequence[Vec],
    force_n: Vec,
    moment_nmm: Vec,
    about_mm: Vec,
    moment_cost_mm: float = 1000.0,
) -> list[tuple[Vec, Vec]]:
    """Split a load (force + moment about ``about_mm``) that a rigid anchorage unit puts on
    its implants into per-implant (force, moment about the head).

    Statics alone leave the split undetermined; this takes the least-squares solution in
    which moments cost ``moment_cost_mm`` times more than forces (screws resist moments far
    worse than forces), so the implants share what they can as forces and carry as moments
    only what their layout cannot (one implant: all of it).
    """
    n = len(heads)
    if n == 0:
        raise MechanicsError("no implant to carry the load")
    a = np.zeros((6, 6 * n))
    for i, p in enumerate(heads):
        r = np.asarray(p) - np.asarray(about_mm)
        a[0:3, 6 * i : 6 * i + 3] = np.eye(3)
        a[3:6, 6 * i : 6 * i + 3] = np.array([[0, -r[2], r[1]], [r[2], 0, -r[0]], [-r[1], r[0], 0]])
        a[3:6, 6 * i + 3 : 6 * i + 6] = np.eye(3) / moment_cost_mm
    b = np.concatenate([force_n, moment_nmm])
    x = np.linalg.pinv(a) @ b
    return [(x[6 * i : 6 * i + 3], x[6 * i + 3 : 6 * i + 6] / moment_cost_mm) for i in range(n)]


# ----------------------------------------------------------------------------- appliance forces


@dataclass(frozen=True)
class ApplianceLoad:
    """One side of an appliance acting on a held tooth: ``force_n`` (N, patient frame) at
    ``point_mm`` (the tooth's bracket), along the line to ``partner`` (the other jaw's
    attachment tooth, None when it is not in the dentition)."""

    appliance: str
    jaw: str
    side: fdi.Side
    tooth: int
    partner: int | None
    point_mm: Vec
    force_n: Vec
    force_g: float


def _bonded(case: Case) -> set[int]:
    att = case.attachments
    if att.brackets == "all" or any(a.value == "fixed_full_arch" for a in att.appliances):
        return set(fdi.PERMANENT)
    return set(att.brackets or ()) | set(att.bands)


def appliance_loads(
    case: Case,
    held: Mapping[str, Sequence[int]],
    landmarks: Mapping[int, ToothLandmarks],
    data: MechanicsData | None = None,
) -> list[ApplianceLoad]:
    """The appliance forces (Herbst, Class II / III elastics of ``case.attachments``) that act
    on the teeth ``held`` by implants in each jaw (``{"maxilla"|"mandible": teeth}``).

    Per side, the cited force acts at the bracket of the appliance's tooth of that jaw when the
    tooth is held or bonded on the same full-arch archwire as the held teeth; along the line
    from the other jaw's attachment tooth (a push: away from it; a pull: towards it), else
    along the arch's anteroposterior direction.
    """
    data = data or mechanics_data()
    specs = data.appliances.appliances
    bonded = _bonded(case)
    out: list[ApplianceLoad] = []
    for app in case.attachments.appliances:
        name = app.value
        if name not in APPLIANCE_FORCES or name not in specs:
            continue
        spec = specs[name]
        for jaw, teeth in held.items():
            if not teeth:
                continue
            other = "mandible" if jaw == "maxilla" else "maxilla"
            pos = getattr(spec.attach, jaw)
            opos = getattr(spec.attach, other)
            for side in ("right", "left"):
                tooth = _tooth(jaw, side, pos)
                if tooth not in landmarks:
                    continue
                linked = tooth in teeth or (tooth in bonded and set(teeth) <= bonded)
                if not linked:
                    continue
                mate = _tooth(other, side, opos)
                partner: int | None = mate if mate in landmarks else None
                point = landmarks[tooth].bracket_mm.copy()
                sign = 1.0 if spec.action == "pull" else -1.0
                if mate in landmarks:
                    direction = unit_vector(sign * (landmarks[mate].bracket_mm - point))
                else:
                    towards = 1.0 if opos < pos else -1.0  # the partner is more anterior
                    direction = np.array([0.0, sign * towards, 0.0])
                g = spec.force_per_side.g
                out.append(
                    ApplianceLoad(name, jaw, side, tooth, partner, point, direction * g * G, g)
                )
    return out


def _tooth(jaw: str, side: str, position: int) -> int:
    quadrant = {("maxilla", "right"): 1, ("maxilla", "left"): 2}.get((jaw, side))
    if quadrant is None:
        quadrant = 4 if side == "right" else 3
    return quadrant * 10 + position


def held_balance(
    unit: Unit,
    loads: Sequence[tuple[Vec, Vec]],
    heads: Sequence[Vec],
    shares: Sequence[tuple[Vec, Vec]],
    data: MechanicsData | None = None,
) -> UnitForceSystem:
    """The force system on a unit held by implants: ``loads`` [(point_mm, force_n)] on it plus
    what the implants give back through the links (each implant -force at its head and -moment,
    its :func:`share_load` share reversed). Zero when the anchorage holds (no movement)."""
    back = [(np.asarray(h), -np.asarray(f)) for h, (f, _) in zip(heads, shares, strict=True)]
    couple = -sum((np.asarray(m) for _, m in shares), np.zeros(3))
    return unit_force_system(unit, [*loads, *back], couple, data=data)


# ----------------------------------------------------------------------------- the design


def _goals(case: Case, design: Design) -> dict[str, tuple[Goal, tuple[int, ...]]]:
    ids = case.goal_ids()
    out = {}
    for i, gid in enumerate(ids):
        if not design.goal_ids or gid in design.goal_ids:
            out[gid] = (case.goals[i], case.goal_teeth(i))
    return out


def _goal_for(
    teeth: Sequence[int], goals: Mapping[str, tuple[Goal, tuple[int, ...]]]
) -> tuple[str | None, Goal | None]:
    best: tuple[str | None, Goal | None] = (None, None)
    score = 0
    for gid, (g, gteeth) in goals.items():
        if g.kind in HOLDING_KINDS:
            continue
        s = len(set(teeth) & set(gteeth))
        if s > score:
            best, score = (gid, g), s
    return best


def _consolidated(
    case: Case,
    teeth: Sequence[int],
    goal_teeth: Sequence[int],
    landmarks: Mapping[int, ToothLandmarks],
    goal: Goal | None = None,
) -> list[int]:
    """The teeth a pull on ``teeth`` actually moves: when the goal moves a unit of several
    teeth that are bracketed on one archwire (``attachments.brackets``), a hook or spring on
    one of them moves the whole unit (en-masse mechanics); otherwise just ``teeth``. A goal
    that moves the two sides across the arch in opposite directions (expansion, a posterior
    crossbite on both sides) has one unit per side: the unit keeps to the sides of ``teeth``."""
    jaw = fdi.arch(teeth[0])
    unit = [t for t in goal_teeth if t in landmarks and fdi.arch(t) == jaw]
    if goal is not None and _transverse_goal(case, goal, unit):
        unit = [t for t in unit if fdi.side(t) in {fdi.side(x) for x in teeth}]
    if len(unit) <= len(teeth) or not set(teeth) <= set(unit):
        return list(teeth)
    brackets = case.attachments.brackets
    bonded = set(fdi.PERMANENT) if brackets == "all" else set(brackets or ())
    bonded |= set(case.attachments.bands)
    return unit if set(unit) <= bonded else list(teeth)


def _transverse_goal(case: Case, goal: Goal, teeth: Sequence[int]) -> bool:
    """True when ``goal`` moves ``teeth`` across the arch (each side its own way)."""
    if goal.kind == MovementKind.expansion:
        return True
    return (
        goal.kind == MovementKind.crossbite_correction
        and crossbite_of(case, teeth) != CrossbiteKind.anterior
    )


def _hooked_unit(
    case: Case,
    hooks: Sequence[int],
    teeth: Sequence[int],
    landmarks: Mapping[int, ToothLandmarks],
) -> list[int]:
    """The teeth a module hooked on ``hooks`` moves when they are not its ``teeth``: the
    archwire carries the force along the arch, so the unit is every tooth present from the
    hook to the farthest of ``teeth`` on that side of that arch, when all are on the archwire
    (:func:`_bonded`); otherwise the hooked teeth alone."""
    jaw, side = fdi.arch(hooks[0]), fdi.side(hooks[0])
    ends = [t for t in (*hooks, *teeth) if fdi.arch(t) == jaw and fdi.side(t) == side]
    lo, hi = min(map(fdi.position, ends)), max(map(fdi.position, ends))
    segment = [
        t
        for t in fdi.arch_order(jaw)
        if fdi.side(t) == side and lo <= fdi.position(t) <= hi and t in landmarks
    ]
    return segment if set(segment) <= _bonded(case) else list(hooks)


@dataclass(frozen=True)
class _Attachment:
    """Where a module acts on its tooth: ``point`` (the hook or arm tip), ``bracket`` (the
    slot the archwire slides in: friction acts there) and the tooth's landmarks."""

    point: Vec
    bracket: Vec
    tooth: ToothLandmarks | None
    height_mm: float | None = None
    """the hook / arm height above the slot (None: the module acts off the slot)"""


def _attachment_point(
    conn: Connection,
    teeth: Sequence[int],
    landmarks: Mapping[int, ToothLandmarks],
    towards: Vec | None,
    data: MechanicsData,
    hook_height_mm: float | None = None,
) -> _Attachment:
    """Where the module acts: the bracket of the connection's tooth nearest ``towards``; on
    the occlusal surface or the lingual side when its :func:`attachment_site` says so;
    raised along the long axis by the connection's ``attachment_height_mm``, else by
    ``hook_height_mm`` (the tooth carries a power hook: its height, or the cited default) or
    the cited power-arm height at a power-arm site."""
    if conn.attachment_point_mm is not None:
        p = np.asarray(conn.attachment_point_mm, dtype=float)
        return _Attachment(p, p.copy(), None)
    teeth = list(teeth)
    if towards is not None:
        tooth = min(teeth, key=lambda t: float(np.linalg.norm(landmarks[t].bracket_mm - towards)))
    else:
        tooth = teeth[0]
    lm = landmarks[tooth]
    site = attachment_site(conn)
    height = conn.attachment_height_mm
    if height is None and hook_height_mm is not None:
        height = hook_height_mm
    if site == AttachmentSite.occlusal:  # a button on the occlusal surface: on the long axis
        base = lm.cej_mm - lm.axis * lm.crown_length_mm
    elif site == AttachmentSite.lingual:
        base = 2 * lm.crown_centre_mm - lm.bracket_mm
    else:
        base = lm.bracket_mm.copy()
        if height is None and site == AttachmentSite.power_arm:
            height = data.geometry.power_arm_height_mm.value
    point = base + lm.axis * height if height else base
    on_slot = bool(np.allclose(base, lm.bracket_mm))
    return _Attachment(point, lm.bracket_mm.copy(), lm, (height or 0.0) if on_slot else None)


def _hook_height(
    teeth: Sequence[int], hooks: Mapping[int, float | None], data: MechanicsData
) -> float | None:
    """The height of the power hook on one of ``teeth`` (its connection's
    ``attachment_height_mm``, else the cited default); None when no tooth carries one."""
    on = [t for t in teeth if t in hooks]
    if not on:
        return None
    h = hooks[on[0]]
    return data.geometry.power_arm_height_mm.value if h is None else h


def _arm_end(
    head: Vec,
    point: Vec,
    goal: Goal | None,
    unit: Unit,
    displaced: Sequence[Displacement] = (),
    crossbite: CrossbiteKind | None = None,
) -> Vec:
    """The end of a stiff lever arm from an implant ``head``: on the line through the
    attachment ``point`` along the goal's direction, as far along it as the head (the arm
    brings the line of force to the teeth, parallel to the arch; seed I. Lever arm). With no
    goal, or the head not ahead of the attachment along it: at the head, lowered to the
    attachment's height."""
    if goal is not None:
        try:
            g = goal_direction(goal, unit, displaced, crossbite)
        except MechanicsError:
            g = None
        if g is not None:
            ahead = float(np.dot(head - point, g))
            if ahead > 1e-6:
                return np.asarray(point + g * ahead, dtype=float)
    end = np.asarray(head, dtype=float).copy()
    end[2] = point[2]
    return end


def _translation_height(
    att: _Attachment | None,
    role: str,
    kind: str,
    goal: Goal | None,
    unit: Unit,
    head: Vec | None,
    sliding: Vec | None,
    friction: float,
) -> float | None:
    """The hook height that would translate ``unit`` under this pull (see
    :func:`power_arm_for_translation`): for a sliding goal's pull from an implant on a hook
    at the bracket slot; the tipping axis is normal to the tooth's long axis and the goal's
    direction."""
    if (
        att is None
        or att.tooth is None
        or att.height_mm is None
        or role != "active"
        or kind not in TENSION_KINDS
        or head is None
        or goal is None
        or goal.kind not in SLIDING
    ):
        return None
    normal = np.cross(att.tooth.axis, goal_direction(goal, unit))
    if float(np.linalg.norm(normal)) < 1e-9:
        return None
    return power_arm_for_translation(
        unit.cr_mm, att.bracket, att.tooth.axis, head, normal, sliding, friction
    )


ALONG_THE_ARCH = SLIDING | {MovementKind.uprighting, MovementKind.derotation}
"""Goals whose springs ride on the archwire or a guide segment along the arch."""


def _guide(
    tooth: ToothLandmarks | None,
    goal: Goal | None,
    unit: Unit,
    displaced: Sequence[Displacement] = (),
    crossbite: CrossbiteKind | None = None,
) -> Vec | None:
    """The direction of the wire an open coil is threaded on, at its tooth: the archwire or
    guide segment runs along the arch (the tooth's mesiodistal direction) for sliding,
    uprighting and derotation; for other goals (extrusion, crossbite) the segment is bent to
    push the goal's way."""
    if tooth is None:
        return None
    if goal is None or goal.kind in ALONG_THE_ARCH:
        return tooth.mesial
    if unit.anterior and goal.kind == MovementKind.crossbite_correction:
        return unit.buccal  # an anterior crossbite is corrected labially
    try:
        return goal_direction(goal, unit, displaced, crossbite)
    except MechanicsError:
        return tooth.mesial


def along_guide(guide: Vec, away_from: Vec, point: Vec) -> Vec | None:
    """Unit vector along ``guide`` (the wire, tube or slider through the attachment) that
    points from ``away_from`` towards ``point``: the push of a spring threaded on the guide,
    seated against a stop on the ``away_from`` side. None when the two points lie across the
    guide (no push along it)."""
    g = unit_vector(np.asarray(guide, dtype=float))
    s = float(np.dot(np.asarray(point) - np.asarray(away_from), g))
    if abs(s) < 1e-6:
        return None
    return g if s > 0 else -g


def _anchor_teeth(
    case: Case,
    design: Design,
    jaw: str,
    rigid_teeth: list[int],
    landmarks: Mapping[int, ToothLandmarks],
) -> list[int]:
    if rigid_teeth:
        return rigid_teeth
    for i, g in enumerate(case.goals):
        if g.kind == MovementKind.anchorage_maintenance:
            teeth = [t for t in case.goal_teeth(i) if t in landmarks and fdi.arch(t) == jaw]
            if teeth:
                return teeth
    return [t for t in case.attachments.bands if t in landmarks and fdi.arch(t) == jaw]


def _friction(
    case: Case, goal: Goal | None, kind: str, teeth: Sequence[int], data: MechanicsData
) -> tuple[float, tuple[SourceRef, ...]]:
    """The fraction of a sliding module's force lost to friction and its citations."""
    if goal is None or goal.kind not in SLIDING or kind in CLAMPED_KINDS:
        return 0.0, ()
    att = case.attachments
    fixed = (
        att.brackets == "all"
        or bool(att.brackets)
        or any(a.value == "fixed_full_arch" for a in att.appliances)
    )
    if not fixed:
        return 0.0, ()
    jaw = fdi.arch(teeth[0])
    fr = data.friction
    if any(fdi.position(t) == 7 and fdi.arch(t) == jaw for t in att.bands):
        c = fr.high_friction_loss_fraction
        chapter = SourceRef(key="seed", detail="II.1 Fig. 12 (second-molar bands, hooks)")
        return c.value, (SourceRef(key=c.source, detail=c.detail, tag=c.tag), chapter)
    c = fr.sliding_loss_fraction
    return c.value, (SourceRef(key=c.source, detail=c.detail, tag=c.tag),)


def after_friction(force: Vec, sliding: Vec | None, loss_fraction: float) -> Vec:
    """The force reaching the unit when friction takes ``loss_fraction`` of the component of
    ``force`` along the sliding direction ``sliding`` (unit vector); the other components and a
    force against the sliding direction pass unchanged."""
    if sliding is None or loss_fraction <= 0:
        return np.asarray(force, dtype=float)
    along = float(np.dot(force, sliding))
    return force - loss_fraction * along * sliding if along > 0 else np.asarray(force, dtype=float)


def dose_scale(
    basis: str, direction: Vec, sliding: Vec | None, loss_fraction: float, ordinary_fraction: float
) -> float:
    """Factor c such that c x (the module's applied force) is what a dose range measures.

    ``delivered`` basis: the force reaching the unit after all friction, per g applied.
    ``applied`` basis: the applied force the cited study would have needed to deliver the same
    force at its own ``ordinary_fraction`` of sliding friction, per g applied here; so only
    friction beyond the ordinary raises the requirement (seed II.1, Fig. 12).
    """
    k = float(np.linalg.norm(after_friction(direction, sliding, loss_fraction)))
    if basis == "delivered":
        return k
    k0 = float(np.linalg.norm(after_friction(direction, sliding, ordinary_fraction)))
    return k / k0


def attachment_site(conn: Connection) -> AttachmentSite:
    """Where ``conn``'s module acts on its tooth: its ``attachment_site``, else its kind's
    usual site (:func:`usual_attachment_site`)."""
    return conn.attachment_site or usual_attachment_site(_kind(conn))


def _kind(conn: Connection) -> str:
    return str(conn.kind.value if hasattr(conn.kind, "value") else conn.kind)


def side_id(base_id: str, side: Side) -> str:
    """The result id of one side of a connection or appliance: ``"d2-c1 (right)"`` (for
    reading; the result carries the connection and the side as ``design_connection_id`` and
    ``side``)."""
    return f"{base_id} ({side})"


def carriers(conn: Connection) -> list[str]:
    """The implants that carry ``conn`` (rigidly joined), the primary first; [] tooth-borne."""
    if conn.from_implants:
        return list(conn.from_implants)
    return [conn.from_implant] if conn.from_implant is not None else []


@dataclass
class _Part:
    """A connection, or one side of it, as analysed: ``implants`` carry its reaction."""

    conn: Connection
    id: str
    teeth: list[int]
    side: fdi.Side | None
    implants: list[str]
    note: str | None = None
    through_heads: bool = False
    """the reaction acts through the implants' heads (no moment about them)"""
    own_side: bool = False
    """one side of a one-piece pusher: it moves only its side's teeth"""

    def unit_of(self, goal_teeth: Sequence[int]) -> Sequence[int]:
        """The goal teeth this part can move en masse (see :func:`_consolidated`)."""
        return [t for t in goal_teeth if not self.own_side or fdi.side(t) == self.side]

    def hooks(self, landmarks: Mapping[int, ToothLandmarks]) -> list[int]:
        """The teeth it hooks on, on the side of its teeth (see :func:`_hooked_unit`)."""
        sides = {fdi.side(t) for t in self.teeth}
        return [t for t in self.conn.hook_teeth if t in landmarks and fdi.side(t) in sides]


def _sides(
    conn: Connection, kind: str, teeth: list[int], implant_side: Mapping[str, str | None]
) -> list[_Part]:
    """A tooth-borne spring or chain hooked on both sides of the arch (e.g. canine to molar on
    each side) is two modules, one per side, each anchored on its own side. A one-piece pusher
    carried by implants on both sides is analysed per side (see the module docstring).
    Anything else is one piece."""
    ids = carriers(conn)
    sides = {fdi.side(t) for t in teeth}
    if len(sides) < 2:
        return [_Part(conn, conn.id, teeth, None, ids)]
    if not ids and kind in TENSION_KINDS | COMPRESSION_KINDS:
        return [
            _Part(conn, side_id(conn.id, s), [t for t in teeth if fdi.side(t) == s], s, [])
            for s in ("right", "left")
        ]
    on = {s: [i for i in ids if implant_side.get(i) == s] for s in ("right", "left")}
    if kind not in CLAMPED_KINDS or not on["right"] or not on["left"]:
        return [_Part(conn, conn.id, teeth, None, ids)]
    out = []
    pairs: tuple[tuple[fdi.Side, fdi.Side], ...] = (("right", "left"), ("left", "right"))
    for s, other in pairs:
        screw = kind == "expander"
        note = (
            f"one expansion screw across the midline: the reaction of the {s} side's push is "
            f"carried by the {other} side's implants, along the screw through their heads "
            "(the screw pushes the halves apart)"
            if screw
            else "one appliance across the midline: every implant carries it"
        )
        teeth_s = [t for t in teeth if fdi.side(t) == s]
        held = on[other] if screw else ids
        out.append(_Part(conn, side_id(conn.id, s), teeth_s, s, held, note, screw, True))
    return out


def analyse_design(
    case: Case,
    design: Design,
    landmarks: Mapping[int, ToothLandmarks],
    data: MechanicsData | None = None,
) -> ForceSystem:
    """The force system of ``design`` for ``case`` on the dentition ``landmarks``.

    Four stages: resolve the parts (:func:`_resolve`: implants, goals, rigid links, the
    connections and sides to analyse), compute each one's force (:func:`_connection_force`:
    line of action, module, friction, dose), share the reactions among implants and tooth
    anchorage (:func:`_reactions`), and judge each implant's load (:func:`_implant_load`).

    Appliance forces of the case (Herbst, Class II / III elastics) on the teeth the design's
    implants hold are added as ``appliance`` connections and loaded on those implants (see the
    module docstring and :func:`appliance_loads`).

    Implants without ``head_position_mm``/``axis`` get :func:`default_head_position` /
    :func:`default_implant_axis`. Raises :class:`MechanicsError` naming the connection when a
    connection refers to an unknown implant or to no tooth in ``landmarks``.
    """
    data = data or mechanics_data()
    parts = _resolve(case, design, landmarks, data)
    forces = _connection_forces(case, parts, data)
    warnings = [w for f in forces for w in f.warnings]
    sources = {s for f in forces for s in f.sources}
    held = _Reactions.of(case, parts, forces, data)
    shared = _reactions(case, parts, held, data, warnings, sources)
    ortho = {i for c in design.connections if _kind(c) in ORTHOPAEDIC_KINDS for i in carriers(c)}
    loads_out = [
        _implant_load(
            st, shared.groups, data, warnings, sources, st.id in ortho, shared.holding(st.id)
        )
        for st in shared.implants
    ]
    times = [
        goal_time(gid, g, [t for t in gteeth if t in parts.landmarks], data)
        for gid, (g, gteeth) in parts.goals.items()
        if g.kind not in HOLDING_KINDS
    ]
    sources.update(t.rate_source.key for t in times if t.rate_source)
    durations = [t.duration_weeks for t in times if t.duration_weeks is not None]
    for u in held.units + shared.anchorage:
        sources.update(r.key for r in u.cr_sources)
    for text in _against_open_bite(case, held.units, shared.anchorage, parts.landmarks, data):
        warnings.append(MechWarning(severity="caution", text=text, sources=["seed"]))
        sources.add("seed")
    return ForceSystem(
        design_id=design.id,
        connections=[*parts.links, *(f.result for f in forces), *shared.appliance_results],
        units=held.units,
        anchorage=shared.anchorage,
        implants=loads_out,
        goals=times,
        estimated_duration_weeks=max(durations) if durations else None,
        warnings=warnings,
        sources=sorted(s for s in sources if s),
    )


# ----------------------------------------------------------------------------- stage 1: parts

Held = dict[str, tuple[list[int], list[str]]]
"""Per jaw, the teeth held as one anchorage unit and the implants that hold them (none: the
teeth a tooth-borne module reacts on)."""


@dataclass(frozen=True)
class _Screw:
    """An implant as the mechanics sees it (``derived``: tadplan placed its head)."""

    id: str
    head: Vec
    axis: Vec
    derived: bool


@dataclass(frozen=True)
class _Resolved:
    """Stage 1, the parts of a design: its implants, its goals (goal id -> goal and teeth), the
    landmarks with displaced teeth where they lie, the results of the rigid links from
    implants and the teeth they hold per jaw, the active connections from implants
    (``pulls``), the lever arms that carry another module's pull (``arms``: arm id -> its
    implant; ``arm_of``: implant -> arm id), the teeth pulled directly, the power hooks on
    teeth (tooth -> height, None: the cited default), the connections or sides to analyse
    and how many modules act on each unit."""

    design: Design
    screws: dict[str, _Screw]
    goals: dict[str, tuple[Goal, tuple[int, ...]]]
    landmarks: Mapping[int, ToothLandmarks]
    links: list[ConnectionForce]
    rigid: Held
    pulls: list[Connection]
    arms: dict[str, str | None]
    arm_of: dict[str | None, str]
    pulled: set[int]
    hook_teeth: dict[int, float | None]
    work: list[_Part]
    sharing: dict[tuple[int, ...], int]

    def attachment_only(self, part: _Part) -> bool:
        """A lever arm that another module pulls from, or a power hook on a tooth that a
        module from an implant pulls through: no force of its own."""
        conn = part.conn
        return part.id in self.arms or (
            _kind(conn) == "power_hook"
            and conn.from_implant is None
            and bool(set(part.teeth) & self.pulled)
        )


def _is_link(conn: Connection) -> bool:
    """A rigid or passive link from an implant (indirect anchorage)."""
    return conn.from_implant is not None and (conn.passive or _kind(conn) in RIGID_KINDS)


def _screws(
    design: Design, landmarks: Mapping[int, ToothLandmarks], data: MechanicsData
) -> dict[str, _Screw]:
    out = {}
    for imp in design.implants:
        derived = imp.head_position_mm is None
        try:
            head = (
                default_head_position(imp.site, landmarks, data=data)
                if derived
                else np.asarray(imp.head_position_mm, dtype=float)
            )
            axis = (
                default_implant_axis(imp.site, landmarks, data)
                if imp.axis is None
                else unit_vector(np.asarray(imp.axis, dtype=float))
            )
        except GeometryError as exc:
            raise MechanicsError(f"implant {imp.id}: {exc}") from None
        out[imp.id] = _Screw(imp.id, head, axis, derived)
    return out


def _rigid_links(
    design: Design, screws: Mapping[str, _Screw], landmarks: Mapping[int, ToothLandmarks]
) -> tuple[list[ConnectionForce], Held]:
    """The results of the rigid links from implants and the teeth they hold per jaw (every
    connection's implants checked first)."""
    results: list[ConnectionForce] = []
    rigid: Held = {}
    for conn in design.connections:
        for iid in carriers(conn):
            if iid not in screws:
                field_ = "from_implant" if iid == conn.from_implant else "from_implants"
                raise MechanicsError(
                    f"connection {conn.id}: {field_} {iid!r} is not an implant "
                    f"of design {design.id}"
                )
        teeth = [t for t in conn.teeth if t in landmarks]
        if not _is_link(conn):
            continue
        kind, ids = _kind(conn), carriers(conn)
        if not teeth:  # implant to implant (e.g. intermaxillary fixation)
            note = "no tooth attached: not part of the tooth force system"
            results.append(
                ConnectionForce(
                    connection_id=conn.id, kind=kind, role="ignored", implant_ids=ids, notes=[note]
                )
            )
            continue
        rt, ri = rigid.setdefault(fdi.arch(teeth[0]), ([], []))
        rt.extend(t for t in teeth if t not in rt)
        ri.extend(i for i in ids if i not in ri)
        results.append(
            ConnectionForce(
                connection_id=conn.id, kind=kind, role="rigid_link", implant_ids=ids, teeth=teeth
            )
        )
    return results, rigid


def _resolve(
    case: Case, design: Design, landmarks: Mapping[int, ToothLandmarks], data: MechanicsData
) -> _Resolved:
    """Stage 1 (see :class:`_Resolved`)."""
    screws = _screws(design, landmarks, data)
    goals = _goals(case, design)
    # a displaced tooth is acted on where it is, not at its place in the arch
    landmarks = displaced_landmarks(case, landmarks)
    links, rigid = _rigid_links(design, screws, landmarks)
    pulls = [c for c in design.connections if c.from_implant is not None and not _is_link(c)]
    arms = {
        c.id: c.from_implant
        for c in pulls
        if _kind(c) == "lever_arm"
        and any(
            o.from_implant == c.from_implant and _kind(o) in TENSION_KINDS - {"lever_arm"}
            for o in pulls
        )
    }
    hook_teeth: dict[int, float | None] = {
        t: c.attachment_height_mm
        for c in design.connections
        if _kind(c) == "power_hook" and c.from_implant is None and not c.passive
        for t in c.teeth
    }
    implant_side = {imp.id: imp.site.side for imp in design.implants}
    work = [
        part
        for conn in design.connections
        if not _is_link(conn)
        for part in _sides(
            conn, _kind(conn), [t for t in conn.teeth if t in landmarks], implant_side
        )
    ]
    res = _Resolved(
        design=design,
        screws=screws,
        goals=goals,
        landmarks=landmarks,
        links=links,
        rigid=rigid,
        pulls=pulls,
        arms=arms,
        arm_of={imp: cid for cid, imp in arms.items()},
        pulled={t for c in pulls if c.id not in arms for t in c.teeth},
        hook_teeth=hook_teeth,
        work=work,
        sharing={},
    )
    res.sharing.update(_sharing(case, res))
    return res


def _sharing(case: Case, res: _Resolved) -> dict[tuple[int, ...], int]:
    """Unit -> the number of modules acting on it (they share its cited dose)."""
    out: dict[tuple[int, ...], int] = {}
    for part in res.work:
        conn, teeth = part.conn, part.teeth
        if conn.passive or _kind(conn) in RIGID_KINDS or not teeth or res.attachment_only(part):
            continue
        if len({fdi.arch(t) for t in teeth}) == 1:
            _, _, _, unit_teeth = _unit_teeth(case, part, res)
            key = tuple(unit_teeth)
            out[key] = out.get(key, 0) + 1
    return out


def _unit_teeth(
    case: Case, part: _Part, res: _Resolved
) -> tuple[str | None, Goal | None, list[int], list[int]]:
    """The goal a part serves (id and goal), the teeth it hooks on, and the unit it moves:
    from the hook along the archwire (:func:`_hooked_unit`) or its teeth's unit
    (:func:`_consolidated`)."""
    gid, goal = _goal_for(part.teeth, res.goals)
    hooks = part.hooks(res.landmarks)
    if hooks:
        return gid, goal, hooks, _hooked_unit(case, hooks, part.teeth, res.landmarks)
    goal_teeth = part.unit_of(res.goals[gid][1] if gid else ())
    return gid, goal, hooks, _consolidated(case, part.teeth, goal_teeth, res.landmarks, goal)


# ----------------------------------------------------------------------------- stage 2: forces


@dataclass(frozen=True)
class _Moved:
    """The unit a part moves, the goal it serves, and the unit's displacement and crossbite
    (which turn the goal's direction)."""

    gid: str | None
    goal: Goal | None
    teeth: list[int]
    hooks: list[int]
    unit: Unit
    displaced: tuple[Displacement, ...]
    crossbite: CrossbiteKind | None

    def direction(self) -> Vec:
        assert self.goal is not None
        return goal_direction(self.goal, self.unit, self.displaced, self.crossbite)


@dataclass(frozen=True)
class _Line:
    """Where a part's force acts (``point``), where it comes from (``head``: the implant
    head, the end of a lever arm or the anchorage tooth's bracket; None: no anchorage), its
    role, the attachment, and for a tooth-borne module the anchorage teeth and bracket."""

    role: Literal["active", "tooth_borne"]
    point: Vec
    head: Vec | None
    att: _Attachment | None = None
    anchor_teeth: tuple[int, ...] = ()
    anchor_point: Vec | None = None


@dataclass(frozen=True)
class _Reaction:
    """Where a part's reaction (``force``, N) goes: to one implant (with the moment of a
    lever arm about its head), to the implants of one appliance (``group``, at ``at``), or
    to the tooth anchorage of ``jaw`` at ``at`` (``anchor_teeth``: that jaw's anchorage unit
    when it has none yet)."""

    force: Vec
    at: Vec | None = None
    implants: tuple[str, ...] = ()
    group: tuple[str, str] | None = None
    moment: Vec | None = None
    jaw: str | None = None
    anchor_teeth: tuple[int, ...] = ()


@dataclass(frozen=True)
class _PartForce:
    """Stage 2, one connection (or one side of it) as analysed: its result, the loads it
    puts on the unit it moves (with that unit's teeth and goal), its reaction, and the
    warnings and sources it adds."""

    result: ConnectionForce
    warnings: tuple[MechWarning, ...] = ()
    sources: frozenset[str] = frozenset()
    unit: tuple[int, ...] | None = None
    goal: Goal | None = None
    loads: tuple[tuple[Vec, Vec], ...] = ()
    reaction: _Reaction | None = None


def _connection_forces(case: Case, res: _Resolved, data: MechanicsData) -> list[_PartForce]:
    """Stage 2: every part's force in order. A tooth-borne module's reaction makes its
    anchorage teeth the jaw's anchorage unit when the jaw has none, for the parts after it."""
    anchor_units = {jaw: teeth for jaw, (teeth, _) in res.rigid.items()}
    out = []
    for part in res.work:
        pf = _connection_force(case, res, part, anchor_units, data)
        r = pf.reaction
        if r is not None and r.jaw is not None and not anchor_units.get(r.jaw):
            anchor_units[r.jaw] = list(r.anchor_teeth)
        out.append(pf)
    return out


def _not_a_force(res: _Resolved, part: _Part) -> ConnectionForce | None:
    """The result of a part that puts no force of its own on teeth: an attachment another
    module pulls through, a link between teeth, no tooth in the mouth, both arches."""
    conn, cid, teeth, held = part.conn, part.id, part.teeth, part.implants
    kind = _kind(conn)
    base = dict(
        connection_id=cid, design_connection_id=conn.id, side=part.side, kind=kind, teeth=teeth
    )
    if res.attachment_only(part):
        pulling = [c.id for c in res.pulls if c.id not in res.arms and set(c.teeth) & set(teeth)]
        others = [c.id for c in res.pulls if c.from_implant == conn.from_implant and c.id != cid]
        note = (
            f"stiff arm on the implant head: the pull of {', '.join(others)} starts from its "
            "end, in line with the attachment along the goal's direction; the implant carries "
            "that force's moment about its head"
            if cid in res.arms
            else f"power hook on the tooth: {', '.join(pulling)} pull(s) through it "
            "(line of action raised towards the centre of resistance); no force of its own"
        )
        return ConnectionForce(**base, role="attachment", implant_ids=held, notes=[note])
    if conn.passive or kind in RIGID_KINDS or not teeth:
        note = (
            f"none of the teeth {conn.teeth} is in the mouth"
            if not teeth
            else "passive link between teeth"
            if conn.passive
            else "rigid link between teeth (no implant): it holds them together and delivers "
            "no force; not modelled"
        )
        return ConnectionForce(**base, role="ignored", notes=[note])
    if len({fdi.arch(t) for t in teeth}) > 1:
        note = "teeth in both arches (intermaxillary): not modelled"
        return ConnectionForce(**base, role="ignored", implant_ids=held, notes=[note])
    return None


def _moved(
    case: Case, res: _Resolved, part: _Part, notes: list[str], data: MechanicsData
) -> _Moved:
    """The unit a part moves (notes say when it is not the part's own teeth)."""
    gid, goal, hooks, unit_teeth = _unit_teeth(case, part, res)
    teeth = part.teeth
    if hooks:
        notes.append(
            f"hooked at {' '.join(map(str, hooks))}; the archwire carries the force to "
            f"the unit {' '.join(map(str, unit_teeth))}"
        )
    elif unit_teeth != teeth:
        notes.append(
            f"attached at {' '.join(map(str, teeth))}; the archwire carries the force to "
            f"the whole unit {' '.join(map(str, unit_teeth))}"
        )
    try:
        unit = make_unit(unit_teeth, res.landmarks, data)
    except GeometryError as exc:
        raise MechanicsError(f"connection {part.id}: {exc}") from None
    return _Moved(
        gid,
        goal,
        unit_teeth,
        hooks,
        unit,
        _displacement(case, unit_teeth),
        crossbite_of(case, unit.teeth),
    )


def _implant_line(
    res: _Resolved,
    part: _Part,
    moved: _Moved,
    hook_height_mm: float | None,
    data: MechanicsData,
    notes: list[str],
) -> _Line:
    """The line of a module from implants: from their heads (or the end of the lever arm it
    is pulled from) to the attachment nearest them."""
    conn, primary = part.conn, part.conn.from_implant
    assert primary is not None
    head = np.mean([res.screws[i].head for i in part.implants], axis=0)
    teeth = moved.hooks or part.teeth
    att = _attachment_point(conn, teeth, res.landmarks, head, data, hook_height_mm)
    if primary in res.arm_of:  # pulled from the end of a lever arm
        head = _arm_end(head, att.point, moved.goal, moved.unit, moved.displaced, moved.crossbite)
        gap = float(np.linalg.norm(head - res.screws[primary].head))
        notes.append(
            f"from the end of lever arm {res.arm_of[primary]}, {gap:.0f} mm "
            "from the implant head, in line with the attachment along the goal's "
            "direction (the arm brings the line of force to the teeth)"
        )
    return _Line("active", att.point, head, att)


def _line_of_action(
    case: Case,
    res: _Resolved,
    part: _Part,
    moved: _Moved,
    anchor_units: Mapping[str, list[int]],
    data: MechanicsData,
    notes: list[str],
    warnings: list[MechWarning],
) -> _Line:
    """Where a part's force acts and where it comes from: from its implants' heads (or the
    end of the lever arm it is pulled from) to its attachment; a tooth-borne module from the
    nearest bracket of the jaw's anchorage teeth."""
    conn, teeth, unit = part.conn, part.teeth, moved.unit
    kind = _kind(conn)
    hook_h = _hook_height(teeth, res.hook_teeth, data)
    if conn.from_implant is not None:
        return _implant_line(res, part, moved, hook_h, data, notes)
    anchor_teeth = _anchor_teeth(
        case, res.design, unit.jaw, anchor_units.get(unit.jaw, []), res.landmarks
    )
    anchor_teeth = [t for t in anchor_teeth if t not in teeth]
    if part.side is not None:  # one side of a bilateral module: that side's anchorage
        anchor_teeth = [t for t in anchor_teeth if fdi.side(t) == part.side] or anchor_teeth
    if not anchor_teeth:
        warnings.append(
            MechWarning(
                text=f"connection {part.id}: no anchorage teeth found for its reaction (no "
                "rigid link, anchorage goal or bands in this arch)"
            )
        )
    brackets = [res.landmarks[t].bracket_mm for t in anchor_teeth]
    ref = np.mean(brackets, axis=0) if anchor_teeth else None
    att: _Attachment | None = None
    if kind in TENSION_KINDS | COMPRESSION_KINDS:
        att = _attachment_point(conn, moved.hooks or teeth, res.landmarks, ref, data, hook_h)
        point = att.point
    elif conn.attachment_point_mm is not None:
        point = np.asarray(conn.attachment_point_mm, dtype=float)
    else:  # a wire (utility arch, cantilever) engages the whole unit
        point = unit.attachment_mm.copy()
    anchor_point = None
    if anchor_teeth:
        at = min(
            anchor_teeth, key=lambda t: float(np.linalg.norm(res.landmarks[t].bracket_mm - point))
        )
        anchor_point = res.landmarks[at].bracket_mm
    return _Line("tooth_borne", point, anchor_point, att, tuple(anchor_teeth), anchor_point)


def _direction(kind: str, line: _Line, moved: _Moved, notes: list[str]) -> Vec | None:
    """The unit vector of a part's force: a pusher, or a module without a line to its
    anchorage, along the goal's direction (None: no goal); an open coil along the wire it is
    threaded on; a tension module from the attachment towards the head."""
    head, point = line.head, line.point
    if (
        kind in CLAMPED_KINDS
        or head is None
        or (line.role == "tooth_borne" and kind not in TENSION_KINDS | COMPRESSION_KINDS)
    ):
        return moved.direction() if moved.goal is not None else None
    if kind not in COMPRESSION_KINDS:
        return unit_vector(head - point)
    # an open coil is threaded on a wire (archwire, guide segment or sliding tube): it pushes
    # along that wire at the attachment, away from its stop
    on = line.att.tooth if line.att is not None else None
    guide = _guide(on, moved.goal, moved.unit, moved.displaced, moved.crossbite)
    along = along_guide(guide, head, point) if guide is not None else None
    if along is None or on is None:
        return unit_vector(point - head)
    how = (
        " (the tooth's mesiodistal direction)"
        if guide is on.mesial
        else " (the segment guides it the goal's way)"
    )
    notes.append(
        f"open coil threaded on the wire through the tube or bracket of {on.fdi}: it pushes "
        f"along the wire{how}, not along the line from its stop"
    )
    return along


@dataclass(frozen=True)
class _Friction:
    """Sliding friction on a part: the fraction lost along ``sliding`` (the goal's
    direction; None without friction), the studies' ordinary fraction, citation and keys."""

    fraction: float
    ordinary: float
    sliding: Vec | None
    sources: tuple[SourceRef, ...]


def _part_friction(case: Case, kind: str, moved: _Moved, data: MechanicsData) -> _Friction:
    fr, sources = _friction(case, moved.goal, kind, moved.teeth, data)
    ordinary = data.friction.sliding_loss_fraction.value if fr > 0 else 0.0
    sliding = moved.direction() if fr > 0 and moved.goal is not None else None
    return _Friction(fr, ordinary, sliding, sources)


def _module(
    conn: Connection,
    cid: str,
    applied: float,
    span: float | None,
    warnings: list[MechWarning],
    data: MechanicsData,
) -> tuple[mod.ForceModule | None, ModuleUse | None]:
    """The connection's module (its ``module``, else its kind's usual one) fitted to the
    applied force and its ``activation_mm``; a module that cannot take it is a warning."""
    kind = conn.module or usual_module(_kind(conn))
    if kind is None:
        return None, None
    try:
        module, act = mod.fit_module(kind, applied, span, conn.activation_mm, data)
    except mod.ModuleError as exc:
        warnings.append(MechWarning(text=f"connection {cid}: {exc}", sources=["buchmann2012"]))
        return None, None
    use = ModuleUse(
        kind=module.kind,
        description=module.describe(),
        nominal_g=module.nominal_g,
        length_mm=module.length_mm,
        activation_mm=act,
    )
    return module, use


def _applied_force(
    conn: Connection,
    moved: _Moved,
    direction: Vec,
    friction: _Friction,
    modules: int,
    notes: list[str],
    data: MechanicsData,
) -> float | None:
    """The module's force (g): the connection's ``force_g``, else the middle of the cited
    range allowing for friction; None when there is neither."""
    if conn.force_g is not None:
        return float(conn.force_g)
    kind = _kind(conn)
    rng = orthopaedic_range(kind, data) or dose_range(
        moved.goal, moved.teeth, MovementType.translation, data, modules
    )
    if rng is None:
        return None
    scale = dose_scale(rng.basis, direction, friction.sliding, friction.fraction, friction.ordinary)
    applied = (rng.low_g + rng.high_g) / 2 / scale
    extra = " allowing for friction" if abs(scale - 1) > 1e-9 else ""
    notes.append(f"no force given: {applied:.0f} g (middle of the cited range{extra})")
    return applied


def _dose(
    cid: str,
    kind: str,
    applied: float,
    delivered: float,
    direction: Vec,
    friction: _Friction,
    rng: CitedRange,
    span: float | None,
    data: MechanicsData,
) -> tuple[DoseCheck, MechWarning | None]:
    """The force against its cited range, with the module the mechanics suggests when it is
    out of range (not for orthopaedic loads) and the caution that says so."""
    scale = dose_scale(rng.basis, direction, friction.sliding, friction.fraction, friction.ordinary)
    compared = applied * scale
    status: Literal["below", "within", "above"] = (
        "below"
        if compared < rng.low_g - 0.5
        else "above"
        if compared > rng.high_g + 0.5
        else "within"
    )  # 0.5 g: not flagged for rounding
    required = (rng.low_g + rng.high_g) / 2 / scale
    sug = (
        suggestion(required, kind, span, data)
        if status != "within" and kind not in ORTHOPAEDIC_KINDS
        else None
    )
    dose = DoseCheck(
        low_g=rng.low_g,
        high_g=rng.high_g,
        source=SourceRef(key=rng.source, detail=rng.detail, tag=rng.tag),
        basis=rng.basis,
        basis_detail=rng.basis_detail,
        delivered_g=delivered,
        compared_g=compared,
        ordinary_friction_fraction=friction.ordinary if rng.basis == "applied" else 0.0,
        status=status,
        required_applied_g=required,
        useful_min_applied_g=rng.low_g / scale,
        suggestion=sug.text if sug is not None else None,
        suggested_module=sug.module if sug else None,
        suggested_force_g=sug.force_g if sug else None,
        suggested_activation_mm=sug.activation_mm if sug else None,
    )
    if status == "within":
        return dose, None
    text = f"connection {cid}: {dose_words(dose, applied, friction.fraction)}"
    if dose.suggestion:
        text += f"; suggest {dose.suggestion}"
    return dose, MechWarning(severity="caution", text=text, sources=[rng.source])


def _orthopaedic_note(data: MechanicsData) -> tuple[str, set[str]]:
    ef = data.orthopaedic.expansion_force
    note = (
        f"orthopaedic load: the screw builds it up by {ef.per_activation.words()} per "
        f"activation, {ef.after_five_activations.words()} after five, to "
        f"{ef.accumulated.words()}"
    )
    return note, {r.source for r in (ef.per_activation, ef.after_five_activations)}


def _connection_force(
    case: Case,
    res: _Resolved,
    part: _Part,
    anchor_units: Mapping[str, list[int]],
    data: MechanicsData,
) -> _PartForce:
    """Stage 2 for one part (see :class:`_PartForce`): the unit it moves, its line of action,
    its force and friction, its module, dose and force curve, and its reaction."""
    early = _not_a_force(res, part)
    if early is not None:
        return _PartForce(early)
    conn, cid, held, kind = part.conn, part.id, part.implants, _kind(part.conn)
    base = dict(connection_id=cid, design_connection_id=conn.id, side=part.side, kind=kind)
    notes = [part.note] if part.note else []
    if len(held) > 1:
        notes.append(f"carried by implants {', '.join(held)} together (one appliance)")
    warnings: list[MechWarning] = []
    moved = _moved(case, res, part, notes, data)
    line = _line_of_action(case, res, part, moved, anchor_units, data, notes, warnings)
    direction = _direction(kind, line, moved, notes)
    if direction is None:
        note = "no goal to give it a direction"
        ignored = ConnectionForce(**base, role="ignored", teeth=part.teeth, notes=[note])
        return _PartForce(ignored, tuple(warnings))
    modules = res.sharing.get(tuple(moved.teeth), 1)
    friction = _part_friction(case, kind, moved, data)
    applied = _applied_force(conn, moved, direction, friction, modules, notes, data)
    if applied is None:
        note = "no force given and no cited force range for this goal"
        ignored = ConnectionForce(
            **base,
            role="ignored",
            implant_ids=held,
            goal_id=moved.gid,
            teeth=part.teeth,
            notes=[note],
        )
        return _PartForce(ignored, tuple(warnings))
    force = _Applied(applied, direction, friction, modules)
    return _applied_part(res, part, moved, line, force, notes, warnings, data)


@dataclass(frozen=True)
class _Applied:
    """A part's applied force (g) along ``direction``, its friction, and the number of
    modules that share its unit's dose."""

    g: float
    direction: Vec
    friction: _Friction
    modules: int

    @property
    def force_n(self) -> Vec:
        return np.asarray(self.direction * self.g * G, dtype=float)

    @property
    def delivered_n(self) -> Vec:
        return after_friction(self.force_n, self.friction.sliding, self.friction.fraction)


def _applied_part(
    res: _Resolved,
    part: _Part,
    moved: _Moved,
    line: _Line,
    force: _Applied,
    notes: list[str],
    warnings: list[MechWarning],
    data: MechanicsData,
) -> _PartForce:
    """A part with its force: its module, the loads on its unit (the module at its hook or
    arm tip; friction where the archwire slides, in the bracket slot, along the wire), the
    unit's force system from it alone, its dose and curve, and its reaction."""
    conn, cid, kind, friction = part.conn, part.id, _kind(part.conn), force.friction
    span = float(np.linalg.norm(line.head - line.point)) if line.head is not None else None
    f_applied, f_eff = force.force_n, force.delivered_n
    module, module_use = _module(conn, cid, force.g, span, warnings, data)
    slot = line.att.bracket if line.att is not None else line.point
    loads: list[tuple[Vec, Vec]] = [(line.point, f_applied)]
    if float(np.linalg.norm(f_eff - f_applied)) > 0:
        loads.append((slot, f_eff - f_applied))
    system = unit_force_system(
        moved.unit, loads, goal=moved.goal, data=data, displaced=moved.displaced
    )
    sources: set[str] = set()
    if kind in ORTHOPAEDIC_KINDS:
        note, keys = _orthopaedic_note(data)
        notes.append(note)
        sources |= keys
    delivered = float(np.linalg.norm(f_eff)) / G
    dose, curve, judged, cited = _judged(
        part, force, delivered, span, system.movement, moved, module, module_use, data
    )
    warnings += judged
    sources |= cited
    if friction.fraction:
        notes.append(
            f"sliding mechanics: {friction.fraction:.0%} of the force lost to friction "
            f"({friction_words(friction.sources)})"
        )
        sources.update(s.key for s in friction.sources)
    result = ConnectionForce(
        connection_id=cid,
        design_connection_id=conn.id,
        side=part.side,
        kind=kind,
        role=line.role,
        implant_ids=part.implants,
        goal_id=moved.gid,
        teeth=part.teeth,
        module=module_use,
        applied_g=force.g,
        friction_loss_fraction=friction.fraction,
        friction_sources=list(friction.sources),
        delivered_g=delivered,
        point_mm=_v3(line.point),
        direction=_v3(force.direction),
        attachment_height_mm=line.att.height_mm if line.att is not None else None,
        translation_height_mm=_translation_height(
            line.att,
            line.role,
            kind,
            moved.goal,
            moved.unit,
            line.head,
            friction.sliding,
            friction.fraction,
        ),
        system=system,
        dose=dose,
        curve=curve,
        notes=notes,
    )
    reaction = _reaction(res, part, line, moved, -f_applied)
    unit = tuple(moved.teeth)
    return _PartForce(
        result, tuple(warnings), frozenset(sources), unit, moved.goal, tuple(loads), reaction
    )


def _judged(
    part: _Part,
    force: _Applied,
    delivered: float,
    span: float | None,
    movement: MovementType,
    moved: _Moved,
    module: mod.ForceModule | None,
    module_use: ModuleUse | None,
    data: MechanicsData,
) -> tuple[DoseCheck | None, ForceCurve | None, list[MechWarning], set[str]]:
    """A part's dose against its cited range (orthopaedic, else for its goal and the
    predicted ``movement``) and its module's force over time, with their warnings and
    sources; no range: nothing to judge."""
    kind = _kind(part.conn)
    rng = orthopaedic_range(kind, data) or dose_range(
        moved.goal, moved.teeth, movement, data, force.modules
    )
    if rng is None:
        return None, None, [], set()
    dose, caution = _dose(
        part.id, kind, force.g, delivered, force.direction, force.friction, rng, span, data
    )
    warnings = [caution] if caution is not None else []
    curve = None
    if module is not None and module_use is not None:
        curve = _curve(
            module,
            module_use.activation_mm,
            dose.useful_min_applied_g,
            moved.goal,
            moved.teeth,
            data,
        )
        warnings += _curve_warning(part.id, curve)
    return dose, curve, warnings, {rng.source}


def _curve_warning(cid: str, curve: ForceCurve) -> list[MechWarning]:
    if curve.works_at_g is None:
        return []
    return [
        MechWarning(
            severity="info",
            text=f"connection {cid}: {curve_words(curve)}; a NiTi closed-coil spring keeps a "
            "constant force (IIP 2024 chapter, I.2)",
            sources=["buchmann2012", "seed"],
        )
    ]


def _reaction(
    res: _Resolved, part: _Part, line: _Line, moved: _Moved, force: Vec
) -> _Reaction | None:
    """Where the reaction ``force`` of a part goes (see :class:`_Reaction`)."""
    kind, held = _kind(part.conn), part.implants
    if line.role == "active":
        if kind in CLAMPED_KINDS:  # clamped: one appliance on every implant that carries it
            via = (
                np.mean([res.screws[i].head for i in held], axis=0)
                if part.through_heads
                else line.point
            )
            return _Reaction(force, via, tuple(held), group=(kind, str(part.teeth)))
        if len(held) > 1 and line.head is not None:  # one appliance on several implants
            return _Reaction(force, line.head, tuple(held), group=(kind, part.id))
        moment = None
        if part.conn.from_implant in res.arm_of and line.head is not None:  # the lever arm's
            moment = np.cross(line.head - res.screws[held[0]].head, force)
        return _Reaction(force, implants=(held[0],), moment=moment)
    if not line.anchor_teeth:
        return None
    at = line.point
    if (
        kind not in CLAMPED_KINDS
        and kind in TENSION_KINDS | COMPRESSION_KINDS
        and line.anchor_point is not None
    ):
        at = line.anchor_point
    return _Reaction(force, at, jaw=moved.unit.jaw, anchor_teeth=line.anchor_teeth)


# ----------------------------------------------------------------------------- stage 3: reactions


@dataclass(frozen=True)
class _Reactions:
    """Stage 3's input, gathered from the parts: the resultant on every moved unit, the
    reactions on tooth anchorage per jaw, each jaw's anchorage unit (rigid links from
    implants, else the first tooth-borne module's anchorage teeth), the one-implant
    reactions in order and the loads on appliances carried by several implants."""

    units: list[UnitForceSystem]
    on_teeth: dict[str, list[tuple[Vec, Vec]]]
    rigid: Held
    direct: list[_Reaction]
    appliances: dict[tuple[str, str], list[_Reaction]]

    @classmethod
    def of(
        cls, case: Case, res: _Resolved, forces: Sequence[_PartForce], data: MechanicsData
    ) -> _Reactions:
        per_unit: dict[tuple[int, ...], list[tuple[Vec, Vec]]] = {}
        unit_goal: dict[tuple[int, ...], Goal | None] = {}
        on_teeth: dict[str, list[tuple[Vec, Vec]]] = {}
        rigid: Held = {jaw: (list(t), list(i)) for jaw, (t, i) in res.rigid.items()}
        direct: list[_Reaction] = []
        appliances: dict[tuple[str, str], list[_Reaction]] = {}
        for f in forces:
            if f.unit is not None:
                per_unit.setdefault(f.unit, []).extend(f.loads)
                unit_goal[f.unit] = f.goal
            r = f.reaction
            if r is None:
                continue
            if r.group is not None:
                appliances.setdefault(r.group, []).append(r)
            elif r.implants:
                direct.append(r)
            elif r.jaw is not None and r.at is not None:
                on_teeth.setdefault(r.jaw, []).append((r.at, r.force))
                if not rigid.setdefault(r.jaw, ([], []))[0]:
                    rigid[r.jaw] = (list(r.anchor_teeth), [])
        units = [
            unit_force_system(
                make_unit(list(k), res.landmarks, data),
                loads,
                goal=unit_goal[k],
                data=data,
                other_goals=[  # every goal of the design on these teeth: its movement is wanted
                    g
                    for g, gteeth in res.goals.values()
                    if g is not unit_goal[k] and set(gteeth) & set(k)
                ],
                displaced=_displacement(case, k),
            )
            for k, loads in per_unit.items()
        ]
        return cls(units, on_teeth, rigid, direct, appliances)


@dataclass(frozen=True)
class _Shared:
    """Stage 3's result: every implant with its load, the force systems on tooth anchorage,
    the appliance connections (Herbst, elastics), the implants' groups (rigid units and
    appliances; for the single-implant moment check) and the case appliances each implant
    holds against."""

    implants: list[_ImplantState]
    anchorage: list[UnitForceSystem]
    appliance_results: list[ConnectionForce]
    groups: Held
    holding_of: dict[str, list[str]]

    def holding(self, implant_id: str) -> list[str]:
        return self.holding_of.get(implant_id, [])


def _reactions(
    case: Case,
    res: _Resolved,
    held: _Reactions,
    data: MechanicsData,
    warnings: list[MechWarning],
    sources: set[str],
) -> _Shared:
    """Stage 3: the reactions shared among the implants (:func:`share_load`): one-implant
    reactions, the held units' loads (with the case's appliance forces), and the loads of
    appliances on several implants."""
    states = {i: _ImplantState(s.id, s.head, s.axis, s.derived) for i, s in res.screws.items()}
    for r in held.direct:
        st = states[r.implants[0]]
        st.force = st.force + r.force
        if r.moment is not None:
            st.moment = st.moment + r.moment
    rigid = held.rigid
    external = appliance_loads(
        case,
        {jaw: teeth for jaw, (teeth, ids) in rigid.items() if ids and teeth},
        res.landmarks,
        data,
    )
    anchorage, balance = _held_units(held, external, states, res.landmarks, data)
    app_results = _appliance_results(
        res.design, external, rigid, balance, res.landmarks, data, warnings, sources
    )
    groups = dict(rigid)
    for n, ((kind, _), parts) in enumerate(held.appliances.items()):
        ids = list(dict.fromkeys(i for p in parts for i in p.implants))
        heads = [states[i].head for i in ids]
        ref = np.mean(heads, axis=0)
        f = sum((p.force for p in parts), np.zeros(3))
        m = sum((np.cross(p.at - ref, p.force) for p in parts if p.at is not None), np.zeros(3))
        _add_shares(states, ids, share_load(heads, f, m, ref))
        groups[f"{kind} {n}"] = ([], ids)
    holding: dict[str, list[str]] = {}  # implant -> the case appliances it holds against
    for e in external:
        for i in rigid[e.jaw][1]:
            if e.appliance not in holding.setdefault(i, []):
                holding[i].append(e.appliance)
    return _Shared(list(states.values()), anchorage, app_results, groups, holding)


def _add_shares(
    states: Mapping[str, _ImplantState], ids: Sequence[str], shares: Sequence[tuple[Vec, Vec]]
) -> None:
    for iid, (fi, mi) in zip(ids, shares, strict=True):
        states[iid].force = states[iid].force + fi
        states[iid].moment = states[iid].moment + mi


def _held_units(
    held: _Reactions,
    external: Sequence[ApplianceLoad],
    states: Mapping[str, _ImplantState],
    landmarks: Mapping[int, ToothLandmarks],
    data: MechanicsData,
) -> tuple[list[UnitForceSystem], dict[str, UnitForceSystem]]:
    """Each jaw's reactions (and appliance forces) on its anchorage unit: on teeth alone, the
    force system they carry; held by implants, shared among them, with what is left on the
    held unit when an appliance pushes it (its balance)."""
    reactions = {jaw: list(loads) for jaw, loads in held.on_teeth.items()}
    for ext in external:
        reactions.setdefault(ext.jaw, []).append((ext.point_mm, ext.force_n))
    anchorage: list[UnitForceSystem] = []
    balance: dict[str, UnitForceSystem] = {}
    for jaw, loads in reactions.items():
        teeth, ids = held.rigid[jaw]
        unit = make_unit(teeth, landmarks, data)
        if not ids:
            anchorage.append(unit_force_system(unit, loads, data=data))
            continue
        f = sum((ld[1] for ld in loads), np.zeros(3))
        m = sum((np.cross(ld[0] - unit.cr_mm, ld[1]) for ld in loads), np.zeros(3))
        heads = [states[i].head for i in ids]
        shares = share_load(heads, f, m, unit.cr_mm)
        _add_shares(states, ids, shares)
        if any(e.jaw == jaw for e in external):
            balance[jaw] = held_balance(unit, loads, heads, shares, data)
    return anchorage, balance


def _against_open_bite(
    case: Case,
    units: Sequence[UnitForceSystem],
    anchorage: Sequence[UnitForceSystem],
    landmarks: Mapping[int, ToothLandmarks],
    data: MechanicsData,
) -> list[str]:
    """In an open bite (``findings.vertical: open_bite`` or a negative overbite), every moved
    or anchor unit whose vertical force opens the bite further: intrusion of anterior teeth,
    extrusion of posterior teeth (the seed closes open bites by intruding molars, II.2
    Intrusion of posterior teeth, Fig. 18-19). Only a vertical component of at least the
    cited mention fraction of the unit's force counts."""
    f = case.findings
    open_bite = f.vertical == "open_bite" or (f.overbite_mm is not None and f.overbite_mm < 0)
    if not open_bite:
        return []
    frac = data.classification.mention_fraction.value
    out = []
    for u, what in [(u, "moved") for u in units] + [(u, "anchor") for u in anchorage]:
        c = u.resultant  # intrusive along the unit's mean long axis, whatever its sides
        if u.force_g <= 0 or abs(c.intrusive_g) < frac * u.force_g:
            continue
        anterior = all(fdi.is_anterior(t) for t in u.teeth)
        posterior = not any(fdi.is_anterior(t) for t in u.teeth)
        teeth = " ".join(map(str, u.teeth))
        if anterior and c.intrusive_g > 0:
            out.append(
                f"open bite: the {what} anterior teeth {teeth} get {c.intrusive_g:.0f} g "
                "intrusive force, which opens the bite further"
            )
        elif posterior and c.intrusive_g < 0:
            out.append(
                f"open bite: the {what} posterior teeth {teeth} get {-c.intrusive_g:.0f} g "
                "extrusive force, which opens the bite further (the molars are the hinge)"
            )
    return out


def _appliance_results(
    design: Design,
    external: Sequence[ApplianceLoad],
    rigid: Mapping[str, tuple[list[int], list[str]]],
    balance: Mapping[str, UnitForceSystem],
    landmarks: Mapping[int, ToothLandmarks],
    data: MechanicsData,
    warnings: list[MechWarning],
    sources: set[str],
) -> list[ConnectionForce]:
    """One ``appliance`` connection per side of each appliance force on a held unit, and a
    caution where a ligature would have to push (a ligature only pulls)."""
    out = []
    for ext in external:
        spec = data.appliances.appliances[ext.appliance]
        teeth, ids = rigid[ext.jaw]
        unit = make_unit(teeth, landmarks, data)
        net = balance[ext.jaw]
        line = (
            f"along the line {'from' if spec.action == 'push' else 'to'} {ext.partner}"
            if ext.partner is not None
            else "anteroposteriorly (the other attachment tooth is absent)"
        )
        out.append(
            ConnectionForce(
                connection_id=side_id(ext.appliance, ext.side),
                design_connection_id=ext.appliance,
                side=ext.side,
                kind=ext.appliance,
                role="appliance",
                implant_ids=list(ids),
                teeth=[ext.tooth],
                applied_g=ext.force_g,
                delivered_g=ext.force_g,
                point_mm=_v3(ext.point_mm),
                direction=_v3(ext.force_n / float(np.linalg.norm(ext.force_n))),
                system=unit_force_system(unit, [(ext.point_mm, ext.force_n)], data=data),
                notes=[
                    f"{ext.appliance.replace('_', ' ')} force on {ext.tooth}, "
                    f"{spec.force_per_side.words()}, {line} "
                    f"({spec.attach.source}: {spec.attach.detail} [{spec.attach.tag}])",
                    f"held: the links from {', '.join(ids)} carry it (with the unit's other "
                    f"reactions) to the implants; net force on the held unit "
                    f"{' '.join(map(str, teeth))}: {net.force_g:.0f} g",
                ],
            )
        )
        sources.update({spec.force_per_side.source, spec.attach.source})
    # a ligature only pulls: it cannot hold a unit that the load pushes towards its implant
    jaws = {e.jaw for e in external}
    for conn in design.connections:
        if _kind(conn) != "ligature_tie_back" or not conn.teeth:
            continue
        jaw = fdi.arch(conn.teeth[0])
        if jaw not in jaws or conn.from_implant is None:
            continue
        net_applied = sum((e.force_n for e in external if e.jaw == jaw), np.zeros(3))
        tooth = conn.teeth[0]
        if tooth not in landmarks:
            continue
        # the implants take the load: it must pull the tooth away from the implant head
        head_to_tooth = landmarks[tooth].bracket_mm - _head_of(conn, design, landmarks, data)
        if float(np.dot(net_applied, head_to_tooth)) < 0:
            warnings.append(
                MechWarning(
                    severity="caution",
                    text=(
                        f"connection {conn.id}: the appliance pushes {tooth} towards the implant; "
                        "a ligature cannot push: hold it with a rigid link (segmental arch)"
                    ),
                    sources=["seed"],
                )
            )
    return out


def _head_of(
    conn: Connection, design: Design, landmarks: Mapping[int, ToothLandmarks], data: MechanicsData
) -> Vec:
    imp = next(i for i in design.implants if i.id == conn.from_implant)
    if imp.head_position_mm is not None:
        return np.asarray(imp.head_position_mm, dtype=float)
    return default_head_position(imp.site, landmarks, data=data)


def _curve(
    module: mod.ForceModule,
    activation: float,
    useful_min: float,
    goal: Goal | None,
    teeth: Sequence[int],
    data: MechanicsData,
) -> ForceCurve:
    rate = movement_rate(goal, teeth, data) if goal is not None else None
    per_day = rate.value / mod.DAYS_PER_MONTH if rate else 0.0
    if goal is not None and goal.amount_mm and rate:
        duration = mod.months_to_days(goal.amount_mm / rate.value)
    else:
        duration = mod.DAYS_PER_MONTH * 3
    visit = mod.appointment_days(data)
    c = mod.sample_curve(module, activation, useful_min, duration, per_day, data=data)
    interval = mod.reactivation_interval_days(
        module, activation, useful_min, per_day, horizon_days=max(duration, 1.0), data=data
    )
    starts_below = interval is not None and interval <= 0
    works_at = None
    if interval is not None and 0 < interval < 1.0:
        works_at = mod.force_at(module, max(activation - per_day * visit / 2, 0.0), visit / 2, data)
    return ForceCurve(
        t_days=list(c.t_days),
        force_g=list(c.force_g),
        reactivation_days=list(c.reactivation_days),
        useful_min_g=useful_min,
        reactivation_interval_days=None if starts_below else interval,
        appointment_interval_days=visit,
        starts_below_range=starts_below,
        works_at_g=works_at,
    )


_CLASS_TOLERANCE = 0.15
"""A spring class within 15 % of the wanted force is suggested as is (a selection rule)."""


@dataclass(frozen=True)
class Suggestion:
    """A module that delivers a wanted force: ``text`` for the clinician; when it is a module
    the mechanics can fit, its ``module`` kind, the ``force_g`` a connection's ``force_g``
    takes for it (closed coils: the class) and its ``activation_mm``."""

    text: str
    module: mod.ModuleKind | None = None
    force_g: float | None = None
    activation_mm: float | None = None


def suggest_module(
    target_g: float, kind: str, span_mm: float | None, data: MechanicsData | None = None
) -> str:
    """A module and activation that deliver ``target_g`` (g) at placement."""
    return suggestion(target_g, kind, span_mm, data).text


def suggestion(
    target_g: float, kind: str, span_mm: float | None, data: MechanicsData | None = None
) -> Suggestion:
    """:func:`suggest_module` with the module's kind, force and activation."""
    data = data or mechanics_data()
    S = Suggestion
    if kind in COMPRESSION_KINDS:
        try:
            m, act = mod.fit_module(mod.ModuleKind.niti_open_coil, target_g, span_mm, None, data)
        except mod.ModuleError:
            m, act = mod.fit_module(mod.ModuleKind.ss_open_coil, target_g, span_mm, None, data)
            return S(
                f"stainless-steel open-coil spring ({m.length_mm:.0f} mm), compressed "
                f"{act:.1f} mm ({target_g:.0f} g; it loses force quickly as the tooth moves)",
                m.kind,
                target_g,
                act,
            )
        return S(
            f"NiTi open-coil spring labelled {m.nominal_g:.0f} g, compressed {act:.1f} mm "
            f"({mod.force_at(m, act, 0, data):.0f} g)",
            m.kind,
            target_g,
            act,
        )
    classes = data.modules.niti_closed_coil.nominal_classes_g.values
    best = min(classes, key=lambda c: abs(c - target_g))
    if target_g > max(classes) * (1 + _CLASS_TOLERANCE):
        try:
            m, act = mod.fit_module(mod.ModuleKind.elastomeric_chain, target_g, span_mm, None, data)
        except mod.ModuleError:
            return S(
                f"{target_g:.0f} g is beyond the heaviest closed-coil class ({max(classes):g} g) "
                "and a chain: lower the friction (power arm, less binding) or split the load"
            )
    elif abs(best - target_g) <= _CLASS_TOLERANCE * target_g:
        m, act = mod.fit_module(mod.ModuleKind.niti_closed_coil, best, span_mm, None, data)
        return S(
            f"NiTi closed-coil spring, {best:g} g class, activated {act:.0f} mm "
            f"(plateau {mod.force_at(m, act, 0, data):.0f} g)",
            m.kind,
            best,
            act,
        )
    try:
        m, act = mod.fit_module(mod.ModuleKind.elastomeric_chain, target_g, span_mm, None, data)
    except mod.ModuleError:
        if target_g < min(classes):
            return S(
                f"{target_g:.0f} g is lighter than the lightest closed-coil class "
                f"({min(classes):g} g): a light elastic or chain of about {target_g:.0f} g"
            )
        return S(f"NiTi closed-coil spring, {best:g} g class (nearest to {target_g:.0f} g)")
    return S(
        f"elastomeric chain {m.length_mm:.1f} mm long stretched {act:.1f} mm "
        f"({target_g:.0f} g at placement, "
        f"{mod.force_at(m, act, 1.0, data):.0f} g after a day)",
        m.kind,
        target_g,
        act,
    )


def _names(appliances: Sequence[str]) -> str:
    return " and ".join(a.replace("_", " ") for a in appliances)


def _implant_load(
    st: _ImplantState,
    rigid: Mapping[str, tuple[list[int], list[str]]],
    data: MechanicsData,
    warnings: list[MechWarning],
    sources: set[str],
    orthopaedic: bool = False,
    holds_against: Sequence[str] = (),
) -> ImplantLoad:
    """The load on one implant and its flags. An implant that carries an orthopaedic
    appliance is judged against the cited load limit per screw for that use; any other
    against the immediate-loading limit for orthodontic forces. ``holds_against``: the
    case's appliances (Herbst, elastics) whose force the implant holds: their force is not
    the implant's to lower, so the advice names what can be done instead."""
    lim = data.implant_loads
    fg = float(np.linalg.norm(st.force)) / G
    torsion = float(np.dot(st.moment, st.axis))
    bending = float(np.linalg.norm(st.moment - torsion * st.axis))
    flags: list[str] = []
    if orthopaedic:
        flags += _orthopaedic_flags(st.id, fg, data, warnings, sources)
    elif fg > lim.immediate_loading_limit_g.value + 0.5:  # not flagged for rounding
        flags.append("over_immediate_loading_limit")
        warnings.append(
            MechWarning(
                severity="caution",
                text=(
                    f"implant {st.id}: {fg:.0f} g is above the "
                    f"{lim.immediate_loading_limit_g.value:g} g "
                    "used for immediate loading: "
                    + (
                        f"it holds the force of the {_names(holds_against)}: fit the appliance "
                        "once the implants have healed, or share the load over more implants"
                        if holds_against
                        else "load it later or lower the force"
                    )
                ),
                sources=[lim.immediate_loading_limit_g.source],
            )
        )
        sources.add(lim.immediate_loading_limit_g.source)
    group = [ids for _, ids in rigid.values() if st.id in ids]
    alone = not group or len(group[0]) == 1
    if abs(torsion) > lim.torsion_resistance_nmm.value:
        flags.append("unresisted_moment")
        extra = (
            " A single implant cannot resist it: add a second implant so the moment is "
            "shared as forces (IIP 2024 chapter, II.1, Fig. 8)."
            if alone
            else ""
        )
        warnings.append(
            MechWarning(
                severity="danger",
                code="implant_unresisted_moment",
                text=(
                    f"implant {st.id}: {abs(torsion):.0f} N*mm about its own axis exceeds the "
                    f"{lim.torsion_resistance_nmm.value:g} N*mm removal torque of a mini-implant."
                    + extra
                ),
                sources=[lim.torsion_resistance_nmm.source, "seed"],
            )
        )
        sources.update({lim.torsion_resistance_nmm.source, "seed"})
    return ImplantLoad(
        implant_id=st.id,
        head_mm=_v3(st.head),
        axis=_v3(st.axis),
        head_position_derived=st.derived,
        force_n=_v3(st.force),
        force_g=fg,
        moment_about_head_nmm=_v3(st.moment),
        torsion_nmm=torsion,
        bending_nmm=bending,
        flags=flags,
    )


def _orthopaedic_flags(
    implant_id: str,
    force_g: float,
    data: MechanicsData,
    warnings: list[MechWarning],
    sources: set[str],
) -> list[str]:
    """``over_orthopaedic_limit`` when a screw's share of an orthopaedic load exceeds the
    cited limit per screw (with a caution saying what it rests on)."""
    o = data.orthopaedic
    lim = o.screw_load_limit
    if force_g <= lim.g + 0.5:  # not flagged for rounding
        return []
    warnings.append(
        MechWarning(
            severity="caution",
            text=(
                f"implant {implant_id}: its share of the orthopaedic load, {force_g / 1000:.1f} kg "
                f"({force_g * G:.0f} N), is above {lim.value:g} {lim.unit}, the lowest mean "
                f"shear failure force of a single miniscrew [{lim.tag}], used as the limit per "
                f"palatal screw [{o.screw_load_limit_use.tag}]: anchor the screws "
                "bicortically, use wider screws or spread the load over more screws"
            ),
            sources=[lim.source],
        )
    )
    sources.add(lim.source)
    return ["over_orthopaedic_limit"]


def orthopaedic_range(kind: str, data: MechanicsData | None = None) -> CitedRange | None:
    """The cited force range (g) of an orthopaedic appliance of ``kind`` (the accumulated
    expansion force of an expander), or None for orthodontic connections."""
    if kind not in ORTHOPAEDIC_KINDS:
        return None
    acc = (data or mechanics_data()).orthopaedic.expansion_force.accumulated
    return CitedRange(
        low_g=acc.low_g,
        high_g=acc.high_g,
        source=acc.source,
        detail=acc.detail,
        tag=acc.tag,
        basis="applied",
        basis_detail="Force the expansion screw develops against the maxillary halves, "
        "measured at the screw (no friction)",
    )
