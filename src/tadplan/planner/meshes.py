"""A plan judged again on the patient's tooth meshes (after planning on the average dentition).

Every placed inter-radicular screw keeps its place and size; its root clearance is measured
against the patient's roots (:func:`tadplan.anatomy.safety.assess_on_patient`). Each design
is then scored again with its site safety and failure risk (which uses the clearance), a
screw that turns red on the patient's roots gives its design a DANGER, and each goal's
designs are ranked again (:func:`tadplan.planner.rank.order`: a DANGER ranks last).
"""

from __future__ import annotations

from tadplan.anatomy.meshes import DentitionModel
from tadplan.anatomy.safety import assess_on_patient
from tadplan.case import Case
from tadplan.knowledge import Knowledge, load_knowledge
from tadplan.model import Design, Implant, Plan, SiteSafety, TraceEntry, Warning
from tadplan.planner.analyse import safety_criterion
from tadplan.planner.failure import assess, failure_criterion
from tadplan.planner.rank import order, score

STEP_ID = "patient_meshes"
"""The trace entry's rule id for this step."""


def _turned_red(before: Implant, after: Implant) -> bool:
    return (
        after.safety is not None
        and after.safety.status == "red"
        and (before.safety is None or before.safety.status != "red")
    )


def _rescored(
    case: Case, d: Design, implants: list[Implant], placed: frozenset[str], kb: Knowledge
) -> Design:
    """``d`` with the re-measured implants, its failure risk and site safety scored again,
    and a DANGER for each screw that turned red on the patient's roots."""
    weights = kb.tables.rank_weights
    assert weights is not None
    assessed, marginal = assess(d.model_copy(update={"implants": implants}), case, placed)
    risks = [i.risk for i in assessed.implants if i.risk is not None]
    labels = {i.id: i.site.label() for i in assessed.implants}
    new = {
        "failure": failure_criterion(marginal, risks, labels, weights.failure),
        "site_safety": safety_criterion(assessed, weights.site_safety, placed),
    }
    cs = [new.get(c.name, c) for c in d.criteria]
    dangers = [
        Warning(
            severity="danger",
            code="root_contact_on_patient_meshes",
            text=f"{after.id} at {after.site.label()} is red on the patient's tooth meshes "
            f"({after.safety.min_root_clearance_mm:.2f} mm from the roots; planned on the "
            "average dentition as "
            f"{before.safety.status if before.safety else 'unmeasured'}): choose another "
            "site or insertion (ranked below every design without a danger)",
        )
        for before, after in zip(d.implants, assessed.implants, strict=True)
        if _turned_red(before, after) and after.safety is not None
    ]
    return d.model_copy(
        update={
            "implants": assessed.implants,
            "risk": assessed.risk,
            "criteria": cs,
            "score": score(cs),
            "warnings": [*d.warnings, *(w for w in dangers if w not in d.warnings)],
        }
    )


def assess_on_meshes(
    plan: Plan, patient: DentitionModel, knowledge: Knowledge | None = None
) -> Plan:
    """``plan`` with every placed inter-radicular screw's safety measured on the patient's
    tooth meshes, its designs scored and ranked again, and a warning and trace entry saying
    what changed."""
    kb = knowledge if knowledge is not None else load_knowledge()
    case = plan.case
    done: dict[str, SiteSafety | None] = {}
    firsts = [gp.designs[0] if gp.designs else None for gp in plan.goals]
    goals = []
    changed: dict[str, bool] = {}  # "i1 amber -> red": turned red
    for n, gp in enumerate(plan.goals):
        placed = frozenset(
            i.id for j, b in enumerate(firsts) if j != n and b is not None for i in b.implants
        )
        designs = []
        for d in gp.designs:
            implants = []
            for imp in d.implants:
                key = imp.model_dump_json(include={"site", "head_position_mm", "axis", "length_mm"})
                if key not in done:
                    done[key] = assess_on_patient(case, imp, patient)
                s = done[key]
                if imp.safety and s and s.status != imp.safety.status:
                    changed[f"{imp.id} {imp.safety.status} -> {s.status}"] = s.status == "red"
                implants.append(imp if s is None else imp.model_copy(update={"safety": s}))
            designs.append(_rescored(case, d, implants, placed, kb))
        goals.append(gp.model_copy(update={"designs": order(designs)}))
    teeth = ", ".join(map(str, sorted(patient.meshes)))
    what = "; ".join(changed) or "no screw changed its traffic light"
    text = (
        f"patient meshes: root clearance of every placed inter-radicular screw measured on "
        f"the patient's teeth {teeth} (average roots for teeth without a mesh), designs "
        f"ranked again: {what}"
    )
    severity = "caution" if any(changed.values()) else "info"
    trace = TraceEntry(
        rule_id=STEP_ID,
        goal_id=None,
        fired=True,
        facts=[f"patient teeth {teeth}"],
        reason=text,
    )
    return plan.model_copy(
        update={
            "goals": goals,
            "warnings": [*plan.warnings, Warning(severity=severity, text=text)],
            "trace": [*plan.trace, trace],
        }
    )
