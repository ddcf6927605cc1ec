"""`tadplan mechanics CASE`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tadplan.cli import app
from tadplan.examples import example_path
from tadplan.model import ForceSystem

runner = CliRunner()


def test_mechanics_prints_each_designs_force_system():
    r = runner.invoke(app, ["mechanics", str(example_path("08a_molar_intrusion"))])
    assert r.exit_code == 0, r.output
    assert "design d1: force system" in r.output
    assert "resultant on each moved unit" in r.output
    assert "implant" in r.output


def test_mechanics_json_is_a_list_of_force_systems():
    r = runner.invoke(
        app, ["mechanics", str(example_path("05_anterior_retraction_deep_bite")), "--json"]
    )
    assert r.exit_code == 0, r.output
    systems = [ForceSystem.model_validate(x) for x in json.loads(r.output)]
    assert systems and all(s.units for s in systems)


def test_mechanics_modules_shows_the_chain_fit_and_sources():
    r = runner.invoke(app, ["mechanics", "--modules"])
    assert r.exit_code == 0, r.output
    assert "curve_fit" in r.output and "rms residual" in r.output
    assert "bourke2010 [R]" in r.output
