"""The PDF report: the HTML report's content typeset on A4 by Typst (``templates/report.typ``),
diagrams as vector graphics, text selectable, page numbers in the footer.

Typst replaced WeasyPrint here (issue 16): laying out the demo's 40 inline SVG diagrams took
WeasyPrint 6-8 s, Typst under 0.2 s (``benchmarks/report_render.py``). The content is
:func:`tadplan.report.html.build_context`'s, handed to the template as one JSON document.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from typing import Any

from tadplan.knowledge.sources import cited_detail, display_key
from tadplan.model import Plan, SourceRef
from tadplan.planner.text import activation_steps
from tadplan.report.canvas import FONT_FILES, font_path
from tadplan.report.html import _DesignView, build_context, patient_info
from tadplan.report.sheets import LabImplant, LabTooth, PatientPlan
from tadplan.report.text import CONNECTION_NAMES, fmt_force, fmt_num

DASH = "—"


@cache
def _template() -> bytes:
    from tadplan.report.html import _pkg_file

    return _pkg_file("templates", "report.typ").read_bytes()


@cache
def _fonts() -> Any:
    """The fonts shipped with tadplan, and only those: the PDF is set in the font the
    diagrams were measured with, installed on the system or not."""
    import typst

    dirs = sorted({str(font_path(bold, italic).parent) for bold, italic in FONT_FILES})
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=dirs)


def _cite(s: SourceRef) -> str:
    return display_key(s.key) + (f": {d}" if (d := cited_detail(s)) else "")


def _design(dv: _DesignView) -> dict[str, Any]:
    d = dv.design
    out: dict[str, Any] = {
        "id": d.id,
        "key": dv.key,
        "rank": d.rank,
        "title": d.title,
        "score": f"{d.score:.2f}",
        "ref_to": dv.ref_to,
        "ref_goal": dv.ref_goal,
    }
    if dv.ref_to:
        return out
    meta = [f"rule {d.rule_id}", f"{d.anchorage.value} anchorage", f"score {d.score:.2f}"]
    if d.estimated_duration_weeks:
        meta.append(f"about {d.estimated_duration_weeks:.0f} weeks")
    if len(d.goal_ids) > 1:
        meta.append(f"serves goals {', '.join(d.goal_ids)}")
    safety = []
    for i in d.implants:
        s = i.safety
        row = [i.id, i.site.label(), dv.sizes[i.id]]
        if s is None:
            row += ["not assessed (no site data from anatomy in the plan)", "", "", "", "", ""]
        else:
            at_risk = ", ".join(map(str, s.teeth_at_risk))
            status = s.status + (f"; teeth at risk: {at_risk}" if at_risk else "")
            row += [
                status,
                "contact" if s.root_contact else dv.mm(s.min_root_clearance_mm),
                dv.mm(s.interradicular_width_mm),
                dv.mm(s.insertion_height_mm),
                f"{dv.deg(s.vertical_angle_deg)} / {dv.deg(s.horizontal_angle_deg)}",
                s.soft_tissue or DASH,
            ]
        safety.append(row)
        safety += [["", n, "", "", "", "", "", "", ""] for n in (s.notes if s else [])]
    out.update(
        meta=" · ".join(meta),
        figures=[
            {"svg": f.svg, "kind": f.kind, "caption": f.caption, "notes": f.notes}
            for f in dv.figures
        ],
        connections=[
            [
                c.id,
                CONNECTION_NAMES[c.kind] + (" (passive)" if c.passive else ""),
                "+".join(c.from_implants) or DASH,
                ", ".join(map(str, c.teeth)) or DASH,
                c.attachment or DASH,
                fmt_force(c.force_g) if c.force_g is not None else DASH,
                c.activation or DASH,
            ]
            for c in d.connections
        ],
        mechanics=[list(r) for r in dv.mechanics_rows],
        safety=safety,
        criteria=[[c.name, f"{c.value:.3g}", f"{c.weight:.3g}", c.note] for c in dv.risk_rows],
        risk_svg=str(dv.risk_chart) if str(dv.risk_chart).startswith("<svg") else "",
        warnings=[
            [
                w.severity,
                w.text + "".join(f" [{_cite(s)}]" for s in w.sources),
            ]
            for w in d.warnings
        ],
        prerequisites=d.prerequisites,
        materials=dv.materials,
        activation=activation_steps(d)
        + ([f"Reactivation: {d.reactivation}"] if d.reactivation else []),
        alternatives=d.alternatives,
        sources=[
            display_key(s.key) + (f" ({detail})" if (detail := cited_detail(s)) else "")
            for s in d.sources
        ]
        or ["none given by the plan"],
    )
    return out


def pdf_data(plan: Plan) -> dict[str, Any]:
    """Everything the Typst template lays out, as plain JSON values."""
    ctx = build_context(plan, "svg")
    case = plan.case
    alternatives, appendix = _alternatives(ctx["goals"])
    return {
        "case_id": case.id,
        "description": case.description,
        "case_title": case.title,
        "disclaimer": plan.disclaimer,
        "case_lines": list(ctx["case_lines"]),
        "chosen": _chosen(ctx),
        "materials": ctx["materials"],
        "goals": [_goal(g) for g in ctx["goals"]],
        "alternatives": alternatives,
        "appendix": appendix,
        "summary": [list(r) for r in ctx["summary"]],
        "fdi": _fdi(ctx["fdi_rows"]),
        "fdi_legend": " · ".join(f"{sym} {text}" for sym, text in ctx["fdi_legend"]),
        "plan_warnings": [[w.severity, w.text] for w in plan.warnings],
        "goal_rows": [_goal_row(g) for g in ctx["goals"]],
        "lab": _lab(ctx["lab"]),
        "sources": [
            {"key": display_key(s["key"]), "text": s["text"], "details": s["details"]}
            for s in ctx["sources"]
        ],
        "trace": [
            [
                t.rule_id,
                t.goal_id or DASH,
                "yes" if t.fired else "no",
                "; ".join(t.facts + ([t.reason] if t.reason else [])),
            ]
            for t in plan.trace
        ],
        "patient": _patient(ctx["patient_plan"]),
    }


def _chosen(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """Page 1: each goal's chosen design, its diagram and text sized by the number of goals."""
    many = sum(1 for c in ctx["chosen"] if c.design_id and not c.same_as_goal)
    chosen = []
    for g, c in zip(ctx["goals"], ctx["chosen"], strict=True):
        item = dataclasses.asdict(c)
        item["occlusal"] = g["designs"][0].occlusal_svg if g["designs"] else ""
        # page 1 holds every goal: the diagram and text shrink with the number of goals
        item["stack"] = many <= 1  # one design: the diagram large, the facts under it
        item["fig_width_pct"] = 80 if many <= 1 else 50 if many == 2 else 36
        item["size_pt"] = 7.8 if many <= 1 else 7.4 if many == 2 else 6.6
        chosen.append(item)
    return chosen


def _goal(g: dict[str, Any]) -> dict[str, Any]:
    """A goal's section: its heading, notes and chosen design in full."""
    gl = g["goal"]
    amount = f" ({gl.amount})" if gl.amount else ""
    return {
        "id": gl.id,
        "heading": f"{gl.kind.value.replace('_', ' ')} of {', '.join(map(str, gl.teeth))}{amount}",
        "case_notes": g["case_notes"],
        "notes": g["notes"],
        "chosen": _design(g["designs"][0]) if g["designs"] else None,
    }


def _alternatives(goals: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The alternatives (a row each) and, in the appendix, each in full."""
    alternatives = []
    appendix = []
    for g in goals:
        for dv in g["designs"][1:]:
            d = dv.design
            alternatives.append(
                {
                    "goal_id": g["goal"].id,
                    "rank": d.rank,
                    "id": d.id,
                    "title": d.title,
                    "thumb": dv.occlusal_svg,
                    "screws": "; ".join(
                        f"{i.site.label()} Ø {fmt_num(i.diameter_mm)} × {fmt_num(i.length_mm)}"
                        for i in d.implants
                    )
                    or DASH,
                    "score": f"{d.score:.2f}",
                    "behind": dv.behind,
                }
            )
            appendix.append(_design(dv))
    return alternatives, appendix


def _fdi(fdi_rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The FDI chart's cells: goal teeth marked, missing and extracted ones grey."""
    grey = {"missing", "extracted", "planned_extraction"}
    return [
        [
            {
                "fdi": str(c["fdi"]),
                "sym": c["sym"],
                "goal": "goal" in c["cls"].split(),
                "grey": bool(grey & set(c["cls"].split())),
            }
            for c in row["cells"]
        ]
        for row in fdi_rows
    ]


def _goal_row(g: dict[str, Any]) -> list[str]:
    """A goal's row of the case's goal table."""
    return [
        g["goal"].id,
        g["goal"].kind.value.replace("_", " "),
        ", ".join(map(str, g["goal"].teeth)),
        g["goal"].amount or DASH,
        g["goal"].anchorage_demand.value,
        str(len(g["designs"])),
    ]


def _lab(lab: tuple[list[LabImplant], list[LabTooth], list[str]]) -> dict[str, Any]:
    """The lab order sheet: implants, teeth with their attachments, appliances."""
    implants, teeth, appliances = lab
    return {
        "implants": [list(dataclasses.astuple(i)) for i in implants],
        "teeth": [[str(t.tooth), t.name, t.attachment, t.parts] for t in teeth],
        "appliances": appliances,
    }


def _patient(pp: PatientPlan) -> dict[str, Any]:
    """The patient's sheet: the plan in the patient's words, and the general sections."""
    patient = patient_info()
    return {
        "title": patient["title"],
        "where": pp.where,
        "how_long": pp.how_long,
        "chance": pp.chance,
        "sections": [
            {
                "heading": s["heading"],
                "text": " ".join(s["text"].split()),
                "refs": "; ".join(
                    display_key(r["key"]) + (f" ({r['detail']})" if r.get("detail") else "")
                    for r in s["sources"]
                ),
            }
            for s in patient["sections"]
        ],
        "footer": " ".join(patient["footer"].split()),
    }


def render_pdf(plan: Plan) -> bytes:
    """The report as an A4 PDF: page 1 the plan, the chosen designs in full, the
    alternatives, the case, the lab order sheet, the appendix, sources and the patient
    sheet."""
    import typst

    data = json.dumps(pdf_data(plan), ensure_ascii=False)
    pdf = typst.compile(_template(), format="pdf", font_paths=_fonts(), sys_inputs={"data": data})
    return bytes(pdf)
