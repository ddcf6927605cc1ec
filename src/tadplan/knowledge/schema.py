"""The schema of knowledge files (YAML), as pydantic models.

A rule file is::

    version: 1
    application: "II.2 Intrusion of posterior teeth"   # default for its rules
    sources: {}          # optional: extra citation keys (same fields as data/sources/*.yaml)
    rules:
      - id: posterior-intrusion-buccal-palatal
        title: ...
        when: {all: [{goal_kind_in: [intrusion]}, {tooth_type_in: [molar]}]}
        design: {...}    # a design rule proposes a design  (DesignTemplate)
        # or
        modify: {...}    # a modifier adds warnings/prerequisites to matching designs
        sources: [{key: seed, detail: "II.2 Intrusion of posterior teeth, Fig. 18-19"}]

Conditions (``when``) are :data:`tadplan.knowledge.conditions.Condition` models. The site
template, the other-goal filter and the strict base live in :mod:`tadplan.knowledge.templates`
(conditions use them too) and are re-exported here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StrictInt, field_validator, model_validator

from tadplan.case.model import AnchorageDemand, SiteRegion, Surface
from tadplan.errors import FieldErrors
from tadplan.knowledge.conditions import Always, Condition
from tadplan.knowledge.sources import Source
from tadplan.knowledge.templates import OtherGoalFilter as OtherGoalFilter
from tadplan.knowledge.templates import SiteTemplate as SiteTemplate
from tadplan.knowledge.templates import _Strict
from tadplan.model import (
    FORCE_MODULES,
    ORTHOPAEDIC_KINDS,
    AnchorageType,
    AttachmentSite,
    ConnectionKind,
    ImplantHead,
    ModuleKind,
    SourceRef,
    read_tag,
)

ORTHODONTIC_MAX_G = 1000.0
"""Typo guard for a rule's force on teeth (g), not a clinical number."""
ORTHOPAEDIC_MAX_G = 50000.0
"""Typo guard for an orthopaedic appliance's force (g; 50 kg), not a clinical number."""


def _rule_source(data: Any) -> Any:
    """A rule file ends a source's detail with the evidence tag (``"... [R]"``); it is read
    into ``tag`` here, once, as the file is loaded."""
    if isinstance(data, dict) and isinstance(data.get("detail"), str) and "tag" not in data:
        detail, tag = read_tag(data["detail"])
        if tag is not None:
            return {**data, "detail": detail, "tag": tag}
    return data


SourceSpec = Annotated[SourceRef, BeforeValidator(_rule_source)]
"""A citation in a knowledge file: a :class:`~tadplan.model.SourceRef` (registry key, where in
the source, evidence tag), the tag written at the end of the detail or as ``tag``."""


class WarningSpec(_Strict):
    severity: Literal["info", "caution", "danger"] = "caution"
    text: str = Field(min_length=1)
    sources: list[SourceSpec] = Field(
        default_factory=list, description="defaults to the rule's sources"
    )


class ImplantTemplate(_Strict):
    ref: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="name used by connections")
    site: list[SiteTemplate] = Field(min_length=1, description="options, first usable wins")
    sides: Literal["goal", "both", "midline", "right", "left"] = "goal"
    count: int = Field(default=1, ge=1, le=4, description="implants per side at this site")
    head: ImplantHead = ImplantHead.standard
    purpose: str = ""
    stage: int = Field(default=1, ge=1, le=3, description="treatment stage it is inserted in")

    @field_validator("site", mode="before")
    @classmethod
    def _one_or_many(cls, v: object) -> object:
        return [v] if isinstance(v, dict) else v


Target = Literal["goal_teeth", "most_mesial", "most_distal", "none"]


class ConnectionTemplate(_Strict):
    kind: ConnectionKind
    from_: str | None = Field(default=None, alias="from", description="implant ref")
    to: Target | list[StrictInt] = Field(default="goal_teeth", description="or tooth positions")
    attachment: str = Field(default="", description="the attachment in words, for the clinician")
    attachment_site: AttachmentSite | None = Field(
        default=None,
        description="where the module acts on the tooth: bracket, occlusal (button on the "
        "occlusal surface), lingual (palatal/lingual button, TPA, appliance arm) or power_arm "
        "(power hook or arm); default: the kind's usual site",
    )
    module: ModuleKind | None = Field(
        default=None, description="the force module; default: the kind's usual module"
    )
    activation_mm: float | None = Field(
        default=None, gt=0, description="module activation, mm; default: the module's"
    )
    activation: str = Field(default="", description="the activation in words")
    passive: bool = False
    force_g: float | None = Field(
        default=None,
        gt=0,
        description=f"g; at most {ORTHODONTIC_MAX_G:g} g, orthopaedic appliances (expander) "
        f"{ORTHOPAEDIC_MAX_G:g} g",
    )
    force_source: SourceSpec | None = None
    hook: list[Annotated[int, Field(ge=1, le=8)]] | None = Field(
        default=None,
        min_length=1,
        description="tooth positions (1-8) in the arch of `to`, tried in order on each "
        "connection's side, where the module hooks when that is not one of the teeth it "
        "moves: the archwire carries its force along the arch to them (a Class III elastic "
        "on the first-molar hook advancing the incisors); no such tooth present: the design "
        "is not proposed",
    )

    @field_validator("hook", mode="before")
    @classmethod
    def _one_hook(cls, v: object) -> object:
        return [v] if isinstance(v, int) else v

    @model_validator(mode="after")
    def _module_of_kind(self) -> ConnectionTemplate:
        allowed = FORCE_MODULES.get(self.kind.value, ())
        if self.activation_mm is not None and not allowed:
            raise FieldErrors.at(
                "activation_mm", f"a {self.kind.value} has no force module to activate"
            )
        if self.module is not None and self.module not in allowed:
            can = ", ".join(m.value for m in allowed) or "no force module"
            raise FieldErrors.at(
                "module", f"{self.kind.value} takes {can}, not {self.module.value}"
            )
        return self

    one_piece: bool = Field(
        default=False,
        description="one appliance across the midline (e.g. a MARPE expander on four "
        "palatal screws): a single connection carried by every implant of `from` on all "
        "sides, attached to the teeth of every goal side; false: one connection per side, "
        "carried by that side's implants",
    )

    @field_validator("to")
    @classmethod
    def _positions(cls, v: Target | list[StrictInt]) -> Target | list[StrictInt]:
        if isinstance(v, list):
            if not v:
                raise ValueError("an empty list of tooth positions: use 'none'")
            bad = [p for p in v if isinstance(p, bool) or not 1 <= p <= 8]
            if bad:
                raise ValueError(
                    f"{str(bad[0])[:20]} is not a tooth position (1 = central incisor ... "
                    "8 = third molar)"
                )
            if len(set(v)) != len(v):
                raise ValueError("a tooth position is listed twice")
        return v

    @model_validator(mode="after")
    def _force(self) -> ConnectionTemplate:
        if self.force_g is not None and self.force_source is None:
            raise FieldErrors.at(
                "force_g", "a force needs a force_source (every number is sourced)"
            )
        ortho = self.kind in ORTHOPAEDIC_KINDS
        cap = ORTHOPAEDIC_MAX_G if ortho else ORTHODONTIC_MAX_G
        if self.force_g is not None and self.force_g > cap:
            raise FieldErrors.at(
                "force_g",
                f"{self.force_g:g} g is above {cap:g} g, the cap for {self.kind.value} "
                + (
                    "(orthopaedic appliance)"
                    if ortho
                    else "(orthodontic connection); only orthopaedic appliances "
                    f"({', '.join(sorted(k.value for k in ORTHOPAEDIC_KINDS))}) carry kg forces"
                ),
            )
        if self.one_piece and self.from_ is None:
            raise FieldErrors.at(
                "one_piece", "needs `from` (the implants that carry the appliance)"
            )
        return self


class DesignTemplate(_Strict):
    title: str = Field(min_length=1)
    anchorage: AnchorageType
    provides: AnchorageDemand = Field(description="anchorage the design gives")
    implants: list[ImplantTemplate] = Field(default_factory=list)
    connections: list[ConnectionTemplate] = Field(default_factory=list)
    activation: list[str] = Field(default_factory=list)
    reactivation: str | None = None
    prerequisites: list[str] = Field(default_factory=list)
    warnings: list[WarningSpec] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list)
    also_serves: OtherGoalFilter | None = Field(
        default=None, description="other goals of the case this design also serves"
    )
    preference: float = Field(default=0.5, ge=0, le=1, description="rule author's preference")

    @model_validator(mode="after")
    def _refs(self) -> DesignTemplate:
        refs = [i.ref for i in self.implants]
        dup = sorted({r for r in refs if refs.count(r) > 1})
        if dup:
            raise FieldErrors.at("implants", f"ref {dup[0]!r} is used twice")
        for j, c in enumerate(self.connections):
            if c.from_ is not None and c.from_ not in refs:
                raise FieldErrors.at(
                    ("connections", j, "from"),
                    f"no implant with ref {c.from_!r} (known: {', '.join(refs) or 'none'})",
                )
        return self


class SiteMatch(_Strict):
    region: SiteRegion | None = None
    jaw: Literal["maxilla", "mandible"] | None = None
    surface: Surface | None = None
    side: Literal["midline", "lateral"] | None = None
    max_position: int | None = Field(
        default=None, ge=1, le=8, description="inter-radicular: most distal tooth position"
    )


class DesignFilter(_Strict):
    """Which designs a modifier applies to (all given fields must match)."""

    connection_kind_in: list[ConnectionKind] | None = None
    region_in: list[SiteRegion] | None = None
    surface_in: list[Surface] | None = None
    anchorage: AnchorageType | None = None
    rule_in: list[str] | None = None
    has_implants: bool | None = None
    implant_site: SiteMatch | None = Field(
        default=None, description="an implant's site matches (region, jaw, surface, position)"
    )
    implant_next_to_teeth_of: OtherGoalFilter | None = Field(
        default=None,
        description="an inter-radicular implant is next to a tooth another matching goal moves",
    )


class ModifierTemplate(_Strict):
    applies_to: DesignFilter = Field(default_factory=DesignFilter)
    apical_implants: bool = Field(
        default=False, description="place the modified designs' implants as apically as possible"
    )
    activation: list[str] = Field(default_factory=list)
    prerequisites: list[str] = Field(default_factory=list)
    warnings: list[WarningSpec] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list)


class RuleSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    application: str | None = None
    title: str | None = None
    when: Condition = Field(default_factory=lambda: Always(always=True))
    design: DesignTemplate | None = None
    modify: ModifierTemplate | None = None
    sources: list[SourceSpec] = Field(min_length=1, description="every rule carries its source")

    @model_validator(mode="after")
    def _one(self) -> RuleSpec:
        if (self.design is None) == (self.modify is None):
            raise FieldErrors.at("design", "a rule has exactly one of 'design' or 'modify'")
        return self


class RuleFile(_Strict):
    version: Literal[1] = 1
    application: str | None = None
    sources: dict[str, Source] = Field(default_factory=dict)
    rules: list[RuleSpec] = Field(default_factory=list)


# ----------------------------------------------------------------------------- tables


class Sourced(_Strict):
    sources: list[SourceSpec] = Field(min_length=1)


class ScrewDefault(Sourced):
    match: SiteMatch
    diameter_mm: float = Field(gt=0, le=3)
    length_mm: float = Field(gt=0, le=20)


class SiteRisk(Sourced):
    match: SiteMatch
    root_risk: float = Field(ge=0, le=1, description="0 no roots near, 1 between two roots")


class RankWeights(_Strict):
    demand_met: float = Field(ge=0)
    failure: float = Field(ge=0)
    root_risk: float = Field(ge=0)
    implant_count: float = Field(ge=0)
    preference: float = Field(ge=0)
    shared: float = Field(ge=0)
    mechanics: float = Field(ge=0)
    site_safety: float = Field(ge=0)
    warnings: float = Field(default=0.0, ge=0)


class WarningPenalty(_Strict):
    """How much one rule warning of each severity takes off the ``warnings`` criterion (0-1)."""

    caution: float = Field(ge=0, le=1)
    danger: float = Field(ge=0, le=1)


class Threshold(Sourced):
    value: float


class TablesFile(_Strict):
    version: Literal[1] = 1
    screws: list[ScrewDefault] = Field(default_factory=list)
    site_risks: list[SiteRisk] = Field(default_factory=list)
    rank_weights: RankWeights | None = None
    rank_weights_note: str | None = None
    warning_penalty: WarningPenalty | None = None
    min_interradicular_width_mm: Threshold | None = None
