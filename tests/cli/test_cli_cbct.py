"""`tadplan plan --cbct DIR` and `tadplan sites --cbct DIR`: a usable series is measured
along the screws, an unusable one is exit 2 naming --cbct, the file and the attribute."""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

import pydicom
import pytest

from tadplan.cli import main
from tadplan.examples import example_path

sys.path.insert(0, str(Path(__file__).parents[1] / "anatomy"))
from test_cbct import _phantom, write_series


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def good_series(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cbct")
    write_series(d, _phantom()[:8, :16, :16])
    return d


def test_plan_with_cbct_measures_every_placed_implant(good_series: Path) -> None:
    code, out, err = run_cli(
        "plan", str(example_path("demo")), "--format", "json", "--cbct", str(good_series)
    )
    assert code == 0, err
    p = json.loads(out)
    implants = [i for g in p["goals"] for d in g["designs"] for i in d["implants"]]
    placed = [i for i in implants if i["head_position_mm"] is not None]
    assert placed
    assert all(any(n.startswith("CBCT:") for n in i["safety"]["notes"]) for i in placed)
    assert any(w["text"].startswith("CBCT: bone") for w in p["warnings"])


def test_sites_with_cbct_reports_the_volume(good_series: Path) -> None:
    code, out, err = run_cli("sites", str(example_path("demo")), "--cbct", str(good_series))
    assert code == 0, err
    assert "8 x 16 x 16 voxels, spacing 0.25 x 0.25 x 0.25 mm" in out


@pytest.mark.parametrize("command", ["plan", "sites"])
def test_unusable_cbct_is_exit_2_naming_the_option(tmp_path: Path, command: str) -> None:
    write_series(tmp_path, _phantom()[:4, :8, :8])
    bad = sorted(tmp_path.iterdir())[1]
    ds = pydicom.dcmread(bad)
    ds.PixelSpacing = [0.0, 0.25]
    ds.save_as(bad)
    code, _out, err = run_cli(command, str(example_path("demo")), "--cbct", str(tmp_path))
    assert code == 2 and "Traceback" not in err
    assert f"--cbct: {bad.name}: PixelSpacing" in err


def test_missing_cbct_directory_is_exit_2(tmp_path: Path) -> None:
    code, _, err = run_cli("plan", str(example_path("demo")), "--cbct", str(tmp_path / "no"))
    assert code == 2 and "--cbct:" in err and "not a directory" in err
