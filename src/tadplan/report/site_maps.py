"""The clearance maps of a safe-site survey (``tadplan sites --search --out DIR``): one PNG
per inter-radicular site, drawn as in the report's site view (grey clearance, PDL and
safety-margin contours, the best insertion starred) from the survey's
:meth:`~tadplan.anatomy.survey.Survey.best_maps`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tadplan._files import write_atomic
from tadplan.anatomy.survey import BestMap
from tadplan.report.canvas import Canvas
from tadplan.report.site_view import draw_clearance_map


def write_clearance_maps(maps: Sequence[BestMap], out: Path, dpi: int = 110) -> list[Path]:
    """One PNG per map in ``out`` (created). Each file is written whole or not at all
    (:func:`tadplan._files.write_atomic`)."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for m in maps:
        fig = Canvas((4.4, 3.6))
        draw_clearance_map(
            fig, m.cmap, m.cell, m.label, rect=(0.16, 0.28, 0.62, 0.6), caption_at=0.06
        )
        fig.text(
            0.5,
            0.98,
            f"{m.label}: best insertion, {m.status or 'not assessed'}",
            ha="center",
            va="top",
            fontsize=8.5,
            fontweight="bold",
        )
        p = out / f"clearance_{m.file_stem}.png"
        write_atomic(p, fig.to_png(dpi, title=f"Clearance map {m.label}"))
        paths.append(p)
    return paths
