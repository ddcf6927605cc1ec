"""Every design of every bundled example is drawn and reported (the planner's real plans)."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from pypdf import PdfReader

from tadplan.examples import example_paths, load_example
from tadplan.planner.model import Plan
from tadplan.report import design_figures, render_html, render_pdf
from tadplan.report.html import render

planner = pytest.importorskip("tadplan.planner")


def _plan(name: str) -> Plan:
    result: Plan = planner.plan(load_example(name))
    return result


def _refs(svg: str, cls: str) -> set[str]:
    return set(re.findall(rf'class="{cls}[^"]*" data-ref="([^"]+)"', svg))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(example_paths()))
def test_every_design_is_drawn_with_what_it_names(name: str) -> None:
    plan = _plan(name)
    n_designs = 0
    for gp in plan.goals:
        for d in gp.designs:
            n_designs += 1
            figs = design_figures(plan, gp, d)
            kinds = [f.kind for f in figs]
            assert kinds[0] == "occlusal" and kinds[1] in ("lateral", "frontal")
            occ = figs[0].svg()
            assert _refs(occ, "implant") == {i.id for i in d.implants}, d.id
            assert _refs(occ, "connection") == {c.id for c in d.connections}, d.id
            force = figs[1].svg()
            # every force the plan gives is either drawn or listed beside the drawing
            for c in d.connections:
                if c.from_implant and not c.passive and c.force_g:
                    assert c.id in _refs(force, "force") or f"{c.id} (" in force, (d.id, c.id)
            png = figs[0].png(dpi=60)
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            for f in figs:
                f.close()
    html = render_html(plan)
    # every design has its section; one serving several goals is drawn once, referenced after
    assert html.count('class="design"') + html.count('class="design ref"') == n_designs
    unique = {d.id for gp in plan.goals for d in gp.designs}
    assert html.count("<svg") >= 2 * len(unique)


PDF_EXAMPLES = [
    "demo",
    "03_mandibular_anchorage_herbst",
    "12_crossbite_correction",
    "08a_molar_intrusion",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", PDF_EXAMPLES)
def test_pdf_pages_and_text(name: str) -> None:
    plan = _plan(name)
    reader = PdfReader(io.BytesIO(render_pdf(plan)))
    n = len(reader.pages)
    texts = [p.extract_text() or "" for p in reader.pages]
    for i, t in enumerate(texts, start=1):
        assert f"page {i} of {n}" in t
    full = " ".join(" ".join(t.split()) for t in texts)
    # summary page, at least one page per goal, sources, one-page patient sheet
    assert n >= len(plan.goals) + 3
    assert "Case summary" in texts[0] and "FDI chart" in texts[0]
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
    assert as_img.count('src="data:image/svg+xml;base64,') == inline.count("<svg")
