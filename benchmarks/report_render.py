"""Report rendering times per bundled example, against a baseline revision (not a test: run by
hand).

    .venv/bin/python benchmarks/report_render.py [--baseline REV] [--repeat N] [--only NAME ...]
        [--no-baseline]

For every bundled example (planning excluded): the wall seconds to write the HTML report and
the PDF report (best of ``--repeat`` runs, default 1), and the PDF's page count; the same for
the code of git revision ``--baseline`` (default :data:`BASELINE`, the last commit before
issue 16's report rework: WeasyPrint laying out inline SVG), measured in the same run. The
tree at REV, from the repository of the current directory, is exported to a temporary
directory and run in a subprocess with its ``src`` first on PYTHONPATH. Each worker renders
the demo once before timing (fonts, dentition, numba and typesetter caches warm).

Ends with one JSON line: ``{"examples", "html_median_s", "pdf_median_s",
"pdf_baseline_median_s", "pdf_speedup", "pages_median"}`` (medians over the examples; the
speed-up is the ratio of the PDF medians).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = "2705d23"
"""The last commit before issue 16 (report rework, PDF by Typst)."""


def _time_examples(names: list[str] | None, repeat: int) -> None:
    """Worker: one JSON line per example on stdout."""
    from pypdf import PdfReader

    from tadplan.examples import example_paths, load_example
    from tadplan.planner import plan
    from tadplan.report import render_html, render_pdf

    render_pdf(plan(load_example("demo")))  # warm caches
    known = set(example_paths())
    for name in names or sorted(known):
        if name not in known:  # e.g. an example newer than the baseline revision
            nan = float("nan")
            print(json.dumps({"name": name, "html_s": nan, "pdf_s": nan, "pages": 0}), flush=True)
            continue
        p = plan(load_example(name))
        t_html = t_pdf = float("inf")
        pdf = b""
        for _ in range(repeat):
            t0 = time.perf_counter()
            render_html(p)
            t1 = time.perf_counter()
            pdf = render_pdf(p)
            t2 = time.perf_counter()
            t_html, t_pdf = min(t_html, t1 - t0), min(t_pdf, t2 - t1)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        row = {"name": name, "html_s": t_html, "pdf_s": t_pdf, "pages": pages}
        print(json.dumps(row), flush=True)


def _worker(src: Path | None, names: list[str], repeat: int) -> dict[str, dict]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, __file__, "--worker", "--repeat", str(repeat)]
    args += ["--only", *names] if names else []
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return {r["name"]: r for r in rows}


def _export(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def _median(xs: list[float]) -> float:
    xs = [x for x in xs if x == x]
    return statistics.median(xs) if xs else float("nan")


def main(argv: list[str]) -> None:
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    names = argv[argv.index("--only") + 1 :] if "--only" in argv else []
    if "--worker" in argv:
        _time_examples(names or None, repeat)
        return
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else BASELINE
    from tadplan.examples import example_paths

    todo = names or sorted(example_paths())
    base: dict[str, dict] = {}
    if "--no-baseline" not in argv:
        with tempfile.TemporaryDirectory() as tmp:
            base = _worker(_export(baseline, Path(tmp)), todo, repeat)
    now = _worker(None, todo, repeat)
    nan = {"html_s": float("nan"), "pdf_s": float("nan"), "pages": 0}
    head = f"{'example':45s} {'html_s':>7s} {'pdf_s':>6s} {'pages':>5s}"
    print(f"{head}   baseline: html_s  pdf_s pages")
    for name in todo:
        n, b = now[name], base.get(name, nan)
        print(
            f"{name:45s} {n['html_s']:7.3f} {n['pdf_s']:6.3f} {n['pages']:5d}   "
            f"{'':10s}{b['html_s']:6.3f} {b['pdf_s']:6.2f} {b['pages']:5d}",
            flush=True,
        )
    pdf_now = _median([now[n]["pdf_s"] for n in todo])
    pdf_base = _median([base[n]["pdf_s"] for n in todo if n in base])
    summary = {
        "examples": len(todo),
        "html_median_s": round(_median([now[n]["html_s"] for n in todo]), 3),
        "pdf_median_s": round(pdf_now, 3),
        "pdf_baseline_median_s": round(pdf_base, 3),
        "pdf_speedup": round(pdf_base / pdf_now, 1),
        "pages_median": _median([float(now[n]["pages"]) for n in todo]),
    }
    print(f"baseline: {baseline if base else '(not measured)'}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1:])
