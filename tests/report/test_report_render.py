"""The report: diagrams name what the plan names, HTML is self-contained, PDF has the pages
and text it should."""

from __future__ import annotations

import io
import itertools
import re

import numpy as np
import pytest
from markupsafe import Markup
from pypdf import PdfReader

from tadplan.knowledge.sources import sources
from tadplan.model import ConnectionKind, Plan
from tadplan.report import design_figures, render_html, render_pdf
from tadplan.report.html import patient_info
from tadplan.report.mechanics_view import force_system_of
from tadplan.report.text import CONNECTION_NAMES


def _svg_refs(svg: str, cls: str) -> set[str]:
    """data-ref values of elements whose class list starts with ``cls``."""
    return set(re.findall(rf'class="{cls}[^"]*" data-ref="([^"]+)"', svg))


def test_every_connection_kind_has_a_name() -> None:
    assert set(CONNECTION_NAMES) == set(ConnectionKind)


def test_occlusal_svg_names_every_implant_and_connection(plan_fixture: Plan) -> None:
    for gp in plan_fixture.goals:
        for d in gp.designs:
            figs = design_figures(plan_fixture, gp, d)
            occ = next(f for f in figs if f.kind == "occlusal")
            svg = occ.svg()
            assert _svg_refs(svg, "implant") == {i.id for i in d.implants}
            assert _svg_refs(svg, "connection") == {c.id for c in d.connections}
            for c in d.connections:  # the class says what the connection is
                assert f'class="connection {c.kind.value}" data-ref="{c.id}"' in svg
            for f in figs:
                f.close()


def test_occlusal_view_shows_tooth_statuses(plan_fixture: Plan) -> None:
    gp = plan_fixture.goals[0]
    fig = design_figures(plan_fixture, gp, gp.designs[0])[0]
    svg = fig.svg()
    # demo: 14/24 planned extractions, 18/28 missing, 13-23 retracted
    assert _svg_refs(svg, "tooth planned_extraction") == {"14", "24"}
    assert _svg_refs(svg, "tooth missing") == {"18", "28"}
    assert {"13", "23", "11", "21"} <= _svg_refs(svg, "tooth moved")
    assert "16" in _svg_refs(svg, "tooth present")
    fig.close()


def test_force_diagram_draws_each_active_force_with_its_grams(plan_fixture: Plan) -> None:
    gp = plan_fixture.goals[0]
    d = gp.designs[0]  # springs/chains of 150 g from i1 (right) and i2 (left)
    force = next(f for f in design_figures(plan_fixture, gp, d) if f.kind == "lateral")
    svg = force.svg()
    drawn = _svg_refs(svg, "force")
    assert len(drawn) == 1 and drawn <= {"c1", "c2"}  # one side drawn, the other listed
    assert "150 g" in svg
    assert "posterior" in svg  # retraction pulls the canine backwards
    # no mechanics result in the hand-built plan: the figure says so instead of a CR
    assert "no mechanics result" in " ".join(force.notes)
    assert "centre_of_resistance" not in svg
    force.close()


def test_passive_design_gets_a_frontal_view_without_forces(plan_fixture: Plan) -> None:
    gp = plan_fixture.goals[1]
    d = gp.designs[0]  # horseshoe/quadhelix to a median palatal implant
    figs = design_figures(plan_fixture, gp, d)
    force = figs[1]
    assert force.kind == "frontal"
    svg = force.svg()
    assert _svg_refs(svg, "implant") == {"i4"}
    # the palatal appliances are drawn across the palate to the implant
    assert {"c6", "c7"} <= _svg_refs(svg, "connection")
    for f in figs:
        f.close()


def test_html_is_self_contained_and_complete(plan_fixture: Plan) -> None:
    html = render_html(plan_fixture)
    assert "<script" not in html and 'src="http' not in html and "<link" not in html
    assert html.count("<svg") >= 2 * sum(len(g.designs) for g in plan_fixture.goals)
    for gp in plan_fixture.goals:
        for d in gp.designs:
            assert f'id="design-{d.id}"' in html
            for c in d.connections:
                assert f'id="row-{d.id}-{c.id}"' in html
    assert str(Markup.escape(plan_fixture.disclaimer)) in html
    assert patient_info()["title"] in html
    assert "Papageorgiou" in html  # the success rate quoted to patients has its source
    assert 'id="fdi-chart"' in html
    # one page, many figures: every id is unique and every internal reference resolves
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    refs = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', html))
    assert refs <= set(ids)


def test_patient_sheet_sources_are_registered() -> None:
    reg = sources()
    for sec in patient_info()["sections"]:
        assert sec["sources"], sec["heading"]
        for ref in sec["sources"]:
            assert ref["key"] in reg


@pytest.mark.slow
def test_pdf_is_a4_with_numbered_pages_and_the_texts(plan_fixture: Plan) -> None:
    pdf = render_pdf(plan_fixture)
    reader = PdfReader(io.BytesIO(pdf))
    n = len(reader.pages)
    # case summary, one page per goal (2), sources, patient sheet
    assert n >= 5
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    texts = [p.extract_text() for p in reader.pages]
    assert f"page 1 of {n}" in texts[0]
    assert f"page {n} of {n}" in texts[-1]
    full = "\n".join(texts)
    assert "Direct en-masse retraction" in full
    assert "Your mini-implant" in texts[-1]
    assert "13.5" in texts[-1]  # failure rate quoted on the patient sheet
    assert "decision support" in full


def test_mechanics_result_is_drawn_cr_moment_and_force_curves(mech_plan: Plan) -> None:
    gp = mech_plan.goals[0]
    d = gp.designs[0]
    all_figs = design_figures(mech_plan, gp, d)
    figs = {f.kind: f for f in all_figs if not f.id.endswith("site-i2")}
    assert {"occlusal", "lateral", "force_time", "site"} <= set(figs)
    # one site view per inter-radicular implant: i1 with its assessment, i2 without one
    assert [f.id for f in all_figs if f.kind == "site"] == [
        "retract-a-site-i1",
        "retract-a-site-i2",
    ]
    assert any("no site assessment" in n for f in all_figs for n in f.notes)
    force_svg = figs["lateral"].svg()
    assert "centre_of_resistance" in force_svg and 'class="moment"' in force_svg
    # the predicted kind of movement of the mechanics result is written beside the drawing
    fs = force_system_of(d)
    assert fs is not None and fs.units
    assert "predicted" in force_svg
    assert all(w in force_svg for w in fs.units[0].movement.value.split("_"))
    # the force curves of the active modules, by connection id
    assert _svg_refs(figs["force_time"].svg(), "force_curve") == {"c1", "c2"}
    # the site view: the screw i1 between the roots of 15 and 16 with its assessment
    site_svg = figs["site"].svg()
    assert _svg_refs(site_svg, "implant") == {"i1"}
    assert _svg_refs(site_svg, "root") == {"15", "16"}
    assert "0.9 mm" in site_svg  # minimum root clearance from the assessment
    for f in all_figs:
        f.close()


def test_without_mechanics_no_cr_and_no_force_curve_is_invented(plan_fixture: Plan) -> None:
    for gp in plan_fixture.goals:
        for d in gp.designs:
            figs = design_figures(plan_fixture, gp, d)
            assert "force_time" not in {f.kind for f in figs}
            assert all("centre_of_resistance" not in f.svg() for f in figs)
            assert any("force curve" in n for f in figs for n in f.notes)
            for f in figs:
                f.close()


def test_room_between_the_roots_widens_apically(plan_fixture: Plan) -> None:
    """The site view's profile (the planner's site analysis): inter-radicular distance
    rises from the cervical towards the apical level (Hu 2009, Park & Cho 2009;
    literature.md §1.1), and the screw's needed width is drawn against it."""
    from tadplan.planner.sites import analyse_sites

    gp = plan_fixture.goals[0]
    imp = next(i for i in gp.designs[0].implants if i.site.between is not None)
    analysis = analyse_sites(plan_fixture, [gp.designs[0]]).of(imp)
    assert analysis is not None and analysis.profile
    upto8 = [d for h, d in analysis.profile if h <= 8]
    assert len(upto8) >= 4
    assert all(b >= a - 0.05 for a, b in itertools.pairwise(upto8))
    assert upto8[-1] > upto8[0]
    site = next(f for f in design_figures(plan_fixture, gp, gp.designs[0]) if f.kind == "site")
    assert 'class="ird_profile"' in site.svg()
    site.close()


def test_site_view_draws_the_clearance_map_with_the_planned_insertion(
    plan_fixture: Plan,
) -> None:
    """Issues 5/6: the site view carries the clearance map of the screw (height x
    mesiodistal) from the planner's site analysis, its PDL and safety-margin contours, and
    the planned insertion starred at the height the placer chose."""
    from tadplan.anatomy.safety import place_implant
    from tadplan.planner.sites import analyse_site
    from tadplan.report.geometry import dentition_shapes
    from tadplan.report.site_view import site_figure

    case = plan_fixture.case
    imp = place_implant(case, plan_fixture.goals[0].designs[0].implants[0])
    assert imp.safety is not None and imp.head_position_mm is not None
    analysis = analyse_site(case, imp)
    assert analysis is not None and analysis.clearance is not None
    assert analysis.clearance.vertical_deg == imp.safety.vertical_angle_deg
    assert analysis.planned_cell is not None
    i, _j = analysis.planned_cell
    assert analysis.clearance.heights_mm[i] == imp.safety.insertion_height_mm
    fig = site_figure(
        imp,
        np.array(imp.head_position_mm),
        np.array(imp.axis),
        dentition_shapes(case),
        "s",
        analysis,
    )
    assert fig is not None
    svg = fig.svg()
    fig.close()
    assert _svg_refs(svg, "clearance_map") == {imp.id}
    assert _svg_refs(svg, "planned_insertion") == {imp.id}
    assert _svg_refs(svg, "clearance_contour") == {imp.id}
    assert "safety margin" in svg
    bare = site_figure(
        imp, np.array(imp.head_position_mm), np.array(imp.axis), dentition_shapes(case), "b"
    )
    assert bare is not None
    assert "clearance_map" not in bare.svg()
    assert any("clearance map" in n for n in bare.notes)
    bare.close()


def test_the_report_measures_no_anatomy() -> None:
    """Issue 12: the report only draws; the site analyses it draws come with the plan
    (``planner.sites``) and the survey (``Survey.best_maps``)."""
    import ast
    from pathlib import Path

    import tadplan.report

    measuring = {
        "clearance_map",
        "interradicular_profile",
        "map_from_ranked",
        "dentition_model",
        "site_value",
    }
    found = []
    for path in Path(tadplan.report.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "tadplan.anatomy"
            ):
                found += [f"{path.name}: {a.name}" for a in node.names if a.name in measuring]
    assert found == []


def test_fdi_chart_rows_show_statuses_and_retained_primary_teeth(plan_fixture: Plan) -> None:
    from tadplan.report.html import fdi_rows

    case = plan_fixture.case
    rows = fdi_rows(case, [13, 23])
    assert [r["cls"] for r in rows] == ["upper", "lower"]
    cells = {c["fdi"]: c for r in rows for c in r["cells"]}
    assert "planned_extraction" in cells[14]["cls"] and cells[14]["sym"] == "E"
    assert "missing" in cells[18]["cls"] and cells[18]["sym"] == "○"
    assert "goal" in cells[13]["cls"]
    assert "B" in cells[17]["sym"]  # banded second molar
    kept = case.model_copy(
        update={"dentition": case.dentition.model_copy(update={"primary_present": [55]})}
    )
    rows = fdi_rows(kept, [])
    assert [r["cls"] for r in rows] == ["upper", "primary", "primary", "lower"]
    assert [c["fdi"] for c in rows[1]["cells"] if c["fdi"]] == [55]
    assert all(len(r["cells"]) == 16 for r in rows)


def test_goal_without_designs_is_reported_not_dropped(plan_fixture: Plan) -> None:
    empty = plan_fixture.goals[1].model_copy(
        update={"designs": [], "notes": ["every candidate site was ruled out"]}
    )
    plan = plan_fixture.model_copy(update={"goals": [plan_fixture.goals[0], empty]})
    html = render_html(plan)
    assert 'id="goal-hold-molars"' in html
    assert "No design was proposed for this goal." in html
    assert "every candidate site was ruled out" in html


def test_force_curve_that_starts_below_range_is_said_not_drawn_as_a_reactivation_line(
    mech_plan: Plan,
) -> None:
    from tadplan.report.time_view import force_time_figure

    d = mech_plan.goals[0].designs[0]
    fs = force_system_of(d)
    assert fs is not None
    conns = []
    for c in fs.connections:
        if c.curve is not None:
            below = c.curve.model_copy(
                update={"starts_below_range": True, "useful_min_g": max(c.curve.force_g) + 10}
            )
            c = c.model_copy(update={"curve": below})
        conns.append(c)
    d2 = d.model_copy(update={"mechanics": fs.model_copy(update={"connections": conns})})
    fig = force_time_figure(d2, "t")
    assert fig is not None
    svg = fig.svg()
    assert "not reached" in svg and "reactivate below" not in svg
    assert "starts below the useful" in svg
    assert not any("starts below" in n for n in fig.notes)  # drawn, not a "not shown" note
    fig.close()


def test_a_steeply_inclined_screw_is_drawn_as_a_shaft() -> None:
    """Issue 16: a screw whose axis runs almost into the view (2 mm of 8 mm shown) is a
    shaft of its diameter with threads and a thin collar, not a black wedge."""
    from tadplan.report.canvas import Canvas, Line2D, Polygon
    from tadplan.report.screw import draw_screw

    ax = Canvas((2.0, 2.0)).add_axes((0, 0, 1, 1))
    group = draw_screw(ax, np.array([0.0, 0.0]), np.array([0.0, 2.0]), 1.6, 8.0, "i1")
    shaft, collar = (p for p in group.parts if isinstance(p, Polygon))
    widths = {round(float(y), 3): [] for y in shaft.xy[:, 1]}
    for x, y in shaft.xy:
        widths[round(float(y), 3)].append(float(x))
    base, cone = sorted(widths)[:2]
    assert max(widths[base]) - min(widths[base]) == pytest.approx(1.6)
    assert max(widths[cone]) - min(widths[cone]) == pytest.approx(1.6)  # not tapering
    assert cone > 1.0  # most of the shown length is shaft
    collar_len = float(np.ptp(collar.xy[:, 1]))
    assert collar_len < 0.5  # foreshortened with the axis
    assert sum(isinstance(p, Line2D) for p in group.parts) >= 2  # thread marks


def test_force_and_site_views_draw_the_same_screw(plan_fixture: Plan) -> None:
    """Issue 16: one drawer for the screw in both side views (shaft, threads, collar)."""
    gp = plan_fixture.goals[0]
    figs = design_figures(plan_fixture, gp, gp.designs[0])
    force = next(f for f in figs if f.kind in ("lateral", "frontal"))
    site = next(f for f in figs if f.kind == "site")
    for fig in (force, site):
        group = re.search(r'<g id="[^"]*implant-i1" class="implant"[^>]*>(.*?)</g>', fig.svg())
        assert group is not None
        assert group.group(1).count("<polygon") >= 2  # shaft and collar
        assert group.group(1).count("<polyline") >= 2  # thread marks
    for f in figs:
        f.close()
