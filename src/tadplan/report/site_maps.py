"""The clearance maps of a safe-site survey (``tadplan sites --search --out DIR``): one PNG
per inter-radicular site, drawn as in the report's site view (grey clearance, PDL and
safety-margin contours, the best insertion starred)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tadplan._files import write_atomic
from tadplan.anatomy.clearance import map_from_ranked
from tadplan.anatomy.survey import Survey
from tadplan.report.canvas import Canvas, svg_to_png
from tadplan.report.site_view import draw_clearance_map


def write_clearance_maps(survey: Survey, out: Path, dpi: int = 110) -> list[Path]:
    """One PNG per site of ``survey`` in ``out`` (created): the clearance map of the best
    insertion's size and angles over insertion height x mesiodistal offset. Each file is
    written whole or not at all (:func:`tadplan._files.write_atomic`)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    g = survey.grid
    for r, ins in zip(survey.ranked, survey.best, strict=True):
        f = r.scan.geometry.frame
        _i, _j, v, w, li, di = r.best
        cmap = map_from_ranked(ins.site, r, g, v, w, li, di, survey.workflow)
        cell = (
            int(np.argmin(np.abs(cmap.heights_mm - (ins.height_mm or 0.0)))),
            int(np.argmin(np.abs(cmap.mesiodistal_mm - (ins.mesiodistal_mm or 0.0)))),
        )
        fig = Canvas((4.4, 3.6))
        draw_clearance_map(fig, cmap, cell, f.label, rect=(0.16, 0.28, 0.62, 0.6), caption_at=0.06)
        fig.text(
            0.5,
            0.98,
            f"{f.label}: best insertion, {ins.safety.status if ins.safety else 'not assessed'}",
            ha="center",
            va="top",
            fontsize=8.5,
            fontweight="bold",
        )
        p = out / f"clearance_{f.surface}_{f.a}-{f.b}.png"
        write_atomic(p, svg_to_png(fig.to_svg(title=f"Clearance map {f.label}"), dpi=dpi))
        paths.append(p)
    return paths
