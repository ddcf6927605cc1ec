"""The failure risk of a design's implants (:mod:`tadplan.risk`) as the planner uses it:
the facts of each implant from the case, its placement and the design's mechanics; the risk
attached to every implant and design; and the ``failure`` ranking criterion.

"New" implants (not placed by another goal's best design) count, as in
:mod:`tadplan.planner.rank`: a reused screw adds no failure to the plan.
"""

from __future__ import annotations

from collections.abc import Iterable

from tadplan.case.model import Case, SiteRef
from tadplan.model import Design, DesignRisk, ForceSystem, ImplantRisk, RankCriterion
from tadplan.risk import ImplantFacts, design_risk, implant_risk


def implant_facts(
    implant_id: str,
    site: SiteRef,
    diameter_mm: float,
    length_mm: float,
    case: Case | None,
    *,
    safety: object | None = None,
    mechanics: ForceSystem | None = None,
    joined_screws: int = 1,
) -> ImplantFacts:
    """What is known of one implant: size and site always; the patient and the clinician's
    site assessment from the case; clearance, bone depth and soft tissue from the placement
    (``safety``: a :class:`~tadplan.model.SiteSafety`); load and flags from the
    mechanics. Loading time and inflammation are not in the plan: left unknown."""
    patient = case.patient if case is not None else None
    assessed = case.site_assessment(site) if case is not None else None
    load = (
        next((i for i in mechanics.implants if i.implant_id == implant_id), None)
        if mechanics
        else None
    )
    return ImplantFacts(
        implant_id=implant_id,
        site=site,
        diameter_mm=diameter_mm,
        length_mm=length_mm,
        min_root_clearance_mm=getattr(safety, "min_root_clearance_mm", None),
        bone_depth_mm=getattr(safety, "bone_depth_mm", None),
        interradicular_width_mm=(
            assessed.interradicular_width_mm
            if assessed is not None and assessed.interradicular_width_mm is not None
            else getattr(safety, "interradicular_width_mm", None)
        ),
        cortical_thickness_mm=assessed.cortical_thickness_mm if assessed is not None else None,
        soft_tissue=getattr(safety, "soft_tissue", None) or None,
        age_y=patient.age_y if patient is not None else None,
        smoker=patient.smoker if patient is not None else None,
        force_g=load.force_g if load is not None else None,
        mechanics_flags=tuple(load.flags) if load is not None else None,
        joined_screws=joined_screws,
    )


def assess(
    design: Design, case: Case, placed: frozenset[str] = frozenset()
) -> tuple[Design, DesignRisk]:
    """``design`` with the risk of each implant and of the design (all its implants), and
    the risk of its *new* implants (those not in ``placed``), which the ranking uses."""
    facts = [
        implant_facts(
            i.id,
            i.site,
            i.diameter_mm,
            i.length_mm,
            case,
            safety=i.safety,
            mechanics=design.mechanics,
            joined_screws=max(
                (len(c.from_implants) for c in design.connections if i.id in c.from_implants),
                default=1,
            ),
        )
        for i in design.implants
    ]
    risks = [implant_risk(f) for f in facts]
    implants = [
        i.model_copy(update={"risk": r}) for i, r in zip(design.implants, risks, strict=True)
    ]
    new = [(r, f) for r, f in zip(risks, facts, strict=True) if f.implant_id not in placed]
    marginal = design_risk([r for r, _ in new], [f for _, f in new])
    total = design_risk(risks, facts)
    return design.model_copy(update={"implants": implants, "risk": total}), marginal


def failure_criterion(
    total: DesignRisk, risks: Iterable[ImplantRisk], labels: dict[str, str], weight: float
) -> RankCriterion:
    """1 - P(any new implant fails), with each new implant's probability and its largest
    factor in the note."""
    by_id = {r.implant_id: r for r in risks}
    parts = []
    for iid in total.implant_ids:
        r = by_id[iid]
        top = next((f.code for f in r.factors if f.known), None)
        parts.append(
            f"{labels.get(iid, iid)} {r.failure_probability:.1%} ({r.site_source.key}"
            + (f"; {top}" if top else "")
            + ")"
        )
    lo, hi = total.interval
    note = (
        f"P(no implant lost) from the failure-risk model; any fails "
        f"{total.failure_probability:.1%} ({lo:.1%}-{hi:.1%}): " + "; ".join(parts)
        if parts
        else "no new implant"
    )
    return RankCriterion(
        name="failure", value=round(1.0 - total.failure_probability, 4), weight=weight, note=note
    )
