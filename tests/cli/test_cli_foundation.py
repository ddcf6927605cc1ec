"""The real `tadplan` console script, run as a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tadplan import __version__
from tadplan.examples import example_paths

EXE = Path(sys.executable).with_name("tadplan")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(EXE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_version_and_help() -> None:
    r = run("--version")
    assert r.returncode == 0 and __version__ in r.stdout
    for cmd in ("validate", "schema", "examples", "plan", "demo"):
        r = run(cmd, "--help")
        assert r.returncode == 0, r.stderr
        assert "Usage" in r.stdout


def test_validate_every_example_in_one_process() -> None:
    # one subprocess per example would be slow; the CLI path is the same for each
    for name, path in example_paths().items():
        r = run("validate", str(path))
        assert r.returncode == 0, (name, r.stderr)
        assert "valid" in r.stdout


BROKEN = {
    "bad_tooth.yaml": ("id: x\ngoals:\n  - kind: intrusion\n    teeth: [19]\n", "goals.0.teeth"),
    "missing_tooth.yaml": (
        "id: x\ndentition: {missing: [12]}\ngoals:\n  - kind: intrusion\n    teeth: [12]\n",
        "goals.0.teeth: tooth 12 is missing",
    ),
    "contradiction.yaml": (
        "id: x\ngoals:\n  - {kind: intrusion, teeth: [11]}\n"
        "  - {kind: extrusion, segment: 12-22}\n",
        "contradictory goals on tooth 11",
    ),
    "cross_arch.yaml": (
        "id: x\ngoals:\n  - {kind: intrusion, segment: 13-43}\n",
        "goals.0.segment",
    ),
    "absurd.yaml": (
        "id: x\ngoals:\n  - {kind: intrusion, teeth: [11], amount_mm: 40}\n",
        "goals.0.amount_mm",
    ),
    "negative.yaml": (
        "id: x\ngoals:\n  - {kind: retraction, teeth: [11], amount_mm: -2}\n",
        "goals.0.amount_mm",
    ),
    "typo.yaml": (
        "id: x\ngoals:\n  - {kind: intrusion, teeth: [11], amout_mm: 2}\n",
        "goals.0.amout_mm: unknown key",
    ),
    "broken.yaml": ("id: x\ngoals: [\n  - kind:\n", "not valid YAML"),
    "broken.json": ('{"id": "x",', "not valid JSON"),
    "notes.txt": ("hello", "must end in .yaml"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_files_exit_2_naming_the_field(name: str, tmp_path: Path) -> None:
    content, expected = BROKEN[name]
    p = tmp_path / name
    p.write_text(content)
    r = run("validate", str(p))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expected in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


def test_missing_file_exit_2(tmp_path: Path) -> None:
    r = run("validate", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "file not found" in r.stderr


def test_schema_is_json_schema_of_a_case() -> None:
    r = run("schema")
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["title"] == "Case"
    assert "goals" in schema["properties"] and "goals" in schema["required"]


def test_examples_list_and_print() -> None:
    r = run("examples")
    assert r.returncode == 0
    for name in example_paths():
        assert name in r.stdout
    r = run("examples", "demo")
    assert r.returncode == 0 and "id: demo" in r.stdout
    r = run("examples", "no-such-example")
    assert r.returncode == 2 and "no example named" in r.stderr
