"""Two plan versions side by side: what changed in the case (the why) and in the plan (the
what). Pure functions on two :class:`~tadplan.model.Plan` objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tadplan.model import Design, Plan


@dataclass(frozen=True)
class FieldChange:
    """A case field that differs: its dotted path and the value before and after (text)."""

    path: str
    before: str
    after: str


@dataclass(frozen=True)
class DesignRow:
    """One design of a goal in one version, in rank order."""

    design_id: str
    title: str
    rank: int
    implants: str
    """The screws in words: site, size and site-safety status."""
    warnings: int
    dangers: int


@dataclass(frozen=True)
class GoalComparison:
    goal_id: str
    before: list[DesignRow]
    after: list[DesignRow]
    top_changed: bool
    """The first-ranked design is another one (by title, rule and screws)."""
    added: list[str] = field(default_factory=list)
    """Designs (titles) proposed only in the later version."""
    removed: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    """Designs in both whose rank changed, in words ("X: 2 -> 1")."""


@dataclass(frozen=True)
class Comparison:
    case_changes: list[FieldChange]
    goals: list[GoalComparison]
    version_before: str
    version_after: str

    @property
    def why(self) -> list[str]:
        """Why the plans differ, in words (the case, the program, or neither)."""
        out = []
        if self.case_changes:
            out.append(f"the case changed ({len(self.case_changes)} field(s))")
        if self.version_before != self.version_after:
            out.append(f"tadplan changed ({self.version_before} -> {self.version_after})")
        return out


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and any(isinstance(v, Mapping) for v in value):
        out = {}
        for i, v in enumerate(value):
            out.update(_flat(v, f"{prefix}.{i}"))
        return out
    return {prefix: value}


def _text(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, list):
        return " ".join(str(x) for x in v) if v else "—"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def case_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    """Every case field (dotted path) whose value differs, in path order (``before`` and
    ``after`` dumped without defaults: a missing field has its default)."""
    a, b = _flat(before), _flat(after)
    out = []
    for path in sorted(set(a) | set(b)):
        va, vb = a.get(path), b.get(path)
        if va != vb:
            out.append(FieldChange(path, _text(va), _text(vb)))
    return out


def _implants(d: Design) -> str:
    parts = []
    for i in d.implants:
        status = i.safety.status if i.safety else "unknown"
        parts.append(f"{i.site.label()} {i.diameter_mm:g}x{i.length_mm:g} mm ({status})")
    return "; ".join(parts) or "no new implant"


def _row(d: Design) -> DesignRow:
    return DesignRow(
        design_id=d.id,
        title=d.title,
        rank=d.rank,
        implants=_implants(d),
        warnings=len(d.warnings),
        dangers=sum(1 for w in d.warnings if w.severity == "danger"),
    )


def _identity(d: Design) -> tuple[str, str, str]:
    return (d.rule_id, d.title, _implants(d))


def compare_plans(before: Plan, after: Plan) -> Comparison:
    """What differs between two plans of one case (earlier first)."""
    goals = []
    old = {g.goal.id: g for g in before.goals}
    for g in after.goals:
        prev = old.pop(g.goal.id, None)
        rows_b = [_row(d) for d in prev.designs] if prev else []
        rows_a = [_row(d) for d in g.designs]
        by_title_b = {d.title: d.rank for d in prev.designs} if prev else {}
        by_title_a = {d.title: d.rank for d in g.designs}
        top_b = _identity(prev.designs[0]) if prev and prev.designs else None
        top_a = _identity(g.designs[0]) if g.designs else None
        goals.append(
            GoalComparison(
                goal_id=g.goal.id,
                before=rows_b,
                after=rows_a,
                top_changed=top_a != top_b,
                added=[t for t in by_title_a if t not in by_title_b],
                removed=[t for t in by_title_b if t not in by_title_a],
                moved=[
                    f"{t}: {by_title_b[t]} -> {r}"
                    for t, r in by_title_a.items()
                    if t in by_title_b and by_title_b[t] != r
                ],
            )
        )
    for gid, prev in old.items():  # goals dropped from the case
        goals.append(
            GoalComparison(
                goal_id=gid,
                before=[_row(d) for d in prev.designs],
                after=[],
                top_changed=True,
                removed=[d.title for d in prev.designs],
            )
        )
    return Comparison(
        case_changes=case_changes(
            before.case.model_dump(mode="json", exclude_defaults=True),
            after.case.model_dump(mode="json", exclude_defaults=True),
        ),
        goals=goals,
        version_before=before.tadplan_version,
        version_after=after.tadplan_version,
    )
