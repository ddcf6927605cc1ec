"""Every diagram of one design, from the plan's own data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tadplan.case import MovementKind
from tadplan.model import Design, GoalPlan, Implant, Plan
from tadplan.planner.sites import PlanSites, analyse_sites
from tadplan.report.figures import Figure
from tadplan.report.force_view import force_figure
from tadplan.report.geometry import ToothShape, dentition_shapes
from tadplan.report.mechanics_view import force_system_of, implant_heads
from tadplan.report.occlusal import occlusal_figure
from tadplan.report.site_view import site_figure
from tadplan.report.time_view import force_time_figure


def served_goals(plan: Plan, design: Design, goal_plan: GoalPlan | None = None) -> list[GoalPlan]:
    """The goal plans a design serves (its own goal first)."""
    out = [goal_plan] if goal_plan is not None else []
    out += [g for g in plan.goals if g.goal.id in design.goal_ids and g is not goal_plan]
    return out


def design_figures(
    plan: Plan,
    goal_plan: GoalPlan | None,
    design: Design,
    shapes: Mapping[int, ToothShape] | None = None,
    key: str | None = None,
    sites_done: dict[str, str] | None = None,
    sites: PlanSites | None = None,
) -> list[Figure]:
    """The diagrams of one design: occlusal view, force diagram (lateral or frontal), force
    over time (when the mechanics result has force curves) and one site view per
    inter-radicular implant. With ``sites_done`` (shared across the designs of a report) an
    insertion already drawn for another design is referred to, not drawn again. ``sites``:
    the plan's site analyses (:func:`tadplan.planner.sites.analyse_sites`; asked of the
    planner for this design when not given). Callers close the figures."""
    shapes = shapes if shapes is not None else dentition_shapes(plan.case)
    key = key or design.id
    goals = served_goals(plan, design, goal_plan)
    teeth = [t for g in goals for t in g.goal.teeth]
    kinds: list[MovementKind] = [g.goal.kind for g in goals]
    fs = force_system_of(design)
    heads = implant_heads(design, shapes, fs)
    figs = [
        occlusal_figure(
            plan.case,
            design,
            shapes,
            teeth,
            f"{key}-occlusal",
            {i: h for i, (h, _a) in heads.items()},
        ),
        force_figure(design, shapes, teeth, kinds, f"{key}-force"),
    ]
    timeline = force_time_figure(design, f"{key}-force-time")
    if timeline is not None:
        figs.append(timeline)
    else:
        figs[1].notes.append("force over time: the plan has no force curve for this design")
    for imp in design.implants:
        head, axis = heads[imp.id]
        same = _site_key(imp, head)
        if sites_done is not None and same in sites_done:
            figs[0].notes.append(
                f"site view of {imp.id} ({imp.site.label()}): the same "
                f"insertion is drawn with design {sites_done[same]}"
            )
            continue
        if sites is None:
            sites = analyse_sites(plan, [design])
        site = site_figure(imp, head, axis, shapes, f"{key}-site-{imp.id}", sites.of(imp))
        if site is not None:
            figs.append(site)
            if sites_done is not None:
                sites_done[same] = key
    return figs


def _site_key(imp: Implant, head: np.ndarray) -> str:
    """Same site, size, head and assessment: the same picture."""
    pos = ",".join(f"{v:.1f}" for v in head)
    safety = imp.safety.model_dump_json() if imp.safety else ""
    return f"{imp.site.label()}|{imp.diameter_mm}|{imp.length_mm}|{pos}|{safety}"


def plan_figures(plan: Plan) -> dict[str, list[Figure]]:
    """Design key -> its figures, for every design of the plan (callers close them)."""
    shapes = dentition_shapes(plan.case)
    sites = analyse_sites(plan)
    out: dict[str, list[Figure]] = {}
    for gp in plan.goals:
        for d in gp.designs:
            key = d.id if d.id not in out else f"{d.id}-{len(out)}"
            out[key] = design_figures(plan, gp, d, shapes, key, sites=sites)
    return out
