"""Issue 11: a CLI that scripts well. Piped (stdout not a terminal) the listings are plain
lines, every listing has --json, long lines are not re-wrapped; plans and reports cite the
real references (no internal notes file, no registry key ``seed``) and show goal notes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tadplan.examples import example_path, example_paths
from tadplan.knowledge import load_knowledge

EXE = Path(sys.executable).with_name("tadplan")
BOX = set("│┃─━┏┡┗└┘┌┐…")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "60"}  # a narrow terminal width must not matter when piped
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_examples_piped_is_one_name_per_line() -> None:
    r = run("examples")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == list(example_paths())
    # each name feeds straight back into the CLI
    assert run("examples", r.stdout.splitlines()[-1]).returncode == 0


def test_examples_json() -> None:
    r = run("examples", "--json")
    assert r.returncode == 0, r.stderr
    listed = json.loads(r.stdout)
    assert [e["name"] for e in listed] == list(example_paths())
    demo = next(e for e in listed if e["name"] == "demo")
    assert demo["case_id"] == "demo" and demo["title"].startswith("Class II/1 deep bite")


def test_rules_piped_is_tab_separated_and_uncut() -> None:
    r = run("rules")
    assert r.returncode == 0, r.stderr
    assert not BOX & set(r.stdout)
    rows = [line.split("\t") for line in r.stdout.splitlines() if not line.startswith("#")]
    ids = [row[0] for row in rows]
    assert ids == [rule.id for rule in load_knowledge().rules]
    assert all(len(row) == 4 and row[2] in ("design", "modifier") for row in rows)
    # the longest rule id is printed whole, whatever the terminal width
    assert max(ids, key=len) in ids and max(map(len, ids)) > 40


def test_rules_json() -> None:
    r = run("rules", "--json")
    assert r.returncode == 0, r.stderr
    rules = json.loads(r.stdout)
    kb = load_knowledge()
    assert [x["id"] for x in rules] == [rule.id for rule in kb.rules]
    assert all(x["sources"] and all("key" in s for s in x["sources"]) for x in rules)


def test_sites_piped_and_json_agree() -> None:
    demo = str(example_path("demo"))
    r = run("sites", demo)
    assert r.returncode == 0, r.stderr
    assert not BOX & set(r.stdout)
    lines = [line for line in r.stdout.splitlines() if not line.startswith("#")]
    table = {row[0]: row[1:] for row in (line.split("\t") for line in lines)}
    j = run("sites", demo, "--json")
    assert j.returncode == 0, j.stderr
    data = json.loads(j.stdout)
    assert data["case_id"] == "demo" and data["heights_mm"] == sorted(data["heights_mm"])
    assert "search" not in data
    assert set(table) == {s["site"] for s in data["interradicular_mm"]}
    for s in data["interradicular_mm"]:
        shown = ["-" if v is None else f"{v:.2f}" for v in s["ird_mm"]]
        assert table[s["site"]] == shown
    # inter-radicular distance widens apically at a premolar-molar site (narrow at the crest)
    b = next(s["ird_mm"] for s in data["interradicular_mm"] if s["site"] == "buccal 16-15")
    assert b[0] < b[3]


def test_long_plain_lines_are_not_rewrapped(tmp_path: Path) -> None:
    data: dict[str, Any] = yaml.safe_load(example_path("demo").read_text(encoding="utf-8"))
    data["title"] = "a long title " * 20
    case = tmp_path / "case.yaml"
    case.write_text(yaml.safe_dump(data), encoding="utf-8")
    r = run("validate", str(case))
    assert r.returncode == 0, r.stderr
    assert f"case demo: {data['title']}" in r.stdout.splitlines()
    assert "valid" in r.stdout.splitlines()


def test_plan_and_report_cite_real_references_only(tmp_path: Path) -> None:
    demo = str(example_path("demo"))
    text = run("plan", demo).stdout
    out = tmp_path / "r.html"
    assert run("plan", demo, "-f", "html", "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    for shown in (text, html):
        assert "literature.md" not in shown
        assert "IIP 2024 chapter" in shown
        assert "Futuristic Trends in Medical Sciences, IIP Series" in shown  # the full entry
    assert "[seed" not in text and "seed (" not in text and "seed;" not in text
    assert "<b>seed</b>" not in html and ">seed<" not in html and "[seed" not in html


def _strings(node: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in _strings(v, str(k))]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v, key)]
    return [(key, node)] if isinstance(node, str) else []


def test_no_displayed_data_string_points_to_internal_notes() -> None:
    """Every string of the package's data files may reach a user (plan, report, rules list),
    except a source's ``note``, which is for maintainers; provenance notes live in YAML
    comments."""
    root = Path(__file__).resolve().parents[2] / "src" / "tadplan"
    found = []
    for path in root.rglob("*.yaml"):
        for key, s in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            if "literature.md" in s and key != "note":
                found.append(f"{path.relative_to(root)}: {key}: {s[:80]}")
    assert not found, "\n".join(found)


def test_goal_notes_in_text_and_html(tmp_path: Path) -> None:
    case = str(example_path("13_surgical_decompensation"))
    text = run("plan", case).stdout
    assert "case notes: pre-surgical decompensation" in text
    out = tmp_path / "r.html"
    assert run("plan", case, "-f", "html", "-o", str(out)).returncode == 0
    assert "<b>Case notes:</b> pre-surgical decompensation" in out.read_text(encoding="utf-8")
