"""The result of :func:`tadplan.mechanics.analyse_design`: a JSON-schema-able pydantic model.

Units are in the field names: forces in newtons (``_n``, vectors) and grams-force (``_g``,
magnitudes and components; 1 g = 0.00980665 N), moments in newton-millimetres (``_nmm``),
positions in millimetres in the patient frame (``_mm``), times in days or weeks.

Local components use the unit's frame (:mod:`tadplan.mechanics.geometry`): ``mesial_g`` (+
towards the midline along the arch), ``buccal_g`` (+ out of the arch: buccal/labial),
``intrusive_g`` (+ intrusive, - extrusive). A unit whose teeth are on both sides (16 and 26, 13
to 23) has no one mesial or buccal direction: its ``components`` are None, ``sides`` gives the
force on each side's teeth in that side's own frame, and ``resultant`` the summed force in the
patient's planes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from tadplan.model.citation import FrozenModel as _Model
from tadplan.model.citation import SourceRef

Vec3 = tuple[float, float, float]

Side = Literal["right", "left", "midline"]
"""The patient's side a per-side result belongs to (``midline``: across it)."""


class ModuleKind(StrEnum):
    """A force module of the catalogue (``data/force_modules.yaml``,
    :mod:`tadplan.mechanics.modules`)."""

    niti_closed_coil = "niti_closed_coil"
    elastomeric_chain = "elastomeric_chain"
    latex_elastic = "latex_elastic"
    niti_open_coil = "niti_open_coil"
    ss_open_coil = "ss_open_coil"
    ligature = "ligature"  # passive tie-back: holds, delivers no active force
    rigid = "rigid"  # wire segment, TPA, composite: rigid link


FORCE_MODULES: dict[str, tuple[ModuleKind, ...]] = {
    "niti_tension_spring": (ModuleKind.niti_closed_coil,),
    "power_hook": (ModuleKind.niti_closed_coil,),
    "lever_arm": (ModuleKind.niti_closed_coil,),
    "elastic_chain": (ModuleKind.elastomeric_chain,),
    "elastic": (ModuleKind.latex_elastic,),
    "compression_spring": (ModuleKind.niti_open_coil, ModuleKind.ss_open_coil),
}
"""Connection kind (``planner.model.ConnectionKind`` value) -> the force modules it can be
made of, the usual one first; kinds not listed carry no force module."""


class AttachmentSite(StrEnum):
    """Where on its tooth a module acts."""

    bracket = "bracket"  # the bracket or tube (raised by attachment_height_mm when given)
    occlusal = "occlusal"  # a button on the occlusal surface, on the long axis
    lingual = "lingual"  # a palatal or lingual button, TPA or appliance arm
    power_arm = "power_arm"  # a power hook or arm on the slot, of the cited height by default


_USUAL_SITE: dict[str, AttachmentSite] = {
    "power_hook": AttachmentSite.power_arm,
    "lever_arm": AttachmentSite.power_arm,
    "tpa": AttachmentSite.lingual,
}


def usual_attachment_site(kind: str) -> AttachmentSite:
    """The attachment site of a connection of ``kind`` that names none: a power hook or
    lever arm acts at its arm, a TPA on the palatal side, anything else at the bracket."""
    return _USUAL_SITE.get(kind, AttachmentSite.bracket)


def usual_module(kind: str) -> ModuleKind | None:
    """The force module of a connection of ``kind`` that names none (:data:`FORCE_MODULES`);
    None for kinds without one (rigid links, appliances)."""
    modules = FORCE_MODULES.get(kind)
    return modules[0] if modules else None


class MovementType(StrEnum):
    """Kind of tooth movement predicted from the force system at the CR."""

    none = "none"
    uncontrolled_tipping = "uncontrolled_tipping"
    controlled_tipping = "controlled_tipping"
    translation = "translation"
    root_movement = "root_movement"
    rotation = "rotation"  # a pure couple


class Components(_Model):
    mesial_g: float
    buccal_g: float
    intrusive_g: float


class PatientComponents(_Model):
    """A force in the patient's planes (g): + to the patient's left, + anterior, and +
    perpendicular to the occlusal plane towards the apices of the unit's jaw (intrusive: up in
    the maxilla, down in the mandible). Unlike ``Components.intrusive_g`` (along the teeth's
    long axis), a retraction force on proclined incisors has no intrusive part here."""

    left_g: float
    anterior_g: float
    intrusive_g: float


class MomentComponents(_Model):
    """Moment about the CR along the unit's axes (N*mm): about ``mesial`` tips the crown
    buccolingually (+ crown buccal/labial), about ``buccal`` tips it mesiodistally (+ crown
    mesial), about ``axis`` rotates it (+ mesial surface buccal). Signed by the crown movement,
    so the same on both sides of the arch (the right and left frames are mirror images). For a
    unit on both sides the unit's frame has + mesial to the patient's left; see its ``sides``."""

    about_mesial_nmm: float
    about_buccal_nmm: float
    about_axis_nmm: float


class SideForce(_Model):
    """The part of a unit's force system that acts on the teeth of one side, in that side's
    own frame (mesial/distal, buccal/palatal or lingual, intrusive/extrusive), with its moment
    about that side's own centre of resistance. A load at the midline counts half to each
    side."""

    side: Literal["right", "left"]
    teeth: list[int]
    force_g: float
    components: Components
    resultant: PatientComponents
    moment_components: MomentComponents


class CrBasis(_Model):
    """How a unit's centre of resistance was found (worded by ``mechanics.text.cr_words``):
    ``root_fraction`` - a single-rooted tooth's cited fraction of its embedded root from the
    alveolar crest; ``furcation`` - a molar's CR at its furcation, ``apical_to_cej_mm`` from
    the CEJ; ``weighted_mean`` - a segment's teeth's CRs weighted by root surface area.
    ``sources`` are the cited values of this step."""

    method: Literal["root_fraction", "furcation", "weighted_mean"]
    tooth: int | None = Field(default=None, description="FDI number of a one-tooth CR")
    fraction: float | None = Field(default=None, description="of the embedded root")
    embedded_root_mm: float | None = None
    apical_to_cej_mm: float | None = None
    tooth_count: int | None = Field(default=None, description="teeth of a weighted mean")
    sources: list[SourceRef] = Field(default_factory=list)


class UnitForceSystem(_Model):
    """The force system on one tooth or segment, reduced to its centre of resistance."""

    teeth: list[int]
    cr_mm: Vec3
    cr_basis: CrBasis = Field(description="how the CR was found, with its sources")
    cr_sources: list[SourceRef] = Field(
        default_factory=list, description="every cited value the CR rests on"
    )
    force_n: Vec3
    force_g: float
    components: Components | None = Field(
        description="in the unit's frame; None when the unit spans both sides (see sides)"
    )
    resultant: PatientComponents = Field(description="the summed force in the patient's planes")
    sides: list[SideForce] = Field(
        default_factory=list,
        description="a unit on both sides: the force on each side's teeth in its own frame",
    )
    moment_about_cr_nmm: Vec3
    moment_components: MomentComponents
    lever_mm: float | None = Field(
        default=None, description="attachment-to-CR distance perpendicular to the force, mm"
    )
    moment_to_force_mm: float | None = Field(
        default=None, description="M/F at the attachment (bracket), mm; = lever_mm for translation"
    )
    movement: MovementType
    effects: list[str] = Field(default_factory=list, description="what the unit does, in words")
    side_effects: list[str] = Field(
        default_factory=list, description="effects that are not the goal's movement"
    )


class ForceCurve(_Model):
    """Force of one module over the goal's duration, reactivated only at visits."""

    t_days: list[float]
    force_g: list[float]
    reactivation_days: list[float] = Field(
        description="visits at which the module is reactivated or replaced (at most one each)"
    )
    useful_min_g: float = Field(
        description="applied force at the bottom of the cited dose range; not a threshold the "
        "module reaches when starts_below_range"
    )
    reactivation_interval_days: float | None = Field(
        default=None,
        description="days after (re)activation until the force falls below useful_min_g; "
        "None: it stays in range (or starts below it)",
    )
    appointment_interval_days: float = Field(description="cited interval between visits")
    starts_below_range: bool = Field(
        default=False, description="the force at placement is already below useful_min_g"
    )
    works_at_g: float | None = Field(
        default=None,
        description="when it falls below range within a day: about the force it then works at "
        "until the next visit (middle of the interval)",
    )


class ModuleUse(_Model):
    kind: ModuleKind
    description: str
    nominal_g: float | None = None
    length_mm: float | None = None
    activation_mm: float


class DoseCheck(_Model):
    """The force of one connection against its cited range.

    ``basis`` says what the range measures: ``applied`` (the module's force in a clinical study
    of the same mechanics, which met ordinary sliding friction) or ``delivered`` (the force on
    the teeth). ``compared_g`` is the force put against the range on that basis.
    """

    low_g: float
    high_g: float
    source: SourceRef = Field(description="the range's citation")
    basis: Literal["applied", "delivered"]
    basis_detail: str = ""
    delivered_g: float = Field(description="force reaching the unit after friction")
    compared_g: float = Field(
        description="applied basis: the applied force the study would have needed for the same "
        "delivered force at its ordinary sliding friction; delivered basis: delivered_g"
    )
    ordinary_friction_fraction: float = Field(
        default=0.0, description="sliding friction already inside an applied-basis range"
    )
    status: Literal["below", "within", "above"]
    required_applied_g: float = Field(description="module force that lands mid-range")
    useful_min_applied_g: float = Field(
        description="module force at which the dose reaches the bottom of the range"
    )
    suggestion: str | None = None
    suggested_module: ModuleKind | None = Field(
        default=None, description="kind of the suggested module, when the mechanics can fit it"
    )
    suggested_force_g: float | None = Field(
        default=None,
        description="the connection's force_g for the suggested module (closed coils: the class)",
    )
    suggested_activation_mm: float | None = None


class ConnectionForce(_Model):
    connection_id: str = Field(
        description="the design connection's id, or for one side of it (or of a case "
        "appliance) that id with the side, e.g. 'd2-c1 (right)'"
    )
    design_connection_id: str = Field(
        default="",
        description="the design connection (or case appliance) this result belongs to; "
        "filled from connection_id when not given",
    )
    side: Side | None = Field(
        default=None, description="the side this result covers when it is one side of it"
    )
    kind: str
    role: Literal["active", "rigid_link", "tooth_borne", "attachment", "ignored", "appliance"] = (
        Field(
            description="attachment: a lever arm or power hook through which another connection "
            "pulls (no force of its own); appliance: an external force (Herbst, Class II/III "
            "elastics, one side) on a unit held by implants: applied_g at point_mm along "
            "direction, carried by implant_ids through the design's links"
        )
    )
    implant_id: str | None = Field(default=None, description="the first of implant_ids")
    implant_ids: list[str] = Field(
        default_factory=list,
        description="every implant that carries this connection's reaction (shared among them)",
    )
    goal_id: str | None = None
    teeth: list[int] = Field(default_factory=list)
    module: ModuleUse | None = None
    applied_g: float = 0.0
    friction_loss_fraction: float = 0.0
    friction_sources: list[SourceRef] = Field(
        default_factory=list, description="the citations of the friction fraction"
    )
    delivered_g: float = 0.0
    point_mm: Vec3 | None = None
    direction: Vec3 | None = None
    attachment_height_mm: float | None = Field(
        default=None,
        description="height of the hook or power arm the pull acts on, mm from the bracket "
        "slot along the tooth's long axis (0: at the slot); None off the slot (button, TPA)",
    )
    translation_height_mm: float | None = Field(
        default=None,
        description="the hook or power-arm height (mm from the slot) at which this pull, with "
        "its friction in the slot, would translate the unit (no moment about its CR in the "
        "plane of the movement; mechanics.power_arm_for_translation); None when it does not "
        "apply (not a sliding pull from an implant on a bracket, or no length does it)",
    )
    system: UnitForceSystem | None = Field(default=None, description="this connection alone")
    dose: DoseCheck | None = None
    curve: ForceCurve | None = None
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _first_carrier(cls, data: Any) -> Any:
        """``implant_id`` is the first of ``implant_ids`` and ``design_connection_id`` is
        ``connection_id`` unless given."""
        if isinstance(data, dict) and data.get("implant_id") is None and data.get("implant_ids"):
            data = {**data, "implant_id": data["implant_ids"][0]}
        if isinstance(data, dict) and not data.get("design_connection_id"):
            data = {**data, "design_connection_id": data.get("connection_id", "")}
        return data


class ImplantLoad(_Model):
    implant_id: str
    head_mm: Vec3
    axis: Vec3
    head_position_derived: bool = Field(description="true when tadplan placed the head itself")
    force_n: Vec3
    force_g: float
    moment_about_head_nmm: Vec3
    torsion_nmm: float = Field(description="moment about the screw's own axis (turns it in/out)")
    bending_nmm: float
    flags: list[str] = Field(default_factory=list)


class GoalTime(_Model):
    goal_id: str
    kind: str
    amount_mm: float | None
    rate_mm_per_month: float | None
    rate_source: SourceRef | None = Field(description="the rate's citation")
    duration_weeks: float | None
    note: str = ""


class MechWarning(_Model):
    severity: Literal["info", "caution", "danger"] = "caution"
    code: str | None = Field(default=None, description="stable identifier of the finding")
    text: str
    sources: list[str] = Field(default_factory=list, description="registry keys")


class ForceSystem(_Model):
    """Force system of one design: per connection, per moved unit (resultant), the reactive
    load on tooth anchorage, the load on each implant, dose, time and warnings."""

    design_id: str
    frame: str = (
        "patient frame, mm: origin upper incisal point, +x patient's left, +y anterior, "
        "+z superior; forces in N (vectors) and g (magnitudes), moments in N*mm"
    )
    connections: list[ConnectionForce]
    units: list[UnitForceSystem] = Field(description="resultant on each moved unit")
    anchorage: list[UnitForceSystem] = Field(
        default_factory=list, description="reactions carried by teeth not held by implants"
    )
    implants: list[ImplantLoad]
    goals: list[GoalTime]
    estimated_duration_weeks: float | None = None
    warnings: list[MechWarning] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="registry keys used")
