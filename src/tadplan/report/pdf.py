"""The PDF report: the HTML report laid out on A4 by WeasyPrint, page numbers in the footer."""

from __future__ import annotations

from tadplan.planner.model import Plan
from tadplan.report.html import render


def render_pdf(plan: Plan) -> bytes:
    """The report as an A4 PDF (diagrams as vector graphics)."""
    import weasyprint

    html = render(plan, "svg")
    pdf = weasyprint.HTML(string=html, base_url=".").write_pdf()
    assert pdf is not None
    return bytes(pdf)
