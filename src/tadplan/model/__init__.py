"""The plan's vocabulary: the bottom layer every other package may import.

Implants, connections and their kinds (with what each kind does: :data:`TENSION_KINDS`,
:data:`PUSH_KINDS`, :data:`RIGID_KINDS`, ...), designs, site safety, force results
(:mod:`.forces`), risk results (:mod:`.risk`), citations (:mod:`.citation`), the plan and
its trace (:mod:`.plan`). It depends on :mod:`tadplan.case`, :mod:`tadplan.errors`, pydantic
and numpy only (``[tool.importlinter]`` in pyproject.toml keeps it so), and it computes
nothing: the mechanics fills :class:`ForceSystem`, the risk model :class:`ImplantRisk`, the
planner :class:`Plan`.

The JSON form of :class:`Plan` is documented by ``tadplan schema --plan`` and is stable.
"""

from tadplan.model.citation import TAGS, Cited, FrozenModel, SourceRef, Tag
from tadplan.model.forces import (
    Components,
    ConnectionForce,
    DoseCheck,
    ForceCurve,
    ForceSystem,
    GoalTime,
    ImplantLoad,
    MechWarning,
    ModuleUse,
    MomentComponents,
    MovementType,
    PatientComponents,
    SideForce,
    UnitForceSystem,
)
from tadplan.model.plan import (
    ARM_KINDS,
    CLAMPED_KINDS,
    COMPRESSION_KINDS,
    DISCLAIMER,
    ORTHOPAEDIC_KINDS,
    PALATAL_APPLIANCE_KINDS,
    PUSH_KINDS,
    RIGID_KINDS,
    TENSION_KINDS,
    AnchorageType,
    Connection,
    ConnectionKind,
    Design,
    GoalPlan,
    GoalSummary,
    Implant,
    ImplantHead,
    Plan,
    RankCriterion,
    SiteSafety,
    TraceEntry,
    Warning,
)
from tadplan.model.risk import DesignRisk, ImplantRisk, Mitigation, MitigationCode, RiskFactor

__all__ = [
    "ARM_KINDS",
    "CLAMPED_KINDS",
    "COMPRESSION_KINDS",
    "DISCLAIMER",
    "ORTHOPAEDIC_KINDS",
    "PALATAL_APPLIANCE_KINDS",
    "PUSH_KINDS",
    "RIGID_KINDS",
    "TAGS",
    "TENSION_KINDS",
    "AnchorageType",
    "Cited",
    "Components",
    "Connection",
    "ConnectionForce",
    "ConnectionKind",
    "Design",
    "DesignRisk",
    "DoseCheck",
    "ForceCurve",
    "ForceSystem",
    "FrozenModel",
    "GoalPlan",
    "GoalSummary",
    "GoalTime",
    "Implant",
    "ImplantHead",
    "ImplantLoad",
    "ImplantRisk",
    "MechWarning",
    "Mitigation",
    "MitigationCode",
    "ModuleUse",
    "MomentComponents",
    "MovementType",
    "PatientComponents",
    "Plan",
    "RankCriterion",
    "RiskFactor",
    "SideForce",
    "SiteSafety",
    "SourceRef",
    "Tag",
    "TraceEntry",
    "UnitForceSystem",
    "Warning",
]
