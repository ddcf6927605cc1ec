"""``tadplan sites``: the inter-radicular table, and the ranked search with clearance maps."""

from __future__ import annotations

import pytest

from tadplan.cli import main
from tadplan.examples import example_path


def test_sites_prints_the_interradicular_table(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sites", str(example_path("demo"))])
    assert exc.value.code in (0, None)
    out = capsys.readouterr().out
    assert "inter-radicular distance" in out
    assert "buccal 16-15" in out and "palatal 25-26" in out and "lingual 36-37" in out


def test_sites_refuses_a_broken_case(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ngoals: []\n")
    with pytest.raises(SystemExit) as exc:
        main(["sites", str(bad)])
    assert exc.value.code == 2


@pytest.mark.slow
def test_sites_search_ranks_and_draws_maps(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["sites", str(example_path("demo")), "--search", "--out", str(tmp_path)])
    assert exc.value.code in (0, None)
    out = capsys.readouterr().out
    assert "best insertion per site" in out
    pngs = sorted(tmp_path.glob("clearance_*.png"))
    assert len(pngs) >= 40
    assert pngs[0].read_bytes()[:4] == b"\x89PNG"
