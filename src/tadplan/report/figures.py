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
        """Free the drawing (the figure is not in pyplot's registry: drop the artists)."""
        self.mpl.clear()


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


def tag(artist: Artist, cls: str, ref: str) -> Artist:
    """Name ``artist`` in the SVG: ``cls`` is a space-separated class list, ``ref`` the
    plan's id of the thing drawn."""
    artist.set_gid(f"{cls}|{ref}")
    return artist


_GID = re.compile(r'id="([^"|]*)\|([^"]*)"')
_HEAD = re.compile(r"^.*?(?=<svg)", re.S)
_AUTO_ID = re.compile(r'id="([A-Za-z][A-Za-z0-9.]*_\d+)"')
_HASH_REF = re.compile(r'(id="|url\(#|href="#)([mph][0-9a-f]{10}|image[0-9a-f]{10})\b')


def to_svg(fig: MplFigure, prefix: str = "", title: str | None = None) -> str:
    """The figure as an inline-ready ``<svg>`` element (no XML prolog), with tagged
    artists turned into ``id``/``class``/``data-ref`` attributes."""
    buf = io.StringIO()
    with plt.rc_context(cast(Any, STYLE)):
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
