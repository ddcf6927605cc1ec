"""Per-tooth landmarks in the patient frame (:mod:`tadplan.anatomy.frame`), in millimetres.

This is the contract between anatomy (which builds them from the average dentition or a
patient's meshes) and mechanics/planner/report (which use them). All vectors are numpy
arrays of shape (3,); direction vectors are unit length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Vec = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ToothLandmarks:
    fdi: int
    crown_centre_mm: Vec
    """Centroid of the crown."""
    bracket_mm: Vec
    """Facial-axis point of the crown (where a bracket sits), on the buccal/labial surface."""
    cej_mm: Vec
    """Centre of the cervical line (CEJ) on the long axis."""
    apex_mm: Vec
    """Root apex (for multi-rooted teeth: the mean of the apices), on the long axis."""
    axis: Vec
    """Long axis, unit, from the crown towards the apex."""
    mesial: Vec
    """Unit, along the arch towards the midline (perpendicular to ``axis``)."""
    buccal: Vec
    """Unit, out of the arch towards cheek or lip (perpendicular to ``axis`` and ``mesial``)."""
    crown_length_mm: float
    root_length_mm: float
    n_roots: int
    alveolar_crest_mm: Vec | None = None
    """Point on the long axis at the alveolar crest (about 1.5 mm apical to the CEJ in health)."""
