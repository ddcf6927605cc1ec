"""The plan: what :func:`tadplan.planner.plan` returns, and what reports and the API show.

The JSON form of :class:`Plan` is documented by ``tadplan schema --plan`` and is stable:
fields may be added, never renamed or removed without a schema_version bump.

Coordinates are in the patient frame of :mod:`tadplan.anatomy.frame` (millimetres).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from tadplan.case import fdi
from tadplan.case.model import AnchorageDemand, Case, MovementKind, SiteRef
from tadplan.errors import FieldErrors
from tadplan.model.citation import FrozenModel as _Model
from tadplan.model.citation import SourceRef
from tadplan.model.forces import FORCE_MODULES, AttachmentSite, ForceSystem, ModuleKind
from tadplan.model.risk import DesignRisk, ImplantRisk

Vec3 = tuple[float, float, float]


class AnchorageType(StrEnum):
    direct = "direct"
    indirect = "indirect"


class ConnectionKind(StrEnum):
    # direct anchorage modules (seed I.1-3)
    compression_spring = "compression_spring"  # open-coil
    niti_tension_spring = "niti_tension_spring"  # closed-coil
    elastic_chain = "elastic_chain"
    elastic = "elastic"  # latex / cross elastic
    lever_arm = "lever_arm"
    power_hook = "power_hook"
    ligature_tie_back = "ligature_tie_back"
    # indirect anchorage connections (seed I.4-6)
    segmental_arch = "segmental_arch"
    cross_tube = "cross_tube"
    band_auxiliary_slot = "band_auxiliary_slot"
    composite_bond = "composite_bond"
    tpa = "tpa"
    quadhelix = "quadhelix"
    horseshoe_arch = "horseshoe_arch"
    # other appliances anchored on mini-implants
    expander = "expander"  # miniscrew-assisted rapid palatal expander (MARPE)
    distaliser = "distaliser"
    cantilever = "cantilever"
    intermaxillary_fixation = "intermaxillary_fixation"


# What each kind of connection does, for the mechanics and for the drawings (one definition).

TENSION_KINDS = frozenset(
    {
        ConnectionKind.niti_tension_spring,
        ConnectionKind.elastic_chain,
        ConnectionKind.elastic,
        ConnectionKind.power_hook,
        ConnectionKind.lever_arm,
    }
)
"""Modules that pull the attachment towards the implant head (or the anchorage teeth)."""

COMPRESSION_KINDS = frozenset({ConnectionKind.compression_spring})
"""Open coils: threaded on a wire, they push the attachment away from their stop."""

CLAMPED_KINDS = frozenset(
    {ConnectionKind.cantilever, ConnectionKind.distaliser, ConnectionKind.expander}
)
"""Wires and appliances clamped in the implant head (or, tooth-borne, engaging the whole
unit) that push the teeth along the goal's direction, away from the implant in every rule
(a palatal arm pushing a tooth buccally, a distaliser, an expander); the implant takes the
moment too."""

PUSH_KINDS = COMPRESSION_KINDS | CLAMPED_KINDS
"""Connections that push the teeth away from the implant; the other active ones pull."""

RIGID_KINDS = frozenset(
    {
        ConnectionKind.segmental_arch,
        ConnectionKind.cross_tube,
        ConnectionKind.band_auxiliary_slot,
        ConnectionKind.composite_bond,
        ConnectionKind.tpa,
        ConnectionKind.quadhelix,
        ConnectionKind.horseshoe_arch,
        ConnectionKind.intermaxillary_fixation,
        ConnectionKind.ligature_tie_back,
    }
)
"""Links that make teeth an anchorage unit held by the implant (indirect anchorage)."""

PALATAL_APPLIANCE_KINDS = frozenset(
    {
        ConnectionKind.tpa,
        ConnectionKind.quadhelix,
        ConnectionKind.horseshoe_arch,
        ConnectionKind.expander,
    }
)
"""Appliances that cross the palate (a wire or screw from one side to the other)."""

ARM_KINDS = frozenset(
    {ConnectionKind.lever_arm, ConnectionKind.power_hook, ConnectionKind.cantilever}
)
"""Connections that move the point of force application away from the bracket."""

ORTHOPAEDIC_KINDS = frozenset({ConnectionKind.expander})
"""Appliances that move bones with kg forces (a MARPE's expander), not teeth with grams; the
mechanics judges them and their implants against orthopaedic data (``orthopaedic.yaml``)."""


class ImplantHead(StrEnum):
    standard = "standard"
    bracket_head = "bracket_head"
    cross_slot = "cross_slot"
    wide_slot = "wide_slot"  # takes a TPA / quadhelix wire directly


class SiteSafety(_Model):
    """What :mod:`tadplan.anatomy` says about a chosen insertion."""

    status: Literal["green", "amber", "red", "unknown"]
    min_root_clearance_mm: float | None = Field(
        default=None, description="smallest screw-to-root distance, mm (0 with root_contact)"
    )
    root_contact: bool = Field(
        default=False, description="the screw touches or enters a root (no clearance)"
    )
    teeth_at_risk: list[int] = Field(default_factory=list)
    bone_depth_mm: float | None = None
    interradicular_width_mm: float | None = None
    insertion_height_mm: float | None = Field(
        default=None, description="from the alveolar crest along the site, mm"
    )
    vertical_angle_deg: float | None = None
    horizontal_angle_deg: float | None = None
    soft_tissue: str | None = Field(default=None, description="attached gingiva / mobile mucosa")
    notes: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)


class Implant(_Model):
    id: str = Field(description="unique within the plan, e.g. 'i1'")
    site: SiteRef
    diameter_mm: float = Field(gt=0, le=3)
    length_mm: float = Field(gt=0, le=20)
    head: ImplantHead = ImplantHead.standard
    purpose: str = ""
    head_position_mm: Vec3 | None = Field(default=None, description="patient frame")
    axis: Vec3 | None = Field(default=None, description="unit vector, head towards tip")
    safety: SiteSafety | None = None
    goal_ids: list[str] = Field(default_factory=list, description="goals this implant serves")
    stage: int = Field(
        default=1, ge=1, le=3, description="treatment stage it is inserted in (2: relocated)"
    )
    apical: bool = Field(
        default=False,
        description="the rules ask for the most apical safe insertion (e.g. deep-bite retraction)",
    )
    risk: ImplantRisk | None = Field(
        default=None, description="failure risk from tadplan.risk (factors, what would lower it)"
    )


class Connection(_Model):
    """One element from an implant (or between teeth) to the attachment.

    An appliance joined rigidly to several implants (two screws per side, a MARPE on four
    screws) is one connection: ``from_implants`` lists them all, ``from_implant`` is the
    first (for readers of a single implant); the mechanics shares its load among them."""

    id: str
    kind: ConnectionKind
    from_implant: str | None = Field(
        default=None, description="implant id, if any: the primary implant (= from_implants[0])"
    )
    from_implants: list[str] = Field(
        default_factory=list,
        description="every implant that carries this connection (rigidly joined), "
        "from_implant first",
    )
    teeth: list[int] = Field(default_factory=list, description="teeth it attaches to")
    attachment: str = Field(
        default="", description="the attachment in words, for the clinician (never read back)"
    )
    attachment_site: AttachmentSite | None = Field(
        default=None,
        description="where on the tooth the module acts (bracket, occlusal or lingual button, "
        "power arm); None: the kind's usual site (mechanics.result.usual_attachment_site)",
    )
    attachment_point_mm: Vec3 | None = None
    attachment_height_mm: float | None = Field(
        default=None,
        ge=0,
        le=20,
        description="hook or power-arm length, mm, from the bracket slot along the tooth's "
        "long axis towards the apex (0: at the slot); None: the attachment's default (the "
        "bracket, or the cited power-hook height for a power hook or arm)",
    )
    hook_teeth: list[int] = Field(
        default_factory=list,
        description="where it hooks when that is not one of `teeth` (e.g. the first molars for "
        "a Class III elastic that advances the incisors): the archwire carries the force "
        "along the arch to them",
    )
    force_g: float | None = Field(default=None, ge=0, description="nominal force per side, g")
    force_source: SourceRef | None = Field(
        default=None, description="the citation of the rule's force (force_g as the rule gave it)"
    )
    rule_force_g: float | None = Field(
        default=None,
        ge=0,
        description="the rule's force when the planner fitted another module to reach the "
        "cited dose range (planner.adopt); None: force_g is the rule's",
    )
    module: ModuleKind | None = Field(
        default=None,
        description="the force module (one of the kind's, mechanics.result.FORCE_MODULES); "
        "None: the kind's usual module (mechanics.result.usual_module)",
    )
    activation_mm: float | None = Field(
        default=None,
        gt=0,
        description="activation of the module, mm (stretch, or compression of an open coil); "
        "None: the module's usual activation",
    )
    activation: str = Field(
        default="", description="the activation in words, for the clinician (never read back)"
    )
    passive: bool = Field(default=False, description="rigid/passive link (indirect anchorage)")

    @model_validator(mode="before")
    @classmethod
    def _carriers(cls, data: object) -> object:
        """Keep ``from_implant`` and ``from_implants`` consistent: either one fills the other;
        both given, ``from_implant`` must be the first of ``from_implants``."""
        if not isinstance(data, dict):
            return data
        one, many = data.get("from_implant"), data.get("from_implants")
        if many:
            if not isinstance(many, list) or not all(isinstance(i, str) for i in many):
                return data  # the field validation names the problem
            if len(set(many)) != len(many):
                raise FieldErrors.at("from_implants", f"an implant is listed twice in {many}")
            if one is None:
                return {**data, "from_implant": many[0]}
            if one != many[0]:
                raise FieldErrors.at(
                    "from_implant",
                    f"{one!r} must be the first of from_implants {many} (the primary implant)",
                )
        elif one is not None:
            return {**data, "from_implants": [one]}
        return data

    @model_validator(mode="after")
    def _module_of_kind(self) -> Connection:
        """A connection's module is one its kind can be made of (an open coil is NiTi or
        stainless steel, never a chain)."""
        allowed = FORCE_MODULES.get(self.kind.value, ())
        if self.activation_mm is not None and not allowed:
            raise FieldErrors.at(
                "activation_mm", f"a {self.kind.value} has no force module to activate"
            )
        if self.module is None:
            return self
        if self.module not in allowed:
            can = ", ".join(m.value for m in allowed) or "no force module"
            raise FieldErrors.at(
                "module", f"{self.kind.value} takes {can}, not {self.module.value}"
            )
        return self

    @model_validator(mode="after")
    def _tpa_across(self) -> Connection:
        """A transpalatal arch joins the two sides of one arch (e.g. 16 and 26): a TPA
        between teeth of one side is no cross-arch hinge."""
        if self.kind == ConnectionKind.tpa and self.teeth:
            sides = {fdi.side(t) for t in self.teeth}
            jaws = {fdi.arch(t) for t in self.teeth}
            if len(sides) < 2 or len(jaws) > 1:
                raise ValueError(
                    f"teeth: a TPA connects the two sides of one arch (e.g. 16 and 26); "
                    f"{' '.join(map(str, self.teeth))} "
                    + (
                        "span both arches"
                        if len(jaws) > 1
                        else f"are all on the {next(iter(sides))} side"
                    )
                )
        return self


class Warning(_Model):
    severity: Literal["info", "caution", "danger"] = "caution"
    code: str | None = Field(
        default=None, description="stable identifier of the check that raised it"
    )
    text: str
    sources: list[SourceRef] = Field(default_factory=list)


class RankCriterion(_Model):
    name: str
    value: float
    weight: float
    note: str = ""


class Design(_Model):
    id: str
    rule_id: str = Field(description="the knowledge-base rule that proposed it")
    title: str
    goal_ids: list[str]
    anchorage: AnchorageType
    implants: list[Implant]
    connections: list[Connection]
    activation: list[str] = Field(default_factory=list)
    reactivation: str | None = None
    prerequisites: list[str] = Field(default_factory=list)
    warnings: list[Warning] = Field(default_factory=list)
    alternatives: list[str] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    rank: int = 0
    score: float = 0.0
    criteria: list[RankCriterion] = Field(default_factory=list)
    mechanics: ForceSystem | None = Field(
        default=None, description="force system from tadplan.mechanics.analyse_design"
    )
    estimated_duration_weeks: float | None = None
    risk: DesignRisk | None = Field(
        default=None, description="chance that any of its new implants fails (tadplan.risk)"
    )


class GoalSummary(_Model):
    id: str
    kind: MovementKind
    teeth: list[int]
    amount: str
    anchorage_demand: AnchorageDemand


class GoalPlan(_Model):
    goal: GoalSummary
    designs: list[Design] = Field(description="ranked, best first")
    notes: list[str] = Field(default_factory=list)


class TraceEntry(_Model):
    rule_id: str
    goal_id: str | None
    fired: bool
    facts: list[str] = Field(default_factory=list, description="the facts that matched")
    reason: str = ""


DISCLAIMER = (
    "tadplan is decision support for a qualified clinician, not a medical device. "
    "Proposals rest on population data and published rules; verify every site, size and "
    "force on the patient's own records before treatment."
)


class Plan(_Model):
    schema_version: Literal[2] = Field(
        default=2,
        description="2: citations of doses and movement rates are SourceRef values (key, "
        "detail, tag) instead of words plus a key; connections carry force_source and "
        "rule_force_g, and the design's activation no longer holds the force steps; a "
        "citation's evidence tag is its own field, not the end of its detail; a unit's CR "
        "is described by cr_basis (a CrBasis) and cr_sources are SourceRefs",
    )
    tadplan_version: str
    case: Case
    goals: list[GoalPlan]
    shared_implants: list[str] = Field(
        default_factory=list, description="implant ids that serve more than one goal"
    )
    warnings: list[Warning] = Field(default_factory=list)
    trace: list[TraceEntry] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list, description="every source cited")
    disclaimer: str = DISCLAIMER
