"""The patient coordinate frame shared by anatomy, mechanics and reports (millimetres).

- Origin: the incisal point, midway between the mesial incisal corners of the upper
  central incisors (11/21), on the occlusal plane.
- +x: towards the patient's **left**.
- +y: **anterior** (towards the lips); posterior teeth have negative y.
- +z: **superior** (towards the cranium). The occlusal plane is z = 0; maxillary roots
  point +z, mandibular roots point -z.

Right-handed: x (left) × y (anterior) = z (up).

Per-tooth local frame (see :func:`tooth_frame` in :mod:`tadplan.anatomy.dentition`):
``mesiodistal`` (towards the midline along the arch), ``buccolingual`` (towards the
cheek/lip, i.e. out of the arch), ``occlusogingival`` (from the crown towards the apex).
"""

from __future__ import annotations

import numpy as np

LEFT = np.array([1.0, 0.0, 0.0])
ANTERIOR = np.array([0.0, 1.0, 0.0])
SUPERIOR = np.array([0.0, 0.0, 1.0])
