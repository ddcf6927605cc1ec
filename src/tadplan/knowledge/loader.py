"""Loading the knowledge base: rule files and reference tables, validated when read.

Built-in files live in ``tadplan/knowledge/data/`` (``rules/*.yaml``, ``tables.yaml``,
``sources/*.yaml``). Extra rule directories (``--rules DIR``) add ``*.yaml`` rule files; a
rule file may define extra citation keys in its ``sources:`` section.

Every problem is a :class:`KnowledgeError` whose ``where`` names the file, the rule id and
the field, and whose ``reason`` says what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from tadplan._cache import cached_json, input_key, source_digest
from tadplan._yaml import UserFileError, load_user, read_user_file, yaml_problem
from tadplan.errors import DataError
from tadplan.knowledge.conditions import Result, error_reason
from tadplan.knowledge.context import GoalContext
from tadplan.knowledge.schema import RuleFile, RuleSpec, SourceSpec, TablesFile
from tadplan.knowledge.sources import Source, SourceRegistryError, load_sources


class KnowledgeError(DataError):
    """A knowledge file that cannot be used. ``where``: file, rule and field; ``reason``."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    """A validated rule (its condition is ``spec.when``)."""

    spec: RuleSpec
    file: Path
    application: str

    def condition(self, ctx: GoalContext) -> Result:
        """Whether the rule applies to the goal of ``ctx``, and the facts why (or why not)."""
        return self.spec.when.check(ctx)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def is_design(self) -> bool:
        return self.spec.design is not None


@dataclass(frozen=True)
class Knowledge:
    rules: tuple[Rule, ...]
    tables: TablesFile
    sources: dict[str, Source]
    files: tuple[Path, ...] = field(default_factory=tuple)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def cite(self, key: str) -> str:
        return self.sources[key].citation()


def data_dir() -> Path:
    return Path(str(resources.files("tadplan.knowledge"))) / "data"


def _read_yaml(path: Path) -> Any:
    """A rule or table file, read as a user's file (:mod:`tadplan._yaml`): a regular UTF-8
    file of bounded size, no anchors, duplicate keys, octal numbers or deep nesting."""
    try:
        text = read_user_file(path)
    except UserFileError as exc:
        raise KnowledgeError(str(path), str(exc)) from None
    try:
        if path.is_relative_to(data_dir()):  # the packaged files: parsed once, kept as JSON
            return cached_json(
                "yaml",
                input_key("load_user", source_digest("tadplan._yaml"), text),
                lambda: load_user(text),
            )
        return load_user(text)
    except yaml.YAMLError as exc:
        line, reason = yaml_problem(exc)
        raise KnowledgeError(f"{path}: {line}", f"not valid YAML: {reason}") from None


def _where(path: Path, raw: Any, loc: Sequence[object]) -> str:
    """``file: rule 'id': field.path`` from a pydantic error location."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "rules" and isinstance(parts[1], int):
        idx = parts[1]
        rid = None
        if isinstance(raw, dict) and isinstance(raw.get("rules"), list):
            rules = raw["rules"]
            if idx < len(rules) and isinstance(rules[idx], dict):
                rid = rules[idx].get("id")
        rest = ".".join(str(p) for p in parts[2:]) or "(rule)"
        label = f"rule {str(rid)[:40]!r}" if rid else f"rules[{idx}]"
        return f"{path}: {label}: {rest}"
    return f"{path}: {'.'.join(str(p) for p in parts) or '(file)'}"


def _validation_error(path: Path, raw: Any, exc: ValidationError) -> KnowledgeError:
    err = exc.errors(include_url=False)[0]
    # a condition's key tags its union member: not a field; a validator's FieldErrors names
    # the field of its model
    loc, msg = error_reason(err)
    # pydantic names the member of a union it tried ("literal['a','b']"): not a field
    loc = [p for p in loc if isinstance(p, int) or "[" not in p]
    if err["type"] == "extra_forbidden":
        msg = "unknown key (check the spelling)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    return KnowledgeError(_where(path, raw, loc), msg)


def _load_rule_file(path: Path) -> RuleFile:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise KnowledgeError(str(path), "a rule file is a mapping with 'rules: [...]'")
    try:
        return RuleFile.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(path, raw, exc) from None


def _check_sources(specs: Sequence[SourceSpec], known: dict[str, Source], where: str) -> None:
    for s in specs:
        if s.key not in known:
            raise KnowledgeError(
                where,
                f"unknown source key {s.key!r} (add it to a "
                "sources file or the rule file's 'sources:' section)",
            )


def _rule_sources(rule: RuleSpec) -> list[tuple[str, list[SourceSpec]]]:
    """(field, sources) of every citation in a rule."""
    out: list[tuple[str, list[SourceSpec]]] = [("sources", rule.sources)]
    if rule.design is not None:
        for i, w in enumerate(rule.design.warnings):
            out.append((f"design.warnings.{i}.sources", w.sources))
        for i, c in enumerate(rule.design.connections):
            if c.force_source is not None:
                out.append((f"design.connections.{i}.force_source", [c.force_source]))
    if rule.modify is not None:
        for i, w in enumerate(rule.modify.warnings):
            out.append((f"modify.warnings.{i}.sources", w.sources))
    return out


def load_knowledge(extra_dirs: Sequence[Path] = ()) -> Knowledge:
    """The built-in knowledge base plus rule files from ``extra_dirs``."""
    if not extra_dirs:
        return _builtin()
    return _load(tuple(Path(d) for d in extra_dirs))


@cache
def _builtin() -> Knowledge:
    return _load(())


def _load(extra_dirs: tuple[Path, ...]) -> Knowledge:
    try:
        sources = dict(load_sources())
    except SourceRegistryError as exc:
        raise KnowledgeError("sources", str(exc)) from None
    files = sorted((data_dir() / "rules").glob("*.yaml"))
    for d in extra_dirs:
        if not d.is_dir():
            raise KnowledgeError(str(d), "not a directory of rule files")
        found = sorted(d.glob("*.yaml")) + sorted(d.glob("*.yml"))
        if not found:
            raise KnowledgeError(str(d), "no rule files (*.yaml) in this directory")
        files += found
    parsed: list[tuple[Path, RuleFile]] = []
    for path in files:
        rf = _load_rule_file(path)
        for key, src in rf.sources.items():
            if key in sources and sources[key] != src:
                raise KnowledgeError(
                    f"{path}: sources.{key}", "this source key is already defined differently"
                )
            sources[key] = src
        parsed.append((path, rf))
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path, rf in parsed:
        for spec in rf.rules:
            label = f"{path}: rule {spec.id!r}"
            if spec.id in seen:
                raise KnowledgeError(f"{label}: id", f"rule id already used in {seen[spec.id]}")
            seen[spec.id] = path
            for fld, specs in _rule_sources(spec):
                _check_sources(specs, sources, f"{label}: {fld}")
            application = spec.application or rf.application
            if not application:
                raise KnowledgeError(
                    f"{label}: application",
                    "say which application the rule belongs to "
                    "(on the rule or at the top of the file)",
                )
            rules.append(Rule(spec, path, application))
    ids = {r.id for r in rules}
    for r in rules:
        if r.spec.modify is not None:
            for rid in r.spec.modify.applies_to.rule_in or []:
                if rid not in ids:
                    raise KnowledgeError(
                        f"{r.file}: rule {r.id!r}: modify.applies_to.rule_in",
                        f"no rule with id {rid!r}",
                    )
    tables_path = data_dir() / "tables.yaml"
    raw_tables = _read_yaml(tables_path)
    try:
        tables = TablesFile.model_validate(raw_tables)
    except ValidationError as exc:
        raise _validation_error(tables_path, raw_tables, exc) from None
    for name in ("screws", "site_risks"):
        for i, row in enumerate(getattr(tables, name)):
            _check_sources(row.sources, sources, f"{tables_path}: {name}.{i}.sources")
    if tables.min_interradicular_width_mm is not None:
        _check_sources(
            tables.min_interradicular_width_mm.sources,
            sources,
            f"{tables_path}: min_interradicular_width_mm.sources",
        )
    if tables.rank_weights is None:
        raise KnowledgeError(f"{tables_path}: rank_weights", "required field is missing")
    return Knowledge(tuple(rules), tables, sources, (*files, tables_path))
