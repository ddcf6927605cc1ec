"""The failure risk in the plan: every implant and design carries it, the ranking's
``failure`` criterion is the risk of the design's new implants, the placement's clearance
and the patient reach it, and ``tadplan risk`` prints it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tadplan.case import load_case
from tadplan.examples import example_path
from tadplan.model import Plan, SiteSafety
from tadplan.planner import plan
from tadplan.planner.failure import assess

EXE = Path(sys.executable).with_name("tadplan")


def _example(stem: str) -> Path:
    return example_path(stem)


@cache
def planned(stem: str) -> Plan:
    return plan(load_case(_example(stem)))


def test_every_implant_and_design_carries_its_risk() -> None:
    p = planned("11a_molar_distalisation")
    for gp in p.goals:
        for d in gp.designs:
            assert d.risk is not None
            ps = [i.risk.failure_probability for i in d.implants if i.risk is not None]
            assert len(ps) == len(d.implants)
            survive = 1.0
            for q in ps:
                survive *= 1 - q
            assert d.risk.failure_probability == pytest.approx(1 - survive, abs=2e-4)
            failure = next(c for c in d.criteria if c.name == "failure")
            # marginal: never more than all the design's implants
            assert 1 - failure.value <= d.risk.failure_probability + 1e-4
            assert "failure-risk model" in failure.note or failure.note == "no new implant"


def test_placement_clearance_and_patient_reach_the_risk() -> None:
    p = planned("10_molar_mesialisation")
    case = p.case
    d = next(
        d
        for gp in p.goals
        for d in gp.designs
        if any(i.site.region == "interradicular" and i.site.jaw == "mandible" for i in d.implants)
    )
    imp = next(i for i in d.implants if i.site.region == "interradicular")
    assert imp.safety is not None
    touching = imp.model_copy(
        update={"safety": imp.safety.model_copy(update={"min_root_clearance_mm": 0.0})}
    )
    clear = imp.model_copy(update={"safety": SiteSafety(status="green", min_root_clearance_mm=2.5)})
    a, _ = assess(d.model_copy(update={"implants": [touching]}), case)
    b, _ = assess(d.model_copy(update={"implants": [clear]}), case)
    assert a.risk is not None and b.risk is not None
    assert a.risk.failure_probability > 3 * b.risk.failure_probability
    smoker = case.model_copy(update={"patient": case.patient.model_copy(update={"smoker": True})})
    c, _ = assess(d.model_copy(update={"implants": [clear]}), smoker)
    assert c.risk is not None and c.risk.failure_probability > b.risk.failure_probability


def test_reused_implants_add_no_failure_to_the_ranking() -> None:
    p = planned("10_molar_mesialisation")
    d = p.goals[0].designs[0]
    _, marginal = assess(d, p.case, placed=frozenset(i.id for i in d.implants))
    assert marginal.failure_probability == 0.0 and marginal.implant_ids == []


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_cli_risk_table_and_json(tmp_path: Path) -> None:
    path = str(_example("11a_molar_distalisation"))
    r = run("risk", path)
    assert r.returncode == 0, r.stderr
    assert "any implant fails" in r.stdout and "why:" in r.stdout
    r = run("risk", path, "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert rows and all(0 <= row["risk"]["failure_probability"] < 1 for row in rows)
    codes = {f["code"] for row in rows for i in row["implants"] for f in i["risk"]["factors"]}
    assert codes
    missing = run("risk", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_report_shows_the_risk_chart_and_the_patient_sentence() -> None:
    from tadplan.report.html import build_context
    from tadplan.report.risk_text import plan_sentence, risk_chart_svg

    p = planned("11a_molar_distalisation")
    d = p.goals[0].designs[0]
    assert d.risk is not None
    svg = risk_chart_svg(d)
    assert svg.startswith("<svg") and svg.count("<rect") == len(d.implants) + 1
    assert f"{d.risk.failure_probability:.1%}" in svg
    ctx = build_context(p, figures_for=lambda *a, **k: [])
    assert ctx["patient_plan"].chance == plan_sentence(p)
    assert f"about {round(d.risk.failure_probability * 100)} in 100" in ctx["patient_plan"].chance
    views = [v for g in ctx["goals"] for v in g["designs"] if not v.ref_to]
    assert all(v.risk_chart for v in views)
