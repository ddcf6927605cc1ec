"""`tadplan sites --meshes`: patient tooth meshes feed the same inter-radicular table."""

import os
import subprocess
import sys
from pathlib import Path

import trimesh

from tadplan.anatomy.meshes import average_dentition
from tadplan.examples import example_path

EXE = Path(sys.executable).with_name("tadplan")
TEETH = [14, 15, 16, 17]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_patient_meshes_give_the_table_for_their_teeth(tmp_path: Path) -> None:
    for t, m in average_dentition(resolution="coarse", teeth=TEETH).meshes.items():
        trimesh.Trimesh(m.vertices, m.faces).export(tmp_path / f"tooth_{t}.stl")
    r = run("sites", str(example_path("demo")), "--meshes", str(tmp_path))
    assert r.returncode == 0, r.stderr
    # piped: one tab-separated row per site, the site label first
    sites = {line.split("\t")[0] for line in r.stdout.splitlines() if not line.startswith("#")}
    pairs = {frozenset(map(int, s.split()[1].split("-"))) for s in sites}
    # exactly the neighbour pairs of the patient's four teeth are measured, both surfaces
    assert pairs == {frozenset(p) for p in ((14, 15), (15, 16), (16, 17))}, r.stdout
    assert {s.split()[0] for s in sites} == {"buccal", "palatal"}


def test_bad_patient_meshes_exit_2_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "tooth_16.stl").write_text("not a mesh at all")
    r = run("sites", str(example_path("demo")), "--meshes", str(tmp_path))
    assert r.returncode == 2
    assert "tooth_16.stl" in r.stderr and "Traceback" not in r.stderr


def test_mesh_of_a_tooth_the_case_lists_as_missing_exit_2(tmp_path: Path) -> None:
    teeth = [16, 17, 18]  # the demo case lists 18 as missing
    for t, m in average_dentition(resolution="coarse", teeth=teeth).meshes.items():
        trimesh.Trimesh(m.vertices, m.faces).export(tmp_path / f"tooth_{t}.stl")
    r = run("sites", str(example_path("demo")), "--meshes", str(tmp_path))
    assert r.returncode == 2, r.stdout
    assert "--meshes: tooth_18.stl: tooth 18 is missing in the case" in r.stderr
