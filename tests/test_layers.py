"""The layers of docs/architecture.md hold: import-linter's contracts (pyproject.toml) are
kept, and the bottom package :mod:`tadplan.model` loads none of the heavy machinery."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import tadplan

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"


def test_import_linter_contracts_are_kept() -> None:
    """An upward import (e.g. anatomy importing the planner) breaks the layers contract."""
    cli = pytest.importorskip("importlinter.cli")
    src = Path(tadplan.__file__).resolve().parents[1]
    if src != ROOT / "src":
        pytest.skip("tadplan is not imported from this checkout's src/")
    code = cli.lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert code == 0, "import-linter: a layer contract is broken (run lint-imports)"


def test_the_model_package_loads_no_other_layer_and_no_heavy_library() -> None:
    probe = (
        "import json, sys; import tadplan.model; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tadplan') "
        "or m.split('.')[0] in ('scipy', 'numba', 'trimesh', 'fcl', 'pydicom', 'jinja2', "
        "'weasyprint', 'yaml'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    loaded = json.loads(out)
    allowed = ("tadplan", "tadplan.model", "tadplan.case", "tadplan.errors")
    stray = [m for m in loaded if not m.startswith(allowed)]
    assert not stray, f"import tadplan.model also imports {stray}"
    assert "tadplan.model.plan" in loaded  # the probe saw the package load
