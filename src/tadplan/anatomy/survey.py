"""The both-arch survey behind ``tadplan sites``: the inter-radicular table, and the full
safe-site search ranked per site, and the clearance map of each site's best insertion
(drawn by :mod:`tadplan.report.site_maps`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from tadplan.anatomy.clearance import ClearanceMap, map_from_ranked
from tadplan.anatomy.meshes import DentitionModel
from tadplan.anatomy.safety import (
    Insertion,
    RankedSite,
    Workflow,
    best_of_ranked,
    dentition_model,
    rank_site,
)
from tadplan.anatomy.search import (
    SearchGrid,
    all_site_frames,
    build_root_fields,
    default_grid,
    scan_sites,
)
from tadplan.case import Case
from tadplan.case.model import SiteRef, Surface


@dataclass(frozen=True, eq=False)
class Survey:
    model: DentitionModel
    grid: SearchGrid
    ranked: list[RankedSite]
    best: list[Insertion]
    timings_s: dict[str, float]
    workflow: Workflow = "freehand"

    @property
    def n_candidates(self) -> int:
        return len(self.ranked) * self.grid.n_candidates_per_site

    def best_maps(self) -> list[BestMap]:
        """Per site (best first), the clearance map of its best insertion's size and
        angles over insertion height x mesiodistal offset, with that insertion's cell."""
        out = []
        for r, ins in zip(self.ranked, self.best, strict=True):
            f = r.scan.geometry.frame
            _i, _j, v, w, li, di = r.best
            cmap = map_from_ranked(ins.site, r, self.grid, v, w, li, di, self.workflow)
            cell = (
                int(np.argmin(np.abs(cmap.heights_mm - (ins.height_mm or 0.0)))),
                int(np.argmin(np.abs(cmap.mesiodistal_mm - (ins.mesiodistal_mm or 0.0)))),
            )
            status = ins.safety.status if ins.safety else None
            out.append(BestMap(f.label, f"{f.surface}_{f.a}-{f.b}", cmap, cell, status))
        return out


@dataclass(frozen=True, eq=False)
class BestMap:
    """The clearance map of one site's best insertion."""

    label: str
    """The site as a reader names it (e.g. "buccal 15-16")."""
    file_stem: str
    """``<surface>_<a>-<b>``, for a file name."""
    cmap: ClearanceMap
    cell: tuple[int, int]
    """(height index, mesiodistal index) of the best insertion."""
    status: str | None
    """Its traffic light (green, amber, red), None when not assessed."""


def search_all_sites(
    case: Case | None = None,
    workflow: Workflow = "freehand",
    *,
    model: DentitionModel | None = None,
    threads: int = 2,
) -> Survey:
    """Exhaustive search over every buccal and palatal/lingual inter-radicular site of both
    arches; best insertion per site, best first."""
    t0 = time.perf_counter()
    model = model or dentition_model(case)
    t1 = time.perf_counter()
    fields = build_root_fields(model, threads=threads)
    t2 = time.perf_counter()
    grid = default_grid()
    frames = all_site_frames(model)
    scans = scan_sites(model, fields, frames, grid)
    t3 = time.perf_counter()
    ranked = [rank_site(s, grid, workflow) for s in scans]
    t4 = time.perf_counter()
    best = []
    for r in ranked:
        f = r.scan.geometry.frame
        site = SiteRef(between=(f.a, f.b), surface=Surface(f.surface))
        best.append(best_of_ranked(model, site, r, grid, workflow, fields))
    t5 = time.perf_counter()
    order = sorted(range(len(best)), key=lambda k: -best[k].score)
    return Survey(
        model,
        grid,
        [ranked[k] for k in order],
        [best[k] for k in order],
        {
            "dentition": t1 - t0,
            "fields": t2 - t1,
            "scan": t3 - t2,
            "rank": t4 - t3,
            "safety_of_best": t5 - t4,
        },
        workflow,
    )
