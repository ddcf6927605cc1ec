"""The case model: teeth in FDI notation, dentition, findings and goals.

Reading case files (:mod:`tadplan.case.io`: ``load_case``, ``case_from_data``, ``CaseError``
...) is imported on first use, so that the case's types load without the YAML reader.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tadplan.case import fdi
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

if TYPE_CHECKING:
    from tadplan.case.io import CaseError, Problem, case_from_data, dump_case, load_case

_IO = frozenset({"CaseError", "Problem", "case_from_data", "dump_case", "load_case"})


def __getattr__(name: str) -> Any:
    if name in _IO:
        return getattr(importlib.import_module("tadplan.case.io"), name)
    raise AttributeError(f"module 'tadplan.case' has no attribute {name!r}")


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
