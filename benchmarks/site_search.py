"""Benchmark: the full both-arch safe-site search on the average dentition.

Run:  .venv/bin/python benchmarks/site_search.py [--samples 1000] [--seed 0]

Times everything that depends on the dentition (meshing at clinical resolution, the
per-root distance grids, the exhaustive scan and the ranking); numba kernels are compiled
(or loaded from numba's cache) on a toy problem first. The baseline is the exact
python-fcl capsule-to-root distance per candidate, timed on a random sample in the same
run; the same sample gives the error of the fast clearance. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np


def _warm_up() -> None:
    from tadplan.anatomy.meshes import average_dentition
    from tadplan.anatomy.search import SearchGrid, build_root_fields, scan_sites
    from tadplan.anatomy.sites import site_frame

    model = average_dentition(resolution="coarse", teeth=[15, 16])
    fields = build_root_fields(model)
    g = SearchGrid(
        np.array([4.0]),
        np.array([0.0]),
        np.array([0.0]),
        np.array([0.0]),
        np.array([1.6]),
        np.array([8.0]),
    )
    scan_sites(model, fields, [site_frame(model, 16, 15, "buccal")], g)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    _warm_up()
    from tadplan.anatomy.meshes import average_dentition
    from tadplan.anatomy.search import exact_clearance
    from tadplan.anatomy.survey import search_all_sites

    t0 = time.perf_counter()
    model = average_dentition(resolution="clinical")
    survey = search_all_sites(model=model)
    wall = time.perf_counter() - t0
    n = survey.n_candidates
    grid = survey.grid
    print(f"dentition: {len(model.meshes)} teeth, {model.n_triangles:,} triangles")
    print(f"sites: {len(survey.ranked)}; candidates per site: {grid.n_candidates_per_site:,}")
    print("timings (s): " + ", ".join(f"{k} {v:.2f}" for k, v in survey.timings_s.items()))

    from tadplan.anatomy.search import _fcl_tooth

    for t in model.meshes:  # the baseline's trees are built outside its timing (favours it)
        _fcl_tooth(model, t)
    rng = np.random.default_rng(args.seed)
    fast, exact = [], []
    tb = time.perf_counter()
    for _ in range(args.samples):
        r = survey.ranked[int(rng.integers(len(survey.ranked)))]
        g = r.scan.geometry
        i, j, v, w, li, di = (int(rng.integers(k)) for k in r.clearance_mm.shape)
        radius = float(grid.diameters_mm[di]) / 2
        per_tooth = exact_clearance(
            model, g.neighbours, g.entries[i, j], g.dirs[v, w], float(grid.lengths_mm[li]), radius
        )
        exact.append(min(per_tooth.values()))
        fast.append(float(r.clearance_mm[i, j, v, w, li, di]))
    baseline_s = time.perf_counter() - tb
    fa = np.maximum(np.array(fast), 0.0)  # contact: both say "no clearance"
    ex = np.maximum(np.array(exact), 0.0)
    decisive = ex < 2.0
    err = fa - ex
    max_abs = float(np.abs(err[decisive]).max()) if decisive.any() else 0.0
    over = float(err.max())
    print(
        f"accuracy sample: {args.samples} candidates, {int(decisive.sum())} with exact "
        f"clearance < 2 mm; max |error| there {max_abs:.4f} mm; max overstatement "
        f"anywhere {over:.4f} mm; contacts {int((ex <= 0).sum())}"
    )
    base_rate = args.samples / baseline_s
    rate = n / wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(
        json.dumps(
            {
                "candidates": n,
                "wall_s": round(wall, 3),
                "candidates_per_s": round(rate, 1),
                "baseline_candidates_per_s": round(base_rate, 1),
                "speedup": round(rate / base_rate, 1),
                "max_abs_err_mm": round(max_abs, 4),
                "max_overstatement_mm": round(over, 4),
                "peak_rss_mb": round(peak, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
