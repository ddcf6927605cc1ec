"""Figure plumbing: a greyscale-safe matplotlib style, SVG with element ids and classes,
PNG export.

Drawing code tags artists with :func:`tag` (``tag(artist, "implant", "i1")``); the SVG
written by :func:`to_svg` then carries ``<g id="<prefix>implant-i1" class="implant"
data-ref="i1">`` so the report's tests (and a reader's browser tools) can find every
implant and connection by name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN, TICKLEFT, TICKRIGHT
from matplotlib.patches import Rectangle
from matplotlib.transforms import Affine2D, ScaledTranslation, offset_copy

FigureKind = Literal["occlusal", "lateral", "frontal", "site", "force_time"]

STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # real <text>: searchable, small, rendered by browsers/WeasyPrint
    "svg.hashsalt": "tadplan",  # deterministic ids
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "axes.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "lines.linewidth": 1.0,
    "figure.dpi": 100,
}

INK = "#000000"
GREY = "#6e6e6e"
LIGHT = "#d9d9d9"
PAPER = "#ffffff"


@dataclass
class Figure:
    """One diagram of a report: the matplotlib figure plus what the report says about it."""

    id: str
    kind: FigureKind
    title: str
    caption: str
    mpl: MplFigure = field(repr=False)
    notes: list[str] = field(default_factory=list)
    """Statements about data the diagram could not show (e.g. no mechanics result)."""

    def svg(self) -> str:
        return to_svg(self.mpl, prefix=f"{self.id}-", title=self.title)

    def png(self, dpi: int = 150) -> bytes:
        return to_png(self.mpl, dpi=dpi)

    def close(self) -> None:
        """Free the drawing (the figure is not in pyplot's registry: drop the axes and
        artists; ``Figure.clear`` would rebuild every axis's ticks first)."""
        for ax in list(self.mpl.axes):
            self.mpl.delaxes(ax)
        for artists in (self.mpl.artists, self.mpl.lines, self.mpl.patches, self.mpl.texts):
            artists.clear()


def new_figure(width_in: float, height_in: float) -> MplFigure:
    with plt.rc_context(cast(Any, STYLE)):  # a bare Figure: no pyplot registry to leak into
        fig = MplFigure(figsize=(width_in, height_in))
    return fig


def draw_line(ax: Axes, xs: Any, ys: Any, **kw: Any) -> list[Line2D]:
    """``ax.plot`` without the property cycle and autoscaling (limits are set by hand):
    several times faster for the many small lines of a diagram."""
    x = np.atleast_1d(np.asarray(xs, dtype=float))
    y = np.atleast_1d(np.asarray(ys, dtype=float))
    kw.setdefault("color", INK)
    if "ls" in kw:
        kw["linestyle"] = kw.pop("ls")
    if "lw" in kw:
        kw["linewidth"] = kw.pop("lw")
    line = Line2D(x, y, **kw)
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
    """Draw the axes of ``ax`` (limits already set) as a few plain artists: the axis
    lines, every tick mark of an axis in one marker line and one text per tick label.
    Matplotlib's own axes build and copy five artists per tick, which was most of the
    drawing time of a small plot. ``xticks=None``: no x axis (e.g. a colour bar)."""
    ax.set_axis_off()
    kw: dict[str, Any] = {"color": INK, "clip_on": False}
    tick = 3.0  # points
    pad = tick + 1.5
    fig = ax.get_figure(root=True)
    assert isinstance(fig, MplFigure)
    if box:
        ax.add_artist(Rectangle((0, 0), 1, 1, transform=ax.transAxes, fill=False, lw=0.6, **kw))
    else:
        if xticks is not None:
            ax.add_artist(Line2D([0, 1], [0, 0], transform=ax.transAxes, lw=0.6, **kw))
        xa = 0 if yside == "left" else 1
        ax.add_artist(Line2D([xa, xa], [0, 1], transform=ax.transAxes, lw=0.6, **kw))
    if xticks is not None:
        xt = ax.get_xaxis_transform()
        lo, hi = sorted(ax.get_xlim())
        xs = [v for v in xticks if lo - 1e-9 <= v <= hi + 1e-9]
        ax.add_artist(
            Line2D(
                xs,
                [0.0] * len(xs),
                transform=xt,
                ls="none",
                marker=cast(Any, TICKDOWN),
                ms=tick,
                mew=0.6,
                **kw,
            )
        )
        off = offset_copy(xt, fig=fig, y=-pad, units="points")
        for v in xs:
            ax.text(
                v,
                0,
                _tick_text(v),
                transform=off,
                ha="center",
                va="top",
                fontsize=fontsize,
                clip_on=False,
            )
        if xlabel:
            lab = offset_copy(ax.transAxes, fig=fig, y=-(pad + fontsize * 1.25 + 2), units="points")
            ax.text(0.5, 0, xlabel, transform=lab, ha="center", va="top", fontsize=labelsize)
    yt = ax.get_yaxis_transform()
    lo, hi = sorted(ax.get_ylim())
    ys = [v for v in yticks if lo - 1e-9 <= v <= hi + 1e-9]
    sign = -1.0 if yside == "left" else 1.0
    x = 0.0 if yside == "left" else 1.0
    ax.add_artist(
        Line2D(
            [x] * len(ys),
            ys,
            transform=yt,
            ls="none",
            marker=cast(Any, TICKLEFT if yside == "left" else TICKRIGHT),
            ms=tick,
            mew=0.6,
            **kw,
        )
    )
    off = offset_copy(yt, fig=fig, x=sign * pad, units="points")
    ha = "right" if yside == "left" else "left"
    labels = [_tick_text(v) for v in ys]
    for v, text in zip(ys, labels, strict=True):
        ax.text(x, v, text, transform=off, ha=ha, va="center", fontsize=fontsize, clip_on=False)
    if ylabel:
        width = max((len(t) for t in labels), default=1) * fontsize * 0.62
        lab = offset_copy(ax.transAxes, fig=fig, x=sign * (pad + width + 3), units="points")
        ax.text(x, 0.5, ylabel, transform=lab, ha=ha, va="center", rotation=90, fontsize=labelsize)


def plain_legend(
    ax: Axes,
    entries: Sequence[tuple[dict[str, Any], str]],
    *,
    ncol: int = 3,
    fontsize: float = 6.0,
    gap_pt: float = 4.0,
) -> None:
    """A legend under ``ax`` (centred, ``ncol`` columns) drawn as plain patches and texts:
    each entry is (patch style for a small box, or ``{"marker": ...}`` style for a marker;
    label). Matplotlib's ``Legend`` lays itself out with offset boxes at draw time, which
    cost as much as the rest of an occlusal panel."""
    fig = ax.get_figure(root=True)
    assert isinstance(fig, MplFigure)
    em = fontsize
    box_w, box_h, sep = 1.6 * em, 0.9 * em, 0.5 * em
    widths = [box_w + sep + len(label) * em * 0.6 for _style, label in entries]
    cols = [
        max(widths[k] for k in range(c, len(entries), ncol)) for c in range(min(ncol, len(entries)))
    ]
    total = sum(cols) + em * (len(cols) - 1)
    line = 1.5 * em
    # points from the middle of the axes' lower edge (follows the dpi of any output)
    pts = (
        Affine2D().scale(1 / 72)
        + fig.dpi_scale_trans
        + ScaledTranslation(0.5, 0.0, cast(Any, ax.transAxes))
    )
    for k, (style, label) in enumerate(entries):
        col, row = k % ncol, k // ncol
        x = -total / 2 + sum(cols[:col]) + em * col
        y = -gap_pt - line * (row + 1)
        if "marker" in style:
            kw = {"ls": "none", **style}
            ax.add_artist(
                Line2D([x + box_w / 2], [y + box_h / 2], transform=pts, clip_on=False, **kw)
            )
        else:
            ax.add_artist(Rectangle((x, y), box_w, box_h, transform=pts, clip_on=False, **style))
        ax.text(
            x + box_w + sep,
            y + box_h / 2,
            label,
            transform=pts,
            fontsize=fontsize,
            va="center",
            ha="left",
            clip_on=False,
        )


def tag(artist: Artist, cls: str, ref: str) -> Artist:
    """Name ``artist`` in the SVG: ``cls`` is a space-separated class list, ``ref`` the
    plan's id of the thing drawn."""
    artist.set_gid(f"{cls}|{ref}")
    return artist


_GID = re.compile(r'id="([^"|]*)\|([^"]*)"')
_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_AUTO_ID = re.compile(r'id="([A-Za-z][A-Za-z0-9.]*_\d+)"')
_HASH_REF = re.compile(r'(id="|url\(#|href="#)([mph][0-9a-f]{10}|image[0-9a-f]{10})\b')


_TEXT_METRICS: dict[tuple[str, int, object], tuple[float, float, float]] = {}


@contextmanager
def _cached_svg_text_metrics() -> Iterator[None]:
    """While a figure is written as SVG, text extents (needed to align every label) come
    from a process-wide cache: matplotlib caches them per renderer, and every ``savefig``
    makes a new renderer, so each report measured the same strings again with FreeType.
    SVG text metrics do not depend on the figure (72 dpi)."""
    from matplotlib.backends.backend_svg import RendererSVG

    original = RendererSVG.get_text_width_height_descent

    def cached(self: RendererSVG, s: str, prop: Any, ismath: Any) -> Any:
        key = (s, hash(prop), ismath)
        hit = _TEXT_METRICS.get(key)
        if hit is None:
            if len(_TEXT_METRICS) > 50_000:
                _TEXT_METRICS.clear()
            hit = _TEXT_METRICS[key] = original(self, s, prop, ismath)
        return hit

    RendererSVG.get_text_width_height_descent = cached  # type: ignore[method-assign]
    try:
        yield
    finally:
        RendererSVG.get_text_width_height_descent = original  # type: ignore[method-assign]


def to_svg(fig: MplFigure, prefix: str = "", title: str | None = None) -> str:
    """The figure as an inline-ready ``<svg>`` element (no XML prolog), with tagged
    artists turned into ``id``/``class``/``data-ref`` attributes."""
    buf = io.StringIO()
    with plt.rc_context(cast(Any, STYLE)), _cached_svg_text_metrics():
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = _HEAD.sub("", buf.getvalue(), count=1)

    seen: dict[str, int] = {}

    def _attrs(m: re.Match[str]) -> str:
        cls, ref = m.group(1), m.group(2)
        base = f"{prefix}{cls.split()[0]}-{ref}"
        n = seen[base] = seen.get(base, 0) + 1  # one element drawn in several pieces
        uid = base if n == 1 else f"{base}-{n}"
        return f'id="{uid}" class="{cls}" data-ref="{ref}"'

    text = _GID.sub(_attrs, text)
    # matplotlib's own element ids (figure_1, patch_3...) repeat in every figure: make them
    # unique in a page that holds many figures
    text = _AUTO_ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', text)
    # hashed definitions (markers, clip paths, hatches, images) and their references
    text = _HASH_REF.sub(lambda m: f"{m.group(1)}{prefix}{m.group(2)}", text)
    if title:
        safe = title.replace("&", "&amp;").replace("<", "&lt;")
        label = f' role="img" aria-label="{_attr(title)}"><title>{safe}</title>'
        text = text.replace(">", label, 1)
    return text


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def to_png(fig: MplFigure, dpi: int = 150) -> bytes:
    buf = io.BytesIO()
    with plt.rc_context(cast(Any, STYLE)):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()
