"""The `tadplan plan`, `tadplan rules` and `tadplan schema --plan` commands, as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tadplan.examples import example_path
from tadplan.model import Plan

EXE = Path(sys.executable).with_name("tadplan")


def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", **extra_env}
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_plan_json_is_a_valid_plan() -> None:
    r = run("plan", str(example_path("08a_molar_intrusion")), "--format", "json")
    assert r.returncode == 0, r.stderr
    p = Plan.model_validate(json.loads(r.stdout))
    assert p.case.id == "molar-intrusion"
    assert p.goals[0].designs[0].implants


def test_plan_text_shows_ranked_designs_and_sources() -> None:
    r = run("plan", str(example_path("demo")))
    assert r.returncode == 0, r.stderr
    assert "Goal retract" in r.stdout and "#1 " in r.stdout
    # the clinical chapter cited by its bibliographic entry, not by the registry key
    assert (
        "Sources:" in r.stdout
        and "[IIP 2024 chapter] Anonymous (IIP Series chapter) (2024)" in r.stdout
    )
    assert "[seed]" not in r.stdout and "literature.md" not in r.stdout
    assert "Rules fired:" in r.stdout


def test_schema_plan_is_the_plan_json_schema() -> None:
    r = run("schema", "--plan")
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    assert schema == Plan.model_json_schema()
    assert "goals" in schema["properties"]


@pytest.mark.slow
def test_rules_lists_rules_and_extra_dir(tmp_path: Path) -> None:
    r = run("rules")
    assert r.returncode == 0, r.stderr
    assert "posterior-intrusion-two-buccal-one-palatal" in r.stdout
    assert "II.2 Intrusion of posterior teeth" in r.stdout
    d = tmp_path / "extra"
    d.mkdir()
    (d / "x.yaml").write_text(
        "version: 1\napplication: extra\nrules:\n  - id: my-warning\n"
        "    modify: {warnings: [{text: house rule}]}\n"
        "    sources: [{key: seed, detail: I}]\n",
        encoding="utf-8",
    )
    r = run("rules", "--rules", str(d))
    assert r.returncode == 0, r.stderr
    assert "my-warning" in r.stdout
    # the same directory as a setting (environment variable)
    r = run("plan", str(example_path("demo")), TADPLAN_RULES=str(d))
    assert r.returncode == 0, r.stderr
    assert "house rule" in r.stdout


def test_malformed_rules_dir_exits_2_naming_file_rule_and_field(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "oops.yaml").write_text(
        "version: 1\napplication: extra\nrules:\n  - id: my-rule\n"
        "    when: {goal_kind: [intrusion]}\n"
        "    modify: {warnings: [{text: x}]}\n"
        "    sources: [{key: seed}]\n",
        encoding="utf-8",
    )
    for args in (
        ("rules", "--rules", str(d)),
        ("plan", str(example_path("demo")), "--rules", str(d)),
    ):
        r = run(*args)
        assert r.returncode == 2, r.stdout + r.stderr
        err = " ".join(r.stderr.split())
        assert "oops.yaml" in err and "my-rule" in err and "when.goal_kind" in err
        assert "Traceback" not in r.stderr
