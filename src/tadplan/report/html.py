"""The HTML report: one self-contained file (CSS and diagrams inline)."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jinja2

from tadplan._yaml import load_data
from tadplan.case import Case, ToothStatus, fdi
from tadplan.case.summary import case_summary, goal_notes
from tadplan.knowledge.sources import cited_detail, display_key
from tadplan.knowledge.sources import sources as registry
from tadplan.mechanics.text import cr_words, source_words
from tadplan.model import (
    Components,
    Design,
    GoalPlan,
    Plan,
    RankCriterion,
    SourceRef,
    UnitForceSystem,
)
from tadplan.planner.sites import PlanSites, analyse_sites
from tadplan.planner.text import activation_steps
from tadplan.report.diagrams import design_figures
from tadplan.report.figures import Figure
from tadplan.report.geometry import ToothShape, dentition_shapes
from tadplan.report.mechanics_view import force_system_of
from tadplan.report.risk_text import risk_chart_svg
from tadplan.report.sheets import (
    behind_chosen,
    case_lines,
    chosen_designs,
    lab_sheet,
    patient_plan,
    plan_materials,
)
from tadplan.report.text import CONNECTION_NAMES, fmt_force, fmt_num, implant_size

Embed = Literal["svg", "svg-img", "png-img"]


def _pkg_file(*parts: str) -> Path:
    return Path(str(resources.files("tadplan.report"))).joinpath(*parts)


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_pkg_file("templates"))),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters["force"] = fmt_force
    env.filters["cite_key"] = display_key
    env.filters["cited_detail"] = cited_detail
    env.filters["activation_steps"] = activation_steps
    return env


@cache
def _css() -> str:
    return _pkg_file("templates", "report.css").read_text(encoding="utf-8")


@cache
def patient_info() -> dict[str, Any]:
    """The patient information sheet (``data/patient_info.yaml``), citations resolved."""
    data = load_data(_pkg_file("data", "patient_info.yaml").read_text(encoding="utf-8"))
    reg = registry()
    for sec in data["sections"]:
        for ref in sec["sources"]:
            if ref["key"] not in reg:
                raise KeyError(f"patient_info.yaml: source {ref['key']!r} is not in the registry")
            ref["citation"] = reg[ref["key"]].citation()
            ref.setdefault("detail", None)
            ref.setdefault("tag", None)
    return data


# ----------------------------------------------------------------------------- case


STATUS_SYMBOL: dict[ToothStatus, tuple[str, str]] = {
    ToothStatus.missing: ("○", "missing (agenesis)"),
    ToothStatus.extracted: ("✕", "extracted"),
    ToothStatus.planned_extraction: ("E", "planned extraction"),
    ToothStatus.implant: ("I", "prosthetic implant"),
    ToothStatus.pontic: ("P", "pontic"),
    ToothStatus.unerupted: ("U", "unerupted (in the bone)"),
    ToothStatus.impacted: ("IM", "impacted"),
}


def fdi_rows(case: Case, goal_teeth: Iterable[int]) -> list[dict[str, Any]]:
    """The FDI chart: upper row 18-11 | 21-28, lower row 48-41 | 31-38."""
    moved = set(goal_teeth)
    rows = []
    for cls, order in (("upper", fdi.arch_order("maxilla")), ("lower", fdi.arch_order("mandible"))):
        cells = []
        for t in order:
            st = case.dentition.status(t)
            sym, title = STATUS_SYMBOL.get(st, ("", "present"))
            classes = [st.value]
            if t in moved:
                classes.append("goal")
                sym = sym or "▲"
                title += ", moved or held by a goal"
            if t in case.attachments.bands:
                sym += "B"
                title += ", banded"
            if fdi.position(t) == 1 and fdi.side(t) == "left":
                classes.append("mid")
            cells.append({"fdi": t, "cls": " ".join(classes), "sym": sym, "title": title})
        rows.append({"cls": cls, "cells": cells})
    if case.dentition.primary_present:  # retained primary teeth under their successors
        blank: dict[str, object] = {"fdi": "", "cls": "blank", "sym": "", "title": ""}
        jaws: tuple[fdi.Arch, ...] = ("maxilla", "mandible")
        for jaw in jaws:
            cls = "primary"
            cells = [blank] * 3
            for t in fdi.arch_order(jaw, primary=True):
                kept = t in case.dentition.primary_present
                cells.append(
                    {
                        "fdi": t if kept else "",
                        "cls": "primary" if kept else "blank",
                        "sym": "p" if kept else "",
                        "title": "retained primary tooth" if kept else "",
                    }
                )
            rows.insert(1 if jaw == "maxilla" else 2, {"cls": cls, "cells": cells + [blank] * 3})
    return rows


FDI_LEGEND = [
    ("○", "missing (agenesis)"),
    ("✕", "extracted"),
    ("E", "planned extraction"),
    ("I", "prosthetic implant"),
    ("P", "pontic"),
    ("B", "banded"),
    ("▲ / bold box", "tooth of a goal"),
    ("p", "retained primary tooth (own row)"),
]


# ----------------------------------------------------------------------------- designs


def materials(design: Design) -> list[str]:
    """What to have ready: implants by size and head, modules, wires and appliances."""
    out: list[str] = []
    sizes = Counter((implant_size(i), i.head.value.replace("_", " ")) for i in design.implants)
    for (size, head), n in sizes.items():
        ids = ", ".join(
            i.id
            for i in design.implants
            if implant_size(i) == size and i.head.value.replace("_", " ") == head
        )
        out.append(f"{n} × mini-implant {size}, {head} head ({ids})")
    for c in design.connections:
        force = f", {fmt_force(c.force_g)}" if c.force_g is not None else ""
        att = f"; attach at {c.attachment}" if c.attachment else ""
        out.append(f"{CONNECTION_NAMES[c.kind]}{force} ({c.id}){att}")
    return out


def _components(u: UnitForceSystem) -> str:
    """The components of a unit's force in its own frame; for a unit on both sides, each
    side's in that side's frame (a summed mesial or buccal would mix the two sides)."""

    def words(c: Components, teeth: list[int]) -> str:
        outer = "labial" if all(fdi.is_anterior(t) for t in teeth) else "buccal"
        return (
            f"mesial {fmt_force(c.mesial_g)}, {outer} {fmt_force(c.buccal_g)}, "
            f"intrusive {fmt_force(c.intrusive_g)}"
        )

    if u.components is not None:
        return words(u.components, u.teeth)
    return "; ".join(
        f"{s.side} {', '.join(map(str, s.teeth))}: {fmt_force(s.force_g)}, "
        + words(s.components, s.teeth)
        for s in u.sides
    )


def _mechanics_rows(design: Design) -> list[tuple[str, str]]:
    """The force system in words: per moved unit, per implant load, time and warnings."""
    fs = force_system_of(design)
    if fs is None:
        return []
    rows: list[tuple[str, str]] = []
    for u in fs.units:
        what = f"resultant {fmt_force(u.force_g)} ({_components(u)}); " + (
            f"predicted {u.movement.value.replace('_', ' ')}"
        )
        if u.moment_to_force_mm is not None:
            what += f"; M/F {fmt_num(u.moment_to_force_mm)} mm"
        effects = "; ".join(dict.fromkeys([*u.effects, *u.side_effects]))
        rows.append(
            (
                f"teeth {', '.join(map(str, u.teeth))}",
                what + (f". {effects}" if effects else "") + f" (CR: {cr_words(u.cr_basis)})",
            )
        )
    for u in fs.anchorage:
        rows.append(
            (
                f"anchorage teeth {', '.join(map(str, u.teeth))}",
                f"reaction {fmt_force(u.force_g)}; {u.movement.value.replace('_', ' ')}",
            )
        )
    for cf in fs.connections:
        if cf.role == "appliance":
            rows.append(
                (
                    cf.connection_id.replace("_", " "),
                    f"{fmt_force(cf.applied_g)} on {', '.join(map(str, cf.teeth))}: the case's "
                    f"appliance, held by {'+'.join(cf.implant_ids) or 'the anchorage'}"
                    + (f" ({'; '.join(cf.notes)})" if cf.notes else ""),
                )
            )
        if cf.dose is not None:
            rows.append(
                (
                    f"{cf.connection_id} dose",
                    f"{fmt_force(cf.dose.delivered_g)} "
                    f"delivered, {cf.dose.status} {fmt_force(cf.dose.low_g)} to "
                    f"{fmt_force(cf.dose.high_g)} ({source_words(cf.dose.source)})"
                    + (f"; {cf.dose.suggestion}" if cf.dose.suggestion else ""),
                )
            )
    for load in fs.implants:
        rows.append(
            (
                f"implant {load.implant_id} load",
                f"{fmt_force(load.force_g)}, torsion {fmt_num(load.torsion_nmm)} N·mm, "
                f"bending {fmt_num(load.bending_nmm)} N·mm"
                + (f"; {'; '.join(load.flags)}" if load.flags else ""),
            )
        )
    for g in fs.goals:
        if g.duration_weeks is not None:
            rows.append(
                (
                    f"goal {g.goal_id} time",
                    f"about {fmt_num(g.duration_weeks, 0)} weeks"
                    + (
                        f" at {fmt_num(g.rate_mm_per_month, 2)} mm/month "
                        f"({source_words(g.rate_source) if g.rate_source else None})"
                        if g.rate_mm_per_month
                        else ""
                    ),
                )
            )
    for w in fs.warnings:
        cited = f" [{', '.join(map(display_key, w.sources))}]" if w.sources else ""
        rows.append((w.severity, w.text + cited))
    return rows


def _risk_rows(design: Design) -> list[RankCriterion]:
    return list(design.criteria)


@dataclass
class _FigView:
    id: str
    kind: str
    caption: str
    notes: list[str]
    markup: Any
    svg: str = ""
    """The diagram's SVG text (the PDF lays it out itself)."""


@dataclass
class _DesignView:
    key: str
    design: Design
    figures: list[_FigView]
    materials: list[str]
    mechanics_rows: list[tuple[str, str]]
    risk_rows: list[RankCriterion]
    sizes: dict[str, str]
    names: dict[Any, str] = field(default_factory=lambda: dict(CONNECTION_NAMES))
    ref_to: str | None = None
    """Key of the same design drawn under an earlier goal (then only a reference is shown)."""
    risk_chart: Any = ""
    """SVG bar chart of the implants' failure risk (:mod:`tadplan.report.risk_text`)."""
    ref_goal: str | None = None
    thumb: Any = ""
    """The occlusal diagram as a small image (page 1, the alternatives' rows)."""
    occlusal_svg: str = ""
    chosen: bool = False
    """First-ranked for its goal."""
    behind: str = ""
    """For an alternative: where it lost to the chosen design (:mod:`tadplan.report.sheets`)."""

    @staticmethod
    def mm(v: float | None) -> str:
        return "—" if v is None else f"{fmt_num(v)} mm"

    @staticmethod
    def deg(v: float | None) -> str:
        return "—" if v is None else f"{fmt_num(v, 0)}°"


def _chart_markup(svg: str, embed: Embed) -> str:
    """The risk chart (plain SVG text) embedded like the figures."""
    if not svg or embed == "svg":
        return svg
    if embed == "svg-img":
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f'<img alt="failure risk" src="data:image/svg+xml;base64,{data}">'
    from tadplan.report.canvas import svg_to_png

    data = base64.b64encode(svg_to_png(svg, 200)).decode("ascii")
    return f'<img alt="failure risk" src="data:image/png;base64,{data}">'


def _img(svg: str, alt: str) -> str:
    """An SVG as an ``<img>`` (its ids stay out of the page's own)."""
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img alt="{alt}" src="data:image/svg+xml;base64,{data}">'


def _markup(fig: Figure, embed: Embed) -> str:
    if embed == "svg":
        return fig.svg()
    if embed == "svg-img":
        data = base64.b64encode(fig.svg().encode("utf-8")).decode("ascii")
        return f'<img alt="{fig.title}" src="data:image/svg+xml;base64,{data}">'
    data = base64.b64encode(fig.png(dpi=200)).decode("ascii")
    return f'<img alt="{fig.title}" src="data:image/png;base64,{data}">'


def same_design(a: Design, b: Design) -> bool:
    """The same appliance (implants, connections, activation) proposed for two goals: drawn
    once, referred to under the second (its rank and criteria there may differ)."""
    keep = {"id", "title", "implants", "connections", "activation", "mechanics"}
    return a.model_dump(include=keep) == b.model_dump(include=keep)


def _all_refs(plan: Plan) -> list[SourceRef]:
    refs = list(plan.sources)
    for w in plan.warnings:
        refs += w.sources
    for gp in plan.goals:
        for d in gp.designs:
            refs += d.sources
            for w in d.warnings:
                refs += w.sources
            for i in d.implants:
                if i.safety:
                    refs += i.safety.sources
    for sec in patient_info()["sections"]:
        refs += [SourceRef(key=r["key"], detail=r.get("detail")) for r in sec["sources"]]
    return refs


def sources_view(plan: Plan) -> list[dict[str, Any]]:
    reg = registry()
    by_key: dict[str, dict[str, Any]] = {}
    for r in _all_refs(plan):
        entry = by_key.setdefault(r.key, {"key": r.key, "text": None, "details": []})
        if entry["text"] is None:
            if r.key in reg:
                entry["text"] = reg[r.key].citation()
            elif r.text:
                entry["text"] = r.text
        detail = cited_detail(r)
        if detail and detail not in entry["details"]:
            entry["details"].append(detail)
    for e in by_key.values():
        if e["text"] is None:
            e["text"] = "(not in the source registry)"
    return sorted(by_key.values(), key=lambda e: (e["key"] != "seed", e["key"]))


@dataclass
class _Drawing:
    """The designs of a report drawn goal by goal: a design serving several goals is drawn
    once (then referred to), an insertion already drawn is not drawn again."""

    plan: Plan
    embed: Embed
    figures_for: Callable[..., list[Figure]]
    shapes: Mapping[int, ToothShape]
    sites: PlanSites
    seen: dict[str, int] = field(default_factory=dict)
    drawn: dict[str, tuple[str, Design, str]] = field(default_factory=dict)
    """Design id -> (key, design, goal id) where it was first drawn."""
    sites_done: dict[str, str] = field(default_factory=dict)
    occlusal_of: dict[str, str] = field(default_factory=dict)

    def goal_designs(self, gp: GoalPlan) -> list[_DesignView]:
        """The views of a goal's designs, the first the chosen one."""
        designs = [self._design_view(gp, d) for d in gp.designs]
        for k, dv in enumerate(designs):
            dv.chosen = k == 0
            dv.occlusal_svg = dv.occlusal_svg or self.occlusal_of.get(dv.ref_to or "", "")
            self.occlusal_of.setdefault(dv.key, dv.occlusal_svg)
            dv.thumb = _img(dv.occlusal_svg, f"occlusal view of {dv.design.id}")
            if k > 0:
                dv.behind = behind_chosen(gp.designs[0], dv.design)
        return designs

    def _design_view(self, gp: GoalPlan, d: Design) -> _DesignView:
        n = self.seen.get(d.id, 0)
        self.seen[d.id] = n + 1
        key = d.id if n == 0 else f"{d.id}-{n}"
        first = self.drawn.get(d.id)
        if first is not None and same_design(first[1], d):  # serving several goals
            return _DesignView(
                key=key,
                design=d,
                figures=[],
                materials=[],
                mechanics_rows=[],
                risk_rows=[],
                sizes={},
                ref_to=first[0],
                ref_goal=first[2],
            )
        self.drawn.setdefault(d.id, (key, d, gp.goal.id))
        figs = self.figures_for(
            self.plan, gp, d, self.shapes, key, self.sites_done, sites=self.sites
        )
        views = _fig_views(figs, self.embed)
        return _DesignView(
            key=key,
            design=d,
            figures=views,
            materials=materials(d),
            mechanics_rows=_mechanics_rows(d),
            risk_rows=_risk_rows(d),
            sizes={i.id: implant_size(i) for i in d.implants},
            risk_chart=_chart_markup(risk_chart_svg(d), self.embed),
            occlusal_svg=views[0].svg if views else "",
        )


def _fig_views(figs: list[Figure], embed: Embed) -> list[_FigView]:
    """The figures as the template shows them (closing each)."""
    views = []
    for f in figs:
        svg = f.svg()
        markup = svg if embed == "svg" else _markup(f, embed)
        views.append(_FigView(f.id, f.kind, f.caption, f.notes, markup, svg))
        f.close()
    return views


def build_context(
    plan: Plan, embed: Embed = "svg", figures_for: Callable[..., list[Figure]] = design_figures
) -> dict[str, Any]:
    """Everything the template shows, diagrams rendered as ``embed``."""
    case = plan.case
    drawing = _Drawing(plan, embed, figures_for, dentition_shapes(case), analyse_sites(plan))
    case_notes = goal_notes(case)
    goals: list[dict[str, Any]] = [
        {
            "goal": gp.goal,
            "case_notes": case_notes.get(gp.goal.id),
            "notes": gp.notes,
            "designs": drawing.goal_designs(gp),
        }
        for gp in plan.goals
    ]
    chosen = chosen_designs(plan)
    for g, c in zip(goals, chosen, strict=True):
        g["summary"] = c
    return {
        "plan": plan,
        "case": case,
        "css": _css(),
        "summary": case_summary(case),
        "fdi_rows": fdi_rows(case, {t for gp in plan.goals for t in gp.goal.teeth}),
        "fdi_legend": FDI_LEGEND,
        "goals": goals,
        "case_lines": case_lines(case),
        "chosen": chosen,
        "materials": plan_materials(plan),
        "lab": lab_sheet(plan),
        "patient_plan": patient_plan(plan),
        "sources": sources_view(plan),
        "patient": patient_info(),
    }


def render(plan: Plan, embed: Embed = "svg") -> str:
    """The report's HTML with the diagrams embedded as ``embed``."""
    ctx = build_context(plan, embed)
    # figure markup is our own SVG/IMG: mark it safe for autoescape
    for g in ctx["goals"]:
        for d in g["designs"]:
            for f in d.figures:
                f.markup = jinja2.utils.markupsafe.Markup(f.markup)
            d.risk_chart = jinja2.utils.markupsafe.Markup(d.risk_chart)
            d.thumb = jinja2.utils.markupsafe.Markup(d.thumb)
    return _env().get_template("report.html.j2").render(**ctx)


def render_html(plan: Plan) -> str:
    """The report as one self-contained HTML document (inline CSS and SVG diagrams)."""
    return render(plan, "svg")
