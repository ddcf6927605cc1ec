"""Anatomy: the average dentition with roots, patient meshes, CBCT, site measurements and the
safe-site search. Frame and units: :mod:`tadplan.anatomy.frame` (millimetres)."""

from tadplan.anatomy.dentition import Customisation, average_landmarks
from tadplan.anatomy.landmarks import ToothLandmarks

__all__ = ["Customisation", "ToothLandmarks", "average_landmarks"]
