"""The built-in average permanent dentition: cited tooth sizes set on a published arch form.

Construction (every number from ``data/teeth.yaml`` and ``data/arch.yaml``):

- Tooth sizes: Wheeler's Table 1-1 averages (crown and root length, mesiodistal and
  buccolingual widths at the crown and at the cervix).
- Arch line: the beta-function family of Braun et al. (1998) through the incisal edges,
  canine cusps and central fossae, at z = 0. Its width W, depth D and exponent p are solved
  so that the teeth stand in contact (Andrews' key 5, no spaces: the arc length from the
  midline to the distal of the second molar is the sum of the mesiodistal crown widths) and
  the canine cusps and first-molar centres are ``canine_width_mm`` and
  ``first_molar_width_mm`` apart. Third molars continue straight on along the arch end.
- The lower arch line is the same construction with mandibular sizes, set ``overjet_mm``
  behind the upper.
- Long axes: the whole-tooth mesiodistal angulation of Tong et al. (2012) in the maxilla and
  Andrews' mean crown angulation in the mandible (apex distal for +); Andrews' crown
  inclination plus the facial-to-axis offset (apex lingual for +).
- Roots: Wheeler's root lengths, a tapering section (the root trunk of multi-rooted teeth
  tapers too) and a root layout per tooth type calibrated to the published
  inter-radicular findings (``roots`` in ``arch.yaml``).

Frame: :mod:`tadplan.anatomy.frame` (mm; origin upper incisal point; +x patient's left,
+y anterior, +z superior; occlusal plane z = 0).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
from numpy.typing import NDArray

from tadplan._cache import input_key, load_json, save_json, source_digest
from tadplan.anatomy._data import AnatomyDataError, cited, load
from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.case import Case, fdi
from tadplan.model import Cited

Vec = NDArray[np.float64]
JAWS: tuple[fdi.Arch, fdi.Arch] = ("maxilla", "mandible")


@dataclass(frozen=True)
class ToothSize:
    """Average dimensions of one tooth type (mm), with their citations."""

    crown_length_mm: float
    root_length_mm: float
    md_crown_mm: float
    md_cervix_mm: float
    bl_crown_mm: float
    bl_cervix_mm: float
    n_roots: int
    citations: tuple[tuple[str, Cited], ...] = ()

    def scaled(self, factor: float) -> ToothSize:
        return replace(
            self,
            crown_length_mm=self.crown_length_mm * factor,
            root_length_mm=self.root_length_mm * factor,
            md_crown_mm=self.md_crown_mm * factor,
            md_cervix_mm=self.md_cervix_mm * factor,
            bl_crown_mm=self.bl_crown_mm * factor,
            bl_cervix_mm=self.bl_cervix_mm * factor,
        )


_SIZE_FIELDS = (
    "crown_length_mm",
    "root_length_mm",
    "md_crown_mm",
    "md_cervix_mm",
    "bl_crown_mm",
    "bl_cervix_mm",
)


@cache
def tooth_sizes() -> dict[tuple[str, int], ToothSize]:
    """(jaw, position 1-8) -> :class:`ToothSize` from ``data/teeth.yaml``."""
    teeth = load("teeth")["teeth"]
    out: dict[tuple[str, int], ToothSize] = {}
    for jaw in JAWS:
        for pos in range(1, 9):
            row = teeth[jaw][pos]
            cits = {f: cited(row[f], f"teeth.yaml: {jaw}.{pos}.{f}") for f in _SIZE_FIELDS}
            nr = cited(row["n_roots"], f"teeth.yaml: {jaw}.{pos}.n_roots")
            out[(jaw, pos)] = ToothSize(
                **{f: c.value for f, c in cits.items()},
                n_roots=int(nr.value),
                citations=(*cits.items(), ("n_roots", nr)),
            )
    return out


def size_of(tooth: int) -> ToothSize:
    if fdi.is_primary(tooth):
        raise ValueError(f"tooth {tooth}: the average dentition has permanent teeth only")
    return tooth_sizes()[(fdi.arch(tooth), fdi.position(tooth))]


@dataclass(frozen=True)
class AxisNorm:
    angulation_deg: float
    """Mesiodistal tip; + = apex distal."""
    inclination_deg: float
    """Long-axis buccolingual inclination; + = apex lingual (crown labial)."""


@cache
def axis_norms() -> dict[tuple[str, int], AxisNorm]:
    """Long-axis norms per (jaw, position): the whole-tooth angulation where ``arch.yaml``
    has one (Tong 2012, maxilla), else Andrews' crown angulation; Andrews' crown inclination
    plus the facial-to-axis offset."""
    a = load("arch")["axis_norms"]
    off = a["facial_to_axis_deg"]
    whole = a.get("whole_tooth_angulation_deg", {})
    out: dict[tuple[str, int], AxisNorm] = {}
    for jaw in JAWS:
        for pos in range(1, 9):
            row = a[jaw][pos]
            if jaw in whole:
                where = f"arch.yaml: axis_norms.whole_tooth_angulation_deg.{jaw}.{pos}"
                angulation = cited(whole[jaw][pos], where).value
            else:
                angulation = float(row["angulation_deg"])
            out[(jaw, pos)] = AxisNorm(
                angulation,
                float(row["inclination_deg"]) + float(off[jaw][pos]),
            )
    return out


def arch_value(*path: str | int) -> Cited:
    node: object = load("arch")
    for p in path:
        if not isinstance(node, dict) or p not in node:
            raise AnatomyDataError(f"arch.yaml: no {'.'.join(map(str, path))}")
        node = node[p]
    return cited(node, "arch.yaml: " + ".".join(map(str, path)))


# ----------------------------------------------------------------------------- arch form


@dataclass(frozen=True)
class ArchLine:
    """One side of an arch line, sampled by arc length from the midline (left side, x >= 0)."""

    s: Vec
    xy: Vec  # (n, 2)
    width_mm: float
    depth_mm: float

    def at(self, s: float) -> tuple[Vec, Vec]:
        """Point (x, y) and unit distal tangent at arc length ``s``; straight on past the end."""
        end = self.s[-1]
        if s <= end:
            x = np.interp(s, self.s, self.xy[:, 0])
            y = np.interp(s, self.s, self.xy[:, 1])
            i = int(np.clip(np.searchsorted(self.s, s), 1, len(self.s) - 1))
            t = self.xy[i] - self.xy[i - 1]
            return np.array([x, y]), t / np.linalg.norm(t)
        t = self.xy[-1] - self.xy[-2]
        t = t / np.linalg.norm(t)
        return self.xy[-1] + (s - end) * t, t


def _beta_xy(width: float, depth: float, power: float, n: int = 4001) -> Vec:
    """Beta-function arch y = D [4^p (1/4 - x^2/W^2)^p - 1], x from 0 to W/2 (Braun 1998
    use p = 0.8); y = 0 at the midline, -D at the ends."""
    u = np.linspace(0.0, np.pi / 2, n)
    x = 0.5 * width * np.sin(u)
    q = np.clip(0.25 - (x / width) ** 2, 0.0, None)
    y = depth * ((4.0 * q) ** power - 1.0)
    return np.column_stack([x, y])


def _arc(xy: Vec) -> Vec:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))])


def fit_arch(total_mm: float, points: tuple[tuple[float, float], ...]) -> ArchLine:
    """Beta-function arch line of half-length ``total_mm`` whose points at the given arc
    lengths lie at the given distances from the midline: ``points`` = ((s, half_width), ...),
    one per free shape parameter beyond the length (one fits W, D; two fit W, D, p).

    The solution is kept in the user's cache directory (``arch_fit/``, keyed by the inputs
    and this module's source), so a process reading it does not load scipy's optimiser."""
    key = input_key(source_digest(__name__), float(total_mm), points)
    sol = load_json("arch_fit", key)
    if not (isinstance(sol, list) and len(sol) == 3 and all(isinstance(v, float) for v in sol)):
        sol = _solve_arch(total_mm, points)
        save_json("arch_fit", key, sol)
    w, d, power = sol
    xy = _beta_xy(w, d, power)
    return ArchLine(_arc(xy), xy, w, d)


def _solve_arch(total_mm: float, points: tuple[tuple[float, float], ...]) -> list[float]:
    """[W, D, p] of :func:`fit_arch` by bounded least squares (p = 0.8 when one point)."""
    from scipy.optimize import least_squares  # about 0.3 s to import: only when solving

    def unpack(p: Vec) -> tuple[float, float, float]:
        return float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else 0.8

    def resid(p: Vec) -> list[float]:
        w, d, power = unpack(p)
        if w <= 0 or d <= 0 or power <= 0:
            return [1e3] * len(p)
        xy = _beta_xy(w, d, power, 1501)
        s = _arc(xy)
        out = [s[-1] - total_mm]
        out += [float(np.interp(si, s, xy[:, 0])) - hw for si, hw in points]
        return out

    start = [2.0 * points[-1][1] + 8.0, 0.75 * total_mm] + ([0.8] if len(points) > 1 else [])
    lo = [10.0, 5.0] + ([0.1] if len(points) > 1 else [])
    hi = [120.0, 100.0] + ([5.0] if len(points) > 1 else [])
    sol = least_squares(resid, start, bounds=(lo, hi)).x
    if max(abs(r) for r in resid(sol)) > 1e-3:
        raise ValueError("arch form: cannot fit the beta function to these widths and teeth")
    return list(unpack(sol))


@dataclass(frozen=True)
class Customisation:
    """Simple patient scaling of the average dentition."""

    arch_width_scale: float = 1.0
    """Multiplies the first-molar width of both arches (posterior expansion/constriction)."""
    canine_width_scale: float = 1.0
    """Multiplies the intercanine width of both arches."""
    tooth_size_scale: float = 1.0
    """Multiplies every tooth dimension."""
    tip_deg: Mapping[int, float] | None = None
    """Extra mesiodistal tip per tooth, degrees (+ = apex distal)."""
    torque_deg: Mapping[int, float] | None = None
    """Extra buccolingual inclination per tooth, degrees (+ = crown buccal/labial)."""

    def check(self) -> None:
        if not 0.7 <= self.arch_width_scale <= 1.3:
            raise ValueError(f"arch_width_scale: {self.arch_width_scale} is outside 0.7-1.3")
        if not 0.8 <= self.canine_width_scale <= 1.2:
            raise ValueError(f"canine_width_scale: {self.canine_width_scale} is outside 0.8-1.2")
        if not 0.7 <= self.tooth_size_scale <= 1.3:
            raise ValueError(f"tooth_size_scale: {self.tooth_size_scale} is outside 0.7-1.3")
        for name in ("tip_deg", "torque_deg"):
            for t, v in (getattr(self, name) or {}).items():
                fdi.check(t)
                if abs(v) > 45:
                    raise ValueError(f"{name}[{t}]: {v} degrees is implausible (at most 45)")


@cache
def _arch_lines(
    width_scale: float, size_scale: float, canine_scale: float = 1.0
) -> dict[str, ArchLine]:
    out: dict[str, ArchLine] = {}
    for jaw in JAWS:
        sizes = [tooth_sizes()[(jaw, p)].md_crown_mm * size_scale for p in range(1, 8)]
        s3 = float(sum(sizes[:2]) + sizes[2] / 2)
        s6 = float(sum(sizes[:5]) + sizes[5] / 2)
        w3 = arch_value("arch_form", "canine_width_mm", jaw).value * canine_scale / 2
        w6 = arch_value("arch_form", "first_molar_width_mm", jaw).value * width_scale / 2
        try:
            out[jaw] = fit_arch(float(sum(sizes)), ((s3, w3), (s6, w6)))
        except ValueError:
            raise ValueError(
                f"{jaw}: the teeth cannot stand in contact on an arch {2 * w3:.1f} mm wide at "
                f"the canines and {2 * w6:.1f} mm at the first molars (arch_width_scale "
                f"{width_scale}, canine_width_scale {canine_scale}, tooth_size_scale "
                f"{size_scale})"
            ) from None
    return out


def present_permanent(case: Case | None, teeth: Iterable[int] | None = None) -> list[int]:
    """Permanent teeth in the mouth (planned extractions still there), in FDI order;
    ``teeth`` restricts the set further."""
    if teeth is not None:
        keep = set(teeth)
        return [t for t in present_permanent(case) if t in keep]
    if case is None:
        return list(fdi.PERMANENT)
    present = case.dentition.present_teeth()
    return [t for t in fdi.PERMANENT if t in present]


def _unit(v: Vec) -> Vec:
    return v / np.linalg.norm(v)


def _place(tooth: int, custom: Customisation) -> ToothLandmarks:
    jaw = fdi.arch(tooth)
    pos = fdi.position(tooth)
    left = fdi.side(tooth) == "left"
    size = size_of(tooth).scaled(custom.tooth_size_scale)
    line = _arch_lines(custom.arch_width_scale, custom.tooth_size_scale, custom.canine_width_scale)[
        jaw
    ]
    widths = [
        tooth_sizes()[(jaw, p)].md_crown_mm * custom.tooth_size_scale for p in range(1, pos + 1)
    ]
    s = float(sum(widths[:-1]) + widths[-1] / 2)
    xy, t = line.at(s)
    sign = 1.0 if left else -1.0
    p0 = np.array([sign * xy[0], xy[1], 0.0])
    distal = np.array([sign * t[0], t[1], 0.0])
    # out of the arch: (-t_y, t_x) on the left side, its mirror image on the right
    outward = np.array([sign * -t[1], t[0], 0.0])
    if jaw == "mandible":
        p0 = p0 - np.array([0.0, arch_value("occlusion", "overjet_mm").value, 0.0])
    up = np.array([0.0, 0.0, 1.0 if jaw == "maxilla" else -1.0])
    norm = axis_norms()[(jaw, pos)]
    ang = norm.angulation_deg + float((custom.tip_deg or {}).get(tooth, 0.0))
    inc = norm.inclination_deg + float((custom.torque_deg or {}).get(tooth, 0.0))
    axis = _unit(up + np.tan(np.radians(ang)) * distal - np.tan(np.radians(inc)) * outward)
    mesial = _unit(-distal - np.dot(-distal, axis) * axis)
    buccal = _unit(outward - np.dot(outward, axis) * axis - np.dot(outward, mesial) * mesial)
    crown_centre = p0 + axis * size.crown_length_mm / 2
    cej = p0 + axis * size.crown_length_mm
    crest = cej + axis * arch_value("periodontium", "crest_below_cej_mm").value
    apex = cej + axis * size.root_length_mm
    if size.n_roots > 1:
        apex = np.mean([a for _, a, _ in root_axes(tooth, cej, axis, mesial, buccal, size)], axis=0)
    return ToothLandmarks(
        fdi=tooth,
        crown_centre_mm=crown_centre,
        bracket_mm=crown_centre + buccal * size.bl_crown_mm / 2,
        cej_mm=cej,
        apex_mm=apex,
        axis=axis,
        mesial=mesial,
        buccal=buccal,
        crown_length_mm=size.crown_length_mm,
        root_length_mm=size.root_length_mm,
        n_roots=size.n_roots,
        alveolar_crest_mm=crest,
    )


def root_axes(
    tooth: int, cej: Vec, axis: Vec, mesial: Vec, buccal: Vec, size: ToothSize
) -> list[tuple[Vec, Vec, tuple[float, float]]]:
    """Each root as (start at the furcation, apex, (mesiodistal, buccolingual) semi-axes at
    the start). Single-rooted teeth: one root from the CEJ along the long axis."""
    jaw = fdi.arch(tooth)
    pos = fdi.position(tooth)
    a_md, a_bl = size.md_cervix_mm / 2, size.bl_cervix_mm / 2
    if size.n_roots == 1:
        return [(cej, cej + axis * size.root_length_mm, (a_md, a_bl))]
    key = "maxilla_premolar" if (jaw == "maxilla" and pos in (4, 5)) else jaw
    trunk = arch_value("roots", "root_trunk_mm", key).value
    start = cej + axis * trunk
    rest = size.root_length_mm - trunk
    # the trunk tapers like a root (meshes.py); the roots take over at its width there
    narrow = 1.0 - arch_value("roots", "taper").value * trunk / size.root_length_mm
    kind = {3: "maxilla_molar"}.get(size.n_roots) or (
        "maxilla_premolar" if jaw == "maxilla" else "mandible_molar"
    )
    arch_value("roots", "layout_source")  # checks the citation
    layouts = load("arch")["roots"]["layout"]
    kind = f"{kind}_{pos}" if f"{kind}_{pos}" in layouts else kind
    out = []
    for root in layouts[kind]:
        om, ob = (float(x) for x in root["offset"])
        sm, sb = (float(x) for x in root["semi"])
        div = np.radians(float(root["divergence_deg"]))
        off = mesial * om + buccal * ob
        shift = (om * a_md) * mesial + (ob * a_bl) * buccal
        d = _unit(axis + np.tan(div) * _unit(off))
        s0 = start + shift * narrow
        out.append((s0, s0 + d * rest, (a_md * sm * narrow, a_bl * sb * narrow)))
    return out


def average_landmarks(
    case: Case | None = None,
    custom: Customisation | None = None,
    *,
    teeth: Iterable[int] | None = None,
) -> dict[int, ToothLandmarks]:
    """Landmarks of the built-in average dentition for the teeth present in ``case``
    (all 32 permanent teeth if None; ``teeth`` restricts further), in the patient frame, mm.

    Missing, extracted, implant and pontic teeth are left out; the other teeth keep their
    average positions (spaces are not closed). Primary teeth are not modelled.
    """
    custom = custom or Customisation()
    custom.check()
    return {t: _place(t, custom) for t in present_permanent(case, teeth)}


def neighbour_pairs(teeth: Iterable[int]) -> list[tuple[int, int]]:
    """Pairs of teeth next to each other along each arch among ``teeth`` (midline pairs
    included; across a missing tooth's space the two teeth bounding it form a pair)."""
    present = set(teeth)
    out = []
    for jaw in JAWS:
        seq = [t for t in fdi.arch_order(jaw) if t in present]
        out += list(itertools.pairwise(seq))
    return out
