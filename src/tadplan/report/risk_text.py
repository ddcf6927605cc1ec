"""Words for the failure-risk model's codes (:mod:`tadplan.risk`): the table of
``tadplan risk`` and a plain sentence per design. Text is made here, at the edge; the plan
carries the structured values."""

from __future__ import annotations

from tadplan.planner.model import Design, Plan
from tadplan.risk import ImplantRisk, Mitigation, RiskFactor

FACTOR_WORDS = {
    "root_contact": "touches a root (within the PDL)",
    "root_proximity": "less than {t:g} mm from a root",
    "thin_cortex": "cortex thinner than {t:g} mm",
    "narrow_screw": "screw {t:g} mm wide or less",
    "short_screw": "screw shorter than {t:g} mm",
    "adolescent": "patient younger than {t:g} y",
    "smoker": "smoker",
    "mobile_mucosa": "through mobile mucosa",
    "inflammation": "peri-implant inflammation",
    "immediate_loading": "loaded at insertion",
    "over_immediate_loading_limit": "force above the immediate-loading limit",
    "unresisted_moment": "moment about its axis on a single screw",
    "distal_upper_molar": "distal to the upper molars (poorer bone, thick gingiva)",
}

MITIGATION_WORDS = {
    "keep_clear_of_root": "keep {v:g} mm clear of the roots",
    "longer_screw": "screw length {v:g} mm where the bone allows",
    "wider_screw": "screw diameter {v:g} mm where the bone allows",
    "delayed_loading": "load it after healing, or lower the force",
    "second_screw": "a second screw to take the moment",
    "another_site": "another site: {site}",
    "stop_smoking": "stop smoking",
}


def factor_text(f: RiskFactor) -> str:
    words = FACTOR_WORDS.get(f.code, f.code).format(t=f.threshold or 0)
    known = "" if f.known else f" (unknown: {f.exposure:.0%} of patients)"
    return f"{words} OR {f.odds_ratio:g}{known}"


def mitigation_text(m: Mitigation) -> str:
    words = MITIGATION_WORDS.get(m.code, m.code).format(
        v=m.value or 0, site=(m.site or "").replace("_", " ")
    )
    return f"{words} -> {m.failure_probability:.1%}"


def implant_line(label: str, r: ImplantRisk) -> str:
    lo, hi = r.interval
    head = f"  {r.implant_id} {label}: {r.failure_probability:.1%} ({lo:.1%}-{hi:.1%})"
    base = f"site {r.site_baseline.replace('_', ' ')} {r.site_rate:.1%} ({r.site_source})"
    lines = [head, f"      {base}"]
    if r.factors:
        lines.append("      why: " + "; ".join(factor_text(f) for f in r.factors[:4]))
    if r.lower_it:
        lines.append("      lower it: " + "; ".join(mitigation_text(m) for m in r.lower_it[:4]))
    return "\n".join(lines)


def design_sentence(d: Design) -> str:
    """One plain sentence for the patient sheet."""
    if d.risk is None or not d.risk.implant_ids:
        return "This option needs no new mini-implant."
    n = len(d.risk.implant_ids)
    p = d.risk.failure_probability
    in_100 = max(1, round(p * 100))
    screws = "mini-implant" if n == 1 else f"{n} mini-implants"
    return (
        f"With this option about {in_100} in 100 patients would have one of the {screws} "
        "loosen before the end of its use; a loose mini-implant is usually replaced."
        if n > 1
        else f"With this option about {in_100} in 100 patients would have the {screws} "
        "loosen before the end of its use; a loose mini-implant is usually replaced."
    )


def risk_table(plan: Plan) -> str:
    out = []
    for gp in plan.goals:
        out.append(f"goal {gp.goal.id} ({gp.goal.kind.value})")
        for d in gp.designs:
            if d.risk is None:
                out.append(f" {d.rank}. {d.id} {d.title}: risk not computed")
                continue
            lo, hi = d.risk.interval
            out.append(
                f" {d.rank}. {d.id} {d.title}: any implant fails "
                f"{d.risk.failure_probability:.1%} ({lo:.1%}-{hi:.1%})"
            )
            for i in d.implants:
                if i.risk is not None:
                    out.append(implant_line(i.site.label(), i.risk))
    return "\n".join(out)
