"""Run by ``.ci/wheel_check.sh`` with the fresh venv's Python, in a directory holding the
bundled examples as ``NAME.yaml``: plan every example once and write it in the four formats
(text, JSON, HTML, PDF) into OUT, checking each output; examples run in parallel.

    python wheel_examples.py OUT NAME...
"""

import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def check(name: str) -> str:
    from tadplan.case import load_case
    from tadplan.planner import plan
    from tadplan.model import Plan
    from tadplan.planner.text import plan_text
    from tadplan.report import render_html, render_pdf

    out = Path(sys.argv[1])
    result = plan(load_case(Path(f"{name}.yaml")))
    text = plan_text(result)
    assert text.startswith("tadplan ") and "Sources:" in text, f"{name}: text plan"
    (out / f"{name}.txt").write_text(text, encoding="utf-8")
    js = result.model_dump_json(indent=2)
    assert Plan.model_validate(json.loads(js)) == result, f"{name}: json round trip"
    (out / f"{name}.json").write_text(js, encoding="utf-8")
    html = render_html(result)
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html, f"{name}: html"
    (out / f"{name}.html").write_text(html, encoding="utf-8")
    pdf = render_pdf(result)
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:], f"{name}: pdf"
    (out / f"{name}.pdf").write_bytes(pdf)
    return name


if __name__ == "__main__":
    names = sys.argv[2:]
    assert len(names) >= 20, f"only {len(names)} examples listed"
    workers = int(os.environ.get("TADPLAN_JOBS", min(2, os.cpu_count() or 1)))
    with ProcessPoolExecutor(workers) as pool:
        done = list(pool.map(check, names))
    print(f"wheel check: {len(done)} examples planned and rendered (text, json, html, pdf)")
