"""Words for the failure-risk model's codes (:mod:`tadplan.risk`): the table of
``tadplan risk``, the report's chart and the patient sheet's sentence. Text is made here,
at the edge; the plan carries the structured values."""

from __future__ import annotations

from tadplan.model import Design, ImplantRisk, Mitigation, Plan, RiskFactor

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
    base = f"site {r.site_baseline.replace('_', ' ')} {r.site_rate:.1%} ({r.site_source.key})"
    lines = [head, f"      {base}"]
    if r.factors:
        lines.append("      why: " + "; ".join(factor_text(f) for f in r.factors[:4]))
    if r.lower_it:
        lines.append("      lower it: " + "; ".join(mitigation_text(m) for m in r.lower_it[:4]))
    return "\n".join(lines)


def plan_sentence(plan: Plan) -> str:
    """One plain sentence for the patient sheet: the chance that any mini-implant of the
    plan's first choices loosens (each implant counted once, goals sharing it)."""
    risks = {
        i.id: i.risk.failure_probability
        for gp in plan.goals
        if gp.designs
        for i in gp.designs[0].implants
        if i.risk is not None
    }
    if not risks:
        return ""
    survive = 1.0
    for q in risks.values():
        survive *= 1.0 - q
    in_100 = max(1, round((1.0 - survive) * 100))
    which = "the screw" if len(risks) == 1 else f"at least one of the {len(risks)} screws"
    return (
        f"for a plan like yours, about {in_100} in 100 patients find that {which} "
        "loosens before it is no longer needed."
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


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def risk_chart_svg(d: Design) -> str:
    """A small bar chart: each implant's failure probability with its 95 % interval, and the
    design's chance that any of them fails (last bar). Empty when the plan has no risk."""
    rows = [(f"{i.id} {i.site.label()}", i.risk) for i in d.implants if i.risk is not None]
    if d.risk is None or not rows:
        return ""
    bars = [(label, r.failure_probability, r.interval) for label, r in rows]
    bars.append(("any of them", d.risk.failure_probability, d.risk.interval))
    top = max(0.1, max(hi for _, _, (_, hi) in bars))
    top = min(1.0, float(int(top * 10 + 0.999)) / 10)  # next 10 %
    left, width, row_h = 190, 300, 18
    height = row_h * len(bars) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height}" '
        f'role="img" aria-label="failure risk of design {_esc(d.id)}" font-size="11" '
        'font-family="DejaVu Sans, sans-serif">'
    ]

    def x(v: float) -> float:
        return left + width * v / top

    for k, (label, p, (lo, hi)) in enumerate(bars):
        y = 4 + k * row_h
        bold = ' font-weight="bold"' if k == len(bars) - 1 else ""
        parts.append(
            f'<text x="{left - 6}" y="{y + 12}" text-anchor="end"{bold}>{_esc(label)}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{x(p) - left:.1f}" height="11" fill="#c0504d"/>'
            f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{y + 8.5}" y2="{y + 8.5}" '
            'stroke="#333"/>'
            f'<text x="{x(hi) + 4:.1f}" y="{y + 12}">{p:.1%}</text>'
        )
    axis_y = 4 + len(bars) * row_h + 2
    parts.append(
        f'<line x1="{left}" x2="{left + width}" y1="{axis_y}" y2="{axis_y}" stroke="#999"/>'
        f'<text x="{left}" y="{axis_y + 12}">0</text>'
        f'<text x="{left + width}" y="{axis_y + 12}" text-anchor="end">{top:.0%}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
