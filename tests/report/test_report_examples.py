"""Every design of every bundled example is drawn and reported (the planner's real plans)."""

from __future__ import annotations

import functools
import io
import re
from html import unescape

import pytest
from pypdf import PdfReader

from tadplan.examples import example_paths, load_example
from tadplan.model import Design, Plan
from tadplan.report import design_figures, render_html, render_pdf
from tadplan.report.canvas import Annotation, Tag
from tadplan.report.html import render, same_design

planner = pytest.importorskip("tadplan.planner")


@functools.cache
def _plan(name: str) -> Plan:
    """Plans are frozen: each example is planned once for all the tests of this module."""
    result: Plan = planner.plan(load_example(name))
    return result


def _refs(svg: str, cls: str) -> set[str]:
    return set(re.findall(rf'class="{cls}[^"]*" data-ref="([^"]+)"', svg))


def _figure(html: str, fig_id: str) -> str:
    m = re.search(
        rf'<figure class="diagram [a-z_]+" id="fig-{re.escape(fig_id)}">(.*?)</figure>', html, re.S
    )
    assert m, f"no figure {fig_id}"
    return m.group(1)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(example_paths()))
def test_every_design_is_drawn_with_what_it_names(name: str) -> None:
    plan = _plan(name)
    html = render_html(plan)
    assert html.startswith("<!DOCTYPE html>"), "the document type comes first (no blank line)"
    first: dict[str, Design] = {}
    seen: dict[str, int] = {}
    n_designs = 0
    for gp in plan.goals:
        for d in gp.designs:
            n_designs += 1
            n = seen.get(d.id, 0)
            seen[d.id] = n + 1
            key = d.id if n == 0 else f"{d.id}-{n}"
            if d.id in first and same_design(first[d.id], d):  # the same design, another goal
                assert f'href="#design-{d.id}"' in html
                continue
            first.setdefault(d.id, d)
            occ = _figure(html, f"{key}-occlusal")
            assert _refs(occ, "implant") == {i.id for i in d.implants}, d.id
            assert _refs(occ, "connection") == {c.id for c in d.connections}, d.id
            force = _figure(html, f"{key}-force")
            assert 'class="diagram lateral"' in html or 'class="diagram frontal"' in html
            # every force the plan gives is either drawn or listed beside the drawing
            for c in d.connections:
                if c.from_implant and not c.passive and c.force_g:
                    assert c.id in _refs(force, "force") or f"{c.id} (" in force, (d.id, c.id)
    assert html.count('class="design"') + html.count('class="design ref"') == n_designs
    # the same diagrams as PNG (for other media)
    gp = next(g for g in plan.goals if g.designs)
    figs = design_figures(plan, gp, gp.designs[0])
    assert all(f.png(dpi=50)[:8] == b"\x89PNG\r\n\x1a\n" for f in figs)
    for f in figs:
        f.close()


@pytest.mark.parametrize("name", list(example_paths()))
def test_every_label_fits_its_canvas(name: str) -> None:
    """No text of any diagram is cut off at the edge of its drawing (boxes from the
    font's metrics, at the default size)."""
    from tadplan.report.diagrams import plan_figures

    n = 0
    for figs in plan_figures(_plan(name)).values():
        for f in figs:
            w, h = f.canvas.size_pt
            for t in f.canvas.texts:
                if t.text:
                    x0, y0, x1, y1 = t.window_extent(pad=False)
                    assert x0 > -0.5 and y0 > -0.5 and x1 < w + 0.5 and y1 < h + 0.5, (
                        f.id,
                        t.text,
                    )
                    n += 1
    assert n > 0


# a mandibular, a transverse/palatal and a molar-intrusion case (the demo's PDF is written
# by `make demo`; the hand-built demo plan's PDF is checked in test_report.py)
@pytest.mark.slow
@pytest.mark.parametrize("name", list(example_paths()))
def test_pdf_pages_and_text(name: str) -> None:
    """Issues 6 and 16: every bundled example renders to an A4 PDF with numbered pages, the
    plan on page 1 and every design's title."""
    plan = _plan(name)
    reader = PdfReader(io.BytesIO(render_pdf(plan)))
    n = len(reader.pages)
    for page in reader.pages:  # A4: 210 x 297 mm = 595.3 x 841.9 pt
        assert abs(float(page.mediabox.width) - 595.3) < 1
        assert abs(float(page.mediabox.height) - 841.9) < 1
    texts = [p.extract_text() or "" for p in reader.pages]
    for i, t in enumerate(texts, start=1):
        assert f"page {i} of {n}" in t
    full = " ".join(" ".join(t.split()) for t in texts)
    # the plan on page 1, at least one page per goal, the case, sources, patient sheet
    assert n >= len(plan.goals) + 3
    assert texts[0].startswith("Mini-implant anchorage plan")
    for gp in plan.goals:
        assert f"Goal {gp.goal.id}:" in texts[0]
    assert "Case summary" in full and "FDI chart" in full
    lab = [k for k, t in enumerate(texts) if "Lab order —" in t]  # on one page
    assert len(lab) == 1 and re.match(r"\s*(Appendix|Sources)", texts[lab[0] + 1])
    for gp in plan.goals:
        for d in gp.designs:
            assert " ".join(unescape(d.title).split()) in full, d.title
    assert "Your mini-implant" in texts[-1] and "Your mini-implant" not in texts[-2]
    assert "Sources" in full and "decision support" in full


def test_html_embedding_choices_carry_the_same_diagrams() -> None:
    plan = _plan("08a_molar_intrusion")
    inline = render(plan, "svg")
    as_img = render(plan, "svg-img")
    n = sum(len(g.designs) for g in plan.goals)
    assert inline.count("<svg") >= 2 * n
    thumbs = inline.count('src="data:image/svg+xml;base64,')  # page 1 and the alternatives
    assert as_img.count('src="data:image/svg+xml;base64,') == inline.count("<svg") + thumbs


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(
    "name", ["demo", "07a_posterior_anchorage", "08a_molar_intrusion", "13_surgical_decompensation"]
)
def test_occlusal_labels_sit_outside_the_arch_and_apart(name: str) -> None:
    """Callouts are laid out beside the drawing: none overlaps the arch panel or another
    (boxes from the DejaVu Sans metrics the SVG is drawn with)."""
    plan = _plan(name)
    for gp in plan.goals:
        for d in gp.designs:
            fig = design_figures(plan, gp, d)[0]
            for ax in fig.canvas.axes:
                panel = ax.box_pt()
                boxes = [  # the label's own box, without its leader line
                    a.window_extent() for a in ax.texts if isinstance(a, Annotation) and a.text
                ]
                assert boxes
                for i, b in enumerate(boxes):
                    assert not _overlap(b, panel), (d.id, i)
                    for c in boxes[i + 1 :]:
                        assert not _overlap(b, c), (d.id, i)


@pytest.mark.parametrize("name", ["demo", "08b_open_bite_closure"])
def test_force_view_labels_do_not_touch(name: str) -> None:
    """Issue 6: in the lateral/frontal force views, tooth numbers (12/11 overlap in a
    lateral projection), implant, force and centre-of-resistance labels do not overlap
    each other."""
    plan = _plan(name)
    checked = 0
    for gp in plan.goals:
        for d in gp.designs:
            fig = next(f for f in design_figures(plan, gp, d) if f.kind in ("lateral", "frontal"))
            ax = fig.canvas.axes[0]
            labels = [t for t in ax.texts if t.text and t.text != "occlusal plane"]
            boxes = [t.window_extent(pad=False) for t in labels]
            for i, b in enumerate(boxes):
                for j in range(i + 1, len(boxes)):
                    assert not _overlap(b, boxes[j]), (d.id, labels[i].text, labels[j].text)
            checked += len(labels)
    assert checked > 10


def test_appliance_on_several_screws_is_joined_to_each_of_them() -> None:
    """The MARPE is one expander on four palatal screws: in the occlusal view its wires
    reach every screw's head (not only the first screw of each side)."""
    import numpy as np

    from tadplan.report.canvas import Circle, Line2D

    plan = _plan("12_crossbite_correction")
    gp = plan.goals[0]
    d = next(d for d in gp.designs if d.rule_id == "crossbite-marpe")
    (conn,) = [c for c in d.connections if c.kind.value == "expander"]
    assert len(conn.from_implants) == 4
    occ = design_figures(plan, gp, d)[0]
    ax = occ.canvas.axes[0]
    heads = {
        a.tag.ref: a.centre
        for a in ax.artists
        if isinstance(a, Circle) and a.tag is not None and a.tag.kind == "implant"
    }
    wire_pts = np.vstack(
        [
            a.xy
            for a in ax.artists
            if isinstance(a, Line2D) and a.tag == Tag("connection", conn.id, ("expander",))
        ]
    )
    for imp in conn.from_implants:
        gap = np.min(np.linalg.norm(wire_pts - heads[imp], axis=1))
        assert gap < 0.5, (imp, gap)


def test_the_force_the_implants_hold_against_is_drawn() -> None:
    """Example 03: the Herbst pushes the lower dentition forward and the tie-backs to the
    implants hold it; the force view draws that appliance force and names who holds it."""
    plan = _plan("03_mandibular_anchorage_herbst")
    gp = plan.goals[0]
    d = gp.designs[0]
    fig = next(f for f in design_figures(plan, gp, d) if f.kind in ("lateral", "frontal"))
    svg = fig.svg()
    assert 'class="appliance_force herbst"' in svg
    assert "herbst: " in svg and "(held)" in svg
    assert "no active force from an implant" not in svg
    # and the mechanics table lists it with who holds it
    html = render_html(plan)
    assert "herbst (right)" in html and "appliance, held by i1+i2" in html
