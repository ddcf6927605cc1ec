"""A case summarised in words, for people: one function shared by the CLI and the report."""

from __future__ import annotations

from tadplan.case.model import Case


def case_summary(case: Case) -> list[tuple[str, str]]:
    """The case in (label, text) rows: patient, dentition and attachments, findings,
    sites ruled out and constraints (the goals are not included). Shared by the CLI's
    case table and the report."""
    rows: list[tuple[str, str]] = []
    p = case.patient
    pat = ", ".join(x for x in (p.id, f"{p.age_y:g} years" if p.age_y else None, p.sex) if x)
    if pat:
        rows.append(("patient", pat))
    d = case.dentition
    for label, teeth in (
        ("missing (agenesis)", d.missing),
        ("extracted", d.extracted),
        ("planned extraction", d.planned_extraction),
        ("prosthetic implants / pontics", [*d.implants, *d.pontics]),
        ("retained primary teeth", d.primary_present),
        ("unerupted", d.unerupted),
        ("impacted", d.impacted),
        ("third molars unerupted by age (default)", sorted(d.age_unerupted)),
        ("bands", case.attachments.bands),
    ):
        if teeth:
            rows.append((label, ", ".join(map(str, teeth))))
    br = case.attachments.brackets
    if br:
        rows.append(("brackets", "all teeth" if br == "all" else ", ".join(map(str, br))))
    if case.attachments.appliances:
        rows.append(
            (
                "appliances",
                ", ".join(a.value.replace("_", " ") for a in case.attachments.appliances),
            )
        )
    f = case.findings
    bits = []
    if f.sagittal_class:
        bits.append(f"Class {f.sagittal_class.value}")
    if f.overjet_mm is not None:
        bits.append(f"overjet {f.overjet_mm:g} mm")
    if f.overbite_mm is not None:
        bits.append(f"overbite {f.overbite_mm:g} mm")
    if f.vertical:
        bits.append(f.vertical.value.replace("_", " "))
    if f.incisor_inclination:
        bits.append(f"upper incisors {f.incisor_inclination.value}")
    for c in f.crossbites:
        bits.append(
            f"{c.kind.value.replace('_', ' ')} crossbite of "
            f"{', '.join(map(str, c.teeth))}{' (skeletal)' if c.skeletal else ''}"
        )
    for x in f.displaced_teeth:
        bits.append(f"{x.tooth} displaced {'/'.join(d.value for d in x.direction)}")
    if f.gummy_smile:
        bits.append("gummy smile")
    if f.orthognathic_surgery_planned:
        bits.append("orthognathic surgery planned")
    if bits:
        rows.append(("findings", "; ".join(bits)))
    for a in f.site_assessments:
        if not a.available:
            rows.append(("site ruled out", a.site.label() + (f" ({a.reason})" if a.reason else "")))
    cons = case.constraints
    if cons.no_palatal:
        rows.append(("constraint", "no palatal insertion"))
    if cons.max_implants:
        rows.append(("constraint", f"at most {cons.max_implants} implants"))
    return rows


def goal_notes(case: Case) -> dict[str, str]:
    """The clinician's ``notes`` of each goal that has some, by goal id (shown with the goal in
    the text plan and the report)."""
    return {gid: g.notes for gid, g in zip(case.goal_ids(), case.goals, strict=True) if g.notes}
