"""Rule conditions: a small structured tree compiled to closures (no ``eval``).

A condition is a mapping with exactly one key:

=====================  ==============================================================
``always: true``       always matches
``all: [c, ...]``      every sub-condition matches
``any: [c, ...]``      at least one matches
``not: c``             the sub-condition does not match
``goal_kind_in``       the goal's movement kind is one of the list
``tooth_type_in``      every goal tooth is of these types (incisor/canine/premolar/molar)
``tooth_type_any``     at least one goal tooth is of these types
``jaw``                the goal's teeth are in this jaw (maxilla/mandible)
``symmetry``           the goal's symmetry (symmetric/asymmetric)
``side_in``            the goal's sides (right/left/bilateral), from its teeth
``demand_at_least``    the goal's anchorage demand is at least this
``teeth_count_at_least``  number of goal teeth
``appliance_present``  any of these appliances is in the case
``bands_on_position``  a band on a tooth of these positions (1-8) in the goal's jaw
``absent_any``         any of these teeth is missing/extracted/replaced
``finding``            ``{field: value or [values]}`` over the case findings
``patient``            ``{field: value or [values]}`` over the patient (e.g. smoker)
``constraint``         ``{field: value}`` over the case constraints
``crossbite_kind_in``  a crossbite of these kinds involves a goal tooth
``skeletal_crossbite`` a skeletal (transverse) crossbite involves a goal tooth
``displacement_any``   a goal tooth is displaced in one of these directions
                       (``findings.displaced_teeth``: palatal, lingual, buccal, apical, ...)
``site_available``     a site template resolves and is usable on every goal side
``other_goal``         another goal of the case matches an ``OtherGoalFilter``
=====================  ==============================================================

Each compiled condition returns ``(matched, facts)``; facts are short sentences that say
which facts of the case made it match (they go into the plan's trace).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from tadplan.case import fdi
from tadplan.case.fdi import ToothType
from tadplan.case.model import (
    ABSENT,
    AnchorageDemand,
    Appliance,
    Constraints,
    CrossbiteKind,
    Displacement,
    Findings,
    MovementKind,
    Patient,
    Symmetry,
)
from tadplan.errors import DataError
from tadplan.knowledge.context import GoalContext
from tadplan.knowledge.schema import OtherGoalFilter, SiteTemplate

Result = tuple[bool, list[str]]
Condition = Callable[[GoalContext], Result]

DEMAND_ORDER = [d for d in AnchorageDemand]


class ConditionError(DataError):
    """A malformed condition; ``field`` is the dotted path inside ``when``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _arg(adapter: TypeAdapter[Any], value: object, where: str) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise ConditionError(f"{where}.{loc}" if loc else where, str(err["msg"])) from None


def _fmt(values: Sequence[object]) -> str:
    return "/".join(str(getattr(v, "value", v)) for v in values)


def _leaf(test: Callable[[GoalContext], bool], fact: Callable[[GoalContext], str]) -> Condition:
    def run(ctx: GoalContext) -> Result:
        if test(ctx):
            return True, [fact(ctx)]
        return False, []

    return run


def _field_test(
    model: type,
    field_values: dict[str, Any],
    where: str,
    label: str,
    get: Callable[[GoalContext], object],
) -> Condition:
    fields = model.model_fields  # type: ignore[attr-defined]
    checks: list[tuple[str, list[Any]]] = []
    for name, value in field_values.items():
        if name not in fields:
            raise ConditionError(
                f"{where}.{name}", f"unknown {label} field (known: {', '.join(sorted(fields))})"
            )
        ann = fields[name].annotation
        values = value if isinstance(value, list) else [value]
        try:
            parsed = [TypeAdapter(ann).validate_python(v) for v in values]
        except ValidationError as exc:
            msg = exc.errors(include_url=False)[0]["msg"]
            raise ConditionError(f"{where}.{name}", str(msg)) from None
        checks.append((name, parsed))

    def run(ctx: GoalContext) -> Result:
        obj = get(ctx)
        facts = []
        for name, allowed in checks:
            actual = getattr(obj, name)
            if actual not in allowed:
                return False, []
            facts.append(f"{label} {name} = {getattr(actual, 'value', actual)}")
        return True, facts

    return run


def other_goals(ctx: GoalContext, f: OtherGoalFilter) -> list[int]:
    """Indices of the other goals of ``ctx.case`` that match ``f``."""
    out = []
    for j in range(len(ctx.case.goals)):
        if j == ctx.index:
            continue
        other = GoalContext(ctx.case, j)
        g = other.goal
        if f.kind_in is not None and g.kind not in f.kind_in:
            continue
        if f.jaw == "same" and ctx.jaw not in other.jaws:
            continue
        if f.jaw in ("maxilla", "mandible") and f.jaw not in other.jaws:
            continue
        if f.tooth_type_any is not None and not any(
            fdi.tooth_type(t) in f.tooth_type_any for t in other.teeth
        ):
            continue
        if f.symmetry is not None and g.symmetry != f.symmetry:
            continue
        out.append(j)
    if f.coverage is not None and out:
        sides = {s for j in out for s in GoalContext(ctx.case, j).sides}
        covered = "bilateral" if len(sides) == 2 else "unilateral"
        if covered != f.coverage:
            return []
    return out


def compile_condition(data: object, where: str = "when") -> Condition:
    """Compile a condition tree; raises :class:`ConditionError` naming the field.

    The closure returns ``(True, facts that matched)`` or ``(False, [the condition that
    failed])``.
    """
    fn = _compile(data, where)
    text = _describe(data)

    def explained(ctx: GoalContext) -> Result:
        ok, facts = fn(ctx)
        return (True, facts) if ok else (False, facts or [text])

    return explained


def _compile(data: object, where: str) -> Condition:
    if not isinstance(data, dict) or len(data) != 1:
        raise ConditionError(
            where, "a condition is a mapping with exactly one key, e.g. {goal_kind_in: [intrusion]}"
        )
    ((key, arg),) = data.items()
    here = f"{where}.{key}"
    if key == "always":
        if arg is not True:
            raise ConditionError(here, "write 'always: true'")
        return lambda ctx: (True, [])
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            raise ConditionError(here, "needs a non-empty list of conditions")
        subs = [compile_condition(c, f"{here}.{i}") for i, c in enumerate(arg)]
        if key == "all":

            def all_(ctx: GoalContext) -> Result:
                facts: list[str] = []
                for s in subs:
                    ok, f = s(ctx)
                    if not ok:
                        return False, f
                    facts += f
                return True, facts

            return all_

        def any_(ctx: GoalContext) -> Result:
            for s in subs:
                ok, f = s(ctx)
                if ok:
                    return True, f
            return False, []

        return any_
    if key == "not":
        sub = compile_condition(arg, here)
        text = _describe(arg)

        def not_(ctx: GoalContext) -> Result:
            ok, _ = sub(ctx)
            return (False, []) if ok else (True, [f"not ({text})"])

        return not_
    if key == "goal_kind_in":
        kinds = _arg(TypeAdapter(list[MovementKind]), arg, here)
        return _leaf(lambda c: c.goal.kind in kinds, lambda c: f"goal kind = {c.goal.kind.value}")
    if key in ("tooth_type_in", "tooth_type_any"):
        types = _arg(TypeAdapter(list[ToothType]), arg, here)
        every = key == "tooth_type_in"

        def types_ok(c: GoalContext) -> bool:
            hits = [fdi.tooth_type(t) in types for t in c.teeth]
            return all(hits) if every else any(hits)

        return _leaf(
            types_ok,
            lambda c: (
                f"goal teeth {' '.join(map(str, c.teeth))} "
                f"{'are' if every else 'include'} {_fmt(types)}"
            ),
        )
    if key == "jaw":
        jaw = _arg(TypeAdapter(Literal["maxilla", "mandible"]), arg, here)
        return _leaf(lambda c: c.jaws == {jaw}, lambda c: f"goal in the {jaw}")
    if key == "symmetry":
        sym = _arg(TypeAdapter(Symmetry), arg, here)
        return _leaf(lambda c: c.goal.symmetry == sym, lambda c: f"goal is {sym.value}")
    if key == "side_in":
        sides = _arg(TypeAdapter(list[Literal["right", "left", "bilateral"]]), arg, here)
        return _leaf(lambda c: c.side_label in sides, lambda c: f"goal side = {c.side_label}")
    if key == "demand_at_least":
        d = _arg(TypeAdapter(AnchorageDemand), arg, here)
        return _leaf(
            lambda c: DEMAND_ORDER.index(c.goal.anchorage_demand) >= DEMAND_ORDER.index(d),
            lambda c: f"anchorage demand {c.goal.anchorage_demand.value} (>= {d.value})",
        )
    if key == "teeth_count_at_least":
        n = _arg(TypeAdapter(int), arg, here)
        return _leaf(lambda c: len(c.teeth) >= n, lambda c: f"{len(c.teeth)} goal teeth")
    if key == "appliance_present":
        apps = _arg(TypeAdapter(list[Appliance]), arg, here)

        def present(c: GoalContext) -> list[Appliance]:
            return [a for a in apps if a in c.case.attachments.appliances]

        return _leaf(lambda c: bool(present(c)), lambda c: f"appliance {_fmt(present(c))} in place")
    if key == "bands_on_position":
        pos = _arg(TypeAdapter(list[int]), arg, here)

        def banded(c: GoalContext) -> list[int]:
            return [
                t
                for t in c.case.attachments.bands
                if fdi.arch(t) in c.jaws and fdi.position(t) in pos
            ]

        return _leaf(
            lambda c: bool(banded(c)), lambda c: f"bands on {' '.join(map(str, banded(c)))}"
        )
    if key == "absent_any":
        teeth = _arg(TypeAdapter(list[int]), arg, here)
        for t in teeth:
            if not fdi.is_tooth(t):
                raise ConditionError(here, f"{t} is not an FDI tooth number")

        def absent(c: GoalContext) -> list[int]:
            return [t for t in teeth if c.case.dentition.status(t) in ABSENT]

        return _leaf(
            lambda c: bool(absent(c)), lambda c: f"tooth {' '.join(map(str, absent(c)))} absent"
        )
    if key in ("finding", "patient", "constraint"):
        if not isinstance(arg, dict) or not arg:
            raise ConditionError(here, "needs a mapping {field: value}")
        model, get = {
            "finding": (Findings, lambda c: c.case.findings),
            "patient": (Patient, lambda c: c.case.patient),
            "constraint": (Constraints, lambda c: c.case.constraints),
        }[key]
        return _field_test(model, arg, here, key, get)
    if key in ("crossbite_kind_in", "skeletal_crossbite"):
        kinds = (
            _arg(TypeAdapter(list[CrossbiteKind]), arg, here)
            if key == "crossbite_kind_in"
            else list(CrossbiteKind)
        )
        skeletal = key == "skeletal_crossbite" and _arg(TypeAdapter(bool), arg, here)

        def hits(c: GoalContext) -> list[str]:
            return [
                x.kind.value
                for x in c.case.findings.crossbites
                if x.kind in kinds and set(x.teeth) & set(c.teeth) and (x.skeletal or not skeletal)
            ]

        if key == "skeletal_crossbite" and not skeletal:
            return _leaf(
                lambda c: (
                    not any(
                        x.skeletal
                        for x in c.case.findings.crossbites
                        if set(x.teeth) & set(c.teeth)
                    )
                ),
                lambda c: "no skeletal crossbite",
            )
        return _leaf(
            lambda c: bool(hits(c)),
            lambda c: ("skeletal " if skeletal else "") + "crossbite " + ", ".join(hits(c)),
        )
    if key == "displacement_any":
        wanted = _arg(TypeAdapter(list[Displacement]), arg, here)

        def displaced(c: GoalContext) -> list[str]:
            return [
                f"{t} {'/'.join(d.value for d in c.case.findings.displacement(t))}"
                for t in c.teeth
                if set(c.case.findings.displacement(t)) & set(wanted)
            ]

        return _leaf(
            lambda c: bool(displaced(c)),
            lambda c: "tooth displaced: " + ", ".join(displaced(c)),
        )
    if key == "site_available":
        tpl = _arg(TypeAdapter(SiteTemplate), arg, here)

        def usable(c: GoalContext) -> Result:
            labels = []
            for side in c.sides:
                r = c.resolve(tpl, side)
                if not r.available:
                    return False, []
                assert r.site is not None
                labels.append(r.site.label())
            return True, [f"site {', '.join(labels)} available"]

        return usable
    if key == "other_goal":
        f = _arg(TypeAdapter(OtherGoalFilter), arg, here)

        def other(c: GoalContext) -> Result:
            found = other_goals(c, f)
            if not found:
                return False, []
            ids = [c.case.goal_ids()[j] for j in found]
            return True, [f"other goal {', '.join(ids)} ({_describe(arg)})"]

        return other
    raise ConditionError(
        here,
        "unknown condition (known: always, all, any, not, "
        "goal_kind_in, tooth_type_in, tooth_type_any, jaw, symmetry, side_in, "
        "demand_at_least, teeth_count_at_least, appliance_present, "
        "bands_on_position, absent_any, finding, patient, constraint, "
        "crossbite_kind_in, skeletal_crossbite, displacement_any, site_available, other_goal)",
    )


def _describe(data: object) -> str:
    """Short text of a condition for traces."""
    if isinstance(data, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in data.items())
    if isinstance(data, list):
        return "[" + ", ".join(_describe(v) for v in data) + "]"
    return str(data)
