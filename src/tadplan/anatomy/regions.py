"""Named insertion regions without roots in the screw path: anterior palate (T-zone),
paramedian palate, median palatal suture, infrazygomatic crest, mandibular buccal shelf.

Their safety rests on cited bone depths (``data/sites.yaml`` ``regions``): a screw whose
intraosseous length (length minus the mucosa it crosses) exceeds the cited bone depth is
amber (it reaches the nasal floor, sinus or far cortex); one thinner than the cited minimum
diameter is amber. Regions without usable data (retromolar, tuberosity, edentulous ridge)
are ``unknown``. The head point is placed from the teeth's landmarks as each region's
``level`` says; it is an approximation for force directions, not a measured position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from tadplan.anatomy._data import load
from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.anatomy.search import default_grid, site_value
from tadplan.case import Case, fdi
from tadplan.case.model import SiteRef
from tadplan.model import SiteSafety

if TYPE_CHECKING:
    from tadplan.anatomy.safety import Insertion, Workflow


def region_insertion(
    case: Case | None,
    site: SiteRef,
    *,
    sizes: Sequence[tuple[float, float]] | None = None,
    workflow: Workflow = "freehand",
    strict_size: bool = True,
) -> Insertion:
    from tadplan.anatomy.safety import Insertion, _refs, dentition_model

    region = site.region.value
    data = load("sites")["regions"].get(region)
    model = dentition_model(case)
    if data is None:
        safety = SiteSafety(
            status="unknown",
            notes=[f"{site.label()}: no published bone data in tadplan; assess on CBCT"],
        )
        head, axis = _fallback_place(model.landmarks, site)
        return Insertion(site, head, head, axis, 0.0, 0.0, None, None, None, None, safety)
    depth = site_value("regions", region, "bone_depth_mm")
    soft = site_value("regions", region, "soft_tissue_mm")
    dmin = site_value("regions", region, "min_diameter_mm")
    where = site_value("regions", region, "level_source")
    grid = default_grid()
    cands = (
        list(sizes)
        if sizes
        else [(float(d), float(L)) for d in grid.diameters_mm for L in grid.lengths_mm]
    )
    if strict_size and sizes:
        for d, L in cands:
            if not (
                np.isclose(grid.diameters_mm, d).any() and np.isclose(grid.lengths_mm, L).any()
            ):
                raise ValueError(f"sizes: {d} x {L} mm is not in the screw catalogue")

    def grade(d: float, L: float) -> tuple[int, float]:
        in_bone = L - soft.value
        bad = (in_bone > depth.value) + (d < dmin.value - 1e-9)
        # prefer: fits, thick enough, longest engagement, then widest
        return int(bad), -(min(in_bone, depth.value) + 0.1 * d)

    d_best, l_best = min(cands, key=lambda c: grade(*c))
    in_bone = l_best - soft.value
    notes = [
        f"cited bone depth {depth.value:g} mm; mucosa {soft.value:g} mm ({workflow} insertion)"
    ]
    status: Literal["green", "amber"] = "green"
    if in_bone > depth.value:
        status = "amber"
        notes.append(f"{in_bone:.1f} mm in bone exceeds the cited {depth.value:g} mm")
    if d_best < dmin.value - 1e-9:
        status = "amber"
        notes.append(f"diameter below the recommended {dmin.value:g} mm")
    fits = sorted({L for _d, L in cands if L - soft.value <= depth.value})
    notes.append(
        "lengths that fit the cited bone: "
        + (", ".join(f"{L:g}" for L in fits) + " mm" if fits else "none in the catalogue")
    )
    if region in ("anterior_palate", "paramedian_palate", "median_palatal_suture"):
        notes.append("keep at least 3 mm posterior to the incisive foramen (canal)")
    head_v, axis_v = _place(model.landmarks, site, data["level"])
    entry = head_v + soft.value * axis_v
    safety = SiteSafety(
        status=status,
        min_root_clearance_mm=None,
        bone_depth_mm=depth.value,
        soft_tissue=str(data.get("soft_label", "")),
        notes=notes,
        sources=_refs(depth, soft, dmin, where),
    )
    return Insertion(
        site, _t(head_v), _t(entry), _t(axis_v), d_best, l_best, None, None, None, None, safety
    )


def spread_in_region(
    case: Case | None,
    ins: Insertion,
    occupied_mm: ArrayLike,
    min_distance_mm: float,
    step_mm: float = 0.5,
) -> tuple[Insertion, bool]:
    """Move a palatal screw along the anteroposterior line of its region (x and height kept)
    to the point nearest its default level whose head is at least ``min_distance_mm`` from
    every head in ``occupied_mm``, within the region's cited ``spread`` span (tooth levels in
    ``data/sites.yaml``); ties go anterior first (thicker anterior palatal bone). ``step_mm``
    is the search step (mm). Returns the insertion, moved or not, and whether it now keeps
    the distance; its safety notes say what was done. Regions without a ``spread`` span are
    returned unmoved (``False``)."""
    from tadplan.anatomy.safety import _refs, dentition_model

    data = load("sites")["regions"].get(ins.site.region.value) or {}
    head = np.asarray(ins.head_position_mm, dtype=float)
    occ = np.asarray(occupied_mm, dtype=float).reshape(-1, 3)
    if "spread" not in data:
        return ins, False
    lms = dentition_model(case).landmarks
    quads = (1, 2) if ins.site.jaw == "maxilla" else (4, 3)
    sign = _side_sign(ins.site)
    qs = [quads[0]] if sign < 0 else [quads[1]] if sign > 0 else list(quads)
    ys = []
    for level in data["spread"]["levels"]:
        teeth = [10 * q + p for q in qs for p in level if 10 * q + p in lms]
        if teeth:
            ys.append(float(np.mean([lms[t].crown_centre_mm[1] for t in teeth])))
    if not ys:
        return ins, False
    lo, hi = min(min(ys), head[1]), max(max(ys), head[1])
    n = int(np.floor(max(hi - head[1], head[1] - lo) / step_mm))
    # offsets nearest first, anterior (+y) before posterior at equal distance
    offsets = [0.0] + [s * k * step_mm for k in range(1, n + 1) for s in (1.0, -1.0)]
    spacing = site_value("spacing", "min_bone_between_screws_mm")
    span = site_value("regions", ins.site.region.value, "spread_source")
    first = site_value("spacing", "anterior_first")
    refs = [r for r in _refs(spacing, span, first) if r not in ins.safety.sources]
    for dy in offsets:
        cand = head + np.array([0.0, dy, 0.0])
        if not (lo - 1e-9 <= cand[1] <= hi + 1e-9):
            continue
        if occ.size and np.linalg.norm(occ - cand, axis=1).min() < min_distance_mm - 1e-9:
            continue
        if dy == 0.0:
            return ins, True
        where = "anterior" if dy > 0 else "posterior"
        note = (
            f"moved {abs(dy):.1f} mm {where} along the {ins.site.label()} line to keep "
            f"{min_distance_mm:g} mm from the other screws of the design "
            f"({spacing.value:g} mm of bone between screws)"
        )
        entry = np.asarray(ins.entry_mm, dtype=float) + np.array([0.0, dy, 0.0])
        safety = ins.safety.model_copy(
            update={"notes": [*ins.safety.notes, note], "sources": [*ins.safety.sources, *refs]}
        )
        return replace(ins, head_position_mm=_t(cand), entry_mm=_t(entry), safety=safety), True
    return ins, False


def _t(v: object) -> tuple[float, float, float]:
    a = np.asarray(v, dtype=float)
    return (round(float(a[0]), 3), round(float(a[1]), 3), round(float(a[2]), 3))


def _side_sign(site: SiteRef) -> float:
    return 1.0 if site.side == "left" else (-1.0 if site.side == "right" else 0.0)


def _place(
    lms: Mapping[int, ToothLandmarks], site: SiteRef, level: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    jaw = site.jaw
    quads = (1, 2) if jaw == "maxilla" else (4, 3)
    sign = _side_sign(site)
    if sign == 0.0 and level.get("lateral_mm", 0.0) and "above_cej_mm" in level:
        sign = -1.0  # buccal regions need a side; right by default
    qs = [quads[0]] if sign < 0 else [quads[1]] if sign > 0 else list(quads)
    teeth = [10 * q + p for q in qs for p in level["teeth"] if 10 * q + p in lms]
    if not teeth:
        teeth = [t for t in lms if fdi.arch(t) == jaw][:1]
    cent = np.mean([lms[t].crown_centre_mm for t in teeth], axis=0)
    cej = np.mean([lms[t].cej_mm for t in teeth], axis=0)
    up = np.array([0.0, 0.0, 1.0 if jaw == "maxilla" else -1.0])
    if "above_cej_mm" in level:  # buccal extra-alveolar regions
        out = np.array([np.sign(cent[0]) or sign, 0.0, 0.0])
        head = cej + out * level["lateral_mm"] + up * abs(level["above_cej_mm"])
        tilt = np.radians(level.get("axis_from_vertical_deg", 0.0))
        axis = -out * np.sin(tilt) + up * np.cos(tilt)
        return head, axis / np.linalg.norm(axis)
    # palatal regions: vault surface above the palatal cervical line
    x = sign * level["lateral_mm"]
    head = np.array([x, cent[1], cej[2] + level["vault_above_cej_mm"]])
    return head, up


def _fallback_place(
    lms: Mapping[int, ToothLandmarks], site: SiteRef
) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """Head and axis for a region without bone data, from the teeth alone: an edentulous ridge
    at the gingiva between the teeth bounding the widest gap on the site's side; retromolar,
    tuberosity (and a ridge without a bounded gap) half a tooth distal to the last tooth. The
    axis points into the jaw's bone (+z maxilla, -z mandible)."""
    jaw = site.jaw
    up = (0.0, 0.0, 1.0 if jaw == "maxilla" else -1.0)
    sign = _side_sign(site)
    teeth = [
        t for t in lms if fdi.arch(t) == jaw and (sign == 0.0 or np.sign(lms[t].cej_mm[0]) == sign)
    ]
    if not teeth:
        return (0.0, 0.0, 0.0), up
    by_quadrant: dict[int, list[int]] = {}
    for t in sorted(teeth, key=fdi.position):
        by_quadrant.setdefault(t // 10, []).append(t)
    if site.region.value == "edentulous_ridge":
        gaps = [
            (fdi.position(b) - fdi.position(a), a, b)
            for q in by_quadrant.values()
            for a, b in pairwise(q)
            if fdi.position(b) - fdi.position(a) > 1
        ]
        if gaps:
            _, a, b = max(gaps)
            return _t((lms[a].cej_mm + lms[b].cej_mm) / 2), up
    last = max(teeth, key=lambda t: (fdi.position(t), -abs(lms[t].cej_mm[0])))
    row = by_quadrant[last // 10]
    head = lms[last].cej_mm
    if len(row) > 1:
        head = head + (head - lms[row[-2]].cej_mm) / 2  # half a tooth pitch distal
    return _t(head), up


__all__ = ["region_insertion"]
