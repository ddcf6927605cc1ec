"""The case model: teeth in FDI notation, dentition, findings and goals."""

from tadplan.case import fdi
from tadplan.case.io import CaseError, Problem, case_from_data, dump_case, load_case
from tadplan.case.model import (
    AnchorageDemand,
    Appliance,
    Case,
    Control,
    Goal,
    MovementKind,
    SiteRef,
    SiteRegion,
    Surface,
    ToothStatus,
)

__all__ = [
    "AnchorageDemand",
    "Appliance",
    "Case",
    "CaseError",
    "Control",
    "Goal",
    "MovementKind",
    "Problem",
    "SiteRef",
    "SiteRegion",
    "Surface",
    "ToothStatus",
    "case_from_data",
    "dump_case",
    "fdi",
    "load_case",
]
