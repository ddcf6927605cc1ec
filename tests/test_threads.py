"""Plans and reports on several threads at once are the plans and reports of a serial run
(a web service runs them side by side; shared caches must neither race nor leak)."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pypdf import PdfReader

from tadplan._cache import Derived
from tadplan.anatomy import safety
from tadplan.examples import example_paths, load_example
from tadplan.planner import plan
from tadplan.report import render_html, render_pdf

PDF_EXAMPLES = ("demo", "11a_molar_distalisation")


def _plan_and_html(name: str) -> tuple[str, str]:
    p = plan(load_example(name))
    return p.model_dump_json(), render_html(p)


def _pdf(name: str) -> list[str]:
    """The text of each page (a PDF's bytes differ between two serial renders: its dates
    and font subsets)."""
    pdf = render_pdf(plan(load_example(name)))
    assert pdf.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _cold(monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> None:
    """Empty in-memory and on-disk caches: the threads below build them together."""
    monkeypatch.setenv("TADPLAN_CACHE_DIR", str(cache_dir))
    monkeypatch.setattr(safety, "_MODELS", Derived(maxsize=16))
    safety._best_cached.cache_clear()


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_eight_threads_plan_and_render_every_example_as_a_serial_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    names = list(example_paths())
    assert PDF_EXAMPLES[0] in names and PDF_EXAMPLES[1] in names
    _cold(monkeypatch, tmp_path / "threads")
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = {n: pool.submit(_plan_and_html, n) for n in names}
        pdf_futures = {n: pool.submit(_pdf, n) for n in PDF_EXAMPLES}
        threaded = {n: f.result() for n, f in futures.items()}
        threaded_pdf = {n: f.result() for n, f in pdf_futures.items()}

    _cold(monkeypatch, tmp_path / "serial")
    for n in names:
        plan_json, html = _plan_and_html(n)
        assert threaded[n][0] == plan_json, f"{n}: the plan differs on threads"
        assert threaded[n][1] == html, f"{n}: the HTML report differs on threads"
    for n in PDF_EXAMPLES:
        assert threaded_pdf[n] == _pdf(n), f"{n}: the PDF's text differs on threads"
