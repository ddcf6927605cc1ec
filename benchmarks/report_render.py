"""Report rendering times per bundled example (not a test: run by hand).

    .venv/bin/python benchmarks/report_render.py [--pdf]

Prints, per example, the number of designs, the CPU seconds to draw every diagram and
write the HTML, and (with --pdf) the seconds WeasyPrint takes to lay out the PDF.
"""

from __future__ import annotations

import sys
import time

from tadplan.examples import example_paths, load_example
from tadplan.planner import plan
from tadplan.report import render_html
from tadplan.report.html import render


def main() -> None:
    with_pdf = "--pdf" in sys.argv
    render_html(plan(load_example("demo")))  # warm caches (fonts, dentition)
    print(f"{'example':45s} designs  html_s  pdf_s")
    for name in example_paths():
        p = plan(load_example(name))
        n = sum(len(g.designs) for g in p.goals)
        t0 = time.process_time()
        html = render(p)
        t_html = time.process_time() - t0
        t_pdf = float("nan")
        if with_pdf:
            import weasyprint

            t1 = time.process_time()
            weasyprint.HTML(string=html).write_pdf()
            t_pdf = time.process_time() - t1
        print(f"{name:45s} {n:7d} {t_html:7.2f} {t_pdf:6.2f}")


if __name__ == "__main__":
    main()
