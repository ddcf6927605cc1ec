"""Report rendering times per bundled example (not a test: run by hand).

    .venv/bin/python benchmarks/report_render.py [--pdf] [--repeat N] [--baseline REV]
        [--only NAME ...]

Prints, per example, the number of designs and figures, the CPU seconds to draw every
diagram and write the HTML (best of ``--repeat`` runs, default 3; planning excluded; the
first run, which also measures each site's room between the roots on the average
dentition, in ``first_s``) and,
with ``--pdf``, the seconds WeasyPrint takes to lay out the PDF (issue 6 excludes it).

``--baseline REV`` also times the code of git revision REV in the same run (the tree at
REV, from the repository of the current directory, is exported to a temporary directory
and run in a subprocess right before the current code) and prints the ratio.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _time_examples(names: list[str] | None, repeat: int, with_pdf: bool) -> None:
    """Worker: one JSON line per example on stdout."""
    from tadplan.examples import example_paths, load_example
    from tadplan.planner import plan
    from tadplan.report.html import render

    render(plan(load_example("demo")))  # warm caches (fonts, dentition, numba)
    known = set(example_paths())
    for name in names or sorted(known):
        if name not in known:  # e.g. an example newer than the baseline revision
            row = {"name": name, "designs": 0, "svgs": 0, "html_s": float("nan")}
            row["first_s"] = float("nan")
            print(json.dumps({**row, "pdf_s": float("nan")}), flush=True)
            continue
        p = plan(load_example(name))
        n = sum(len(g.designs) for g in p.goals)
        best = float("inf")
        first = float("nan")
        html = ""
        for k in range(repeat):
            t0 = time.process_time()
            html = render(p)
            dt = time.process_time() - t0
            first = dt if k == 0 else first
            best = min(best, dt)
        t_pdf = float("nan")
        if with_pdf:
            import weasyprint

            t1 = time.process_time()
            weasyprint.HTML(string=html).write_pdf()
            t_pdf = time.process_time() - t1
        row = {"name": name, "designs": n, "svgs": html.count("<svg"), "html_s": best}
        row["first_s"] = first
        row["pdf_s"] = t_pdf
        print(json.dumps(row), flush=True)


def _worker(src: Path | None, names: list[str], repeat: int, with_pdf: bool) -> list[dict]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src) + os.pathsep + env.get("PYTHONPATH", "")
    args = [sys.executable, __file__, "--worker", "--repeat", str(repeat)]
    args += ["--pdf"] if with_pdf else []
    args += ["--only", *names] if names else []
    out = subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _export(rev: str, into: Path) -> Path:
    archive = subprocess.run(["git", "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src"


def main(argv: list[str]) -> None:
    with_pdf = "--pdf" in argv
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 3
    names = argv[argv.index("--only") + 1 :] if "--only" in argv else []
    if "--worker" in argv:
        _time_examples(names or None, repeat, with_pdf)
        return
    baseline = argv[argv.index("--baseline") + 1] if "--baseline" in argv else None
    if baseline is None:
        rows = _worker(None, names, repeat, with_pdf)
        print(f"{'example':45s} designs svgs first_s  html_s  pdf_s")
        for r in rows:
            print(
                f"{r['name']:45s} {r['designs']:7d} {r['svgs']:4d} {r['first_s']:7.2f} "
                f"{r['html_s']:7.2f} {r['pdf_s']:6.2f}"
            )
        print(f"{'total':45s} {'':12s} {sum(r['html_s'] for r in rows):7.2f}")
        return
    from tadplan.examples import example_paths

    with tempfile.TemporaryDirectory() as tmp:
        src = _export(baseline, Path(tmp))
        print(f"{'example':45s} designs  svgs(base/now)  base_s  now_s  now/base")
        tot_b = tot_n = 0.0
        todo = names or list(example_paths())
        base = _worker(src, todo, repeat, False)
        now = _worker(None, todo, repeat, False)
        for name, b, n in zip(todo, base, now, strict=True):
            if b["html_s"] == b["html_s"]:  # both revisions have the example
                tot_b += b["html_s"]
                tot_n += n["html_s"]
            svgs = f"{b['svgs']}/{n['svgs']}"
            print(
                f"{name:45s} {n['designs']:7d}  {svgs:>14s}  {b['html_s']:6.2f} "
                f"{n['html_s']:6.2f}  {n['html_s'] / b['html_s']:7.2f}",
                flush=True,
            )
        print(f"{'total (both)':45s} {'':24s} {tot_b:6.2f} {tot_n:6.2f}  {tot_n / tot_b:7.2f}")
        print(f"baseline: {baseline}")


if __name__ == "__main__":
    main(sys.argv[1:])
