"""Figure plumbing: the diagram record, axes and legends drawn as plain shapes, tags that
name elements in the SVG, PNG export.

Drawing code tags artists with :func:`tag` (``tag(artist, "connection", "c1", "tpa")``);
the SVG written by :meth:`Figure.svg` then carries ``<g id="<prefix>connection-c1"
class="connection tpa" data-ref="c1">`` so the report's tests (and a reader's browser
tools) can find every implant and connection by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from tadplan.report.canvas import (
    Artist,
    Axes,
    Canvas,
    Coords,
    Line2D,
    Rectangle,
    Tag,
    Text,
    text_width_pt,
)

FigureKind = Literal["occlusal", "lateral", "frontal", "site", "force_time"]


INK = "#000000"
GREY = "#6e6e6e"
LIGHT = "#d9d9d9"
PAPER = "#ffffff"


@dataclass
class Figure:
    """One diagram of a report: the drawing plus what the report says about it."""

    id: str
    kind: FigureKind
    title: str
    caption: str
    canvas: Canvas = field(repr=False)
    notes: list[str] = field(default_factory=list)
    """Statements about data the diagram could not show (e.g. no mechanics result)."""

    def svg(self) -> str:
        """The diagram as an inline-ready ``<svg>`` element, ids prefixed with its own."""
        return self.canvas.to_svg(prefix=f"{self.id}-", title=self.title)

    def png(self, dpi: int = 150) -> bytes:
        return self.canvas.to_png(dpi, prefix=f"{self.id}-", title=self.title)

    def close(self) -> None:
        """Free the drawing."""
        self.canvas.axes.clear()
        self.canvas.artists.clear()


def new_figure(width_in: float, height_in: float) -> Canvas:
    return Canvas(figsize=(width_in, height_in))


def draw_line(ax: Axes, xs: Any, ys: Any, **kw: Any) -> list[Line2D]:
    """A polyline in data coordinates (limits are set by hand, not from the line)."""
    kw.setdefault("color", INK)
    line = Line2D(xs, ys, **kw)
    ax.add_artist(line)
    return [line]


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """About ``n`` round tick values (steps of 1, 2, 2.5 or 5 x 10^k) within [lo, hi]."""
    span = max(hi - lo, 1e-9)
    raw = span / max(n - 1, 1)
    mag = 10.0 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * mag >= raw - 1e-12)
    first = np.ceil(lo / step - 1e-9) * step
    return [round(float(v), 10) + 0.0 for v in np.arange(first, hi + step * 1e-6, step)]


def _tick_text(v: float) -> str:
    return f"{round(v, 2):g}".replace("-", "\u2212")


def plain_axes(
    ax: Axes,
    *,
    xticks: Sequence[float] | None,
    yticks: Sequence[float],
    xlabel: str = "",
    ylabel: str = "",
    fontsize: float = 6.0,
    labelsize: float = 6.5,
    box: bool = False,
    yside: Literal["left", "right"] = "left",
) -> None:
    """Draw the axes of ``ax`` (limits already set): the axis lines (or a frame with
    ``box``), tick marks and labels. ``xticks=None``: no x axis (e.g. a colour bar)."""
    kw: dict[str, Any] = {"color": INK, "clip_on": False, "lw": 0.6, "zorder": 4}
    if box:
        ax.add_artist(Rectangle((0, 0), 1, 1, transform=Coords("axes"), fill=False, **kw))
    else:
        if xticks is not None:
            ax.add_artist(Line2D([0, 1], [0, 0], transform=Coords("axes"), **kw))
        xa = 0 if yside == "left" else 1
        ax.add_artist(Line2D([xa, xa], [0, 1], transform=Coords("axes"), **kw))
    if xticks is not None:
        _draw_x_ticks(ax, xticks, xlabel, fontsize, labelsize, kw)
    _draw_y_ticks(ax, yticks, ylabel, fontsize, labelsize, yside, kw)


_TICK_PT = 3.0
"""Tick mark length (points)."""
_PAD_PT = _TICK_PT + 1.5
"""Tick mark to tick label (points)."""


def _draw_x_ticks(
    ax: Axes,
    xticks: Sequence[float],
    xlabel: str,
    fontsize: float,
    labelsize: float,
    kw: dict[str, Any],
) -> None:
    """Tick marks and labels under the x axis, and its label."""
    tick, pad = _TICK_PT, _PAD_PT
    lo, hi = sorted(ax.get_xlim())
    for v in (v for v in xticks if lo - 1e-9 <= v <= hi + 1e-9):
        ax.add_artist(
            Line2D([v, v], [0, 0], transform=_TickCoords("xaxis", ax, (0.0, -tick)), **kw)
        )
        ax.add_artist(
            Text(
                v,
                0,
                _tick_text(v),
                transform=Coords("xaxis", ax, (0.0, -pad)),
                ha="center",
                va="top",
                fontsize=fontsize,
            )
        )
    if xlabel:
        ax.add_artist(
            Text(
                0.5,
                0,
                xlabel,
                transform=Coords("axes", ax, (0.0, -(pad + fontsize * 1.25 + 2))),
                ha="center",
                va="top",
                fontsize=labelsize,
            )
        )


def _draw_y_ticks(
    ax: Axes,
    yticks: Sequence[float],
    ylabel: str,
    fontsize: float,
    labelsize: float,
    yside: Literal["left", "right"],
    kw: dict[str, Any],
) -> None:
    """Tick marks and labels beside the y axis (``yside``), and its label turned up."""
    tick, pad = _TICK_PT, _PAD_PT
    lo, hi = sorted(ax.get_ylim())
    ys = [v for v in yticks if lo - 1e-9 <= v <= hi + 1e-9]
    sign = -1.0 if yside == "left" else 1.0
    x = 0.0 if yside == "left" else 1.0
    ha = "right" if yside == "left" else "left"
    labels = [_tick_text(v) for v in ys]
    for v, text in zip(ys, labels, strict=True):
        ax.add_artist(
            Line2D([x, x], [v, v], transform=_TickCoords("yaxis", ax, (sign * tick, 0.0)), **kw)
        )
        ax.add_artist(
            Text(
                x,
                v,
                text,
                transform=Coords("yaxis", ax, (sign * pad, 0.0)),
                ha=ha,
                va="center",
                fontsize=fontsize,
            )
        )
    if ylabel:
        width = max((text_width_pt(t, fontsize) for t in labels), default=fontsize)
        ax.add_artist(
            Text(
                x,
                0.5,
                ylabel,
                transform=Coords("axes", ax, (sign * (pad + width + 3), 0.0)),
                ha=ha,
                va="center",
                rotation=90,
                fontsize=labelsize,
            )
        )


class _TickCoords(Coords):
    """A tick mark: its first point on the axis, its second ``tick_pt`` points off it."""

    def __init__(self, kind: Any, ax: Axes, tick_pt: tuple[float, float]) -> None:
        super().__init__(kind, ax)
        self.tick_pt = tick_pt

    def transform(self, xy: Any) -> np.ndarray:
        p = super().transform(xy)
        p[1:] += np.asarray(self.tick_pt)
        return p


def plain_legend(
    ax: Axes,
    entries: Sequence[tuple[dict[str, Any], str]],
    *,
    ncol: int = 3,
    fontsize: float = 6.0,
    gap_pt: float = 4.0,
) -> None:
    """A legend under ``ax`` (centred, ``ncol`` columns): each entry is (patch style for
    a small box, or ``{"marker": ...}`` style for a marker; label)."""
    em = fontsize
    box_w, box_h, sep = 1.6 * em, 0.9 * em, 0.5 * em
    widths = [box_w + sep + text_width_pt(label, fontsize) for _style, label in entries]
    cols = [
        max(widths[k] for k in range(c, len(entries), ncol)) for c in range(min(ncol, len(entries)))
    ]
    total = sum(cols) + em * (len(cols) - 1)
    line = 1.5 * em
    for k, (style, label) in enumerate(entries):
        col, row = k % ncol, k // ncol
        x = -total / 2 + sum(cols[:col]) + em * col
        y = -gap_pt - line * (row + 1)
        pts = Coords("points", ax, anchor=(0.5, 0.0))
        if "marker" in style:
            ax.add_artist(
                Line2D(
                    [x + box_w / 2],
                    [y + box_h / 2],
                    transform=pts,
                    clip_on=False,
                    **{"ls": "none", **style},
                )
            )
        else:
            ax.add_artist(
                Rectangle((x, y), box_w, box_h, transform=pts, clip_on=False, zorder=4, **style)
            )
        ax.add_artist(
            Text(
                x + box_w + sep,
                y + box_h / 2,
                label,
                transform=Coords("points", ax, anchor=(0.5, 0.0)),
                fontsize=fontsize,
                va="center",
                ha="left",
            )
        )


def tag(artist: Artist, kind: str, ref: str, *more: str) -> Artist:
    """Name ``artist`` in the SVG (:class:`~tadplan.report.canvas.Tag`): ``kind`` the
    element, ``ref`` the plan's id of the thing drawn, ``more`` further classes."""
    artist.tag = Tag(kind, ref, more)
    return artist
