"""Rule conditions: a pydantic discriminated union of small condition models (no ``eval``).

A condition is a mapping with exactly one key, its kind; the key picks the model
(:data:`Condition`), so a rule file's ``when`` is validated with the rest of the file and a
mistake names its path (``when.all.0.jaw``):

========================  ==============================================================
``always: true``          always matches
``all: [c, ...]``         every sub-condition matches
``any: [c, ...]``         at least one matches
``not: c``                the sub-condition does not match
``goal_kind_in``          the goal's movement kind is one of the list
``tooth_type_in``         every goal tooth is of these types (incisor/canine/premolar/molar)
``tooth_type_any``        at least one goal tooth is of these types
``jaw``                   the goal's teeth are in this jaw (maxilla/mandible)
``symmetry``              the goal's symmetry (symmetric/asymmetric)
``side_in``               the goal's sides (right/left/bilateral), from its teeth
``demand_at_least``       the goal's anchorage demand is at least this
``teeth_count_at_least``  number of goal teeth
``appliance_present``     any of these appliances is in the case
``bands_on_position``     a band on a tooth of these positions (1-8) in the goal's jaw
``absent_any``            any of these teeth is missing/extracted/replaced
``finding``               ``{field: value or [values]}`` over the case findings
``patient``               ``{field: value or [values]}`` over the patient (e.g. smoker)
``constraint``            ``{field: value or [values]}`` over the case constraints
``crossbite_kind_in``     a crossbite of these kinds involves a goal tooth
``skeletal_crossbite``    a skeletal (transverse) crossbite involves a goal tooth (false: none)
``displacement_any``      a goal tooth is displaced in one of these directions
                          (``findings.displaced_teeth``: palatal, lingual, buccal, apical, ...)
``site_available``        a site template resolves and is usable on every goal side
``other_goal``            another goal of the case matches an ``OtherGoalFilter``
========================  ==============================================================

Each model's ``evaluate(ctx)`` returns ``(matched, facts)``; facts are short sentences that
say which facts of the case made it match (they go into the plan's trace). ``check(ctx)``
is ``evaluate`` that, on a failure without facts, names the condition that failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import (
    BaseModel,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

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
from tadplan.errors import DataError, field_errors
from tadplan.knowledge.context import GoalContext
from tadplan.knowledge.templates import OtherGoalFilter, SiteTemplate, _Strict

Result = tuple[bool, list[str]]

DEMAND_ORDER = list(AnchorageDemand)


class ConditionError(DataError):
    """A malformed condition; ``field`` is the dotted path inside ``when``."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _fmt(values: Sequence[object]) -> str:
    return "/".join(str(getattr(v, "value", v)) for v in values)


def _describe(data: object) -> str:
    """Short text of a condition for traces."""
    if isinstance(data, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in data.items())
    if isinstance(data, list):
        return "[" + ", ".join(_describe(v) for v in data) + "]"
    return str(data)


def _hit(found: object, fact: str) -> Result:
    return (True, [fact]) if found else (False, [])


class _Condition(_Strict):
    """One kind of condition: the model's single field, named as the kind's key."""

    @classmethod
    def key(cls) -> str:
        ((name, info),) = cls.model_fields.items()
        return info.alias or name

    def evaluate(self, ctx: GoalContext) -> Result:
        raise NotImplementedError(type(self).__name__)

    def check(self, ctx: GoalContext) -> Result:
        """``evaluate``; a failure without facts names this condition."""
        ok, facts = self.evaluate(ctx)
        return (True, facts) if ok else (False, facts or [self.describe()])

    def describe(self) -> str:
        """The condition as written (``jaw: mandible``), for traces."""
        return _describe(self.model_dump(mode="json", by_alias=True, exclude_unset=True))


class Always(_Condition):
    """Always matches."""

    always: Literal[True]

    def evaluate(self, ctx: GoalContext) -> Result:
        return True, []


class AllOf(_Condition):
    """Every sub-condition matches."""

    all: list[Condition] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        facts: list[str] = []
        for sub in self.all:
            ok, f = sub.check(ctx)
            if not ok:
                return False, f
            facts += f
        return True, facts


class AnyOf(_Condition):
    """At least one sub-condition matches."""

    any: list[Condition] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        for sub in self.any:
            ok, f = sub.check(ctx)
            if ok:
                return True, f
        return False, []


class Not(_Condition):
    """The sub-condition does not match."""

    not_: Condition = Field(alias="not")

    def evaluate(self, ctx: GoalContext) -> Result:
        ok, _ = self.not_.check(ctx)
        return (False, []) if ok else (True, [f"not ({self.not_.describe()})"])


class GoalKindIn(_Condition):
    """The goal's movement kind is one of the list."""

    goal_kind_in: list[MovementKind] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        kind = ctx.goal.kind
        return _hit(kind in self.goal_kind_in, f"goal kind = {kind.value}")


class ToothTypeIn(_Condition):
    """Every goal tooth is of these types."""

    tooth_type_in: list[ToothType] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        ok = all(fdi.tooth_type(t) in self.tooth_type_in for t in ctx.teeth)
        teeth = " ".join(map(str, ctx.teeth))
        return _hit(ok, f"goal teeth {teeth} are {_fmt(self.tooth_type_in)}")


class ToothTypeAny(_Condition):
    """At least one goal tooth is of these types."""

    tooth_type_any: list[ToothType] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        ok = any(fdi.tooth_type(t) in self.tooth_type_any for t in ctx.teeth)
        teeth = " ".join(map(str, ctx.teeth))
        return _hit(ok, f"goal teeth {teeth} include {_fmt(self.tooth_type_any)}")


class Jaw(_Condition):
    """The goal's teeth are in this jaw."""

    jaw: Literal["maxilla", "mandible"]

    def evaluate(self, ctx: GoalContext) -> Result:
        return _hit(ctx.jaws == {self.jaw}, f"goal in the {self.jaw}")


class SymmetryIs(_Condition):
    """The goal's symmetry."""

    symmetry: Symmetry

    def evaluate(self, ctx: GoalContext) -> Result:
        return _hit(ctx.goal.symmetry == self.symmetry, f"goal is {self.symmetry.value}")


class SideIn(_Condition):
    """The goal's sides, from its teeth."""

    side_in: list[Literal["right", "left", "bilateral"]] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        return _hit(ctx.side_label in self.side_in, f"goal side = {ctx.side_label}")


class DemandAtLeast(_Condition):
    """The goal's anchorage demand is at least this."""

    demand_at_least: AnchorageDemand

    def evaluate(self, ctx: GoalContext) -> Result:
        demand = ctx.goal.anchorage_demand
        ok = DEMAND_ORDER.index(demand) >= DEMAND_ORDER.index(self.demand_at_least)
        return _hit(ok, f"anchorage demand {demand.value} (>= {self.demand_at_least.value})")


class TeethCountAtLeast(_Condition):
    """The goal moves at least this many teeth."""

    teeth_count_at_least: int = Field(ge=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        n = len(ctx.teeth)
        return _hit(n >= self.teeth_count_at_least, f"{n} goal teeth")


class AppliancePresent(_Condition):
    """Any of these appliances is in the case."""

    appliance_present: list[Appliance] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        present = [a for a in self.appliance_present if a in ctx.case.attachments.appliances]
        return _hit(present, f"appliance {_fmt(present)} in place")


class BandsOnPosition(_Condition):
    """A band on a tooth of these positions (1-8) in the goal's jaw."""

    bands_on_position: list[Annotated[int, Field(ge=1, le=8)]] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        banded = [
            t
            for t in ctx.case.attachments.bands
            if fdi.arch(t) in ctx.jaws and fdi.position(t) in self.bands_on_position
        ]
        return _hit(banded, f"bands on {' '.join(map(str, banded))}")


class AbsentAny(_Condition):
    """Any of these teeth is missing, extracted or replaced."""

    absent_any: list[int] = Field(min_length=1, description="FDI tooth numbers")

    @field_validator("absent_any")
    @classmethod
    def _fdi(cls, teeth: list[int]) -> list[int]:
        for t in teeth:
            if not fdi.is_tooth(t):
                raise ValueError(f"{t} is not an FDI tooth number")
        return teeth

    def evaluate(self, ctx: GoalContext) -> Result:
        absent = [t for t in self.absent_any if ctx.case.dentition.status(t) in ABSENT]
        return _hit(absent, f"tooth {' '.join(map(str, absent))} absent")


def _field_test(model: type[BaseModel]) -> type[_Strict]:
    """A model of ``model``'s single-valued fields, each optional and taking one value or a
    list of values (any of them matches)."""
    fields: dict[str, Any] = {
        name: (Union[info.annotation, list[info.annotation]] | None, None)  # type: ignore[name-defined]  # noqa: UP007
        for name, info in model.model_fields.items()
        if getattr(info.annotation, "__origin__", None) is not list
    }
    return create_model(f"{model.__name__}Test", __base__=_Strict, **fields)


if TYPE_CHECKING:
    FindingsTest: TypeAlias = _Strict
    PatientTest: TypeAlias = _Strict
    ConstraintsTest: TypeAlias = _Strict
else:
    FindingsTest = _field_test(Findings)
    PatientTest = _field_test(Patient)
    ConstraintsTest = _field_test(Constraints)


class _FieldTest(_Condition):
    """``{field: value or [values]}`` over one part of the case; every field must match."""

    def _values(self) -> _Strict:
        values: _Strict = getattr(self, self.key())
        return values

    def _of(self, ctx: GoalContext) -> BaseModel:
        raise NotImplementedError(type(self).__name__)

    @model_validator(mode="after")
    def _named(self) -> _FieldTest:
        if not self._values().model_fields_set:
            raise ValueError("name at least one field, e.g. {field: value}")
        return self

    def evaluate(self, ctx: GoalContext) -> Result:
        values, obj = self._values(), self._of(ctx)
        facts = []
        for name in type(values).model_fields:
            if name not in values.model_fields_set:
                continue
            allowed = getattr(values, name)
            actual = getattr(obj, name)
            if actual not in (allowed if isinstance(allowed, list) else [allowed]):
                return False, []
            facts.append(f"{self.key()} {name} = {getattr(actual, 'value', actual)}")
        return True, facts


class Finding(_FieldTest):
    """Case findings: {field: value or [values]}; every field named must match."""

    finding: FindingsTest

    def _of(self, ctx: GoalContext) -> BaseModel:
        return ctx.case.findings


class PatientIs(_FieldTest):
    """The patient: {field: value or [values]} (e.g. smoker: true)."""

    patient: PatientTest

    def _of(self, ctx: GoalContext) -> BaseModel:
        return ctx.case.patient


class Constraint(_FieldTest):
    """Case constraints: {field: value or [values]} (e.g. no_palatal: true)."""

    constraint: ConstraintsTest

    def _of(self, ctx: GoalContext) -> BaseModel:
        return ctx.case.constraints


class CrossbiteKindIn(_Condition):
    """A crossbite of these kinds involves a goal tooth."""

    crossbite_kind_in: list[CrossbiteKind] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        hits = [
            x.kind.value
            for x in ctx.case.findings.crossbites
            if x.kind in self.crossbite_kind_in and set(x.teeth) & set(ctx.teeth)
        ]
        return _hit(hits, "crossbite " + ", ".join(hits))


class SkeletalCrossbite(_Condition):
    """A skeletal (transverse) crossbite involves a goal tooth (false: none does)."""

    skeletal_crossbite: bool = Field(description="false: no skeletal crossbite")

    def evaluate(self, ctx: GoalContext) -> Result:
        hits = [
            x.kind.value
            for x in ctx.case.findings.crossbites
            if x.skeletal and set(x.teeth) & set(ctx.teeth)
        ]
        if not self.skeletal_crossbite:
            return _hit(not hits, "no skeletal crossbite")
        return _hit(hits, "skeletal crossbite " + ", ".join(hits))


class DisplacementAny(_Condition):
    """A goal tooth is displaced in one of these directions (findings.displaced_teeth)."""

    displacement_any: list[Displacement] = Field(min_length=1)

    def evaluate(self, ctx: GoalContext) -> Result:
        found = ctx.case.findings.displacement
        displaced = [
            f"{t} {'/'.join(d.value for d in found(t))}"
            for t in ctx.teeth
            if set(found(t)) & set(self.displacement_any)
        ]
        return _hit(displaced, "tooth displaced: " + ", ".join(displaced))


class SiteAvailable(_Condition):
    """The site resolves and is usable on every goal side."""

    site_available: SiteTemplate

    def evaluate(self, ctx: GoalContext) -> Result:
        labels = []
        for side in ctx.sides:
            r = ctx.resolve(self.site_available, side)
            if not r.available:
                return False, []
            assert r.site is not None
            labels.append(r.site.label())
        return True, [f"site {', '.join(labels)} available"]


class OtherGoal(_Condition):
    """Another goal of the case matches the filter."""

    other_goal: OtherGoalFilter

    def evaluate(self, ctx: GoalContext) -> Result:
        found = other_goals(ctx, self.other_goal)
        ids = ", ".join(ctx.case.goal_ids()[j] for j in found)
        return _hit(found, f"other goal {ids} ({_describe_filter(self.other_goal)})")


def _describe_filter(f: OtherGoalFilter) -> str:
    return _describe(f.model_dump(mode="json", exclude_unset=True))


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


KINDS: tuple[type[_Condition], ...] = (
    Always,
    AllOf,
    AnyOf,
    Not,
    GoalKindIn,
    ToothTypeIn,
    ToothTypeAny,
    Jaw,
    SymmetryIs,
    SideIn,
    DemandAtLeast,
    TeethCountAtLeast,
    AppliancePresent,
    BandsOnPosition,
    AbsentAny,
    Finding,
    PatientIs,
    Constraint,
    CrossbiteKindIn,
    SkeletalCrossbite,
    DisplacementAny,
    SiteAvailable,
    OtherGoal,
)
"""Every kind of condition, in the order of the table above."""

KEYS = tuple(k.key() for k in KINDS)
FIELD_TESTS = tuple(k.key() for k in KINDS if issubclass(k, _FieldTest))

ONE_KEY = "a condition is a mapping with exactly one key, e.g. {goal_kind_in: [intrusion]}"


def _kind(value: object) -> str | None:
    """The kind of a condition: its one key (or its model's)."""
    if isinstance(value, _Condition):
        return value.key()
    if isinstance(value, dict) and len(value) == 1:
        return str(next(iter(value)))
    return None


if TYPE_CHECKING:
    Condition = _Condition
else:
    Condition = Annotated[
        Union[tuple(Annotated[k, Tag(k.key())] for k in KINDS)],  # noqa: UP007
        Discriminator(_kind),
    ]
"""A rule's ``when``: one of :data:`KINDS`, picked by its key."""

for _k in (AllOf, AnyOf, Not):
    _k.model_rebuild()

_ADAPTER: TypeAdapter[_Condition] = TypeAdapter(Condition)


def error_reason(err: Any) -> tuple[list[str | int], str]:
    """The path and reason of a pydantic error inside a condition tree.

    The union's tag (the condition's key) is dropped from the path where it repeats the
    field it tags (``when.jaw.jaw`` is ``when.jaw``); a missing or unknown key says so."""
    loc: list[str | int] = []
    for part in err["loc"]:
        if isinstance(part, str) and part in KEYS and loc[-1:] == [part]:
            continue
        loc.append(part)
    for i, part in enumerate(loc[:-2]):
        if part in FIELD_TESTS and isinstance(loc[i + 1], str):
            del loc[i + 2 :]  # the field's one value or list of values: a union member's label
            break
    if err["type"] == "extra_forbidden":
        return loc, "unknown key (check the spelling)"
    if err["type"] == "union_tag_not_found" or (
        err["type"] == "union_tag_invalid" and not isinstance(err["input"], dict)
    ):
        return loc, ONE_KEY
    if err["type"] == "union_tag_invalid":
        return [*loc, err["ctx"]["tag"]], f"unknown condition (known: {', '.join(KEYS)})"
    named = field_errors(err)  # a validator named a field of its model
    if named:
        path, reason = named[0]
        return [*loc, *path], reason
    return loc, str(err["msg"]).removeprefix("Value error, ")


def parse_condition(data: object, where: str = "when") -> Condition:
    """A condition from its mapping; raises :class:`ConditionError` naming the field."""
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        loc, reason = error_reason(exc.errors(include_url=False)[0])
        raise ConditionError(".".join(str(p) for p in [where, *loc]), reason) from None


def condition_schema() -> dict[str, Any]:
    """The JSON schema of a condition."""
    return _ADAPTER.json_schema()
