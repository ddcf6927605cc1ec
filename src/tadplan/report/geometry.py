"""Where things are, for drawing: teeth, implant heads and attachment points in the
patient frame (:mod:`tadplan.anatomy.frame`, millimetres).

Tooth positions and sizes come from the anatomy package (the average dentition), default
implant positions from the mechanics package; nothing here adds a number of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from tadplan.anatomy import average_landmarks
from tadplan.anatomy.dentition import size_of
from tadplan.anatomy.landmarks import ToothLandmarks, Vec
from tadplan.case import Case, SiteRegion, Surface, fdi
from tadplan.mechanics import default_head_position, default_implant_axis
from tadplan.mechanics.geometry import GeometryError
from tadplan.model import Connection, Implant


@dataclass(frozen=True, eq=False)
class ToothShape:
    """A tooth as drawn: its landmarks plus crown diameters (mm)."""

    landmarks: ToothLandmarks
    md_width_mm: float
    bl_width_mm: float

    @property
    def fdi(self) -> int:
        return self.landmarks.fdi

    @property
    def palatal_point_mm(self) -> Vec:
        """Middle of the lingual/palatal crown surface."""
        lm = self.landmarks
        return lm.crown_centre_mm - lm.buccal * (self.bl_width_mm / 2.0)


@cache
def _average_shapes() -> dict[int, ToothShape]:
    landmarks = average_landmarks(None)
    return {
        t: ToothShape(lm, size_of(t).md_crown_mm, size_of(t).bl_crown_mm)
        for t, lm in landmarks.items()
    }


def dentition_shapes(case: Case) -> dict[int, ToothShape]:
    """Every permanent tooth position of both arches, present or not (absent teeth are
    drawn at their average positions), from :func:`tadplan.anatomy.average_landmarks` and
    the anatomy package's tooth sizes."""
    del case  # the average dentition; patient customisation is anatomy's to add
    return dict(_average_shapes())


# ----------------------------------------------------------------------------- sites


def implant_head_mm(implant: Implant, shapes: Mapping[int, ToothShape]) -> Vec:
    """The implant's head position (patient frame): the plan's, else the default position
    :mod:`tadplan.mechanics` uses for the site (at the assessed insertion height when the
    site assessment gives one)."""
    if implant.head_position_mm is not None:
        return np.asarray(implant.head_position_mm, dtype=float)
    landmarks = {t: sh.landmarks for t, sh in shapes.items()}
    height = implant.safety.insertion_height_mm if implant.safety else None
    try:
        return np.asarray(default_head_position(implant.site, landmarks, height), dtype=float)
    except (GeometryError, KeyError):
        teeth = implant.site.between or tuple(t for t in shapes if fdi.arch(t) == implant.site.jaw)
        return np.mean([shapes[t].landmarks.crown_centre_mm for t in teeth], axis=0)


def implant_axis(implant: Implant, shapes: Mapping[int, ToothShape]) -> Vec | None:
    """Unit axis, head towards tip: the plan's, else the mechanics default for the site."""
    if implant.axis is not None:
        return np.asarray(implant.axis, dtype=float)
    landmarks = {t: sh.landmarks for t, sh in shapes.items()}
    try:
        return np.asarray(default_implant_axis(implant.site, landmarks), dtype=float)
    except (GeometryError, KeyError):
        return None


def implant_is_palatal(implant: Implant) -> bool:
    site = implant.site
    return site.surface in (Surface.palatal, Surface.lingual) or site.region in (
        SiteRegion.anterior_palate,
        SiteRegion.median_palatal_suture,
        SiteRegion.paramedian_palate,
    )


def attachment_points_mm(
    conn: Connection, shapes: Mapping[int, ToothShape], palatal: bool
) -> list[Vec]:
    """Where a connection meets the teeth: the plan's point, else each tooth's bracket
    (buccal) or the middle of its palatal surface (for palatal mechanics)."""
    if conn.attachment_point_mm is not None:
        return [np.asarray(conn.attachment_point_mm, dtype=float)]
    pts: list[Vec] = []
    for t in conn.teeth:
        if t not in shapes:
            continue
        sh = shapes[t]
        pts.append(sh.palatal_point_mm if palatal else sh.landmarks.bracket_mm)
    return pts
