"""Site safety: traffic lights, ranking, and the planner-facing insertion functions.

Traffic light of one insertion (margins in ``data/sites.yaml``):

- **red**: the screw comes within the periodontal ligament (clearance < ``pdl_mm``) or
  touches a root, or the height is in a ruled-out zone (mental foramen);
- **amber**: clear of the PDL as planned, but the clearance reduced by the expected
  insertion error of the workflow (freehand or guided; linear error plus the angular error
  over the distance to the closest approach) is below ``septal_bone_each_side_mm``, or the
  screw is longer than the bone along its axis (perforates the far cortex or the sinus);
- **green**: otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from tadplan._cache import (
    Derived,
    cached_arrays,
    input_key,
    load_json,
    package_digest,
    save_json,
    source_digest,
)
from tadplan.anatomy.distance_grid import PartFields
from tadplan.anatomy.meshes import DentitionModel, average_dentition
from tadplan.anatomy.search import (
    ROOT_FIELD_SETTINGS,
    SearchGrid,
    SiteScan,
    build_root_fields,
    default_grid,
    exact_approach,
    exact_clearance,
    root_parts,
    scan_sites,
    site_value,
)
from tadplan.anatomy.sites import SiteFrame, interradicular_distance, site_frame
from tadplan.case import Case, fdi
from tadplan.case.model import SiteRef, SiteRegion
from tadplan.errors import ComputationError
from tadplan.model import Cited, Implant, SiteSafety, SourceRef

Workflow = Literal["freehand", "guided"]
F64 = NDArray[np.float64]


class SiteUnavailable(ComputationError):
    """The site cannot be assessed (a bounding tooth is absent, not neighbours...)."""


@dataclass(frozen=True)
class Insertion:
    """A planned screw: where and how it goes in, and what anatomy says about it."""

    site: SiteRef
    head_position_mm: tuple[float, float, float]
    """Screw head on the mucosa, patient frame (mm)."""
    entry_mm: tuple[float, float, float]
    """Where the axis enters the bone."""
    axis: tuple[float, float, float]
    """Unit, head towards tip."""
    diameter_mm: float
    length_mm: float
    height_mm: float | None
    mesiodistal_mm: float | None
    vertical_deg: float | None
    horizontal_deg: float | None
    safety: SiteSafety
    score: float = 0.0
    alternatives: tuple[str, ...] = field(default_factory=tuple)


def _refs(*cs: Cited) -> list[SourceRef]:
    """The citations of ``cs``, each once, in order."""
    return list(dict.fromkeys(c.ref() for c in cs))


def insertion_error(workflow: Workflow) -> tuple[Cited, Cited]:
    if workflow not in ("freehand", "guided"):
        raise ValueError(f"workflow: {workflow!r} is not 'freehand' or 'guided'")
    return (
        site_value("insertion_error", workflow, "linear_mm"),
        site_value("insertion_error", workflow, "angular_deg"),
    )


def soft_tissue_label(surface: str, height_mm: float) -> str:
    if surface == "buccal":
        ag = site_value("soft_tissue", "attached_gingiva_height_mm").value
        return "attached gingiva" if height_mm <= ag else "mobile mucosa"
    return "palatal masticatory mucosa" if surface == "palatal" else "lingual mucosa"


def soft_tissue_mm(surface: str) -> Cited:
    key = {
        "buccal": "buccal_thickness_mm",
        "palatal": "palatal_thickness_mm",
        "lingual": "lingual_thickness_mm",
    }[surface]
    return site_value("soft_tissue", key)


# ----------------------------------------------------------------------------- ranking


@dataclass(frozen=True, eq=False)
class RankedSite:
    """All candidates of one site, scored; ``best`` indexes (h, m, v, b, L, D)."""

    scan: SiteScan
    clearance_mm: NDArray[np.float32]
    status: NDArray[np.int8]
    """0 green, 1 amber, 2 red."""
    score: NDArray[np.float32]
    best: tuple[int, int, int, int, int, int]


def rank_site(
    scan: SiteScan,
    grid: SearchGrid,
    workflow: Workflow = "freehand",
    sizes: Sequence[tuple[float, float]] | None = None,
) -> RankedSite:
    """Score every candidate of one site (see module docstring for the traffic light and
    ``data/sites.yaml`` ``ranking`` for the weights)."""
    g = scan.geometry
    rk = _ranking()
    pdl = site_value("margins", "pdl_mm").value
    septal = site_value("margins", "septal_bone_each_side_mm").value
    e_lin, e_ang = insertion_error(workflow)
    radius = (grid.diameters_mm / 2).astype(np.float32)
    clear = scan.dmin_mm - radius  # (nh, nm, nv, nb, nL, nD)
    err = np.float32(e_lin.value) + scan.tmin_mm * np.float32(np.sin(np.radians(e_ang.value)))
    widened = clear - err
    depth = g.bone_depth_mm[:, None, :, :, None]  # (nh, 1, nv, nb, 1)
    perforates = (grid.lengths_mm[None, None, None, None, :] > depth)[..., None]
    excl = g.excluded[:, None, None, None, None, None]
    red = (clear < pdl) | excl
    amber = ~red & ((widened < septal) | perforates)
    status = red.astype(np.int8) * 2 + amber.astype(np.int8)
    f32 = np.float32
    jaw = g.frame.jaw
    lo_v, hi_v = rk["preferred_vertical_deg"][jaw]
    v = grid.vertical_deg
    angle_pen = rk["angle_penalty_per_deg"] * (np.maximum(lo_v - v, 0) + np.maximum(v - hi_v, 0))
    cort = (
        rk["cortical_weight"]
        * site_value("cortical_thickness_mm", "oblique_gain_at_45_deg").value
        * np.minimum(v / 45.0, 1.0)
    )
    hor_pen = rk["horizontal_penalty_per_deg"] * np.abs(grid.horizontal_deg)
    ag = site_value("soft_tissue", "attached_gingiva_height_mm").value
    gingiva = np.where(
        (g.frame.surface == "buccal") & (grid.heights_mm <= ag), rk["attached_gingiva_bonus"], 0.0
    )
    gingiva = gingiva - rk["height_penalty_per_mm_above_attached_gingiva"] * np.maximum(
        grid.heights_mm - ag, 0.0
    )
    dia_b = np.where(grid.diameters_mm > rk["diameter_bonus_above_mm"], rk["diameter_bonus"], 0.0)
    len_b = np.where(grid.lengths_mm >= rk["length_bonus_from_mm"], rk["length_bonus"], 0.0)
    penalty = np.array([0.0, rk["amber_penalty"], rk["red_penalty"]], dtype=f32)
    # terms that do not depend on the candidate's clearance, broadcast once (float32)
    fixed = (
        gingiva.astype(f32)[:, None, None, None, None, None]
        + (cort - angle_pen).astype(f32)[None, None, :, None, None, None]
        - hor_pen.astype(f32)[None, None, None, :, None, None]
        + len_b.astype(f32)[None, None, None, None, :, None]
        + dia_b.astype(f32)[None, None, None, None, None, :]
    )
    score = np.minimum(widened, f32(rk["clearance_cap_mm"]))
    score *= f32(rk["clearance_weight"])
    score -= penalty[status]
    score += fixed
    if sizes is not None:
        allowed = np.zeros(clear.shape[-2:], dtype=bool)
        for d, length in sizes:
            li = np.flatnonzero(np.isclose(grid.lengths_mm, length))
            di = np.flatnonzero(np.isclose(grid.diameters_mm, d))
            if not len(li) or not len(di):
                raise ValueError(f"sizes: {d} x {length} mm is not in the screw catalogue")
            allowed[li[0], di[0]] = True
        score = np.where(allowed, score, -np.inf).astype(np.float32)
    best = np.unravel_index(int(np.argmax(score)), score.shape)
    return RankedSite(scan, clear, status, score, tuple(int(i) for i in best))  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def _ranking() -> dict:
    from tadplan.anatomy._data import load

    return dict(load("sites")["ranking"])


# ----------------------------------------------------------------------------- case API


_MODELS = Derived(maxsize=16)
"""Average dentitions by tooth set: one model per set, shared by threads (and with it the
distance grids and site analyses kept on it)."""


def _model_for(present: tuple[int, ...]) -> DentitionModel:
    return _MODELS.get(present, lambda: average_dentition(teeth=present))


def dentition_model(case: Case | None) -> DentitionModel:
    """The average dentition of the case's present teeth (cached by tooth set)."""
    present = tuple(sorted(case.dentition.present_teeth())) if case else tuple(fdi.PERMANENT)
    return _model_for(present)


def _fields_for(model: DentitionModel, teeth: tuple[int, ...]) -> PartFields:
    """Distance grids of the roots of ``teeth``, kept on the model; the built-in average
    dentition's are also kept on disk (:func:`root_fields_cached`)."""
    if model.source == "average":
        return model.derived.get(("root_fields", teeth), lambda: root_fields_cached(model, teeth))
    return model.derived.get(
        ("root_fields", teeth), lambda: build_root_fields(model, list(teeth), threads=1)
    )


_FIELD_ARRAYS = ("flat", "offset", "shape", "lo", "hi", "h", "band_mm", "owner")


def root_fields_cached(model: DentitionModel, teeth: tuple[int, ...]) -> PartFields:
    """:func:`build_root_fields` of ``teeth``, read from the user's cache directory when
    built before (key: tadplan version, the source of the grid code, the grid settings and
    the root meshes), else built and saved there. Rebuilt when the file is missing or
    unreadable."""
    parts, clip = root_parts(model, list(teeth))
    key = input_key(
        "root_fields",
        source_digest("tadplan.anatomy.distance_grid", "tadplan.anatomy.search"),
        ROOT_FIELD_SETTINGS,
        *(x for owner, v, f in parts for x in (owner, v, f)),
        *(x for box in clip for x in box),
    )

    def build() -> dict[str, np.ndarray]:
        pf = build_root_fields(model, list(teeth), threads=1)
        return {n: np.asarray(getattr(pf, n)) for n in _FIELD_ARRAYS}

    a = cached_arrays("root_fields", key, _FIELD_ARRAYS, build)
    return PartFields(
        flat=a["flat"],
        offset=a["offset"],
        shape=a["shape"],
        lo=a["lo"],
        hi=a["hi"],
        h=float(a["h"]),
        band_mm=float(a["band_mm"]),
        owner=a["owner"],
    )


def _frame_for(model: DentitionModel, site: SiteRef) -> SiteFrame:
    assert site.between is not None and site.surface is not None
    a, b = site.between
    for t in (a, b):
        if t not in model.landmarks:
            raise SiteUnavailable(f"site {site.label()}: tooth {t} is not present")
    if b not in fdi.neighbours(a, set(model.landmarks)) or fdi.is_primary(a):
        raise SiteUnavailable(
            f"site {site.label()}: {a} and {b} are not neighbouring permanent teeth "
            "(teeth between them are present)"
        )
    return site_frame(model, a, b, site.surface.value)


def _safety_at(
    model: DentitionModel,
    frame: SiteFrame,
    ranked: RankedSite,
    idx: tuple[int, int, int, int, int, int],
    grid: SearchGrid,
    workflow: Workflow,
    fields: PartFields | None = None,
) -> tuple[SiteSafety, F64, F64, F64]:
    """Safety of candidate ``idx``: per-tooth clearance exact (python-fcl) by default, or
    from the distance grids when ``fields`` is given (the survey; accuracy as benchmarked)."""
    i, j, v, w, li, di = idx
    g = ranked.scan.geometry
    entry = g.entries[i, j]
    d = g.dirs[v, w]
    length = float(grid.lengths_mm[li])
    diameter = float(grid.diameters_mm[di])
    if fields is None:
        per_tooth = exact_clearance(model, g.neighbours, entry, d, length, diameter / 2)
    else:
        axis_mm = length - diameter / 2  # the rounded tip ends at the stated length
        ts = np.linspace(0.0, axis_mm, max(2, int(np.ceil(axis_mm / 0.02)) + 1))
        pts = entry[None, :] + ts[:, None] * d[None, :]
        per_tooth = {
            t: float(fields.distance(pts, fields.parts_of([t])).min()) - diameter / 2
            for t in g.neighbours
        }
    clearance = max(min(per_tooth.values()), 0.0)  # 0: the screw touches or enters a root
    pdl = site_value("margins", "pdl_mm")
    septal = site_value("margins", "septal_bone_each_side_mm")
    e_lin, e_ang = insertion_error(workflow)
    t_closest = float(ranked.scan.tmin_mm[i, j, v, w, li, di])
    err = e_lin.value + t_closest * np.sin(np.radians(e_ang.value))
    at_risk = sorted(t for t, c in per_tooth.items() if c - err < septal.value)
    depth = float(g.bone_depth_mm[i, v, w])
    height = float(grid.heights_mm[i])
    notes = [f"workflow {workflow}: expected error {err:.2f} mm at the closest approach"]
    status: Literal["green", "amber", "red"]
    if clearance < pdl.value or g.excluded[i]:
        status = "red"
        if clearance <= 0:
            notes.append("the screw touches a root")
        elif clearance < pdl.value:
            notes.append("the screw enters the periodontal ligament")
        if g.excluded[i]:
            notes.append("height in the mental foramen zone")
    elif clearance - err < septal.value or length > depth:
        status = "amber"
        if clearance - err < septal.value:
            notes.append(
                f"less than {septal.value} mm of septal bone once the insertion "
                "error is allowed for"
            )
        if length > depth:
            notes.append(f"screw longer than the {depth:.1f} mm of bone along its axis")
    else:
        status = "green"
    soft = soft_tissue_mm(frame.surface)
    ird, _, _ = interradicular_distance(model, frame, height)
    sources = _refs(
        pdl, septal, e_lin, e_ang, soft, site_value("soft_tissue", "attached_gingiva_height_mm")
    )
    safety = SiteSafety(
        status=status,
        min_root_clearance_mm=round(clearance, 3),
        root_contact=clearance <= 0.0,
        teeth_at_risk=at_risk,
        bone_depth_mm=round(depth, 2) if np.isfinite(depth) else None,
        interradicular_width_mm=round(ird, 2) if np.isfinite(ird) else None,
        insertion_height_mm=height,
        vertical_angle_deg=float(grid.vertical_deg[v]),
        horizontal_angle_deg=float(grid.horizontal_deg[w]),
        soft_tissue=soft_tissue_label(frame.surface, height),
        notes=notes,
        sources=sources,
    )
    head = entry - d * soft.value
    return safety, head, entry, d


def _site_grid(grid: SearchGrid, height_mm: float | None) -> SearchGrid:
    if height_mm is None:
        return grid
    return SearchGrid(
        np.array([float(height_mm)]),
        grid.mesiodistal_mm,
        grid.vertical_deg,
        grid.horizontal_deg,
        grid.diameters_mm,
        grid.lengths_mm,
    )


def best_insertion(
    case: Case | None,
    site: SiteRef,
    *,
    sizes: Sequence[tuple[float, float]] | None = None,
    workflow: Workflow = "freehand",
    height_mm: float | None = None,
) -> Insertion:
    """The best insertion at ``site`` over the search grid (every height, offset, angle and
    catalogue size, or only ``sizes`` as (diameter, length) pairs), on the case's average
    dentition. Named regions (palate, crest, shelf, retromolar) use cited bone data."""
    if site.region != SiteRegion.interradicular:
        from tadplan.anatomy.regions import region_insertion

        return region_insertion(case, site, sizes=sizes, workflow=workflow)
    model = dentition_model(case)
    frame = _frame_for(model, site)
    grid = _site_grid(default_grid(), height_mm)
    neigh = _neighbour_teeth(model, frame)
    scan = scan_sites(model, _fields_for(model, neigh), [frame], grid)[0]
    ranked = rank_site(scan, grid, workflow, sizes)
    return best_of_ranked(model, site, ranked, grid, workflow)


def best_of_ranked(
    model: DentitionModel,
    site: SiteRef,
    ranked: RankedSite,
    grid: SearchGrid,
    workflow: Workflow,
    fields: PartFields | None = None,
) -> Insertion:
    """The :class:`Insertion` of a ranked site's best candidate, with its safety (exact, or
    from the distance grids when ``fields`` is given)."""
    frame = ranked.scan.geometry.frame
    safety, head, entry, d = _safety_at(model, frame, ranked, ranked.best, grid, workflow, fields)
    i, j, v, w, li, di = ranked.best
    return Insertion(
        site=site,
        head_position_mm=_t(head),
        entry_mm=_t(entry),
        axis=_t(d),
        diameter_mm=float(grid.diameters_mm[di]),
        length_mm=float(grid.lengths_mm[li]),
        height_mm=float(grid.heights_mm[i]),
        mesiodistal_mm=float(grid.mesiodistal_mm[j]),
        vertical_deg=float(grid.vertical_deg[v]),
        horizontal_deg=float(grid.horizontal_deg[w]),
        safety=safety,
        score=float(ranked.score[ranked.best]),
    )


def assess_insertion(
    case: Case | None,
    site: SiteRef,
    *,
    diameter_mm: float,
    length_mm: float,
    height_mm: float | None = None,
    mesiodistal_mm: float = 0.0,
    vertical_deg: float | None = None,
    horizontal_deg: float = 0.0,
    workflow: Workflow = "freehand",
) -> SiteSafety:
    """Safety of one screw size at ``site``. With ``height_mm`` and ``vertical_deg`` given,
    that exact insertion is assessed (exact capsule distances); otherwise the best insertion
    for this size is found first."""
    if diameter_mm <= 0 or diameter_mm > 3:
        raise ValueError(f"diameter_mm: {diameter_mm} is not a mini-implant diameter (0-3 mm)")
    if length_mm <= 0 or length_mm > 20:
        raise ValueError(f"length_mm: {length_mm} is not a mini-implant length (0-20 mm)")
    if site.region != SiteRegion.interradicular:
        from tadplan.anatomy.regions import region_insertion

        return region_insertion(
            case, site, sizes=[(diameter_mm, length_mm)], workflow=workflow, strict_size=False
        ).safety
    grid0 = default_grid()
    if height_mm is None or vertical_deg is None:
        grid = SearchGrid(
            grid0.heights_mm if height_mm is None else np.array([float(height_mm)]),
            grid0.mesiodistal_mm,
            grid0.vertical_deg,
            grid0.horizontal_deg,
            np.array([float(diameter_mm)]),
            np.array([float(length_mm)]),
        )
    else:
        grid = SearchGrid(
            np.array([float(height_mm)]),
            np.array([float(mesiodistal_mm)]),
            np.array([float(vertical_deg)]),
            np.array([float(horizontal_deg)]),
            np.array([float(diameter_mm)]),
            np.array([float(length_mm)]),
        )
    model = dentition_model(case)
    frame = _frame_for(model, site)
    neigh = _neighbour_teeth(model, frame)
    scan = scan_sites(model, _fields_for(model, neigh), [frame], grid)[0]
    ranked = rank_site(scan, grid, workflow)
    return _safety_at(model, frame, ranked, ranked.best, grid, workflow)[0]


def _neighbour_teeth(model: DentitionModel, frame: SiteFrame) -> tuple[int, ...]:
    neigh = {frame.a, frame.b}
    for t in (frame.a, frame.b):
        neigh |= set(fdi.neighbours(t, set(model.landmarks)))
    return tuple(sorted(neigh))


def _t(v: F64) -> tuple[float, float, float]:
    return (round(float(v[0]), 3), round(float(v[1]), 3), round(float(v[2]), 3))


@lru_cache(maxsize=256)
def _best_cached(
    present: tuple[int, ...],
    site_json: str,
    size: tuple[float, float] | None,
    workflow: str,
    height_mm: float | None = None,
) -> Insertion:
    """The best insertion at a site of the average dentition of ``present``: in memory,
    and on disk in the user's cache directory (key: tadplan version, the code and data of
    the packages it depends on, and the arguments), so a fresh process need not build the
    dentition, its distance grids and collision objects again."""
    key = input_key("insertion", _insertion_code(), present, site_json, size, workflow, height_mm)
    hit = load_json("insertion", key)
    if hit is not None:
        try:
            return _insertion_from_json(hit)
        except (KeyError, TypeError, ValueError):
            pass  # a damaged or foreign file: computed again and saved over it
    site = SiteRef.model_validate_json(site_json)
    case = _PresentCase(present)
    sizes = [size] if size is not None else None
    ins = best_insertion(
        case,  # type: ignore[arg-type]
        site,
        sizes=sizes,
        workflow=workflow,  # type: ignore[arg-type]
        height_mm=height_mm,
    )
    save_json("insertion", key, _insertion_to_json(ins))
    return ins


def _insertion_code() -> str:
    return package_digest("tadplan.anatomy", "tadplan.case", "tadplan.planner")


def _insertion_to_json(ins: Insertion) -> dict[str, Any]:
    out = {f.name: getattr(ins, f.name) for f in fields(ins)}
    out["site"] = ins.site.model_dump(mode="json")
    out["safety"] = ins.safety.model_dump(mode="json")
    return out


def _insertion_from_json(raw: dict[str, Any]) -> Insertion:
    vec = ("head_position_mm", "entry_mm", "axis", "alternatives")
    args = {f.name: raw[f.name] for f in fields(Insertion)}
    args.update({k: tuple(raw[k]) for k in vec})
    args["site"] = SiteRef.model_validate(raw["site"])
    args["safety"] = SiteSafety.model_validate(raw["safety"])
    return Insertion(**args)


class _PresentCase:
    """Stand-in for a case in the placement cache: only the present teeth matter."""

    def __init__(self, present: tuple[int, ...]) -> None:
        self.dentition = self
        self._present = frozenset(present)

    def present_teeth(self) -> frozenset[int]:
        return self._present


def min_head_distance_mm(diameter_mm: float) -> Cited:
    """Least distance (mm) between the heads of two screws of ``diameter_mm`` in one design:
    the cited bone between neighbouring screws plus one diameter (two radii)."""
    bone = site_value("spacing", "min_bone_between_screws_mm")
    return bone.model_copy(update={"value": bone.value + float(diameter_mm)})


def _too_close(head: Sequence[float], occupied: F64, min_mm: float) -> bool:
    if not occupied.size:
        return False
    gap = np.linalg.norm(occupied - np.asarray(head, dtype=float), axis=1).min()
    return bool(gap < min_mm - 1e-9)


def _neighbour_sites(site: SiteRef, present: tuple[int, ...]) -> list[SiteRef]:
    """The inter-radicular sites next to ``site`` on the same surface and side (the teeth
    bounding it each with their other present neighbour)."""
    assert site.between is not None
    a, b = site.between
    sides = {fdi.side(a), fdi.side(b)}
    out: list[SiteRef] = []
    for t in (a, b):
        for n in fdi.neighbours(t, set(present)):
            if n in (a, b) or fdi.side(n) not in sides or fdi.is_primary(n) != fdi.is_primary(t):
                continue
            ref = SiteRef.model_validate({**site.model_dump(), "between": (t, n)})
            if ref not in out:
                out.append(ref)
    return out


_STATUS_ORDER = {"green": 0, "amber": 1, "unknown": 2, "red": 3}


def _away_from(
    ins: Insertion,
    present: tuple[int, ...],
    size: tuple[float, float],
    workflow: Workflow,
    occupied: F64,
    min_mm: Cited,
) -> tuple[Insertion, list[str]]:
    """``ins`` kept ``min_mm`` from every occupied head: a palatal screw moves along its
    region; an inter-radicular screw moves to the best neighbouring site on the same side
    (one septum takes one screw). Returns the insertion and notes on what was done; when
    nothing is acceptable the screw stays and its safety turns red with the reason."""
    site = ins.site
    bone = site_value("spacing", "min_bone_between_screws_mm")
    spacing = (
        f"heads {min_mm.value:g} mm apart: {bone.value:g} mm of bone between screws "
        f"[{bone.tag}], {bone.source}"
    )
    if site.region != SiteRegion.interradicular:
        from tadplan.anatomy.regions import spread_in_region

        case = _PresentCase(present)
        moved, ok = spread_in_region(case, ins, occupied, min_mm.value)  # type: ignore[arg-type]
        if ok:
            return moved, []
        from tadplan.anatomy._data import load

        spread = "spread" in (load("sites")["regions"].get(site.region.value) or {})
        where = (
            f"no point of the {site.label()}'s cited span keeps"
            if spread
            else f"tadplan has no cited span to spread screws in the {site.label()} to keep"
        )
        return ins, [
            f"{where} {spacing} from the other screws of this design: the screws would "
            "share one insertion; choose the sites on CBCT"
        ]
    tried: list[tuple[tuple[int, float], Insertion]] = []
    why: list[str] = []
    for ref in _neighbour_sites(site, present):
        try:
            cand = _best_cached(present, ref.model_dump_json(), size, workflow)
        except SiteUnavailable as exc:
            why.append(str(exc))
            continue
        if _too_close(cand.head_position_mm, occupied, min_mm.value):
            why.append(f"{ref.label()} is also taken")
        elif cand.safety.status == "red":
            why.append(f"{ref.label()} is red ({'; '.join(cand.safety.notes[1:]) or 'unsafe'})")
        else:
            tried.append(((_STATUS_ORDER[cand.safety.status], -cand.score), cand))
    if tried:
        best = min(tried, key=lambda t: t[0])[1]
        note = (
            f"moved from {site.label()} to {best.site.label()}: one inter-radicular site "
            f"takes one screw and {site.label()} already holds one of this design ({spacing})"
        )
        return best, [note]
    reason = "; ".join(why) or "no neighbouring inter-radicular site on this side"
    return ins, [
        f"{site.label()} already holds a screw of this design and no neighbouring site is "
        f"acceptable ({reason}): two screws cannot share one inter-radicular site"
    ]


def most_apical(
    case: Case, ins: Insertion, size: tuple[float, float], workflow: Workflow
) -> tuple[Insertion, list[str]]:
    """The most apical insertion at ``ins``'s inter-radicular site, for a rule that asks for
    the screw "as apically as possible" (seed II.1, deep-bite retraction): the highest grid
    height, up to the attached gingiva (the case's measured height at the site, else the
    cited one: above it the screw is in mobile mucosa), whose best insertion is no less safe
    than ``ins`` (the same or a better traffic light: root clearance, septal bone, bone along
    the axis). Returns the insertion and a note saying where it is and what limits it."""
    ag = site_value("soft_tissue", "attached_gingiva_height_mm")
    measured = case.site_assessment(ins.site)
    limit = (
        measured.attached_gingiva_height_mm
        if measured is not None and measured.attached_gingiva_height_mm is not None
        else ag.value
    )
    where = (
        f"the attached gingiva measured at this site ({limit:g} mm)"
        if measured is not None and measured.attached_gingiva_height_mm is not None
        else f"the attached gingiva, {ag.value:g} mm ({ag.source} [{ag.tag}])"
    )
    base = ins.height_mm or 0.0
    heights = [float(h) for h in default_grid().heights_mm if base < h <= limit + 1e-9]
    rank0 = _STATUS_ORDER[ins.safety.status]
    present = tuple(sorted(case.dentition.present_teeth()))
    for h in sorted(heights, reverse=True):
        cand = _best_cached(present, ins.site.model_dump_json(), size, workflow, height_mm=h)
        if _STATUS_ORDER[cand.safety.status] <= rank0:
            return cand, [
                f"as apically as possible: {h:g} mm from the crest (the usual insertion "
                f"{base:g} mm), limited by {where}; the higher head steepens the force"
            ]
    return ins, [
        f"as apically as possible: {base:g} mm from the crest is already the limit "
        + (
            f"({where})"
            if base >= limit - 1e-9
            else f"(above it up to {where} the insertion is less safe)"
        )
        + "; more apical means mobile mucosa"
    ]


def place_implant(
    case: Case, implant: Implant, occupied_mm: Sequence[Sequence[float]] = ()
) -> Implant:
    """The planner's placer: head position, axis and :class:`SiteSafety` for ``implant`` at
    its site on the case's average dentition. The implant keeps its size when the size is
    in the catalogue; otherwise the nearest catalogue size is assessed and a note says so.
    The workflow is guided when ``case.constraints.guided_insertion`` is set.

    ``occupied_mm`` are the heads (patient frame, mm) of the screws already placed in the
    same design: the head is kept :func:`min_head_distance_mm` from each of them, a palatal
    screw moving along its region's anteroposterior line, an inter-radicular screw to the
    best neighbouring site on its side (the returned implant's ``site`` says where). When
    no placement keeps the distance the screw is left where it is, red, with a note why."""
    grid = default_grid()
    workflow: Workflow = "guided" if case.constraints.guided_insertion else "freehand"
    d = float(grid.diameters_mm[np.argmin(np.abs(grid.diameters_mm - implant.diameter_mm))])
    length = float(grid.lengths_mm[np.argmin(np.abs(grid.lengths_mm - implant.length_mm))])
    present = tuple(sorted(case.dentition.present_teeth()))
    try:
        ins = _best_cached(present, implant.site.model_dump_json(), (d, length), workflow)
    except SiteUnavailable as exc:
        return implant.model_copy(update={"safety": SiteSafety(status="red", notes=[str(exc)])})
    extra: list[str] = []
    if implant.apical and implant.site.region == SiteRegion.interradicular:
        ins, extra = most_apical(case, ins, (d, length), workflow)
    occupied = np.asarray(occupied_mm, dtype=float).reshape(-1, 3)
    min_mm = min_head_distance_mm(implant.diameter_mm)
    if _too_close(ins.head_position_mm, occupied, min_mm.value):
        ins, moved = _away_from(ins, present, (d, length), workflow, occupied, min_mm)
        extra += moved
    safety = ins.safety
    if extra:
        refs = [r for r in _refs(min_mm) if r not in safety.sources]
        stacked = _too_close(ins.head_position_mm, occupied, min_mm.value)
        safety = safety.model_copy(
            update={
                "status": "red" if stacked else safety.status,
                "notes": [*safety.notes, *extra],
                "sources": [*safety.sources, *refs],
            }
        )
    if (d, length) != (implant.diameter_mm, implant.length_mm):
        safety = safety.model_copy(
            update={
                "notes": [
                    *safety.notes,
                    f"assessed as the catalogue size {d:g} x {length:g} mm "
                    f"(planned {implant.diameter_mm:g} x {implant.length_mm:g} mm)",
                ]
            }
        )
    return implant.model_copy(
        update={
            "site": ins.site,
            "head_position_mm": ins.head_position_mm,
            "axis": ins.axis,
            "safety": safety,
        }
    )


# ----------------------------------------------------------------------------- patient meshes


def _approach_on_patient(
    case: Case, implant: Implant, patient: DentitionModel
) -> tuple[list[int], list[int], dict[int, tuple[float, float]]]:
    """The teeth around a placed inter-radicular screw with a patient mesh, those measured
    on the average dentition, and :func:`exact_approach` to each (none when no tooth
    around it has a patient mesh)."""
    assert implant.site.between is not None and implant.site.surface is not None
    assert implant.head_position_mm is not None and implant.axis is not None
    average = dentition_model(case)
    a, b = implant.site.between
    near = {a, b}
    for t in (a, b):
        near |= set(fdi.neighbours(t, set(average.landmarks) | set(patient.meshes)))
    own = sorted(t for t in near if t in patient.meshes)
    rest = sorted(t for t in near if t not in patient.meshes and t in average.meshes)
    if not own:
        return own, rest, {}
    soft = soft_tissue_mm(implant.site.surface.value)
    axis = np.asarray(implant.axis, dtype=np.float64)
    entry = np.asarray(implant.head_position_mm, dtype=np.float64) + axis * soft.value
    size = (implant.length_mm, implant.diameter_mm / 2)
    approach = exact_approach(patient, own, entry, axis, *size)
    approach |= exact_approach(average, rest, entry, axis, *size)
    return own, rest, approach


def assess_on_patient(case: Case, implant: Implant, patient: DentitionModel) -> SiteSafety | None:
    """``implant``'s safety with its root clearance measured again, exactly (python-fcl, as
    the placement does), against the patient's tooth meshes: the screw stays where the plan
    put it on the average dentition (head, axis, size; the patient's meshes are in the
    patient frame, :mod:`tadplan.anatomy.frame`), and the roots of the site's teeth and
    their neighbours are the patient's where a mesh of the tooth is given, else the average
    ones. The traffic light follows the placement's thresholds (module docstring; the
    workflow's insertion error at the closest approach); what the plan found besides the
    roots stays: a screw longer than the bone along its axis is amber, a red the root
    clearance does not explain (mental foramen zone, two screws in one place) stays red.

    None when there is nothing to measure again: a named region (no roots in its path), a
    screw not placed, or no patient mesh of the site's teeth or their neighbours."""
    s = implant.safety
    site = implant.site
    if (
        site.region != SiteRegion.interradicular
        or site.between is None
        or site.surface is None
        or implant.head_position_mm is None
        or implant.axis is None
        or s is None
        or s.min_root_clearance_mm is None
    ):
        return None
    own, rest, approach = _approach_on_patient(case, implant, patient)
    if not own:
        return None
    closest = min(approach, key=lambda t: approach[t][0])
    clearance, t_closest = approach[closest]
    workflow: Workflow = "guided" if case.constraints.guided_insertion else "freehand"
    pdl = site_value("margins", "pdl_mm")
    septal = site_value("margins", "septal_bone_each_side_mm")
    e_lin, e_ang = insertion_error(workflow)
    err = e_lin.value + t_closest * float(np.sin(np.radians(e_ang.value)))
    notes = [
        f"measured on the patient's meshes of teeth {', '.join(map(str, own))}"
        + (f" (average roots of {', '.join(map(str, rest))})" if rest else "")
        + f": {clearance:.2f} mm from the root of {closest} ({workflow} insertion, expected "
        f"error {err:.2f} mm at the closest approach)"
    ]
    status: Literal["green", "amber", "red"] = "green"
    if clearance < pdl.value:
        status = "red"
        notes.append(
            "the screw touches a patient's root"
            if clearance <= 0
            else "the screw enters the periodontal ligament of a patient's root"
        )
    elif clearance - err < septal.value:
        status = "amber"
        notes.append(
            f"less than {septal.value} mm of septal bone once the insertion error is allowed for"
        )
    if status == "green" and s.bone_depth_mm is not None and implant.length_mm > s.bone_depth_mm:
        status = "amber"  # the bone along the axis, as the plan found it
    if s.status == "red" and s.min_root_clearance_mm >= pdl.value:
        status = "red"  # red for a reason other than the roots: it stays
    notes.append(
        f"on the average dentition the plan found it {s.status}, "
        f"{s.min_root_clearance_mm:.2f} mm from the roots:"
    )
    refs = [r for r in _refs(pdl, septal, e_lin, e_ang) if r not in s.sources]
    return s.model_copy(
        update={
            "status": status,
            "min_root_clearance_mm": round(clearance, 3),
            "root_contact": clearance <= 0.0,
            "teeth_at_risk": sorted(t for t, (c, _) in approach.items() if c - err < septal.value),
            "notes": [*notes, *s.notes],
            "sources": [*s.sources, *refs],
        }
    )
