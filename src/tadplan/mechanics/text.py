"""Plain-text rendering of a :class:`~tadplan.model.ForceSystem` (for the CLI)."""

from __future__ import annotations

from collections.abc import Sequence

from tadplan.case import fdi
from tadplan.knowledge.sources import display_key
from tadplan.model import (
    Cited,
    Components,
    ConnectionForce,
    CrBasis,
    DoseCheck,
    ForceCurve,
    ForceSystem,
    MomentComponents,
    SourceRef,
    UnitForceSystem,
)


def friction_words(refs: Sequence[SourceRef]) -> str:
    """The friction fraction's citations: a data value as "key [tag]", a citation without a
    tag (the clinical chapter) by its name and section."""
    return "; ".join(
        f"{display_key(r.key)} [{r.tag}]"
        if r.tag
        else display_key(r.key) + (f", {r.detail}" if r.detail else "")
        for r in refs
    )


def source_words(ref: SourceRef) -> str:
    """A cited value's source as the force system prints it: "key: detail [tag]"."""
    detail = f": {ref.detail}" if ref.detail else ""
    tag = f" [{ref.tag}]" if ref.tag else ""
    return f"{ref.key}{detail}{tag}"


def cr_words(basis: CrBasis) -> str:
    """How a unit's CR was found, with the cited values' keys and tags: "11: 0.33 of the
    embedded root (12.6 mm) from the crest (key [R])"."""
    cited = "(" + "; ".join(f"{r.key} [{r.tag}]" for r in basis.sources) + ")"
    if basis.method == "weighted_mean":
        return f"root-surface-weighted mean of {basis.tooth_count} tooth CRs {cited}"
    if basis.method == "furcation":
        return (
            f"{basis.tooth}: at the furcation, {basis.apical_to_cej_mm or 0:.1f} mm apical to "
            f"the CEJ {cited}"
        )
    return (
        f"{basis.tooth}: {basis.fraction or 0:.2f} of the embedded root "
        f"({basis.embedded_root_mm or 0:.1f} mm) from the crest {cited}"
    )


def curve_words(curve: ForceCurve) -> str:
    """How long the module stays in range and what happens at the visits."""
    visit = f"the next visit (every {curve.appointment_interval_days:g} days)"
    lo = f"{curve.useful_min_g:.0f} g"
    if curve.starts_below_range:
        f0 = curve.force_g[0] if curve.force_g else 0.0
        return f"{f0:.0f} g at placement is already below the useful {lo}"
    t = curve.reactivation_interval_days
    if t is None:
        return f"stays above {lo} until {visit} and over the whole movement"
    if curve.works_at_g is not None:
        return (
            f"below {lo} after {t * 24:.0f} h; works at about {curve.works_at_g:.0f} g until "
            f"{visit}"
        )
    if t < curve.appointment_interval_days:
        return f"below {lo} after {t:.0f} days, before {visit}"
    return f"stays above {lo} for {t:.0f} days, past {visit}"


def _kg(g: float) -> str:
    return f"{g / 1000:.3g} kg"


def dose_words(dose: DoseCheck, applied_g: float, friction: float) -> str:
    """One sentence: the force of a connection against its cited range, on the range's basis
    (orthopaedic ranges, from 1 kg up, in kg)."""
    if dose.high_g >= 1000:
        rng = f"{dose.low_g / 1000:g}-{dose.high_g / 1000:g} kg"
        head = f"{_kg(applied_g)} applied: {dose.status} the cited {rng}"
        if dose.status != "within":
            head += f"; about {_kg(dose.required_applied_g)} would reach mid-range"
        return head
    rng = f"{dose.low_g:g}-{dose.high_g:g} g"
    if dose.basis == "delivered":
        fr = f" after {friction:.0%} friction" if friction else ""
        head = f"{dose.delivered_g:.0f} g reaches the teeth{fr}: {dose.status} the cited {rng}"
    elif friction > dose.ordinary_friction_fraction + 1e-9:
        head = (
            f"{applied_g:.0f} g applied against {friction:.0%} friction is worth "
            f"{dose.compared_g:.0f} g at the {dose.ordinary_friction_fraction:.0%} sliding "
            f"friction of the cited studies: {dose.status} the cited {rng} applied"
        )
    else:
        head = f"{applied_g:.0f} g applied: {dose.status} the cited {rng} applied"
    if dose.status != "within":
        head += f"; about {dose.required_applied_g:.0f} g applied would reach mid-range"
    return head


def components_words(c: Components, jaw_teeth: Sequence[int]) -> str:
    """``mesial +0, buccal -312, intrusive +0 g`` with the jaw's and segment's names."""
    anterior = all(fdi.is_anterior(t) for t in jaw_teeth)
    outer = "labial" if anterior else "buccal"
    return f"mesial {c.mesial_g:+.0f}, {outer} {c.buccal_g:+.0f}, intrusive {c.intrusive_g:+.0f} g"


def _moments(mc: MomentComponents) -> str:
    return (
        f"{mc.about_mesial_nmm:+.1f}/{mc.about_buccal_nmm:+.1f}/{mc.about_axis_nmm:+.1f} N*mm "
        "(+ crown buccal / + crown mesial / + mesial surface buccal)"
    )


def _unit_line(u: UnitForceSystem, indent: str = "    ") -> list[str]:
    mf = (
        f", M/F {u.moment_to_force_mm:.1f} mm (lever {u.lever_mm:.1f} mm)"
        if u.moment_to_force_mm is not None and u.lever_mm is not None
        else ""
    )
    teeth = " ".join(map(str, u.teeth))
    if u.components is not None:
        lines = [
            f"{indent}{teeth}: {u.force_g:.0f} g ({components_words(u.components, u.teeth)}); "
            f"moment about CR {_moments(u.moment_components)}{mf}"
        ]
    else:
        r = u.resultant
        lines = [
            f"{indent}{teeth}: resultant {u.force_g:.0f} g (to the patient's left "
            f"{r.left_g:+.0f}, anterior {r.anterior_g:+.0f}, intrusive {r.intrusive_g:+.0f} g)"
            f"{mf}"
        ]
        lines += [
            f"{indent}  {s.side} side {' '.join(map(str, s.teeth))}: {s.force_g:.0f} g "
            f"({components_words(s.components, s.teeth)}); moment about its CR "
            f"{_moments(s.moment_components)}"
            for s in u.sides
        ]
    lines.append(
        f"{indent}  movement: {u.movement.value.replace('_', ' ')}"
        + (f"; {', '.join(u.effects)}" if u.effects else "")
    )
    if u.side_effects:
        lines.append(f"{indent}  side effects: {', '.join(u.side_effects)}")
    lines.append(f"{indent}  CR: {cr_words(u.cr_basis)}")
    return lines


def _connection_lines(c: ConnectionForce) -> list[str]:
    """The lines of one connection's force: its module and friction, dose, hook, force over
    time and notes (a link, attachment, ignored part or appliance force in one line)."""
    out: list[str] = []
    if c.role in ("rigid_link", "attachment", "ignored"):
        what = {"rigid_link": "rigid link", "attachment": "attachment"}.get(c.role, "not analysed")
        note = f" ({'; '.join(c.notes)})" if c.notes else ""
        out.append(
            f"  {c.connection_id} {c.kind}: {what} "
            f"{'+'.join(c.implant_ids) or c.implant_id or ''} -> "
            f"{' '.join(map(str, c.teeth))}{note}"
        )
        return out
    if c.role == "appliance":
        out.append(
            f"  {c.connection_id}: {c.applied_g:.0f} g on {' '.join(map(str, c.teeth))}, "
            f"an appliance force the implants hold against ({'+'.join(c.implant_ids)})"
        )
        out.extend(f"    note: {n}" for n in c.notes)
        return out
    carried = "+".join(c.implant_ids) or c.implant_id
    src = f"from {carried}" if carried else "tooth-borne"
    mod = (
        f", {c.module.description}, activation {c.module.activation_mm:.1f} mm" if c.module else ""
    )
    fr = (
        f", {c.friction_loss_fraction:.0%} friction -> {c.delivered_g:.0f} g"
        if c.friction_loss_fraction
        else ""
    )
    out.append(f"  {c.connection_id} {c.kind} {src}: {c.applied_g:.0f} g{mod}{fr}")
    if c.dose:
        out.append(
            f"    dose: {dose_words(c.dose, c.applied_g, c.friction_loss_fraction)} "
            f"({source_words(c.dose.source)})"
            + (f"; suggest {c.dose.suggestion}" if c.dose.suggestion else "")
        )
    if c.translation_height_mm is not None:
        at = c.attachment_height_mm or 0.0
        out.append(
            f"    hook: {at:.1f} mm from the bracket slot; "
            f"the pull passes through the CR with a hook of {c.translation_height_mm:.1f} mm"
        )
    if c.curve:
        visits = c.curve.reactivation_days
        every = len(visits) > 3 and all(
            abs(d - (i + 1) * c.curve.appointment_interval_days) < 1e-6
            for i, d in enumerate(visits)
        )
        days = ", ".join(f"{d:.0f}" for d in visits)
        again = (
            f"; reactivated or replaced at every visit ({len(visits)} times)"
            if every
            else f"; reactivated at the visits on day {days}"
            if visits
            else ""
        )
        out.append(f"    force over time: {curve_words(c.curve)}{again}")
    for n in c.notes:
        out.append(f"    note: {n}")
    return out


def format_force_system(result: ForceSystem) -> str:
    """A short text report of one design's force system."""
    out = [f"design {result.design_id}: force system"]
    for c in result.connections:
        out.extend(_connection_lines(c))
    if result.units:
        out.append("  resultant on each moved unit:")
        for u in result.units:
            out.extend(_unit_line(u))
    if result.anchorage:
        out.append("  reaction on the tooth anchorage:")
        for u in result.anchorage:
            out.extend(_unit_line(u))
    for i in result.implants:
        flags = f" [{', '.join(i.flags)}]" if i.flags else ""
        out.append(
            f"  implant {i.implant_id}: {i.force_g:.0f} g, torsion {i.torsion_nmm:+.1f} "
            f"N*mm, bending {i.bending_nmm:.1f} N*mm{flags}"
            + (" (head position derived)" if i.head_position_derived else "")
        )
    for g in result.goals:
        if g.duration_weeks is not None:
            out.append(
                f"  goal {g.goal_id}: {g.amount_mm:g} mm at {g.rate_mm_per_month:g} "
                f"mm/month -> {g.duration_weeks:.0f} weeks "
                f"({source_words(g.rate_source) if g.rate_source else None})"
            )
        else:
            out.append(f"  goal {g.goal_id}: no duration estimate ({g.note})")
    for w in result.warnings:
        out.append(f"  {w.severity}: {w.text}")
    return "\n".join(out)


def format_modules() -> str:
    """The force modules' parameters with their sources, and the chain decay fit against the
    published points."""
    from pydantic import BaseModel

    from tadplan.mechanics.data import mechanics_data
    from tadplan.mechanics.modules import chain_decay_fit

    d = mechanics_data().modules
    out = ["force modules (data/force_modules.yaml)"]
    for name, part in d:
        if not isinstance(part, BaseModel):
            continue
        out.append(f"  {name.replace('_', ' ')}:")
        for field, value in part:
            if isinstance(value, Cited):
                out.append(f"    {field} = {value.value:g}  ({value.source} [{value.tag}])")
    fit = chain_decay_fit()
    out.append(
        f"  elastomeric chain decay F(t) = F0 [a + (1 - a) exp(-t/tau)]: a = {fit.a:.3f} "
        f"+/- {fit.a_sd:.3f} (curve_fit), tau = {fit.tau_days * 24:.1f} h (fixed), "
        f"rms residual {fit.rms_residual:.3f}"
    )
    for t, y, lo, hi in fit.points:
        out.append(
            f"    day {t:g}: published {y:.2f} ({lo:.2f}-{hi:.2f}), model {fit.remaining(t):.2f}"
        )
    return "\n".join(out)
