"""Exhaustive safe-site search over inter-radicular sites, and exact capsule clearance.

The screw is a capsule of radius r = diameter / 2 whose rounded tip ends exactly the thread
length L from the entry point E on the bone surface: its axis segment runs from E along the
unit direction d for L - r (the cap behind E is the neck leaving the bone). Its clearance is the
smallest distance from that segment to any root surface, minus the radius (zero: the screw
touches or enters a root; the exact clearance is never negative, see :func:`exact_clearance`).

Grid (``data/sites.yaml`` ``search_grid``): heights 2-12 mm from the crest every 0.5 mm,
mesiodistal offsets -1.5 to +1.5 mm from the middle of the site every 0.25 mm, vertical
angle 0-60 deg every 5 deg (0 = perpendicular to the occlusal plane's normal, i.e. horizontal
into the alveolus; + tilts the tip apically), horizontal angle -20 to +20 deg every 10 deg
(+ turns the tip towards the second tooth of the site), and every catalogue size.

Fast clearance: per-root narrow-band distance grids (:mod:`distance_grid`), gathered along
each axis with Lipschitz steps (the distance changes at most 1 mm per mm: a point at
distance d lets the walk skip d - best + 0.02 mm, never less than 0.35 mm) so one walk gives
the running minimum for every catalogue length; the diameter is subtracted afterwards.
Exact clearance: python-fcl capsule-to-mesh distance (:func:`exact_clearance`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from numpy.typing import NDArray

from tadplan._jit import njit, prange
from tadplan.anatomy._data import cited, load
from tadplan.anatomy.dentition import arch_value, neighbour_pairs, size_of
from tadplan.anatomy.distance_grid import PartFields, build_part_fields, min_parts
from tadplan.anatomy.meshes import DentitionModel
from tadplan.anatomy.sites import SiteFrame, axis_point_at, site_frame, surface_for
from tadplan.case import fdi
from tadplan.model import Cited

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


# ----------------------------------------------------------------------------- data


def site_value(*path: str) -> Cited:
    node: object = load("sites")
    for p in path:
        assert isinstance(node, dict), path
        node = node[p]
    return cited(node, "sites.yaml: " + ".".join(path))


@dataclass(frozen=True)
class SearchGrid:
    heights_mm: F64
    mesiodistal_mm: F64
    vertical_deg: F64
    horizontal_deg: F64
    diameters_mm: F64
    lengths_mm: F64

    @property
    def n_candidates_per_site(self) -> int:
        return (
            len(self.heights_mm)
            * len(self.mesiodistal_mm)
            * len(self.vertical_deg)
            * len(self.horizontal_deg)
            * len(self.diameters_mm)
            * len(self.lengths_mm)
        )


def _range(spec: dict[str, float]) -> F64:
    n = round((spec["stop"] - spec["start"]) / spec["step"]) + 1
    return spec["start"] + spec["step"] * np.arange(n, dtype=np.float64)


@cache
def default_grid() -> SearchGrid:
    g = load("sites")["search_grid"]
    cat = load("sites")["catalogue"]
    return SearchGrid(
        _range(g["heights_mm"]),
        _range(g["mesiodistal_mm"]),
        _range(g["vertical_deg"]),
        _range(g["horizontal_deg"]),
        np.array(cat["diameters_mm"]["values"], dtype=np.float64),
        np.array(cat["lengths_mm"]["values"], dtype=np.float64),
    )


# ----------------------------------------------------------------------------- fields


def root_parts(model: DentitionModel, teeth: list[int] | None = None) -> tuple[list, list]:
    """(owner, vertices, faces) of every closed component, and its clip box: the part
    apical to the CEJ (screws never reach the crowns)."""
    parts, clip = [], []
    for t in teeth if teeth is not None else list(model.meshes):
        m = model.meshes[t]
        cej_z = float(model.landmarks[t].cej_mm[2])
        up = fdi.arch(t) == "maxilla"
        for a, b in m.components:
            f = m.faces[a:b]
            # crown triangles wholly coronal to 0.5 mm short of the CEJ are never the
            # nearest surface to a screw 2 mm or more apical to the crest: leave them out
            zs = m.vertices[f][:, :, 2]
            sign = 1.0 if up else -1.0
            keep = ((zs - cej_z) * sign > -0.5).any(axis=1)
            if not keep.any():
                continue
            f = f[keep]
            used = np.unique(f)
            remap = np.full(len(m.vertices), -1, dtype=np.int64)
            remap[used] = np.arange(len(used))
            lo = np.full(3, -1e9)
            hi = np.full(3, 1e9)
            if up:
                lo[2] = cej_z
            else:
                hi[2] = cej_z
            parts.append((t, m.vertices[used], remap[f]))
            clip.append((lo, hi))
    return parts, clip


ROOT_FIELD_SETTINGS: dict[str, float | int] = {
    "h_mm": 0.35,
    "band_mm": 3.1,
    "seed_band_mm": 0.45,
    "max_sweeps": 3,
}
"""Grid step, band and sweeps of the root distance grids (clearances up to 2 mm for screws
up to 2 mm thick are inside the band)."""


def build_root_fields(
    model: DentitionModel,
    teeth: list[int] | None = None,
    *,
    h_mm: float = float(ROOT_FIELD_SETTINGS["h_mm"]),
    band_mm: float = float(ROOT_FIELD_SETTINGS["band_mm"]),
    threads: int = 2,
) -> PartFields:
    """Distance grids of every root component (:data:`ROOT_FIELD_SETTINGS`)."""
    parts, clip = root_parts(model, teeth)
    return build_part_fields(
        parts,
        clip=clip,
        h_mm=h_mm,
        band_mm=band_mm,
        seed_band_mm=float(ROOT_FIELD_SETTINGS["seed_band_mm"]),
        max_sweeps=int(ROOT_FIELD_SETTINGS["max_sweeps"]),
        threads=threads,
    )


# ----------------------------------------------------------------------------- site geometry


@dataclass(frozen=True, eq=False)
class SiteGeometry:
    frame: SiteFrame
    entries: F64
    """(n_heights, n_md, 3) entry points on the bone surface."""
    dirs: F64
    """(n_vertical, n_horizontal, 3) unit screw axes."""
    bone_depth_mm: F64
    """(n_heights, n_vertical, n_horizontal) bone along the axis before the far cortex (or
    the sinus floor)."""
    excluded: NDArray[np.bool_]
    """(n_heights,) heights ruled out (mental foramen zone)."""
    neighbours: tuple[int, ...]
    """Teeth whose roots are checked (the two site teeth and their other neighbours)."""


def _root_half_width(model: DentitionModel, tooth: int, z: float) -> float:
    """Buccolingual half-width of a root at height z (taper profile of meshes.py)."""
    lm = model.landmarks[tooth]
    size = size_of(tooth)
    taper = arch_value("roots", "taper").value
    depth = (z - lm.cej_mm[2]) / lm.axis[2]
    t = float(np.clip(depth / lm.root_length_mm, 0.0, 1.0))
    scale = lm.root_length_mm / size.root_length_mm  # tooth_size_scale
    return size.bl_cervix_mm * scale / 2 * (1 - taper * t) * float(np.sqrt(max(0.0, 1 - t**4)))


def site_geometry(model: DentitionModel, frame: SiteFrame, grid: SearchGrid) -> SiteGeometry:
    jaw = frame.jaw
    outer_key = f"{jaw}_{'buccal' if frame.surface == 'buccal' else frame.surface}"
    inner_key = f"{jaw}_{'buccal' if frame.surface != 'buccal' else surface_for(jaw, True)}"
    wall_out = site_value("bone_over_roots_mm", outer_key).value
    wall_in = site_value("bone_over_roots_mm", inner_key).value
    nh = len(grid.heights_mm)
    entries = np.empty((nh, len(grid.mesiodistal_mm), 3))
    s_out = np.empty(nh)
    s_in = np.empty(nh)
    for i, h in enumerate(grid.heights_mm):
        z = frame.level_z(float(h))
        pts = [axis_point_at(model, t, z) for t in (frame.a, frame.b)]
        mid = (pts[0] + pts[1]) / 2
        half = [_root_half_width(model, t, z) for t in (frame.a, frame.b)]
        offs = [float((p - mid) @ frame.out) for p in pts]
        s_out[i] = max(o + w for o, w in zip(offs, half, strict=True)) + wall_out
        s_in[i] = min(o - w for o, w in zip(offs, half, strict=True)) - wall_in
        base = mid + s_out[i] * frame.out
        entries[i] = base[None, :] + grid.mesiodistal_mm[:, None] * frame.md[None, :]
    a = np.radians(grid.vertical_deg)[:, None]
    b = np.radians(grid.horizontal_deg)[None, :]
    dirs = (
        np.cos(a)[..., None] * np.cos(b)[..., None] * (-frame.out)
        + np.cos(a)[..., None] * np.sin(b)[..., None] * frame.md
        + np.sin(a)[..., None] * np.ones_like(b)[..., None] * frame.apical
    )
    dirs /= np.linalg.norm(dirs, axis=-1, keepdims=True)
    inward = np.cos(a) * np.cos(b)  # component along -out, (nv, nb)
    depth = (s_out - s_in)[:, None, None] / np.maximum(inward[None], 1e-6)
    if model.bone_vertices is not None and model.bone_faces is not None:
        entries, depth = _bone_surface(model, frame, entries, dirs, depth)
    pa, pb = sorted((fdi.position(frame.a), fdi.position(frame.b)))
    if jaw == "maxilla" and pa >= 4 and frame.a // 10 == frame.b // 10:
        # sinus floor: above the first molar's furcation (applied from 4-5 backwards)
        trunk = arch_value("roots", "root_trunk_mm", "maxilla").value
        cej = (model.landmarks[frame.a].cej_mm[2] + model.landmarks[frame.b].cej_mm[2]) / 2
        z_sinus = cej + trunk + site_value("sinus_floor_above_furcation_mm").value
        rise = np.sin(a) * np.ones_like(b)  # (nv, nb) apical component
        ez = np.array([frame.level_z(float(h)) for h in grid.heights_mm])
        room = np.maximum(z_sinus - ez, 0.0)[:, None, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            to_sinus = np.where(rise[None] > 1e-9, room / rise[None], np.inf)
        depth = np.minimum(depth, to_sinus)
    excluded = np.zeros(nh, dtype=bool)
    if jaw == "mandible" and frame.surface == "buccal" and (pa, pb) == (4, 5):
        excluded = grid.heights_mm >= site_value("mental_foramen_from_crest_mm").value
    neigh = {frame.a, frame.b}
    for t in (frame.a, frame.b):
        neigh |= set(fdi.neighbours(t, set(model.landmarks)))
    return SiteGeometry(frame, entries, dirs, depth, excluded, tuple(sorted(neigh)))


def _bone_surface(
    model: DentitionModel, frame: SiteFrame, entries: F64, dirs: F64, depth: F64
) -> tuple[F64, F64]:
    """Entry points on the patient's bone surface (rays cast inwards along -out from 10 mm
    outside the estimated surface) and, where the surface is closed, bone depth to where the
    axis leaves it. Without a hit the estimate stays."""
    assert model.bone_vertices is not None and model.bone_faces is not None
    tris = np.ascontiguousarray(model.bone_vertices[model.bone_faces], dtype=np.float64)
    centre = entries.reshape(-1, 3).mean(axis=0)
    near = (np.abs(tris.mean(axis=1) - centre) < 30.0).all(axis=1)
    tris = np.ascontiguousarray(tris[near])
    if len(tris) == 0:
        return entries, depth
    nh, nm = entries.shape[:2]
    start = entries.reshape(-1, 3) + 10.0 * frame.out
    t = _first_hits(tris, start, np.tile(-frame.out, (len(start), 1)), 0.0)
    hit = np.isfinite(t)
    flat = entries.reshape(-1, 3).copy()
    flat[hit] = start[hit] - t[hit, None] * frame.out
    new_entries = flat.reshape(nh, nm, 3)
    mid = new_entries[:, nm // 2]  # depth along each direction from the middle entry
    nv, nb = dirs.shape[:2]
    o = np.repeat(mid, nv * nb, axis=0)
    d = np.tile(dirs.reshape(-1, 3), (nh, 1))
    exit_t = _first_hits(tris, o, d, 0.05).reshape(nh, nv, nb)
    return new_entries, np.where(np.isfinite(exit_t), exit_t, depth)


@njit(cache=True, parallel=True)
def _first_hits(tris: F64, origins: F64, dirs: F64, tmin: float) -> F64:
    """Distance to the first triangle hit beyond ``tmin`` per ray (Moller-Trumbore); inf if
    none."""
    n = origins.shape[0]
    out = np.full(n, np.inf)
    for r in prange(n):
        ox, oy, oz = origins[r, 0], origins[r, 1], origins[r, 2]
        dx, dy, dz = dirs[r, 0], dirs[r, 1], dirs[r, 2]
        best = np.inf
        for k in range(tris.shape[0]):
            e1x = tris[k, 1, 0] - tris[k, 0, 0]
            e1y = tris[k, 1, 1] - tris[k, 0, 1]
            e1z = tris[k, 1, 2] - tris[k, 0, 2]
            e2x = tris[k, 2, 0] - tris[k, 0, 0]
            e2y = tris[k, 2, 1] - tris[k, 0, 1]
            e2z = tris[k, 2, 2] - tris[k, 0, 2]
            px = dy * e2z - dz * e2y
            py = dz * e2x - dx * e2z
            pz = dx * e2y - dy * e2x
            det = e1x * px + e1y * py + e1z * pz
            if abs(det) < 1e-12:
                continue
            inv = 1.0 / det
            tx, ty, tz = ox - tris[k, 0, 0], oy - tris[k, 0, 1], oz - tris[k, 0, 2]
            u = (tx * px + ty * py + tz * pz) * inv
            if u < 0.0 or u > 1.0:
                continue
            qx = ty * e1z - tz * e1y
            qy = tz * e1x - tx * e1z
            qz = tx * e1y - ty * e1x
            v = (dx * qx + dy * qy + dz * qz) * inv
            if v < 0.0 or u + v > 1.0:
                continue
            t = (e2x * qx + e2y * qy + e2z * qz) * inv
            if tmin < t < best:
                best = t
        out[r] = best
    return out


# ----------------------------------------------------------------------------- kernel


@njit(cache=True)
def _parts_near_axis(
    pall: I64,
    pl: I64,
    lo: F64,
    hi: F64,
    ex: float,
    ey: float,
    ez: float,
    dx: float,
    dy: float,
    dz: float,
    lmax: float,
) -> int:
    """Writes into ``pl`` the parts of ``pall`` whose grid box meets the box of the axis
    segment (entry e, direction d, ``lmax`` long); returns how many."""
    x0, x1 = min(ex, ex + lmax * dx), max(ex, ex + lmax * dx)
    y0, y1 = min(ey, ey + lmax * dy), max(ey, ey + lmax * dy)
    z0, z1 = min(ez, ez + lmax * dz), max(ez, ez + lmax * dz)
    npl = 0
    for q in range(pall.shape[0]):
        p = pall[q]
        if (
            x1 >= lo[p, 0]
            and x0 <= hi[p, 0]
            and y1 >= lo[p, 1]
            and y0 <= hi[p, 1]
            and z1 >= lo[p, 2]
            and z0 <= hi[p, 2]
        ):
            pl[npl] = p
            npl += 1
    return npl


@njit(cache=True)
def _walk_axis(
    flat: NDArray[np.float32],
    offset: I64,
    shape: I64,
    lo: F64,
    hi: F64,
    h: float,
    band: float,
    pa: I64,
    ex: float,
    ey: float,
    ez: float,
    dx: float,
    dy: float,
    dz: float,
    lengths: F64,
    step_min: float,
    eps: float,
    stop_below: float,
    dmin: NDArray[np.float32],
    tmin: NDArray[np.float32],
) -> None:
    """Walks one axis (sphere tracing on the parts ``pa``) and writes, for each length of
    ``lengths``, the running minimum distance and where it occurs into ``dmin``/``tmin``."""
    nl = lengths.shape[0]
    t = 0.0
    m = 1e30
    tm = 0.0
    li = 0
    while li < nl:
        d = min_parts(
            flat, offset, shape, lo, hi, h, band, pa, ex + t * dx, ey + t * dy, ez + t * dz
        )
        if d < m:
            m = d
            tm = t
        while li < nl and t >= lengths[li] - 1e-9:
            dmin[li] = m
            tmin[li] = tm
            li += 1
        if m <= stop_below and li < nl:
            # every catalogue screw already touches a root: the longer
            # lengths keep this (upper-bound) minimum
            while li < nl:
                dmin[li] = m
                tmin[li] = tm
                li += 1
        if li < nl:
            step = d - m + eps
            if step < step_min:
                step = step_min
            t = min(t + step, lengths[li])


@njit(cache=True, parallel=True)
def _scan(
    entries: F64,
    dirs: F64,
    parts: I64,
    lengths: F64,
    flat: NDArray[np.float32],
    offset: I64,
    shape: I64,
    lo: F64,
    hi: F64,
    h: float,
    band: float,
    step_min: float,
    eps: float,
    stop_below: float,
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """entries (S, nh, nm, 3), dirs (S, nv, nb, 3), parts (S, P) padded with -1, lengths
    ascending -> running minimum distance and where it occurs, (S, nh, nm, nv, nb, nL).
    Once the minimum falls to ``stop_below`` (the smallest screw radius) the walk stops: the
    remaining lengths get that minimum, an upper bound (those screws touch a root anyway)."""
    S, nh, nm = entries.shape[0], entries.shape[1], entries.shape[2]
    nv, nbh = dirs.shape[1], dirs.shape[2]
    nl = lengths.shape[0]
    dmin = np.empty((S, nh, nm, nv, nbh, nl), dtype=np.float32)
    tmin = np.empty((S, nh, nm, nv, nbh, nl), dtype=np.float32)
    for job in prange(S * nh):
        s = job // nh
        i = job % nh
        np_ = 0
        while np_ < parts.shape[1] and parts[s, np_] >= 0:
            np_ += 1
        pall = parts[s, :np_]
        pl = np.empty(np_, dtype=np.int64)
        lmax = lengths[nl - 1]
        for j in range(nm):
            ex, ey, ez = entries[s, i, j, 0], entries[s, i, j, 1], entries[s, i, j, 2]
            for v in range(nv):
                for w in range(nbh):
                    dx, dy, dz = dirs[s, v, w, 0], dirs[s, v, w, 1], dirs[s, v, w, 2]
                    npl = _parts_near_axis(pall, pl, lo, hi, ex, ey, ez, dx, dy, dz, lmax)
                    _walk_axis(
                        flat,
                        offset,
                        shape,
                        lo,
                        hi,
                        h,
                        band,
                        pl[:npl],
                        ex,
                        ey,
                        ez,
                        dx,
                        dy,
                        dz,
                        lengths,
                        step_min,
                        eps,
                        stop_below,
                        dmin[s, i, j, v, w],
                        tmin[s, i, j, v, w],
                    )
    return dmin, tmin


@dataclass(frozen=True, eq=False)
class SiteScan:
    geometry: SiteGeometry
    dmin_mm: NDArray[np.float32]
    """(nh, nm, nv, nb, nL, nD) smallest axis-to-root distance over the axis of a screw of
    length L and diameter D: the first L - D/2 mm (the screw is that segment with radius D/2,
    its rounded tip ending exactly L mm from the entry)."""
    tmin_mm: NDArray[np.float32]
    """Where along the axis that minimum lies."""


def scan_sites(
    model: DentitionModel,
    fields: PartFields,
    frames: list[SiteFrame],
    grid: SearchGrid | None = None,
) -> list[SiteScan]:
    """Fast clearance for every site, insertion point, angle pair and catalogue length."""
    grid = grid or default_grid()
    geoms = [site_geometry(model, f, grid) for f in frames]
    if not geoms:
        return []
    parts = [fields.parts_of(list(g.neighbours)) for g in geoms]
    width = max(1, max(len(p) for p in parts))
    packed = np.full((len(geoms), width), -1, dtype=np.int64)
    for n, p in enumerate(parts):
        packed[n, : len(p)] = p
    entries = np.ascontiguousarray(np.stack([g.entries for g in geoms]))
    dirs = np.ascontiguousarray(np.stack([g.dirs for g in geoms]))
    # the screw's axis segment is L - r long (its rounded tip ends L mm from the entry):
    # one walk stops at every L - r of the catalogue
    radii = grid.diameters_mm / 2
    ends = np.round(grid.lengths_mm[:, None] - radii[None, :], 6)  # (nL, nD)
    stops = np.unique(ends)
    index = np.searchsorted(stops, ends)
    dmin, tmin = _scan(
        entries,
        dirs,
        packed,
        np.ascontiguousarray(stops),
        fields.flat,
        fields.offset,
        fields.shape,
        fields.lo,
        fields.hi,
        fields.h,
        fields.band_mm,
        0.35,
        0.02,
        float(radii.min()),
    )
    return [SiteScan(g, dmin[n][..., index], tmin[n][..., index]) for n, g in enumerate(geoms)]


def all_site_frames(model: DentitionModel) -> list[SiteFrame]:
    """Buccal and palatal/lingual frames of every pair of neighbouring teeth present."""
    out = []
    for a, b in neighbour_pairs(model.landmarks):
        jaw = fdi.arch(a)
        out += [site_frame(model, a, b, surface_for(jaw, inner)) for inner in (False, True)]
    return out


# ----------------------------------------------------------------------------- exact


def exact_clearance(
    model: DentitionModel,
    teeth: list[int] | tuple[int, ...],
    entry: F64,
    direction: F64,
    length_mm: float,
    radius_mm: float,
) -> dict[int, float]:
    """Exact capsule-to-root-surface clearance per tooth (python-fcl), mm; 0.0 when the screw
    touches or enters the root (fcl reports a collision as -1, a code, not a distance: it is
    never passed on)."""
    approach = exact_approach(model, teeth, entry, direction, length_mm, radius_mm)
    return {t: c for t, (c, _) in approach.items()}


def exact_approach(
    model: DentitionModel,
    teeth: list[int] | tuple[int, ...],
    entry: F64,
    direction: F64,
    length_mm: float,
    radius_mm: float,
) -> dict[int, tuple[float, float]]:
    """Per tooth: the exact clearance (as :func:`exact_clearance`) and where along the axis,
    from the entry, the screw comes closest to that root (mm, 0 to the axis' end; the
    scan's ``tmin_mm``), from fcl's nearest points."""
    import fcl

    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    z = np.array([0.0, 0.0, 1.0])
    v = np.cross(z, d)
    c = float(z @ d)
    if np.linalg.norm(v) < 1e-12:
        rot = np.eye(3) if c > 0 else np.diag([1.0, -1.0, -1.0])
    else:
        vx = np.array([[0, -v[2], v[1]], [v[2], 0, -v[0]], [-v[1], v[0], 0]])
        rot = np.eye(3) + vx + vx @ vx * (1 / (1 + c))
    # the screw of the stated length: an axis segment of length - radius with a rounded tip
    # ending exactly length_mm from the entry (an fcl capsule's length excludes its caps)
    axis_mm = max(length_mm - radius_mm, 0.0)
    start = np.asarray(entry, dtype=np.float64)
    centre = start + d * axis_mm / 2
    cap = fcl.CollisionObject(fcl.Capsule(radius_mm, axis_mm), fcl.Transform(rot, centre))
    out = {}
    for t in teeth:
        obj = _fcl_tooth(model, t)
        req = fcl.DistanceRequest(enable_nearest_points=True)
        res = fcl.DistanceResult()
        dist = float(fcl.distance(cap, obj, req, res))
        # the two nearest points (one on each body) project onto the axis at about the
        # same place; their midpoint is used, whichever order fcl gives them in
        mid = (np.asarray(res.nearest_points[0]) + np.asarray(res.nearest_points[1])) / 2
        t_mm = float(np.clip((mid - start) @ d, 0.0, axis_mm))
        out[t] = (max(dist, 0.0), t_mm)  # contact or penetration: no clearance
    return out


def _fcl_tooth(model: DentitionModel, tooth: int) -> object:
    """The collision object of ``tooth``'s mesh (kept on the mesh: built once)."""
    import fcl

    m = model.meshes[tooth]

    def build() -> object:
        bvh = fcl.BVHModel()
        bvh.beginModel(len(m.vertices), len(m.faces))
        bvh.addSubModel(m.vertices, m.faces.astype(np.int32))
        bvh.endModel()
        return fcl.CollisionObject(bvh, fcl.Transform())

    return m.derived.get("fcl", build)
