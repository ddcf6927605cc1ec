"""Reports: every design drawn and explained, as self-contained HTML and as PDF (A4).

An adapter around the core: it reads a :class:`tadplan.planner.model.Plan` and never
changes it. Diagrams are generated from the plan's own data with matplotlib; the HTML
embeds them as inline SVG, the PDF is laid out by WeasyPrint.
"""

from tadplan.report.diagrams import design_figures, plan_figures
from tadplan.report.figures import Figure
from tadplan.report.html import render_html
from tadplan.report.pdf import render_pdf

__all__ = ["Figure", "design_figures", "plan_figures", "render_html", "render_pdf"]
