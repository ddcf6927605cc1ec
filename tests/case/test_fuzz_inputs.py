"""Fuzzing the case input (issue 11, "Done when"): cases generated from the case JSON Schema
(``tadplan schema``), some values swapped for hostile ones, and the hand-written bad inputs
of the issue, through ``tadplan validate`` and ``tadplan plan``.

Every input ends in exit 0 with a summary or a plan, or exit 2 with problems that each
name a field (or a line and column of the file); never a traceback, never exit 1
("internal error"). Inputs run in-process through the CLI's ``main``; a few run as
subprocesses, whose peak memory is bounded. A per-test timeout guards against hangs
(nothing is timed).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from tadplan.case import fdi
from tadplan.case.model import ANGULAR_KINDS, NAMED_SEGMENTS, Case
from tadplan.cli import main
from tadplan.examples import example_paths, load_example

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

SCHEMA = Case.model_json_schema()
DEFS = SCHEMA["$defs"]

# A problem line: "  - FIELD: reason", FIELD a dotted path (goals.0.teeth) or "line L, column C".
PROBLEM = re.compile(r"^  - (?:[A-Za-z_][\w\-]*(?:\.[\w\-]+)*|line \d+, column \d+): \S")

HOSTILE: list[Any] = [
    True,
    False,
    None,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e-300,
    -1,
    0,
    10**30,
    "016",
    "x" * 300,
    "[/bold] x",
    "[link=http://example.invalid]y[/link]",
    "\x1b[31mred\x07",
    [],
    {},
    [[[]]],
    {"a": 1},
]

TEETH = sorted(fdi.ALL_TEETH)

# ----------------------------------------------------------------------------- strategies


def _maybe_hostile(base: st.SearchStrategy[Any], rate: int) -> st.SearchStrategy[Any]:
    """Mostly ``base``; one value in ``rate`` replaced by a hostile one (0: never)."""
    if not rate:
        return base
    # hypothesis favours the ends of a range: pick a value from its middle
    return st.integers(0, rate).flatmap(
        lambda k: st.sampled_from(HOSTILE) if k == rate // 2 else base
    )


NAME_HINTS: dict[str, st.SearchStrategy[Any]] = {
    "segment": st.sampled_from([*NAMED_SEGMENTS, "13-23", "14-17", "33-43", "11-41", "zz"]),
    "amount_mm": st.floats(0, 25, allow_nan=False),
    "amount_deg": st.floats(0, 150, allow_nan=False),
    "id": st.from_regex(r"[A-Za-z0-9_.\-]{1,12}", fullmatch=True),
}


def from_schema(
    node: dict[str, Any],
    name: str = "",
    overrides: dict[str, st.SearchStrategy[Any]] | None = None,
    rate: int = 25,
) -> st.SearchStrategy[Any]:
    """A strategy for values of the JSON Schema ``node`` (the subset pydantic emits),
    one value in ``rate`` hostile; a tooth number is a random integer one time in ``rate``."""
    over = overrides or {}
    if name in over:
        return over[name]
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[1]
        return st.deferred(lambda: from_schema(DEFS[ref], name, over, rate))
    if "anyOf" in node:
        return st.one_of([from_schema(n, name, over, rate) for n in node["anyOf"]])
    if "enum" in node:
        return _maybe_hostile(st.sampled_from(node["enum"]), rate)
    if "const" in node:
        return st.just(node["const"])
    kind = node.get("type")
    if kind == "object":
        props = node.get("properties", {})
        required = set(node.get("required", []))
        req = {k: from_schema(v, k, over, rate) for k, v in props.items() if k in required}
        opt = {k: from_schema(v, k, over, rate) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(req, optional=opt)
    if kind == "array":
        if "prefixItems" in node:
            return st.tuples(*(from_schema(n, name, over, rate) for n in node["prefixItems"])).map(
                list
            )
        lo = node.get("minItems", 0)
        hi = min(node.get("maxItems", lo + 3), lo + 3)
        return st.lists(
            from_schema(node.get("items", {}), name, over, rate), min_size=lo, max_size=hi
        )
    if kind == "string":
        if name in NAME_HINTS:
            return _maybe_hostile(NAME_HINTS[name], rate)
        return _maybe_hostile(st.text(max_size=12), rate)
    if kind == "integer":
        if "minimum" in node or "maximum" in node:
            return _maybe_hostile(
                st.integers(node.get("minimum", -5) - 1, node.get("maximum", 50) + 1), rate
            )
        return _maybe_hostile(
            st.integers(1, max(rate, 2)).flatmap(
                lambda k: st.integers(-5, 100) if k == rate // 2 else st.sampled_from(TEETH)
            ),
            rate,
        )  # tooth numbers
    if kind == "number":
        if name in NAME_HINTS:
            return _maybe_hostile(NAME_HINTS[name], rate)
        lo, hi = node.get("minimum", -30), node.get("maximum", 30)
        return _maybe_hostile(st.floats(lo - 1, hi + 1, allow_nan=False), rate)
    if kind == "boolean":
        return _maybe_hostile(st.booleans(), rate)
    if kind == "null":
        return st.none()
    return st.sampled_from(HOSTILE)


# Dentitions of the bundled examples (and none): planning a new dentition builds its
# anatomy anew, so the plan fuzz draws from these to stay within its time budget.
_DENTITIONS = [{}] + [
    d
    for d in {
        json.dumps(load_example(n).dentition.model_dump(mode="json", exclude_defaults=True))
        for n in example_paths()
    }
    for d in [json.loads(d)]
]


def _plannable(data: dict[str, Any]) -> dict[str, Any]:
    """Nudge generated goals to the shape the schema cannot say: exactly one of teeth and
    segment, the amount in the kind's unit."""
    goals = data.get("goals")
    if not isinstance(goals, list):
        return data
    fixed = []
    for g in goals:
        if isinstance(g, dict):
            g = dict(g)
            if g.get("teeth") is not None and g.get("segment") is not None:
                del g["segment"]
            elif g.get("teeth") is None and g.get("segment") is None:
                g["teeth"] = [16]
            angular = isinstance(g.get("kind"), str) and g["kind"] in ANGULAR
            if angular and "amount_mm" in g:
                g["amount_deg"] = g.pop("amount_mm")
            elif not angular and "amount_deg" in g:
                g["amount_mm"] = g.pop("amount_deg")
        fixed.append(g)
    return data | {"goals": fixed}


ANGULAR = {k.value for k in ANGULAR_KINDS}
CASES = from_schema(SCHEMA).map(_plannable)
PLANNABLE_CASES = from_schema(
    SCHEMA,
    overrides={"dentition": st.sampled_from(_DENTITIONS), "site_assessments": st.just([])},
    rate=200,
).map(_plannable)


# ----------------------------------------------------------------------------- running


def run_cli(*args: str) -> tuple[int, str, str]:
    """``tadplan ARGS`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()


# Problems of the whole file (it is not a case at all) name no field.
FILE_LEVEL = re.compile(
    r"^  - (a case is a mapping|not a text file|not a regular file|too large|nested more than)"
)


def assert_refused_cleanly(code: int, err: str, what: str) -> None:
    assert code == 2, f"{what}: exit {code}\n{err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]
    lines = err.splitlines()
    assert lines and lines[0].startswith("error"), err[:500]
    problems = [ln for ln in lines[1:] if ln.startswith("  - ")]
    assert problems, err[:500]
    for ln in problems:
        named = PROBLEM.match(ln) or FILE_LEVEL.match(ln) or ln.startswith("  - ... and ")
        assert named, f"no field named: {ln!r}"
    assert len(err) < 20_000, f"{what}: {len(err)} characters of error"


def write_case(data: Any, as_json: bool) -> Path:
    fd, name = tempfile.mkstemp(suffix=".json" if as_json else ".yaml", prefix="fuzz-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        if as_json:
            f.write(json.dumps(data))  # NaN/Infinity written as JSON5-ish literals, as users do
        else:
            f.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return Path(name)


def check_validate(data: Any, as_json: bool) -> int:
    path = write_case(data, as_json)
    try:
        code, out, err = run_cli("validate", str(path))
    finally:
        path.unlink()
    if currently_in_test_context():
        event(f"validate exit {code}")
    if code == 0:
        assert "valid" in out and not err
    else:
        assert_refused_cleanly(code, err, "validate")
    return code


# ----------------------------------------------------------------------------- generated


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=CASES, as_json=st.booleans())
def test_generated_cases_validate_or_are_refused_by_field(data: Any, as_json: bool) -> None:
    check_validate(data, as_json)


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=PLANNABLE_CASES)
def test_generated_cases_plan_or_are_refused_by_field(data: Any) -> None:
    path = write_case(data, as_json=False)
    try:
        code, out, err = run_cli("plan", str(path), "--format", "json")
    finally:
        path.unlink()
    event(f"plan exit {code}")
    if code == 0:
        plan = json.loads(out)
        assert len(plan["goals"]) == len(data["goals"])
    else:
        assert_refused_cleanly(code, err, "plan")


# ----------------------------------------------------------------------------- hand-written

GOAL = "goals:\n  - {kind: intrusion, teeth: [11], amount_mm: 2}\n"


def _alias_bomb() -> str:
    lines = ['a: &a ["16","16","16","16","16","16","16","16","16"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return (
        "x:\n" + "".join(f"  {ln}\n" for ln in lines) + "id: t\ndentition: {missing: *i}\n" + GOAL
    )


BAD_INPUTS: dict[str, str] = {
    "nan_mm": "id: t\ngoals:\n  - {kind: intrusion, teeth: [11], amount_mm: .nan}\n",
    "nan_deg": "id: t\ngoals:\n  - {kind: uprighting, teeth: [36], amount_deg: .nan}\n",
    "inf_overjet": "id: t\nfindings: {overjet_mm: .inf}\n" + GOAL,
    "true_amount": "id: t\ngoals:\n  - {kind: intrusion, teeth: [11], amount_mm: true}\n",
    "tiny_amount": "id: t\ngoals:\n  - {kind: intrusion, teeth: [11], amount_mm: 1.0e-300}\n",
    "alias_bomb": _alias_bomb(),
    "duplicate_goals": "id: t\n"
    + GOAL
    + "goals:\n  - {kind: extrusion, teeth: [21], amount_mm: 1}\n",
    "octal_tooth": "id: t\ngoals:\n  - {kind: intrusion, teeth: [016], amount_mm: 2}\n",
    "deep": "id: t\nfindings: " + "[" * 3000 + "]" * 3000 + "\n" + GOAL,
    "bands_on_missing": "id: t\ndentition: {missing: [17]}\nattachments: {bands: [17]}\n" + GOAL,
    "brackets_on_extracted": "id: t\ndentition: {extracted: [24]}\n"
    "attachments: {brackets: [23, 24]}\n" + GOAL,
    "crossbite_on_missing": "id: t\ndentition: {missing: [12]}\n"
    "findings: {crossbites: [{kind: anterior, teeth: [12]}]}\n" + GOAL,
    "side_left_on_right_teeth": "id: t\ngoals:\n"
    "  - {kind: intrusion, teeth: [16], amount_mm: 2, side: left}\n",
    "max_implants_true": "id: t\nconstraints: {max_implants: true}\n" + GOAL,
    "huge_int": "id: t\ngoals:\n  - {kind: intrusion, teeth: [" + "9" * 5000 + "], amount_mm: 2}\n",
    "long_value": "id: t\ngoals:\n  - {kind: " + "x" * 100_000 + ", teeth: [11]}\n",
    "many_bad_goals": "id: t\ngoals:\n" + "  - {kind: nope}\n" * 3000,
    "binary": "\x00\x01\x02",
    "list": "- 1\n- 2\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_hand_written_bad_inputs_are_refused(tmp_path: Path, name: str, command: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(BAD_INPUTS[name], encoding="utf-8")
    code, out, err = run_cli(command, str(path))
    assert_refused_cleanly(code, err, f"{command} {name}")
    assert not out


def test_fifo_and_dev_zero_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    for p in (fifo, zero):
        code, _, err = run_cli("plan", str(p))
        assert code == 2 and "not a regular file" in err


def test_bundled_examples_still_validate() -> None:
    for path in example_paths().values():
        assert check_validate(yaml.safe_load(path.read_text(encoding="utf-8")), False) == 0


# ----------------------------------------------------------------------------- subprocesses


# The child reports its own peak memory: VmHWM of its address space (getrusage's maxrss
# would also count the test session's memory, inherited across fork and exec).
CHILD = (
    "import atexit, re, sys\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read()\n"
    "    sys.stderr.write('VMHWM_KB ' + re.search(r'VmHWM:\\s+(\\d+)', status)[1] + '\\n')\n"
    "atexit.register(peak)\n"
    "from tadplan.cli import main\n"
    "main()\n"
)


@pytest.mark.parametrize("name", ["alias_bomb", "deep", "many_bad_goals", "nan_mm"])
def test_bad_inputs_in_a_real_process(tmp_path: Path, name: str) -> None:
    """As a user runs it: exit 2, no traceback, bounded memory (peak RSS of the process)."""
    path = tmp_path / "case.yaml"
    path.write_text(BAD_INPUTS[name], encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "plan", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    err, _, rss = proc.stderr.rpartition("VMHWM_KB ")
    assert_refused_cleanly(proc.returncode, err, name)
    assert proc.stdout == ""
    assert int(rss) / 1024 < 300, f"{name}: {int(rss) / 1024:.0f} MB"
