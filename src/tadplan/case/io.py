"""Reading cases from YAML or JSON files, with errors that name the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tadplan._yaml import MAX_DEPTH, UserFileError, load_user, read_user_file, yaml_problem
from tadplan.case.model import Case
from tadplan.errors import FieldPath, InputError, Problem, field_errors

MAX_PROBLEMS = 50
"""Problems listed at most for one case (a generated file can have thousands)."""


class CaseError(InputError):
    """A case that cannot be read or is not valid; ``problems`` lists every problem found
    (raised as ``CaseError.listing(source, problems)``)."""


def _found(exc: ValidationError) -> list[tuple[FieldPath, str]]:
    """(path, reason) of each of pydantic's errors; those a validator named in a
    :class:`~tadplan.errors.FieldErrors` are taken from it (a case-level error can name
    several fields)."""
    out: list[tuple[FieldPath, str]] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(err["loc"])
        named = field_errors(err)
        if named:
            out += [((*loc, *path), reason) for path, reason in named]
        elif err["type"] == "extra_forbidden":
            out.append((loc, "unknown key (check the spelling; unknown keys are not ignored)"))
        elif err["type"] == "missing":
            out.append((loc, "required field is missing"))
        else:
            out.append((loc, str(err["msg"]).removeprefix("Value error, ")))
    return out


def _problems(found: list[tuple[FieldPath, str]]) -> list[Problem]:
    out = [Problem.at(path, reason) for path, reason in found[:MAX_PROBLEMS]]
    if len(found) > MAX_PROBLEMS:
        out.append(Problem("", f"... and {len(found) - MAX_PROBLEMS} more problems"))
    return out


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    """Turn pydantic's errors into field-named problems."""
    return _problems(_found(exc))


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
        found = _found(exc)
        raise CaseError.listing(
            source, _problems(found) + _cross_field_problems(data, exc, found[:MAX_PROBLEMS])
        ) from None


_STAND_IN = {"id": "stand-in", "kind": "anchorage_maintenance", "segment": "upper_arch"}


def _cross_field_problems(
    data: dict[str, Any], exc: ValidationError, known: list[tuple[FieldPath, str]]
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
        seen = {str(Problem.at(path, reason)) for path, reason in known}
        out = []
        for path, reason in _found(again)[:MAX_PROBLEMS]:
            of_goal = path[:1] == ("goals",) and len(path) > 1 and isinstance(path[1], int)
            if of_goal and not keep:
                continue
            if (
                len(path) == 1
                and str(path[0]) in bad_keys
                and reason == "required field is missing"
            ):
                continue  # dropped here because its value was wrong: reported already
            renamed = Problem.at(
                ("goals", keep[int(path[1])], *path[2:]) if of_goal else path, reason
            )
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
