"""The PDF report: the HTML report laid out on A4 by WeasyPrint, page numbers in the footer."""

from __future__ import annotations

from pathlib import Path

from tadplan.model import Plan
from tadplan.report.canvas import FONT_FILES, font_path
from tadplan.report.html import render


def font_faces_css() -> str:
    """``@font-face`` rules binding "DejaVu Sans" to the font files shipped with tadplan, so
    the PDF is set in the font the diagrams were measured with, installed on the system or
    not."""
    rules = []
    for bold, italic in FONT_FILES:
        url = Path(font_path(bold, italic)).as_uri()
        rules.append(
            '@font-face { font-family: "DejaVu Sans"; '
            f"font-weight: {'bold' if bold else 'normal'}; "
            f"font-style: {'italic' if italic else 'normal'}; "
            f'src: url("{url}"); }}'
        )
    return "\n".join(rules)


def render_pdf(plan: Plan) -> bytes:
    """The report as an A4 PDF (diagrams as vector graphics)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(string=font_faces_css(), font_config=fonts)
    html = render(plan, "svg")
    pdf = weasyprint.HTML(string=html, base_url=".").write_pdf(stylesheets=[css], font_config=fonts)
    assert pdf is not None
    return bytes(pdf)
