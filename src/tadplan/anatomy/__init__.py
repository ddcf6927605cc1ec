"""Anatomy: the average dentition with roots, patient meshes, CBCT, site measurements and the
safe-site search. Frame and units: :mod:`tadplan.anatomy.frame` (millimetres).

Public entry points (heavier modules are imported on first use):

- :func:`average_landmarks` (case) -> {fdi: :class:`ToothLandmarks`}
- :func:`average_dentition` (case) -> :class:`DentitionModel` (landmarks + crown/root meshes)
- :func:`interradicular_table` (model) -> rows of inter-radicular distance by site and height
- :func:`best_insertion` / :func:`assess_insertion` (case, site) -> :class:`Insertion` /
  :class:`~tadplan.model.SiteSafety`; :func:`place_implant` (case, implant,
  occupied_mm=heads) is the planner's placer: it keeps each screw
  :func:`min_head_distance_mm` from the heads already placed in the design
- :func:`search_all_sites` (case) -> the exhaustive both-arch survey
- :func:`clearance_map` (case, site, diameter_mm=, length_mm=) -> :class:`ClearanceMap`:
  root clearance of one screw over insertion height x mesiodistal position
- :func:`load_patient` (dir or manifest) -> patient meshes; :func:`read_dicom_series`,
  :func:`measure_axis`, :func:`assess_with_cbct` -> CBCT volume, tissue along a screw
  axis, and an insertion's safety updated with the measured bone depth;
  :func:`assess_on_patient` (case, implant, patient model) -> a placed screw's safety with
  its root clearance measured on the patient's tooth meshes
"""

from __future__ import annotations

import importlib
from typing import Any

from tadplan._cache import configure_numba

configure_numba()  # numba's kernel cache in the user's cache directory: before numba loads

from tadplan.anatomy.dentition import Customisation, average_landmarks  # noqa: E402
from tadplan.anatomy.landmarks import ToothLandmarks  # noqa: E402

_LAZY = {
    "average_dentition": "tadplan.anatomy.meshes",
    "DentitionModel": "tadplan.anatomy.meshes",
    "interradicular_table": "tadplan.anatomy.sites",
    "best_insertion": "tadplan.anatomy.safety",
    "assess_insertion": "tadplan.anatomy.safety",
    "place_implant": "tadplan.anatomy.safety",
    "min_head_distance_mm": "tadplan.anatomy.safety",
    "Insertion": "tadplan.anatomy.safety",
    "SiteUnavailable": "tadplan.anatomy.safety",
    "search_all_sites": "tadplan.anatomy.survey",
    "clearance_map": "tadplan.anatomy.clearance",
    "ClearanceMap": "tadplan.anatomy.clearance",
    "load_patient": "tadplan.anatomy.patient",
    "PatientMeshError": "tadplan.anatomy.patient",
    "read_dicom_series": "tadplan.anatomy.cbct",
    "measure_axis": "tadplan.anatomy.cbct",
    "CBCTError": "tadplan.anatomy.cbct",
    "assess_with_cbct": "tadplan.anatomy.cbct",
    "assess_on_patient": "tadplan.anatomy.safety",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tadplan.anatomy' has no attribute {name!r}")


__all__ = ["Customisation", "ToothLandmarks", "average_landmarks", *sorted(_LAZY)]
