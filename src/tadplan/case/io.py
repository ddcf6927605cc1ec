"""Reading cases from YAML or JSON files, with errors that name the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tadplan._yaml import MAX_DEPTH, UserFileError, load_user, read_user_file, yaml_problem
from tadplan.case.model import Case

MAX_PROBLEMS = 50
"""Problems listed at most for one case (a generated file can have thousands)."""

_FIELD_PREFIX = re.compile(r"^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)*): (.+)$", re.S)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a dotted field path) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class CaseError(ValueError):
    """A case that cannot be read or is not valid; ``problems`` lists every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


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
        raise CaseError(source, [Problem(where, f"not valid YAML/JSON: {reason}")]) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer too long to convert
        reason = str(exc)[:200]
        raise CaseError(source, [Problem("", f"not valid YAML/JSON: {reason}")]) from None


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
        raise CaseError(source, [Problem(where, f"not valid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise CaseError(source, [Problem("", f"not valid JSON: {str(exc)[:200]}")]) from None
    except RecursionError:
        data = None
    if data is None or _depth(data) > MAX_DEPTH:
        raise CaseError(source, [Problem("", f"nested more than {MAX_DEPTH} levels deep")])
    return data


def case_from_data(data: Any, source: str = "<data>") -> Case:
    if not isinstance(data, dict):
        kind = "empty" if data is None else type(data).__name__
        raise CaseError(source, [Problem("", f"a case is a mapping of keys, got {kind}")])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(source, problems_from_validation(exc)) from None


def load_case(path: str | Path) -> Case:
    """Read a case from a ``.yaml``/``.yml``/``.json`` file."""
    p = Path(path)
    src = str(p)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise CaseError(src, [Problem("", "a case file must end in .yaml, .yml or .json")])
    try:
        text = read_user_file(p)
    except UserFileError as exc:
        raise CaseError(src, [Problem("", str(exc))]) from None
    data = parse_json(text, src) if p.suffix.lower() == ".json" else parse_text(text, src)
    return case_from_data(data, src)


def dump_case(case: Case) -> str:
    """YAML text of a case (round-trips through :func:`load_case`)."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
