"""The both-arch survey behind ``tadplan sites``: the inter-radicular table, and the full
safe-site search ranked per site with one clearance map per site (matplotlib, Agg)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from tadplan.anatomy.clearance import map_from_ranked
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


def write_maps(survey: Survey, out: Path) -> list[Path]:
    """One PNG per site: clearance over insertion height x mesiodistal offset (the
    :class:`~tadplan.anatomy.clearance.ClearanceMap` of the best insertion's size and
    angles, as the report draws it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    paths = []
    g = survey.grid
    for r, ins in zip(survey.ranked, survey.best, strict=True):
        f = r.scan.geometry.frame
        _i, _j, v, w, li, di = r.best
        m = map_from_ranked(ins.site, r, g, v, w, li, di, survey.workflow).clearance_mm
        fig, ax = plt.subplots(figsize=(4.2, 4.6))
        im = ax.imshow(
            m,
            origin="lower",
            aspect="auto",
            cmap="RdYlGn",
            vmin=-0.5,
            vmax=2.0,
            extent=(
                g.mesiodistal_mm[0] - 0.125,
                g.mesiodistal_mm[-1] + 0.125,
                g.heights_mm[0] - 0.25,
                g.heights_mm[-1] + 0.25,
            ),
        )
        ax.plot([ins.mesiodistal_mm or 0.0], [ins.height_mm or 0.0], "k*", ms=10)
        ax.set_xlabel(f"mesiodistal offset (mm, + towards {f.b})")
        ax.set_ylabel("height from the alveolar crest (mm)")
        ax.set_title(
            f"{f.label}: {ins.diameter_mm:g} x {ins.length_mm:g} mm, "
            f"{ins.vertical_deg:g}/{ins.horizontal_deg:g} deg",
            fontsize=9,
        )
        fig.colorbar(im, ax=ax, label="root clearance (mm)")
        p = out / f"clearance_{f.surface}_{f.a}-{f.b}.png"
        fig.savefig(p, dpi=90, bbox_inches="tight")
        plt.close(fig)
        paths.append(p)
    return paths
