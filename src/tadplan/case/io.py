"""Reading cases from YAML or JSON files, with errors that name the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tadplan.case.model import Case

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
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"])
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
    return out


def parse_text(text: str, source: str = "<text>") -> Any:
    """Parse YAML (a superset of JSON) into plain data, or raise :class:`CaseError`."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CaseError(source, [Problem(where, f"not valid YAML/JSON: {reason}")]) from None
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
        raw = p.read_bytes()
    except FileNotFoundError:
        raise CaseError(src, [Problem("", "file not found")]) from None
    except IsADirectoryError:
        raise CaseError(src, [Problem("", "is a directory, not a case file")]) from None
    except OSError as exc:
        raise CaseError(src, [Problem("", f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CaseError(src, [Problem("", "not a text file (not UTF-8): is it a case?")]) from None
    if p.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError(
                src,
                [Problem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")],
            ) from None
    else:
        data = parse_text(text, src)
    return case_from_data(data, src)


def dump_case(case: Case) -> str:
    """YAML text of a case (round-trips through :func:`load_case`)."""
    data = case.model_dump(mode="json", exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
