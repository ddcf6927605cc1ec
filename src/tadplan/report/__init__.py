"""Reports: every design drawn and explained, as self-contained HTML and as PDF (A4).

An adapter around the core: it reads a :class:`tadplan.model.Plan` and never
changes it. Diagrams are drawn from the plan's own data as SVG (:mod:`tadplan.report.canvas`);
the HTML embeds them inline, the PDF is typeset by Typst (vector diagrams). Page 1 (the
top of the HTML) carries the plan: each goal's chosen design and why it beat the runner-up
(:mod:`tadplan.report.sheets`); a lab order and a patient sheet print on one page each.

- :func:`render_html` (plan) -> str: one self-contained HTML file.
- :func:`render_pdf` (plan) -> bytes: A4 PDF with page numbers.
- :func:`design_figures` (plan, goal_plan, design) -> list of :class:`Figure`: the occlusal
  view, the lateral/frontal force diagram, the force-over-time plot (when the mechanics
  result has force curves) and one site view per inter-radicular implant;
  ``Figure.svg()`` / ``Figure.png(dpi)``; close them with ``Figure.close()``.
- :func:`plan_figures` (plan) -> {design key: figures} for every design.

In the SVG, implants and connections carry ``class="implant"`` /
``class="connection <kind>"`` and ``data-ref="<plan id>"``. Where the plan lacks data
(no mechanics result, no site assessment, no force given) the figure says so in its notes
instead of drawing an invented value.
"""

from tadplan.report.diagrams import design_figures, plan_figures
from tadplan.report.figures import Figure
from tadplan.report.html import render_html
from tadplan.report.pdf import render_pdf

__all__ = ["Figure", "design_figures", "plan_figures", "render_html", "render_pdf"]
