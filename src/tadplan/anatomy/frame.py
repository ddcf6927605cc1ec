"""The patient coordinate frame shared by anatomy, mechanics and reports (millimetres).

- Origin: the incisal point, midway between the mesial incisal corners of the upper
  central incisors (11/21), on the occlusal plane.
- +x: towards the patient's **left**.
- +y: **anterior** (towards the lips); posterior teeth have negative y.
- +z: **superior** (towards the cranium). The occlusal plane is z = 0; maxillary roots
  point +z, mandibular roots point -z.

As a physical frame it is left-handed (x left, y anterior, z up), though
``np.cross(x, y) = z`` in coordinates: a moment computed as ``np.cross(r, F)`` here turns the
opposite way to the right-hand rule in the patient. The mechanics never reads a moment's
physical sense from the right-hand rule: it names rotations (crown tip, torque, rotation) by
the sign of the moment about each tooth's own axes, pinned by clinical tests (a force
occlusal to the centre of resistance tips the crown towards the force, and so on). A 3D view
that draws in a right-handed frame mirrors x.

Per-tooth local frame (see :func:`tooth_frame` in :mod:`tadplan.anatomy.dentition`):
``mesiodistal`` (towards the midline along the arch), ``buccolingual`` (towards the
cheek/lip, i.e. out of the arch), ``occlusogingival`` (from the crown towards the apex).
"""

from __future__ import annotations

import numpy as np

LEFT = np.array([1.0, 0.0, 0.0])
ANTERIOR = np.array([0.0, 1.0, 0.0])
SUPERIOR = np.array([0.0, 0.0, 1.0])
