"""Centres of resistance, tooth and segment frames, and default implant geometry.

Patient frame of :mod:`tadplan.anatomy.frame`: millimetres, origin at the upper incisal point,
+x patient's left, +y anterior, +z superior. A *unit* is the tooth or segment of teeth that a
force acts on; its local frame has three unit axes:

- ``mesial``: along the arch towards the midline (for a segment that crosses the midline the
  mesiodistal direction is undefined; the axis is then the patient's left, +x);
- ``buccal``: out of the arch, towards cheek or lip (labial for anterior teeth);
- ``axis``: occlusogingival, from the crown towards the apex (so + is intrusive).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.case import fdi
from tadplan.case.model import SiteRef, SiteRegion, Surface
from tadplan.errors import ComputationError
from tadplan.mechanics.data import MechanicsData, mechanics_data
from tadplan.model import Cited, CrBasis, SourceRef

Vec = NDArray[np.float64]


class GeometryError(ComputationError):
    """Geometry that cannot be built from the landmarks given (names the tooth or site)."""


def unit_vector(v: Vec) -> Vec:
    n = float(np.linalg.norm(v))
    if n == 0.0:
        raise GeometryError("zero-length direction")
    return np.asarray(v, dtype=float) / n


def moment_about(point_mm: Vec, application_mm: Vec, force: Vec) -> Vec:
    """Moment of ``force`` applied at ``application_mm`` about ``point_mm``: r x F
    (units: force unit x mm, e.g. N*mm when the force is in newtons)."""
    return np.cross(np.asarray(application_mm) - np.asarray(point_mm), np.asarray(force))


def transfer_moment(moment: Vec, force: Vec, from_mm: Vec, to_mm: Vec) -> Vec:
    """The moment of a force system about ``to_mm`` given its resultant ``force`` and its
    moment about ``from_mm``: M_to = M_from + (from - to) x F."""
    return np.asarray(moment) + np.cross(np.asarray(from_mm) - np.asarray(to_mm), force)


def power_arm_for_translation(
    cr_mm: Vec,
    bracket_mm: Vec,
    axis: Vec,
    head_mm: Vec,
    plane_normal: Vec,
    sliding: Vec | None = None,
    friction_fraction: float = 0.0,
) -> float | None:
    """Length (mm, from the bracket slot along ``axis``, towards the apex) of the power arm
    whose tip puts the line of a pull from ``head_mm`` through the centre of resistance in
    the plane normal to ``plane_normal`` (the tipping axis: the transverse axis for a
    sagittal movement), so the moment about ``cr_mm`` in that plane is zero: translation.

    With the tip P = B + h a and the pull along H - P, its moment about C is
    (P - C) x (H - C), linear in h. With sliding mechanics, friction takes
    ``friction_fraction`` of the pull's component along ``sliding`` and acts in the slot B
    (against the sliding); its moment is added, still linear in h. A shorter arm tips the
    crown towards the implant, a longer one moves the root first (the moment reverses).
    None when no length turns the moment to zero (the pull runs along the arm).
    """
    c = np.asarray(cr_mm, dtype=float)
    b = np.asarray(bracket_mm, dtype=float)
    a = np.asarray(axis, dtype=float)
    h_mm = np.asarray(head_mm, dtype=float)
    hc = h_mm - c
    n = unit_vector(np.asarray(plane_normal, dtype=float))
    const = float(np.dot(n, np.cross(b - c, hc)))
    slope = float(np.dot(n, np.cross(a, hc)))
    if sliding is not None and friction_fraction > 0:
        s = unit_vector(np.asarray(sliding, dtype=float))
        k = friction_fraction * float(np.dot(n, np.cross(b - c, s)))
        const -= k * float(np.dot(h_mm - b, s))
        slope += k * float(np.dot(a, s))
    if abs(slope) < 1e-9:
        return None
    return -const / slope


def incisal_point(lm: ToothLandmarks) -> Vec:
    """The occlusal end of the long axis (incisal edge or occlusal centre), mm."""
    return lm.cej_mm - lm.axis * lm.crown_length_mm


def _crest(lm: ToothLandmarks, data: MechanicsData) -> Vec:
    if lm.alveolar_crest_mm is not None:
        return lm.alveolar_crest_mm
    return lm.cej_mm + lm.axis * data.centres.single_rooted.crest_below_cej_mm.value


def tooth_cr(lm: ToothLandmarks, data: MechanicsData | None = None) -> tuple[Vec, CrBasis]:
    """Centre of resistance of one tooth (patient frame, mm) and how it was found.

    Incisors, canines and premolars: the cited fraction of the embedded root (alveolar crest to
    apex, along the long axis) apical to the crest. Molars: at the furcation of their own type
    (jaw and position: CEJ + that molar's root trunk) plus the cited offset.
    """
    data = data or mechanics_data()
    if fdi.tooth_type(lm.fdi).value != "molar":
        c = data.centres.single_rooted.fraction_of_embedded_root_from_crest
        crest = _crest(lm, data)
        embedded = float(np.dot(lm.apex_mm - crest, lm.axis))
        if embedded <= 0:
            raise GeometryError(f"tooth {lm.fdi}: the apex is not apical to the alveolar crest")
        return crest + lm.axis * c.value * embedded, CrBasis(
            method="root_fraction",
            tooth=lm.fdi,
            fraction=c.value,
            embedded_root_mm=embedded,
            sources=[c.ref()],
        )
    m = data.centres.multi_rooted
    trunk = m.furcation_depth_mm[f"{fdi.arch(lm.fdi)}_{fdi.position(lm.fdi)}"]
    depth = trunk.value + m.cr_apical_to_furcation_mm.value
    return lm.cej_mm + lm.axis * depth, CrBasis(
        method="furcation",
        tooth=lm.fdi,
        apical_to_cej_mm=depth,
        sources=[trunk.ref(), m.cr_apical_to_furcation_mm.ref()],
    )


def cr_sources(teeth: Sequence[int], data: MechanicsData | None = None) -> tuple[SourceRef, ...]:
    """The cited values a tooth's or segment's CR rests on (as :func:`segment_cr` finds it):
    the single-rooted fraction or the molar's root trunk and offset, and for a segment the
    weighting and its root surface areas."""
    data = data or mechanics_data()
    refs: list[SourceRef] = []
    cited: list[Cited] = []
    if len(teeth) > 1:
        comb = data.centres.combination
        refs.append(_combination_ref(data))
        cited += [comb.pdl_area_mm2(fdi.arch(t), fdi.position(t)) for t in teeth]
    for t in teeth:
        if fdi.tooth_type(t).value != "molar":
            cited.append(data.centres.single_rooted.fraction_of_embedded_root_from_crest)
        else:
            m = data.centres.multi_rooted
            cited.append(m.furcation_depth_mm[f"{fdi.arch(t)}_{fdi.position(t)}"])
            cited.append(m.cr_apical_to_furcation_mm)
    return tuple(dict.fromkeys([*refs, *(c.ref() for c in cited)]))


def _combination_ref(data: MechanicsData) -> SourceRef:
    """The segment weighting's citation (its data file's ``detail`` explains the rule at
    length for maintainers; the key and tag are what the plan carries)."""
    comb = data.centres.combination
    return SourceRef(key=comb.source, tag=comb.tag)


def segment_cr(
    teeth: Sequence[int], landmarks: Mapping[int, ToothLandmarks], data: MechanicsData | None = None
) -> tuple[Vec, CrBasis]:
    """Centre of resistance of a segment of teeth: the mean of its teeth's CRs weighted by
    their root (PDL) surface areas (checked against the published segment CRs held out in
    centres_of_resistance.yaml)."""
    data = data or mechanics_data()
    lms = [_lm(t, landmarks) for t in teeth]
    if len(lms) == 1:
        return tooth_cr(lms[0], data)
    comb = data.centres.combination
    weights = np.array(
        [comb.pdl_area_mm2(fdi.arch(lm.fdi), fdi.position(lm.fdi)).value for lm in lms]
    )
    crs = np.array([tooth_cr(lm, data)[0] for lm in lms])
    cr = (weights[:, None] * crs).sum(axis=0) / weights.sum()
    return cr, CrBasis(
        method="weighted_mean", tooth_count=len(lms), sources=[_combination_ref(data)]
    )


def _lm(tooth: int, landmarks: Mapping[int, ToothLandmarks]) -> ToothLandmarks:
    try:
        return landmarks[tooth]
    except KeyError:
        raise GeometryError(f"tooth {tooth}: no landmarks (is it in the mouth?)") from None


@dataclass(frozen=True, eq=False)
class Unit:
    """A tooth or segment that moves (or anchors) as one body, with its CR and local frame."""

    teeth: tuple[int, ...]
    cr_mm: Vec
    cr_basis: CrBasis
    attachment_mm: Vec
    """Reference attachment: the (mean) bracket point."""
    mesial: Vec
    buccal: Vec
    axis: Vec
    jaw: fdi.Arch
    spans_midline: bool
    cr_sources: tuple[SourceRef, ...] = ()
    """The cited values the CR rests on (:func:`cr_sources`)."""
    halves: tuple[Unit, ...] = ()
    """For a unit that spans the midline: its right and left teeth as units of their own,
    each with its own frame (mesial/distal, buccal/palatal), in that order."""

    @property
    def anterior(self) -> bool:
        return all(fdi.is_anterior(t) for t in self.teeth)

    def local(self, v: Vec) -> Vec:
        """Components of ``v`` along (mesial, buccal, occlusogingival)."""
        return np.array([np.dot(v, self.mesial), np.dot(v, self.buccal), np.dot(v, self.axis)])

    def rotation(self) -> Vec:
        """3x3 matrix whose rows are the local axes (global -> local)."""
        return np.vstack([self.mesial, self.buccal, self.axis])

    def label(self) -> str:
        return " ".join(map(str, self.teeth))


def make_unit(
    teeth: Sequence[int], landmarks: Mapping[int, ToothLandmarks], data: MechanicsData | None = None
) -> Unit:
    """The unit of ``teeth`` (one tooth or a segment) with its CR and frame."""
    if not teeth:
        raise GeometryError("a unit needs at least one tooth")
    lms = [_lm(t, landmarks) for t in teeth]
    jaws = {fdi.arch(t) for t in teeth}
    if len(jaws) > 1:
        raise GeometryError(f"teeth {list(teeth)} span both arches: one unit per arch")
    cr, basis = segment_cr(teeth, landmarks, data)
    axis = unit_vector(np.mean([lm.axis for lm in lms], axis=0))
    sides = {fdi.side(t) for t in teeth}
    spans = len(sides) > 1
    buccal_raw = np.mean([lm.buccal for lm in lms], axis=0)
    kinds = {fdi.tooth_type(t).value in ("incisor", "canine") for t in teeth}
    if not spans and len(kinds) > 1:
        # a half-arch round the corner of the arch (incisors to molars): its mean buccal
        # points half forward; clinicians describe such a segment's movement in the
        # patient's planes (outward = buccal, forward = mesial)
        buccal_raw = np.array([1.0 if fdi.side(teeth[0]) == "left" else -1.0, 0.0, 0.0])
    buccal_raw = buccal_raw - np.dot(buccal_raw, axis) * axis
    if np.linalg.norm(buccal_raw) < 0.3:  # a whole arch: out of the arch is anterior
        buccal_raw = np.array([0.0, 1.0, 0.0]) - axis[1] * axis
    buccal = unit_vector(buccal_raw)
    mesial_raw = np.cross(axis, buccal)
    ref = np.mean([lm.mesial for lm in lms], axis=0)
    if spans:
        ref = np.array([1.0, 0.0, 0.0])
    mesial = unit_vector(mesial_raw if np.dot(mesial_raw, ref) >= 0 else -mesial_raw)
    return Unit(
        teeth=tuple(teeth),
        cr_mm=cr,
        cr_basis=basis,
        cr_sources=cr_sources(teeth, data),
        attachment_mm=np.mean([lm.bracket_mm for lm in lms], axis=0),
        mesial=mesial,
        buccal=buccal,
        axis=axis,
        jaw=next(iter(jaws)),
        spans_midline=spans,
        halves=tuple(
            make_unit([t for t in teeth if fdi.side(t) == s], landmarks, data)
            for s in ("right", "left")
        )
        if spans
        else (),
    )


# ----------------------------------------------------------------------------- implants


def _outward(surface: Surface | None) -> float:
    return -1.0 if surface in (Surface.palatal, Surface.lingual) else 1.0


def default_head_position(
    site: SiteRef,
    landmarks: Mapping[int, ToothLandmarks],
    height_mm: float | None = None,
    data: MechanicsData | None = None,
) -> Vec:
    """Where the head of an implant at ``site`` sits (patient frame, mm), from the landmarks.

    - Inter-radicular site between teeth a and b: the mean of their CEJs moved ``height_mm``
      apically along their mean long axis (default: the cited insertion height from the CEJ),
      then out to the buccal (or palatal/lingual) surface line of the crowns plus the head
      clearance.
    - Palatal sites (median suture, anterior palate, paramedian): at the midline (paramedian:
      the cited lateral offset), at the first molars (median suture) or the premolars
      (anterior/paramedian palate), at the cited fraction of the root height.
    - Infrazygomatic crest / buccal shelf / retromolar / tuberosity: next to the first or
      second molar, buccal or distal, at the height of the inter-radicular default.
    """
    data = data or mechanics_data()
    g = data.geometry
    h = g.insertion_height_from_cej_mm.value if height_mm is None else height_mm
    if site.between is not None:
        a, b = (_lm(t, landmarks) for t in site.between)
        axis = unit_vector(a.axis + b.axis)
        sign = _outward(site.surface)
        out = unit_vector(a.buccal + b.buccal) * sign
        cej = (a.cej_mm + b.cej_mm) / 2
        crown_line = max(
            float(np.dot(lm.bracket_mm - lm.crown_centre_mm, lm.buccal)) for lm in (a, b)
        )
        return cej + axis * h + out * (crown_line + g.head_clearance_mm.value)
    jaw = site.jaw
    region = site.region
    side_teeth = _side_teeth(site, landmarks)
    if region in (
        SiteRegion.median_palatal_suture,
        SiteRegion.anterior_palate,
        SiteRegion.paramedian_palate,
    ):
        pos = 6 if region == SiteRegion.median_palatal_suture else 4
        pair = [t for t in (10 + pos, 20 + pos) if t in landmarks] or _nearest_pos(
            landmarks, jaw, pos
        )
        lms = [landmarks[t] for t in pair]
        y = float(np.mean([lm.cej_mm[1] for lm in lms]))
        cej_z = float(np.mean([lm.cej_mm[2] for lm in lms]))
        apex_z = float(np.mean([lm.apex_mm[2] for lm in lms]))
        z = cej_z + g.palatal_height_fraction_of_root.value * (apex_z - cej_z)
        x = 0.0
        if region == SiteRegion.paramedian_palate:
            x = g.paramedian_offset_mm.value * (1.0 if site.side == "left" else -1.0)
        return np.array([x, y, z])
    if region == SiteRegion.edentulous_ridge:
        return _ridge_point(site, landmarks, g.head_clearance_mm.value)
    if not side_teeth:
        raise GeometryError(
            f"site {site.label()}: no molar landmarks to place it by; give head_position_mm"
        )
    lm = landmarks[side_teeth[0]]
    base = lm.cej_mm + lm.axis * h
    crown_line = float(np.dot(lm.bracket_mm - lm.crown_centre_mm, lm.buccal))
    if region in (SiteRegion.infrazygomatic_crest, SiteRegion.mandibular_buccal_shelf):
        return base + lm.buccal * (crown_line + 2 * g.head_clearance_mm.value)
    if region in (SiteRegion.retromolar, SiteRegion.tuberosity):
        half_md = float(np.linalg.norm(lm.crown_centre_mm - lm.bracket_mm))
        return lm.cej_mm - lm.mesial * (half_md + g.head_clearance_mm.value)
    raise GeometryError(f"site {site.label()}: no default head position; give head_position_mm")


def _ridge_point(
    site: SiteRef, landmarks: Mapping[int, ToothLandmarks], clearance_mm: float
) -> Vec:
    """Top of the edentulous ridge: the middle of the widest gap between neighbouring teeth
    on the site's side, at the crest level of its neighbours, ``clearance_mm`` occlusal."""
    order = [t for t in fdi.arch_order(site.jaw) if t in landmarks]
    side = site.side if site.side in ("left", "right") else None
    best: tuple[float, Vec] | None = None
    for a, b in itertools.pairwise(order):
        if side is not None and side not in (fdi.side(a), fdi.side(b)):
            continue
        la, lb = landmarks[a], landmarks[b]
        gap = float(np.linalg.norm(la.cej_mm - lb.cej_mm))
        if best is None or gap > best[0]:
            mid = (_crest_or_cej(la) + _crest_or_cej(lb)) / 2
            axis = unit_vector(la.axis + lb.axis)
            best = (gap, mid - axis * clearance_mm)
    if best is None:
        raise GeometryError(f"site {site.label()}: no teeth on that side to find the ridge by")
    return best[1]


def _crest_or_cej(lm: ToothLandmarks) -> Vec:
    return lm.alveolar_crest_mm if lm.alveolar_crest_mm is not None else lm.cej_mm


def _nearest_pos(landmarks: Mapping[int, ToothLandmarks], jaw: fdi.Arch, pos: int) -> list[int]:
    teeth = [t for t in landmarks if fdi.arch(t) == jaw and not fdi.is_primary(t)]
    if not teeth:
        raise GeometryError(f"no {jaw} landmarks to place a palatal implant by")
    best = min(abs(fdi.position(t) - pos) for t in teeth)
    return [t for t in teeth if abs(fdi.position(t) - pos) == best]


def _side_teeth(site: SiteRef, landmarks: Mapping[int, ToothLandmarks]) -> list[int]:
    """Molars on the site's side, for regions placed next to a molar (7 first when distal)."""
    quads = {
        ("maxilla", "right"): 1,
        ("maxilla", "left"): 2,
        ("mandible", "left"): 3,
        ("mandible", "right"): 4,
    }
    side = site.side if site.side in ("left", "right") else "right"
    q = quads[(site.jaw, side)]
    distal = site.region in (
        SiteRegion.retromolar,
        SiteRegion.tuberosity,
        SiteRegion.mandibular_buccal_shelf,
    )
    order = (8, 7, 6) if distal else (6, 7)
    return [q * 10 + p for p in order if q * 10 + p in landmarks]


def default_implant_axis(
    site: SiteRef, landmarks: Mapping[int, ToothLandmarks], data: MechanicsData | None = None
) -> Vec:
    """Unit vector from the head towards the tip of an implant at ``site``: inter-radicular
    sites go into the bone at the cited angle to the teeth's long axis; palatal sites go
    straight up (+z); other regions along the neighbouring molar's long axis."""
    data = data or mechanics_data()
    if site.between is not None:
        a, b = (_lm(t, landmarks) for t in site.between)
        axis = unit_vector(a.axis + b.axis)
        inward = -unit_vector(a.buccal + b.buccal) * _outward(site.surface)
        ang = getattr(data.geometry.insertion_angle_to_long_axis_deg, site.jaw).value
        r = np.radians(ang)
        return unit_vector(np.cos(r) * axis + np.sin(r) * inward)
    if site.region in (
        SiteRegion.median_palatal_suture,
        SiteRegion.anterior_palate,
        SiteRegion.paramedian_palate,
    ):
        return np.array([0.0, 0.0, 1.0])
    teeth = _side_teeth(site, landmarks)
    if teeth:
        return landmarks[teeth[0]].axis.copy()
    return np.array([0.0, 0.0, 1.0 if site.jaw == "maxilla" else -1.0])
