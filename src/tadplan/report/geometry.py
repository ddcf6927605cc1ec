"""Where things are, for drawing: teeth, implant heads and attachment points in the
patient frame (:mod:`tadplan.anatomy.frame`, millimetres).

Tooth positions and sizes come from the anatomy package (the average dentition); this
module only adds the drawing conventions (schematic site points when a plan gives none).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np

from tadplan.anatomy import average_landmarks
from tadplan.anatomy.dentition import size_of
from tadplan.anatomy.landmarks import ToothLandmarks, Vec
from tadplan.case import Case, SiteRef, SiteRegion, Surface
from tadplan.planner.model import Connection, Implant


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


def _mid(a: Vec, b: Vec) -> Vec:
    return (np.asarray(a) + np.asarray(b)) / 2.0


def site_point_mm(site: SiteRef, shapes: Mapping[int, ToothShape], lift: float = 0.0) -> Vec:
    """A schematic point for a site, for drawing when the plan gives no head position:
    inter-radicular sites between the two crowns on their surface, named regions next to
    the teeth that bound them. Inter-radicular heads sit ``lift`` mm apical to the CEJ
    (signed along +z; the site's insertion height when anatomy gives one)."""
    jaw = site.jaw
    right = site.side != "left"
    sx = -1.0 if right else 1.0

    def lm(t: int) -> ToothLandmarks:
        return shapes[t].landmarks

    if site.between is not None:
        a, b = site.between
        sa, sb = shapes[a], shapes[b]
        centre = _mid(sa.landmarks.crown_centre_mm, sb.landmarks.crown_centre_mm)
        out_dir = _mid(sa.landmarks.buccal, sb.landmarks.buccal)
        half_bl = (sa.bl_width_mm + sb.bl_width_mm) / 4.0
        sign = 1.0 if site.surface == Surface.buccal else -1.0
        p = centre + sign * out_dir * (half_bl + 1.5)
        return np.array([p[0], p[1], _mid(sa.landmarks.cej_mm, sb.landmarks.cej_mm)[2] + lift])
    q_up = 1 if right else 2
    q_low = 4 if right else 3
    region = site.region
    if region == SiteRegion.anterior_palate:
        y = _mid(lm(14).crown_centre_mm, lm(24).crown_centre_mm)[1]
        return np.array([0.0 if site.side in (None, "midline") else sx * 3.0, y, 12.0])
    if region == SiteRegion.median_palatal_suture:
        return np.array([0.0, _mid(lm(15).crown_centre_mm, lm(16).crown_centre_mm)[1], 12.0])
    if region == SiteRegion.paramedian_palate:
        return np.array([sx * 5.0, _mid(lm(15).crown_centre_mm, lm(16).crown_centre_mm)[1], 12.0])
    if region == SiteRegion.infrazygomatic_crest:
        t6, t7 = lm(q_up * 10 + 6), lm(q_up * 10 + 7)
        p = _mid(t6.crown_centre_mm, t7.crown_centre_mm) + _mid(t6.buccal, t7.buccal) * 8.0
        return np.array([p[0], p[1], 14.0])
    if region == SiteRegion.mandibular_buccal_shelf:
        t6, t7 = lm(q_low * 10 + 6), lm(q_low * 10 + 7)
        p = _mid(t6.crown_centre_mm, t7.crown_centre_mm) + _mid(t6.buccal, t7.buccal) * 8.0
        return np.array([p[0], p[1], -12.0])
    if region in (SiteRegion.retromolar, SiteRegion.tuberosity):
        q = q_up if jaw == "maxilla" else q_low
        t7 = shapes[q * 10 + 7]
        p = t7.landmarks.crown_centre_mm - t7.landmarks.mesial * (t7.md_width_mm / 2.0 + 5.0)
        return np.array([p[0], p[1], 10.0 if jaw == "maxilla" else -10.0])
    # edentulous ridge or anything else: the arch midline point of the jaw
    q = q_up if jaw == "maxilla" else q_low
    return np.asarray(lm(q * 10 + 5).crown_centre_mm, dtype=float)


def implant_head_mm(implant: Implant, shapes: Mapping[int, ToothShape]) -> Vec:
    """The implant's head position (patient frame): the plan's, else a schematic point."""
    if implant.head_position_mm is not None:
        return np.asarray(implant.head_position_mm, dtype=float)
    height = implant.safety.insertion_height_mm if implant.safety else None
    up = 1.0 if implant.site.jaw == "maxilla" else -1.0
    return site_point_mm(implant.site, shapes, lift=up * (height or 0.0))


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
