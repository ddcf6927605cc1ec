"""Reading cases from YAML or JSON files, with errors that name the field."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tadplan._yaml import MAX_DEPTH, UserFileError, load_user, read_user_file, yaml_problem
from tadplan.case.model import Case
from tadplan.errors import InputError, Problem

MAX_PROBLEMS = 50
"""Problems listed at most for one case (a generated file can have thousands)."""

_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.+)$", re.S)


class CaseError(InputError):
    """A case that cannot be read or is not valid; ``problems`` lists every problem found
    (raised as ``CaseError.listing(source, problems)``)."""


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into field-named problems (model-level messages that
    already carry ``field: reason`` pairs are split back into them)."""
    out: list[Problem] = []
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    for err in errors[:MAX_PROBLEMS]:
        loc = ".".join(str(p)[:40] for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling; unknown keys are not ignored)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        for part in msg.split("\n"):
            m = _FIELD_PREFIX.match(part)
            if m:
                field = f"{loc}.{m.group(1)}" if loc else m.group(1)
                out.append(Problem(field, m.group(2)))
            else:
                out.append(Problem(loc, part))
    if len(errors) > MAX_PROBLEMS:
        out.append(Problem("", f"... and {len(errors) - MAX_PROBLEMS} more problems"))
    return out


def parse_text(text: str, source: str = "<text>") -> Any:
    """Parse YAML (a superset of JSON) into plain data, or raise :class:`CaseError`.
    Anchors, aliases, duplicate keys, octal numbers and deep nesting are refused
    (:func:`tadplan._yaml.load_user`)."""
    try:
        return load_user(text)
    except yaml.YAMLError as exc:
        where, reason = yaml_problem(exc)
        raise CaseError.listing(
            source, [Problem(where, f"not valid YAML/JSON: {reason}")]
        ) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        reason = str(exc)[:200]
        raise CaseError.listing(source, [Problem("", f"not valid YAML/JSON: {reason}")]) from None


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key[:40]!r} (a second one would replace the first)")
        out[key] = value
    return out


def _depth(data: Any) -> int:
    """Nesting depth of lists and mappings (iterative: a deep value cannot overflow)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, d = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, d)
            stack.extend((v, d + 1) for v in value)
    return deepest


def parse_json(text: str, source: str = "<json>") -> Any:
    """Parse JSON, refusing duplicate keys and deep nesting, or raise :class:`CaseError`."""
    try:
        data = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise CaseError.listing(source, [Problem(where, f"not valid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise CaseError.listing(
            source, [Problem("", f"not valid JSON: {str(exc)[:200]}")]
        ) from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise CaseError.listing(source, [Problem("", f"nested more than {MAX_DEPTH} levels deep")])
    return data


def case_from_data(data: Any, source: str = "<data>") -> Case:
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise CaseError.listing(source, [Problem("", f"a case is a mapping of keys, got {kind}")])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc)
        raise CaseError.listing(
            source, problems + _cross_field_problems(data, exc, problems)
        ) from None


_STAND_IN = {"id": "stand-in", "kind": "anchorage_maintenance", "segment": "upper_arch"}
_GOALS_RE = re.compile(r"^goals\.(\d+)(\..*)?$")


def _cross_field_problems(
    data: dict[str, Any], exc: ValidationError, known: list[Problem]
) -> list[Problem]:
    """The case-level (cross-field) problems that field errors hid: the case is validated
    again without the sections and goals that failed, so a bad goal does not hide a band on a
    missing tooth. Problems are named by the original goal numbers."""
    locs = [e["loc"] for e in exc.errors(include_url=False, include_input=False)]
    if any(not loc for loc in locs):  # a case-level problem was found already
        return []
    bad_keys = {str(loc[0]) for loc in locs}
    bad_goals = {loc[1] for loc in locs if loc[0] == "goals" and len(loc) > 1}
    goals = data.get("goals")
    if "goals" in bad_keys and (
        not isinstance(goals, list) or any(len(loc) < 2 for loc in locs if loc[0] == "goals")
    ):
        return []
    keep = [i for i in range(len(goals or [])) if i not in bad_goals]
    pruned = {k: v for k, v in data.items() if k not in bad_keys or k == "goals"}
    # no goal left: a stand-in goal (its own problems are dropped) lets the rest be checked
    pruned["goals"] = [goals[i] for i in keep] if keep and isinstance(goals, list) else [_STAND_IN]
    try:
        Case.model_validate(pruned)
    except ValidationError as again:
        seen = {str(p) for p in known}
        out = []
        for prob in problems_from_validation(again):
            m = _GOALS_RE.match(prob.field)
            if m and not keep:
                continue
            field = f"goals.{keep[int(m.group(1))]}{m.group(2) or ''}" if m else prob.field
            if field in bad_keys and prob.message == "required field is missing":
                continue  # dropped here because its value was wrong: reported already
            renamed = Problem(field, prob.message)
            if str(renamed) not in seen:
                out.append(renamed)
        return out
    return []


def load_case(path: str | Path) -> Case:
    """Read a case from a ``.yaml``/``.yml``/``.json`` file."""
    p = Path(path)
    src = str(p)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CaseError.listing(src, [Problem("", "a case file must end in .yaml, .yml or .json")])
    try:
        text = read_user_file(p)
    except UserFileError as exc:
        raise CaseError.listing(src, [Problem("", str(exc))]) from None
    data = parse_json(text, src) if p.suffix.lower() == ".json" else parse_text(text, src)
    return case_from_data(data, src)


def dump_case(case: Case) -> str:
    """YAML text of a case (round-trips through :func:`load_case`)."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
