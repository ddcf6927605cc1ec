"""Narrow-band distance grid to a triangle mesh, and trilinear gathers from it (numba).

Construction (closest-triangle transform):

1. every triangle writes its exact point-triangle distance, and its index, into the grid
   points of its bounding box widened by ``seed_band_mm`` (exact within that band);
2. raster sweeps (forward, backward, repeated) carry each grid point's nearest-triangle
   index to its 26 neighbours, which keep the exact distance to that triangle when smaller.

Every stored value is an exact distance to *some* triangle, so it can only overstate the true
distance where propagation missed the nearest triangle; values are clamped at ``band_mm``
(a lower bound farther out). Accuracy against exact distances is measured by the tests and
by ``benchmarks/site_search.py``. Unsigned distance: points inside a root get their distance
to the root surface; a screw axis crossing a root still shows a near-zero clearance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tadplan._jit import njit

F64 = NDArray[np.float64]


@njit(cache=True, fastmath=False, inline="always")
def _pt_tri_sq(px: float, py: float, pz: float, tri: NDArray[np.float64]) -> float:
    """Squared distance from a point to a triangle (Ericson, Real-Time Collision Detection)."""
    ax, ay, az = tri[0, 0], tri[0, 1], tri[0, 2]
    bx, by, bz = tri[1, 0], tri[1, 1], tri[1, 2]
    cx, cy, cz = tri[2, 0], tri[2, 1], tri[2, 2]
    abx, aby, abz = bx - ax, by - ay, bz - az
    acx, acy, acz = cx - ax, cy - ay, cz - az
    apx, apy, apz = px - ax, py - ay, pz - az
    d1 = abx * apx + aby * apy + abz * apz
    d2 = acx * apx + acy * apy + acz * apz
    if d1 <= 0.0 and d2 <= 0.0:
        return apx * apx + apy * apy + apz * apz
    bpx, bpy, bpz = px - bx, py - by, pz - bz
    d3 = abx * bpx + aby * bpy + abz * bpz
    d4 = acx * bpx + acy * bpy + acz * bpz
    if d3 >= 0.0 and d4 <= d3:
        return bpx * bpx + bpy * bpy + bpz * bpz
    vc = d1 * d4 - d3 * d2
    if vc <= 0.0 and d1 >= 0.0 and d3 <= 0.0:
        v = d1 / (d1 - d3)
        qx, qy, qz = ax + v * abx - px, ay + v * aby - py, az + v * abz - pz
        return qx * qx + qy * qy + qz * qz
    cpx, cpy, cpz = px - cx, py - cy, pz - cz
    d5 = abx * cpx + aby * cpy + abz * cpz
    d6 = acx * cpx + acy * cpy + acz * cpz
    if d6 >= 0.0 and d5 <= d6:
        return cpx * cpx + cpy * cpy + cpz * cpz
    vb = d5 * d2 - d1 * d6
    if vb <= 0.0 and d2 >= 0.0 and d6 <= 0.0:
        w = d2 / (d2 - d6)
        qx, qy, qz = ax + w * acx - px, ay + w * acy - py, az + w * acz - pz
        return qx * qx + qy * qy + qz * qz
    va = d3 * d6 - d5 * d4
    if va <= 0.0 and (d4 - d3) >= 0.0 and (d5 - d6) >= 0.0:
        w = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        qx = bx + w * (cx - bx) - px
        qy = by + w * (cy - by) - py
        qz = bz + w * (cz - bz) - pz
        return qx * qx + qy * qy + qz * qz
    denom = 1.0 / (va + vb + vc)
    v = vb * denom
    w = vc * denom
    qx = ax + abx * v + acx * w - px
    qy = ay + aby * v + acy * w - py
    qz = az + abz * v + acz * w - pz
    return qx * qx + qy * qy + qz * qz


@njit(cache=True, nogil=True)
def _seed(
    tris: NDArray[np.float64],
    lo: F64,
    h: float,
    shape: NDArray[np.int64],
    band: float,
    d2: NDArray[np.float64],
    tid: NDArray[np.int32],
) -> None:
    nx, ny, nz = shape[0], shape[1], shape[2]
    for t in range(tris.shape[0]):
        tri = tris[t]
        i0 = max(0, int(np.floor((tri[:, 0].min() - band - lo[0]) / h)))
        i1 = min(nx - 1, int(np.ceil((tri[:, 0].max() + band - lo[0]) / h)))
        j0 = max(0, int(np.floor((tri[:, 1].min() - band - lo[1]) / h)))
        j1 = min(ny - 1, int(np.ceil((tri[:, 1].max() + band - lo[1]) / h)))
        k0 = max(0, int(np.floor((tri[:, 2].min() - band - lo[2]) / h)))
        k1 = min(nz - 1, int(np.ceil((tri[:, 2].max() + band - lo[2]) / h)))
        for i in range(i0, i1 + 1):
            px = lo[0] + i * h
            for j in range(j0, j1 + 1):
                py = lo[1] + j * h
                for k in range(k0, k1 + 1):
                    q = _pt_tri_sq(px, py, lo[2] + k * h, tri)
                    if q < d2[i, j, k]:
                        d2[i, j, k] = q
                        tid[i, j, k] = t


@njit(cache=True, nogil=True)
def _sweep(
    tris: NDArray[np.float64],
    lo: F64,
    h: float,
    d2: NDArray[np.float64],
    tid: NDArray[np.int32],
    forward: bool,
    band2: float,
) -> int:
    """One raster sweep passing nearest-triangle indices between 6-neighbours."""
    nx, ny, nz = d2.shape
    changed = 0
    step = 1 if forward else -1
    istart, iend = (0, nx) if forward else (nx - 1, -1)
    jstart, jend = (0, ny) if forward else (ny - 1, -1)
    kstart, kend = (0, nz) if forward else (nz - 1, -1)
    for i in range(istart, iend, step):
        px = lo[0] + i * h
        for j in range(jstart, jend, step):
            py = lo[1] + j * h
            for k in range(kstart, kend, step):
                best = d2[i, j, k]
                bt = tid[i, j, k]
                for n in range(6):
                    ii, jj, kk = i, j, k
                    if n == 0:
                        ii -= 1
                    elif n == 1:
                        ii += 1
                    elif n == 2:
                        jj -= 1
                    elif n == 3:
                        jj += 1
                    elif n == 4:
                        kk -= 1
                    else:
                        kk += 1
                    if ii < 0 or jj < 0 or kk < 0 or ii >= nx or jj >= ny or kk >= nz:
                        continue
                    t = tid[ii, jj, kk]
                    if t < 0 or t == bt:
                        continue
                    q = _pt_tri_sq(px, py, lo[2] + k * h, tris[t])
                    if q < best:
                        best = q
                        bt = t
                if bt != tid[i, j, k] and best < band2:
                    d2[i, j, k] = best
                    tid[i, j, k] = bt
                    changed += 1
    return changed


def _grid_arrays(
    tris: NDArray[np.float64],
    lo: F64,
    hi: F64,
    h: float,
    band: float,
    seed_band: float,
    max_sweeps: int,
) -> NDArray[np.float32]:
    shape = np.ceil((hi - lo) / h).astype(np.int64) + 1
    d2 = np.full(tuple(shape), band * band, dtype=np.float64)
    tid = np.full(tuple(shape), -1, dtype=np.int32)
    _seed(tris, lo, h, shape, seed_band, d2, tid)
    for n in range(max_sweeps):
        if _sweep(tris, lo, h, d2, tid, n % 2 == 0, band * band) == 0 and n >= 1:
            break
    return np.sqrt(d2).astype(np.float32)


@dataclass(frozen=True, eq=False)
class DistanceGrid:
    """Distances (mm) sampled at ``lo + h * (i, j, k)``; clamped at ``band_mm``."""

    values: NDArray[np.float32]
    lo: F64
    h: float
    band_mm: float

    def gather(self, points: F64) -> F64:
        """Trilinear distance at ``points`` (n, 3); ``band_mm`` outside the grid."""
        return _gather_many(
            self.values,
            self.lo,
            self.h,
            self.band_mm,
            np.ascontiguousarray(points, dtype=np.float64),
        )


def build_distance_grid(
    vertices: F64,
    faces: NDArray[np.int64],
    *,
    h_mm: float = 0.3,
    band_mm: float = 3.5,
    seed_band_mm: float = 0.6,
    lo: F64 | None = None,
    hi: F64 | None = None,
    max_sweeps: int = 4,
) -> DistanceGrid:
    """Narrow-band unsigned distance grid to one mesh over [lo, hi] (default: its bounding
    box widened by ``band_mm``). Use one grid per convex-ish part (a root, a crown body):
    trilinear interpolation across the ridge where the nearest part changes underestimates
    by up to h/2, which per-part grids avoid."""
    v = np.asarray(vertices, dtype=np.float64)
    lo_ = v.min(axis=0) - band_mm if lo is None else np.asarray(lo, dtype=np.float64)
    hi_ = v.max(axis=0) + band_mm if hi is None else np.asarray(hi, dtype=np.float64)
    tris = np.ascontiguousarray(v[np.asarray(faces)], dtype=np.float64)
    vals = _grid_arrays(tris, lo_, hi_, h_mm, band_mm, seed_band_mm, max_sweeps)
    return DistanceGrid(vals, lo_, h_mm, band_mm)


@dataclass(frozen=True, eq=False)
class PartFields:
    """Distance grids of many mesh parts packed for numba: part ``p`` has its values at
    ``flat[offset[p]:offset[p] + prod(shape[p])]`` (C order), origin ``lo[p]``."""

    flat: NDArray[np.float32]
    offset: NDArray[np.int64]
    shape: NDArray[np.int64]
    lo: F64
    hi: F64
    h: float
    band_mm: float
    owner: NDArray[np.int64]
    """FDI number of the tooth each part belongs to."""

    def parts_of(self, teeth: set[int] | list[int]) -> NDArray[np.int64]:
        return np.flatnonzero(np.isin(self.owner, list(teeth))).astype(np.int64)

    def distance(self, points: F64, parts: NDArray[np.int64]) -> F64:
        """Smallest trilinear distance over ``parts`` at ``points``; ``band_mm`` if none near."""
        p = np.ascontiguousarray(points, dtype=np.float64)
        return _min_parts_many(
            self.flat, self.offset, self.shape, self.lo, self.hi, self.h, self.band_mm, parts, p
        )


def build_part_fields(
    parts: list[tuple[int, F64, NDArray[np.int64]]],
    *,
    h_mm: float = 0.3,
    band_mm: float = 3.5,
    seed_band_mm: float = 0.6,
    clip: list[tuple[F64, F64]] | None = None,
    max_sweeps: int = 4,
    threads: int = 2,
) -> PartFields:
    """One grid per part ``(owner fdi, vertices, faces)``; ``clip[i]`` optionally limits part
    i's box (e.g. to the root region)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = []
    for n, (_owner, v, f) in enumerate(parts):
        lo = v.min(axis=0) - band_mm
        hi = v.max(axis=0) + band_mm
        if clip is not None:
            lo = np.maximum(lo, clip[n][0])
            hi = np.minimum(hi, clip[n][1])
        hi = np.maximum(hi, lo + h_mm)
        tris = np.ascontiguousarray(v[f], dtype=np.float64)
        jobs.append((tris, lo, hi))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as ex:
        grids = list(
            ex.map(
                lambda j: _grid_arrays(j[0], j[1], j[2], h_mm, band_mm, seed_band_mm, max_sweeps),
                jobs,
            )
        )
    sizes = np.array([g.size for g in grids], dtype=np.int64)
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    return PartFields(
        flat=np.concatenate([g.ravel() for g in grids]) if grids else np.zeros(0, np.float32),
        offset=offset,
        shape=np.array([g.shape for g in grids], dtype=np.int64).reshape(-1, 3),
        lo=np.array([j[1] for j in jobs], dtype=np.float64).reshape(-1, 3),
        hi=np.array(
            [j[1] + (np.array(g.shape) - 1) * h_mm for j, g in zip(jobs, grids, strict=True)],
            dtype=np.float64,
        ).reshape(-1, 3),
        h=h_mm,
        band_mm=band_mm,
        owner=np.array([p[0] for p in parts], dtype=np.int64),
    )


@njit(cache=True, inline="always")
def trilinear_flat(
    flat: NDArray[np.float32],
    off: int,
    nx: int,
    ny: int,
    nz: int,
    lo: F64,
    h: float,
    outside: float,
    x: float,
    y: float,
    z: float,
) -> float:
    fx = (x - lo[0]) / h
    fy = (y - lo[1]) / h
    fz = (z - lo[2]) / h
    if fx < 0 or fy < 0 or fz < 0:
        return outside
    i = int(fx)
    j = int(fy)
    k = int(fz)
    if i >= nx - 1 or j >= ny - 1 or k >= nz - 1:
        return outside
    tx = fx - i
    ty = fy - j
    tz = fz - k
    sj = nz
    si = ny * nz
    b = off + i * si + j * sj + k
    c00 = flat[b] * (1 - tx) + flat[b + si] * tx
    c10 = flat[b + sj] * (1 - tx) + flat[b + si + sj] * tx
    c01 = flat[b + 1] * (1 - tx) + flat[b + si + 1] * tx
    c11 = flat[b + sj + 1] * (1 - tx) + flat[b + si + sj + 1] * tx
    c0 = c00 * (1 - ty) + c10 * ty
    c1 = c01 * (1 - ty) + c11 * ty
    return c0 * (1 - tz) + c1 * tz


@njit(cache=True, inline="always")
def min_parts(
    flat: NDArray[np.float32],
    offset: NDArray[np.int64],
    shape: NDArray[np.int64],
    lo: F64,
    hi: F64,
    h: float,
    band: float,
    parts: NDArray[np.int64],
    x: float,
    y: float,
    z: float,
) -> float:
    best = band
    for q in range(parts.shape[0]):
        p = parts[q]
        if (
            x < lo[p, 0]
            or y < lo[p, 1]
            or z < lo[p, 2]
            or x > hi[p, 0]
            or y > hi[p, 1]
            or z > hi[p, 2]
        ):
            continue
        d = trilinear_flat(
            flat, offset[p], shape[p, 0], shape[p, 1], shape[p, 2], lo[p], h, band, x, y, z
        )
        if d < best:
            best = d
    return best


@njit(cache=True)
def _min_parts_many(
    flat: NDArray[np.float32],
    offset: NDArray[np.int64],
    shape: NDArray[np.int64],
    lo: F64,
    hi: F64,
    h: float,
    band: float,
    parts: NDArray[np.int64],
    p: F64,
) -> F64:
    out = np.empty(p.shape[0])
    for n in range(p.shape[0]):
        out[n] = min_parts(flat, offset, shape, lo, hi, h, band, parts, p[n, 0], p[n, 1], p[n, 2])
    return out


@njit(cache=True, inline="always")
def trilinear(
    g: NDArray[np.float32], lo: F64, h: float, outside: float, x: float, y: float, z: float
) -> float:
    fx = (x - lo[0]) / h
    fy = (y - lo[1]) / h
    fz = (z - lo[2]) / h
    i = int(np.floor(fx))
    j = int(np.floor(fy))
    k = int(np.floor(fz))
    nx, ny, nz = g.shape
    if i < 0 or j < 0 or k < 0 or i >= nx - 1 or j >= ny - 1 or k >= nz - 1:
        return outside
    tx = fx - i
    ty = fy - j
    tz = fz - k
    c00 = g[i, j, k] * (1 - tx) + g[i + 1, j, k] * tx
    c10 = g[i, j + 1, k] * (1 - tx) + g[i + 1, j + 1, k] * tx
    c01 = g[i, j, k + 1] * (1 - tx) + g[i + 1, j, k + 1] * tx
    c11 = g[i, j + 1, k + 1] * (1 - tx) + g[i + 1, j + 1, k + 1] * tx
    c0 = c00 * (1 - ty) + c10 * ty
    c1 = c01 * (1 - ty) + c11 * ty
    return c0 * (1 - tz) + c1 * tz


@njit(cache=True)
def _gather_many(g: NDArray[np.float32], lo: F64, h: float, outside: float, p: F64) -> F64:
    out = np.empty(p.shape[0])
    for n in range(p.shape[0]):
        out[n] = trilinear(g, lo, h, outside, p[n, 0], p[n, 1], p[n, 2])
    return out
