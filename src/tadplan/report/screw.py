"""The mini-implant as the side views draw it (the force view and the site view): one
drawer, so a screw looks the same in both."""

from __future__ import annotations

import numpy as np

from tadplan.report.canvas import Artist, Axes, Circle, Group, Hatch, Line2D, Polygon
from tadplan.report.figures import INK, LIGHT, tag

THREAD_PITCH_MM = 0.9
"""Spacing of the thread marks along the screw (drawing convention)."""
COLLAR_MM = 1.0
"""Length of the head's collar outside the bone (drawing convention)."""
END_ON_MM = 1.0
"""A shaft drawn shorter than this is seen end-on: drawn as a ring with a cross."""


def draw_screw(
    ax: Axes,
    head: np.ndarray,
    tip: np.ndarray,
    diameter_mm: float,
    length_mm: float,
    ref: str,
    *,
    hatch: Hatch | None = None,
    zorder: float = 6.0,
) -> Group:
    """A screw from ``head`` to ``tip`` (2-D data mm: its axis as projected into the
    view) of ``diameter_mm`` x ``length_mm``: a shaft of its diameter with slanted thread
    marks and a conical tip, hatched with ``hatch`` (e.g. the site's status), and the head
    outside the bone as a black collar across the shaft. Tip, collar and thread pitch are
    foreshortened with the axis, so a steeply inclined screw is a short shaft, not a
    wedge. Seen end-on: the head as a ring with a cross. Tagged ``implant`` ``ref``."""
    r = diameter_mm / 2
    d = tip - head
    shown = float(np.hypot(*d))
    parts: list[Artist] = []
    if shown < END_ON_MM:
        parts.append(
            Circle(tuple(head), r * 1.4, facecolor=LIGHT, edgecolor=INK, lw=0.9, hatch=hatch)
        )
        parts += [
            Line2D([head[0] - r, head[0] + r], [head[1], head[1]], color=INK, lw=0.8),
            Line2D([head[0], head[0]], [head[1] - r, head[1] + r], color=INK, lw=0.8),
        ]
    else:
        u = d / shown
        n = np.array([-u[1], u[0]])
        scale = shown / max(length_mm, shown)  # foreshortening of the axis
        cone = head + d * (1.0 - min(2.5 * r * scale, 0.35 * shown) / shown)
        shaft = [head + n * r, cone + n * r, tip + n * r * 0.25]
        shaft += [tip - n * r * 0.25, cone - n * r, head - n * r]
        parts.append(
            Polygon(shaft, closed=True, facecolor=LIGHT, edgecolor=INK, lw=0.8, hatch=hatch)
        )
        k = max(int(shown / (THREAD_PITCH_MM * scale)), 2)
        for i in range(1, k):
            c = head + d * i / k
            w = r if float((c - head) @ u) <= float((cone - head) @ u) else r * 0.6
            a, b = c + n * w - u * 0.25 * scale, c - n * w + u * 0.25 * scale
            parts.append(Line2D([a[0], b[0]], [a[1], b[1]], color=INK, lw=0.5))
        back = u * COLLAR_MM * scale
        collar = [head + n * r * 1.5, head + n * r * 1.5 - back]
        collar += [head - n * r * 1.5 - back, head - n * r * 1.5]
        parts.append(Polygon(collar, closed=True, facecolor=INK, edgecolor=INK, lw=0.6))
    group = Group(parts, zorder=zorder)
    ax.add_artist(group)
    tag(group, "implant", ref)
    return group
