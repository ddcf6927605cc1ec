"""Adopt the force the mechanics asks for.

When a connection's force falls outside its cited dose range (after friction), the mechanics
(:class:`~tadplan.model.DoseCheck`) suggests a module of a force that lands in the
range. A clinician would simply fit it; so does the planner, once, and only when

- the rule set the connection's force (without one the mechanics takes the middle of the
  cited range itself);
- the suggested module is of the kind the connection already uses (a chain stays a chain:
  a different module is a different design, proposed by its own rule);
- the suggested force lies within the cited range (never beyond its maximum);
- recomputed with it, every adopted connection's dose is within the range, and no implant
  gets a flag it did not have with the rule's force (overload, unresisted moment).

Otherwise the rule's force and the mechanics' caution stay, and an ``info`` warning says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tadplan.anatomy import ToothLandmarks
from tadplan.case.model import Case
from tadplan.mechanics.text import dose_words
from tadplan.model import (
    ConnectionForce,
    Design,
    DoseCheck,
    ForceSystem,
    SourceRef,
    TraceEntry,
    Warning,
)

Analyse = Callable[[Case, Design, Mapping[int, ToothLandmarks]], ForceSystem]

RULE_ID = "mechanics-adopt-suggested-force"
"""Trace name of this step (it is not a knowledge-base rule)."""

_ROUNDING_G = 0.5
"""A force within 0.5 g of a range's end counts as inside (as the mechanics' dose check)."""


@dataclass(frozen=True)
class Adoption:
    """What the step did with one design: the design and force system to keep, the warning
    that says so and the trace entry (both None when nothing was suggested)."""

    design: Design
    mechanics: ForceSystem
    warning: Warning | None = None
    trace: TraceEntry | None = None


def _sources(cf: ConnectionForce) -> list[SourceRef]:
    """The registry keys of a connection's friction and dose range (structured fields of the
    force system, never parsed back from its words)."""
    keys = [s.key for s in cf.friction_sources]
    if cf.dose is not None:
        keys.append(cf.dose.source.key)
    return [SourceRef(key=k) for k in dict.fromkeys(keys) if k]


def _candidates(design: Design, fs: ForceSystem) -> dict[str, list[ConnectionForce]]:
    """Connections whose every analysed part carries the same adoptable suggestion."""
    parts: dict[str, list[ConnectionForce]] = {}
    for cf in fs.connections:
        parts.setdefault(cf.design_connection_id, []).append(cf)
    conns = {c.id: c for c in design.connections}
    out: dict[str, list[ConnectionForce]] = {}
    for cid, cfs in parts.items():
        if cid not in conns or conns[cid].force_g is None:
            continue  # no force from the rule: the mechanics chose it from the range itself
        if not all(_adoptable(cf) for cf in cfs):
            continue
        if len({(cf.dose.suggested_force_g, cf.dose.suggestion) for cf in cfs if cf.dose}) != 1:
            continue
        out[cid] = cfs
    return out


def _adoptable(cf: ConnectionForce) -> bool:
    d = cf.dose
    if d is None or d.status == "within" or d.suggested_force_g is None:
        return False
    if cf.module is None or d.suggested_module != cf.module.kind or cf.applied_g <= 0:
        return False
    scale = d.compared_g / cf.applied_g  # what the range measures, per g applied
    compared = d.suggested_force_g * scale
    return d.low_g - _ROUNDING_G <= compared <= d.high_g + _ROUNDING_G


def _fitted(dose: DoseCheck) -> dict[str, object]:
    """The connection fields of the suggested module: its force, module kind and activation
    as typed values (the mechanics reads these), its words only for the clinician."""
    return {
        "force_g": dose.suggested_force_g,
        "module": dose.suggested_module,
        "activation_mm": dose.suggested_activation_mm,
        "activation": dose.suggestion or "",
    }


def _flags(fs: ForceSystem) -> set[tuple[str, str]]:
    return {(i.implant_id, f) for i in fs.implants for f in i.flags}


def adopt_suggested_forces(
    case: Case,
    design: Design,
    fs: ForceSystem,
    landmarks: Mapping[int, ToothLandmarks],
    analyse: Analyse,
    goal_id: str | None = None,
) -> Adoption:
    """Adopt the mechanics' suggested module for every connection of ``design`` whose dose is
    out of its cited range (see the module docstring); ``analyse`` recomputes the force system
    once with the adopted forces."""
    found = _candidates(design, fs)
    if not found:
        return Adoption(design, fs)
    first = {cid: cfs[0] for cid, cfs in found.items()}
    doses = {cid: cf.dose for cid, cf in first.items() if cf.dose}
    wanted = {cid: d.suggested_force_g for cid, d in doses.items()}
    texts = {cid: d.suggestion or "" for cid, d in doses.items()}
    conns = []
    for c in design.connections:
        if wanted.get(c.id) is None:
            conns.append(c)
            continue
        fitted = _fitted(doses[c.id]) | {"rule_force_g": c.rule_force_g or c.force_g}
        conns.append(c.model_copy(update=fitted))
    raised = design.model_copy(update={"connections": conns})
    fs2 = analyse(case, raised, landmarks)
    ids = ", ".join(found)
    old_g = {cf.applied_g for cf in first.values()}
    cf0 = next(iter(first.values()))
    assert cf0.dose is not None
    frm = "/".join(f"{g:.0f}" for g in sorted(old_g))
    to = "/".join(f"{g:.0f}" for g in sorted({x for x in wanted.values() if x is not None}))
    verb = "raised" if cf0.dose.status == "below" else "lowered"
    unit = " class" if cf0.dose.suggested_module == "niti_closed_coil" else ""
    why = dose_words(cf0.dose, cf0.applied_g, cf0.friction_loss_fraction)
    sources = list(dict.fromkeys(s for cfs in found.values() for cf in cfs for s in _sources(cf)))
    new_parts = [cf for cf in fs2.connections if cf.design_connection_id in found]
    off = [cf.connection_id for cf in new_parts if cf.dose is None or cf.dose.status != "within"]
    added = sorted(_flags(fs2) - _flags(fs))
    facts = [f"{cid}: {texts[cid]}" for cid in found]
    if off or added:
        flagged = ", ".join(f"{i} {f.replace('_', ' ')}" for i, f in added)
        because = f"implant {flagged}" if added else f"dose still out of range at {', '.join(off)}"
        text = (
            f"force not {verb} from {frm} g to {to} g{unit} ({ids}): {because} with it; "
            f"the rule's force and the caution stay ({why})"
        )
        return Adoption(
            design,
            fs,
            Warning(severity="info", text=text, sources=sources),
            TraceEntry(rule_id=RULE_ID, goal_id=goal_id, fired=False, facts=facts, reason=text),
        )
    text = f"force {verb} from {frm} g to {to} g{unit} ({ids}): {why}; {cf0.dose.suggestion}"
    return Adoption(
        raised,
        fs2,
        Warning(severity="info", text=text, sources=sources),
        TraceEntry(rule_id=RULE_ID, goal_id=goal_id, fired=True, facts=facts, reason=text),
    )
