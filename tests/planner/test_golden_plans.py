"""Golden-file regression: what the planner decides for every bundled example.

Each example's plan is summarised (ranked designs with their rules and scores, implants with
sites, sizes, placement and safety, connections with forces, the mechanics' resultants,
predicted movements and implant loads) and compared with ``golden/<example>.json``. Numbers
are compared with a tolerance (0.1 %, or 0.002 absolute) so that floating-point noise across
machines does not fail the test; any change of a decision does.

A deliberate change (new rule, new data) is recorded by rewriting the files and reviewing
their diff::

    TADPLAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/planner/test_golden_plans.py
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tadplan.examples import example_paths, load_example
from tadplan.model import Design, Plan
from tadplan.planner import plan

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TADPLAN_UPDATE_GOLDEN") == "1"


def _r(x: float | None, _nd: int = 3) -> float | None:
    """Six significant digits: far finer than the comparison's tolerance, so that noise in
    the last digits never lands on a rounding edge that the tolerance cannot absorb."""
    return None if x is None else float(f"{float(x):.6g}")


def _design(d: Design) -> dict[str, Any]:
    fs = d.mechanics
    return {
        "id": d.id,
        "rule": d.rule_id,
        "rank": d.rank,
        "score": _r(d.score),
        "anchorage": d.anchorage.value,
        "implants": [
            {
                "id": i.id,
                "site": i.site.label(),
                "size_mm": [i.diameter_mm, i.length_mm],
                "head_mm": [_r(v, 2) for v in i.head_position_mm] if i.head_position_mm else None,
                "safety": i.safety.status if i.safety else None,
            }
            for i in d.implants
        ],
        "connections": [
            {
                "id": c.id,
                "kind": c.kind.value,
                "from": c.from_implants,
                "teeth": c.teeth,
                "force_g": _r(c.force_g, 1),
                "passive": c.passive,
            }
            for c in d.connections
        ],
        "units": [
            {
                "teeth": u.teeth,
                "force_g": _r(u.force_g, 1),
                "movement": u.movement.value,
                "m_f_mm": _r(u.moment_to_force_mm, 2),
            }
            for u in (fs.units if fs else [])
        ],
        "implant_loads": [
            {"id": ld.implant_id, "force_g": _r(ld.force_g, 1), "flags": sorted(ld.flags)}
            for ld in (fs.implants if fs else [])
        ],
        "warnings": sorted(w.severity for w in d.warnings),
    }


def summary(p: Plan) -> dict[str, Any]:
    return {
        "goals": [{"id": g.goal.id, "designs": [_design(d) for d in g.designs]} for g in p.goals]
    }


def _diff(want: Any, got: Any, path: str = "") -> list[str]:
    """Where ``got`` differs from ``want`` (numbers within 0.1 % or 0.002)."""
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{path}.{k}: missing" for k in want if k not in got]
        out += [f"{path}.{k}: new" for k in got if k not in want]
        for k in want.keys() & got.keys():
            out += _diff(want[k], got[k], f"{path}.{k}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{path}: {len(want)} items -> {len(got)}"]
        return [
            e
            for i, (a, b) in enumerate(zip(want, got, strict=True))
            for e in _diff(a, b, f"{path}[{i}]")
        ]
    if (
        isinstance(want, (int, float))
        and isinstance(got, (int, float))
        and not isinstance(want, bool)
    ):
        if math.isclose(want, got, rel_tol=1e-3, abs_tol=0.002):
            return []
    elif want == got:
        return []
    return [f"{path}: {want!r} -> {got!r}"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(example_paths()))
def test_plan_matches_its_golden_file(name: str) -> None:
    got = summary(plan(load_example(name)))
    path = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        text = json.dumps(got, indent=1, ensure_ascii=False)
        # lists of plain values on one line: shorter files, readable diffs
        text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: f"[{' '.join(m[1].split())}]", text)
        path.write_text(text + "\n", encoding="utf-8")
        return
    assert path.exists(), f"no golden file for {name}: run with TADPLAN_UPDATE_GOLDEN=1"
    want = json.loads(path.read_text(encoding="utf-8"))
    differences = _diff(want, json.loads(json.dumps(got)))
    assert not differences, "\n".join(differences[:40])


def test_the_comparison_tolerates_noise_but_not_decisions() -> None:
    base = {"score": 0.695, "rule": "a", "loads": [{"force_g": 250.0}]}
    assert _diff(base, {"score": 0.6950004, "rule": "a", "loads": [{"force_g": 250.04}]}) == []
    assert _diff(base, {"score": 0.72, "rule": "a", "loads": [{"force_g": 250.0}]})
    assert _diff(base, {"score": 0.695, "rule": "b", "loads": [{"force_g": 250.0}]})
    assert _diff(base, {"score": 0.695, "rule": "a", "loads": []})
