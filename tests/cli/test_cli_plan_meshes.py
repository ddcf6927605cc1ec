"""`tadplan plan --meshes`: the plan judged again on the patient's tooth meshes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.planner.patient_meshes import screw_between, touching, write_teeth

from tadplan.examples import example_path, load_example
from tadplan.planner import plan

EXE = Path(sys.executable).with_name("tadplan")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, timeout=600, check=False
    )


def test_a_patient_root_at_a_planned_screw_makes_it_red(tmp_path: Path) -> None:
    case = load_example("demo")
    screw = screw_between(plan(case), (16, 15))
    d = write_teeth(tmp_path / "teeth", case, [15, 16, 17], {16: touching(case, screw, 16)})
    r = run("plan", str(example_path("demo")), "--meshes", str(d), "-f", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    moved = [
        i
        for gp in out["goals"]
        for des in gp["designs"]
        for i in des["implants"]
        if i["id"] == screw.id
    ]
    assert moved and all(i["safety"]["status"] == "red" for i in moved)
    assert all(i["safety"]["root_contact"] for i in moved)
    first = out["goals"][0]["designs"][0]
    assert all(i["id"] != screw.id for i in first["implants"])  # ranked below
    assert any("patient meshes" in w["text"] for w in out["warnings"])


def test_bad_meshes_exit_2_naming_the_option(tmp_path: Path) -> None:
    (tmp_path / "tooth_16.stl").write_text("not a mesh at all")
    r = run("plan", str(example_path("demo")), "--meshes", str(tmp_path))
    assert r.returncode == 2
    assert "--meshes: tooth_16.stl" in r.stderr and "Traceback" not in r.stderr
    r = run("plan", str(example_path("demo")), "--meshes", str(tmp_path / "none"))
    assert r.returncode == 2 and "--meshes" in r.stderr and "Traceback" not in r.stderr
