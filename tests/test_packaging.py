"""Issue 11, packaging: the declared dependencies are exactly what runs, and the report font
ships with the package (the wheel install itself is checked by ``.ci/wheel_check.sh``)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import tadplan
from tadplan.report.canvas import font_paths, text_width_pt

ROOT = Path(__file__).resolve().parents[1]
PKG = Path(tadplan.__file__).resolve().parent

USED_BY_A_DEPENDENCY = {
    "charset-normalizer": "trimesh decodes a mesh file that is not binary STL with it",
    "psycopg": "the service's PostgreSQL driver (SQLAlchemy's postgresql+psycopg, procrastinate)",
    "python-multipart": "FastAPI reads the service's uploads and login form with it",
}
"""Declared dependencies tadplan does not import itself, each with the reason it is needed."""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return {_norm(re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0]) for d in deps}


def _imported_distributions() -> dict[str, str]:
    """Third-party distribution -> one module of tadplan importing it (lazy imports too)."""
    dists = packages_distributions()
    out: dict[str, str] = {}
    for path in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "tadplan" or top in sys.stdlib_module_names or top == "__future__":
                    continue
                for dist in dists.get(top, [top]):
                    out.setdefault(_norm(dist), str(path.relative_to(PKG)))
    return out


def test_every_imported_package_is_a_declared_dependency() -> None:
    missing = {d: m for d, m in _imported_distributions().items() if d not in _declared()}
    assert not missing, f"imported but not in [project.dependencies]: {missing}"


def test_every_declared_dependency_is_used() -> None:
    unused = _declared() - set(_imported_distributions()) - set(USED_BY_A_DEPENDENCY)
    assert not unused, f"declared but never imported: {sorted(unused)}"


def test_the_report_font_ships_in_the_package_with_its_licence() -> None:
    paths = [Path(p) for p in font_paths()]
    assert len(paths) == 4
    assert all(p.is_file() and PKG in p.resolve().parents for p in paths)
    licence = (paths[0].parent / "LICENSE").read_text(encoding="utf-8")
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


def test_labels_are_measured_with_the_font_metrics() -> None:
    # DejaVu Sans: "W" is more than twice as wide as "i" (a fixed-width fallback is not)
    assert text_width_pt("WWWW", 10) > 2.5 * text_width_pt("iiii", 10)
    # bold is wider than regular, as set
    assert text_width_pt("Mandibular", 10, bold=True) > text_width_pt("Mandibular", 10)


@pytest.mark.slow
def test_pdf_is_set_in_the_shipped_font_without_any_system_font(tmp_path: Path) -> None:
    from pypdf import PdfReader

    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    pdf = tmp_path / "r.pdf"
    exe = Path(sys.executable).with_name("tadplan")
    demo = str(PKG / "examples" / "demo.yaml")
    r = subprocess.run(
        [str(exe), "plan", demo, "-f", "pdf", "-o", str(pdf)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    fonts = set()
    for page in PdfReader(pdf).pages:
        for f in page["/Resources"].get("/Font", {}).values():
            fonts.add(str(f.get_object()["/BaseFont"]).split("+")[-1])
    # the shipped files' PostScript names (Typst writes them as they are, WeasyPrint hyphenated)
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts, fonts
    assert all(f.startswith("DejaVuSans") for f in fonts), fonts
