"""A small vector canvas that writes SVG directly: the diagrams of a report.

The report's diagrams are made of a few hundred simple shapes (outlines, lines, arrows,
labels, one grey-level map). Drawing them through a general plotting library cost about
0.1 s per design, most of it building and tearing down objects the diagrams never use;
this module writes the same shapes as SVG elements in milliseconds. Its vocabulary
follows matplotlib's (``fig.add_axes``, ``ax.add_artist(Polygon(...))``, ``ax.text``,
``ax.annotate``, ``facecolor``/``lw``/``ls``/``hatch``/``zorder``), so drawing code reads
the same to anyone who knows that library.

Coordinates: a :class:`Canvas` is ``width_in`` x ``height_in`` inches; SVG user units are
points (1/72 in) with the origin at the lower left in this module's own geometry (the SVG
writer flips y). An :class:`Axes` maps data coordinates (mm for the anatomy views) to a
rectangle of the canvas given in canvas fractions, optionally with equal scales.
Artists name what they draw with :func:`tag`; the SVG then carries ``<g id class
data-ref>`` for the report's tests and a reader's browser tools.

Text widths come from the DejaVu Sans font metrics (fontTools, advance widths without
kerning) of the font files shipped in ``tadplan/report/fonts``, so labels can be laid out
without a renderer; PNG output rasterises the SVG with resvg, and the PDF is set by
Typst, with the same files.
"""

from __future__ import annotations

import base64
import functools
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Literal

import numpy as np

PT_PER_IN = 72.0
LINE_SPACING = 1.2
"""Baseline-to-baseline distance of multi-line text, in font sizes."""
ASCENT_EM = 0.76
DESCENT_EM = 0.24
"""Text box above and below the baseline (DejaVu Sans 'l' and 'p', in font sizes)."""

CoordKind = Literal["data", "axes", "figure", "xaxis", "yaxis", "points"]
Box = tuple[float, float, float, float]
"""(x0, y0, x1, y1) in points from the canvas's lower left."""


# ----------------------------------------------------------------------------- fonts


FONT_FILES = {
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSans-Oblique.ttf",
    (True, True): "DejaVuSans-BoldOblique.ttf",
}
"""DejaVu Sans by (bold, italic), shipped in ``tadplan/report/fonts`` (licence beside them)."""


def font_path(bold: bool = False, italic: bool = False) -> Path:
    """The shipped DejaVu Sans file of that weight and style."""
    from importlib import resources

    return Path(str(resources.files("tadplan.report"))) / "fonts" / FONT_FILES[(bold, italic)]


def font_paths() -> list[str]:
    """The DejaVu Sans files used for metrics, PNG and PDF output."""
    return [str(font_path(b, i)) for b, i in FONT_FILES]


@functools.cache
def _advances(bold: bool, italic: bool) -> tuple[dict[int, float], float]:
    """Codepoint -> advance width in em, and the fallback width for unknown glyphs."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_path(bold, italic)), lazy=True)
    upem = float(font["head"].unitsPerEm)
    hmtx = font["hmtx"].metrics
    cmap = font.getBestCmap()
    out = {cp: hmtx[name][0] / upem for cp, name in cmap.items() if name in hmtx}
    return out, 0.66 if bold else 0.6


def text_width_pt(text: str, size_pt: float, bold: bool = False, italic: bool = False) -> float:
    """Width of the widest line of ``text`` at ``size_pt`` in DejaVu Sans (no kerning)."""
    adv, fallback = _advances(bold, italic)
    return (
        max(
            (sum(adv.get(ord(ch), fallback) for ch in line) for line in text.split("\n")),
            default=0.0,
        )
        * size_pt
    )


def wrap_text(
    text: str, width_pt: float, size_pt: float, bold: bool = False, italic: bool = False
) -> str:
    """``text`` with each of its lines broken at spaces so that no line is wider than
    ``width_pt`` at ``size_pt`` (a single word wider than that stays whole)."""
    out: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_width_pt(trial, size_pt, bold, italic) > width_pt:
                out.append(line)
                line = word
            else:
                line = trial
        out.append(line)
    return "\n".join(out)


# ----------------------------------------------------------------------------- styles

_DASHES: dict[str, tuple[float, ...] | None] = {
    "-": None,
    "solid": None,
    "--": (3.7, 1.6),
    "dashed": (3.7, 1.6),
    ":": (1.0, 1.65),
    "dotted": (1.0, 1.65),
    "-.": (6.4, 1.6, 1.0, 1.6),
    "dashdot": (6.4, 1.6, 1.0, 1.6),
}


def _dasharray(ls: Any, lw: float) -> str | None:
    """SVG dash array of a matplotlib-style line style (dashes scale with the width)."""
    if ls in (None, "", "none", "None", " "):
        return None
    pattern = _DASHES.get(ls) if isinstance(ls, str) else tuple(float(v) for v in ls[1])
    if pattern is None:
        return None
    scale = max(lw, 1.0)
    return " ".join(f"{v * scale:.2f}" for v in pattern)


def _colour(c: Any) -> str:
    if c is None:
        return "none"
    if isinstance(c, str):
        return c
    r, g, b = (round(float(v) * 255) for v in tuple(c)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_ALIASES = {
    "c": "color",
    "fc": "facecolor",
    "ec": "edgecolor",
    "lw": "linewidth",
    "linewidths": "linewidth",
    "ls": "linestyle",
    "linestyles": "linestyle",
    "ms": "markersize",
    "mfc": "markerfacecolor",
    "mec": "markeredgecolor",
    "mew": "markeredgewidth",
    "colors": "color",
}


def _norm(kw: dict[str, Any]) -> dict[str, Any]:
    return {_ALIASES.get(k, k): v for k, v in kw.items()}


# ----------------------------------------------------------------------------- coordinates


@dataclass
class Coords:
    """How an artist's coordinates map to canvas points: ``kind`` data (the axes' limits),
    axes (fractions of the axes box), figure (fractions of the canvas), xaxis/yaxis
    (data along one direction, axes fraction along the other) or points (offsets in points
    from ``anchor``, a point in axes fractions); then ``offset_pt`` is added."""

    kind: CoordKind
    ax: Axes | None = None
    offset_pt: tuple[float, float] = (0.0, 0.0)
    anchor: tuple[float, float] = (0.0, 0.0)

    def transform(self, xy: Any) -> np.ndarray:
        p = np.asarray(xy, dtype=float).reshape(-1, 2)
        if self.kind == "figure" or self.ax is None:
            fig = self.ax.fig if self.ax is not None else None
            w, h = fig.size_pt if fig else (1.0, 1.0)
            out = p * np.array([w, h])
        else:
            ax = self.ax
            x0, y0, x1, y1 = ax.box_pt()
            (dx0, dx1), (dy0, dy1) = ax.get_xlim(), ax.get_ylim()
            ax_x = x0 + p[:, 0] * (x1 - x0)
            ax_y = y0 + p[:, 1] * (y1 - y0)
            data_x = x0 + (p[:, 0] - dx0) / (dx1 - dx0) * (x1 - x0)
            data_y = y0 + (p[:, 1] - dy0) / (dy1 - dy0) * (y1 - y0)
            if self.kind == "data":
                out = np.column_stack([data_x, data_y])
            elif self.kind == "axes":
                out = np.column_stack([ax_x, ax_y])
            elif self.kind == "xaxis":
                out = np.column_stack([data_x, ax_y])
            elif self.kind == "yaxis":
                out = np.column_stack([ax_x, data_y])
            else:  # points from an anchor in axes fractions
                a = np.array([x0 + self.anchor[0] * (x1 - x0), y0 + self.anchor[1] * (y1 - y0)])
                out = p + a
        return out + np.asarray(self.offset_pt, dtype=float)

    def scale_pt(self) -> tuple[float, float]:
        """Points per unit along x and y (for radii and widths given in these coords)."""
        if self.kind == "points":
            return 1.0, 1.0
        a, b, c = self.transform([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)])
        return float(b[0] - a[0]), float(c[1] - a[1])


# ----------------------------------------------------------------------------- artists


@dataclass(frozen=True)
class Tag:
    """What an artist draws, named in the SVG as ``<g id="<kind>-<ref>" class="<kind>
    <more>" data-ref="<ref>">``: ``kind`` the element (implant, connection, tooth...),
    ``ref`` the plan's id of the thing drawn, ``more`` further classes (e.g. the
    connection's kind)."""

    kind: str
    ref: str
    more: tuple[str, ...] = ()

    @property
    def classes(self) -> str:
        return " ".join((self.kind, *self.more))


class Role(Enum):
    """What an artist means to the label layout (``force_view.declutter_labels``)."""

    line_of_action = "line_of_action"
    """A force's line of action: labels keep off it."""
    tooth_number = "tooth_number"
    """A tooth's FDI number: steps away from the crowns when it touches another label."""


class Hatch(Enum):
    """Hatching of a shape: matplotlib's hatch strings at density 4 (3 pt spacing)."""

    diagonal = "////"
    back_diagonal = "\\\\\\\\"
    cross = "xxxx"
    horizontal = "----"
    vertical = "||||"
    dots = "...."

    @property
    def strokes(self) -> tuple[str, ...]:
        """The marks of one pattern cell: ``/``, ``\\``, ``-``, ``|`` lines, ``.`` dot."""
        return {Hatch.cross: ("/", "\\")}.get(self, (self.value[0],))

    @property
    def density(self) -> int:
        return len(self.value)


class ArrowStyle(Enum):
    """An arrow's heads (matplotlib's arrow style strings as values)."""

    line = "-"
    open_head = "->"
    """An open head at the end."""
    head = "-|>"
    """A filled head at the end."""
    head_at_start = "<|-"
    both_heads = "<|-|>"


@dataclass(frozen=True)
class Ground:
    """A box under a text (matplotlib's ``bbox``): fill, edge (None: none), opacity,
    padding in font sizes, rounded or square corners."""

    fc: str = "#ffffff"
    ec: str | None = None
    alpha: float | None = None
    pad: float = 0.3
    rounded: bool = False


@dataclass(frozen=True)
class _Paint:
    """A shape's paint as SVG attributes: its fill, the hatch pattern drawn over a
    coloured fill (``over``) and the stroke (width, dashes, opacity)."""

    fill: str
    stroke: str
    over: str | None = None


def _shape(el: str, geometry: str, paint: _Paint, extra: str = "") -> str:
    """A shape element; a hatched coloured fill is the shape again with the pattern."""
    out = f'<{el} {geometry} fill="{paint.fill}" {paint.stroke}{extra}/>'
    if paint.over is not None:
        out += f'<{el} {geometry} fill="url(#{paint.over})" stroke="none"/>'
    return out


class Artist:
    """Anything drawn: a style (matplotlib-style keyword names), a z-order, a tag."""

    default_z = 1.0

    def __init__(self, **kw: Any) -> None:
        kw = _norm(kw)
        self.style = kw
        self.zorder = float(kw.pop("zorder", self.default_z))
        self.tag: Tag | None = kw.pop("tag", None)
        self.role: Role | None = kw.pop("role", None)
        self.coords: Coords | None = kw.pop("transform", None)
        self.clip_on = bool(kw.pop("clip_on", True))
        self.axes: Axes | None = None

    def _coords(self) -> Coords:
        if self.coords is not None:
            if self.coords.ax is None:
                self.coords.ax = self.axes
            return self.coords
        return Coords("data", self.axes)

    def svg(self, w: SvgWriter) -> str:
        raise NotImplementedError

    def _paint(self, w: SvgWriter, *, fill_default: Any = "none") -> _Paint:
        s = self.style
        colour = s.get("color")
        edge = s.get("edgecolor", colour if colour is not None else "#000000")
        face = s.get(
            "facecolor", colour if (colour is not None and fill_default != "none") else fill_default
        )
        if s.get("fill") is False:
            face = "none"
        lw = float(s.get("linewidth", 1.0))
        fill, over = _colour(face), None
        hatch: Hatch | None = s.get("hatch")
        if hatch is not None:
            pid = w.pattern(hatch, _colour(edge if edge not in (None, "none") else "#000000"))
            if face not in (None, "none"):
                over = pid
            else:
                fill = f"url(#{pid})"
        parts = []
        if edge in (None, "none") or lw <= 0:
            parts.append('stroke="none"')
        else:
            parts.append(f'stroke="{_colour(edge)}" stroke-width="{_num(lw)}"')
            dash = _dasharray(s.get("linestyle", "-"), lw)
            if dash:
                parts.append(f'stroke-dasharray="{dash}"')
        alpha = s.get("alpha")
        if alpha is not None and float(alpha) < 1:
            parts.append(f'opacity="{float(alpha):.2f}"')
        return _Paint(fill, " ".join(parts), over)


class Line2D(Artist):
    """A polyline (``linestyle`` "none" for markers only) with optional markers."""

    default_z = 2.0

    def __init__(self, xs: Any, ys: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.xy = np.column_stack(
            [np.atleast_1d(np.asarray(xs, dtype=float)), np.atleast_1d(np.asarray(ys, dtype=float))]
        )

    def get_xydata(self) -> np.ndarray:
        return self.xy

    def svg(self, w: SvgWriter) -> str:
        s = self.style
        pts = w.pt(self._coords().transform(self.xy))
        colour = _colour(s.get("color", "#000000"))
        lw = float(s.get("linewidth", 1.0))
        out = []
        ls = s.get("linestyle", "-")
        if ls not in ("", "none", "None", " ") and len(pts) >= 2:
            attrs = [f'points="{_poly(pts)}"', 'fill="none"', f'stroke="{colour}"']
            attrs.append(f'stroke-width="{_num(lw)}"')
            dash = _dasharray(ls, lw)
            if dash:
                attrs.append(f'stroke-dasharray="{dash}"')
            cap = {"round": "round", "projecting": "square"}.get(s.get("solid_capstyle", ""), "")
            if cap and not dash:
                attrs.append(f'stroke-linecap="{cap}"')
            join = {"round": "round", "miter": "miter", "bevel": "bevel"}.get(
                s.get("solid_joinstyle", ""), "round"
            )
            attrs.append(f'stroke-linejoin="{join}"')
            alpha = s.get("alpha")
            if alpha is not None and float(alpha) < 1:
                attrs.append(f'opacity="{float(alpha):.2f}"')
            out.append(f"<polyline {' '.join(attrs)}/>")
        marker = s.get("marker")
        if marker not in (None, "", "none", "None"):
            ms = float(s.get("markersize", 6.0))
            face = _colour(s.get("markerfacecolor", s.get("color", "#000000")))
            edge = _colour(s.get("markeredgecolor", s.get("color", "#000000")))
            mew = float(s.get("markeredgewidth", 1.0))
            for x, y in pts:
                out.append(_marker(str(marker), x, y, ms, face, edge, mew))
        return "".join(out)


def _poly(pts: np.ndarray) -> str:
    return " ".join(f"{_num(x)},{_num(y)}" for x, y in pts)


def _marker(m: str, x: float, y: float, ms: float, face: str, edge: str, mew: float) -> str:
    """One marker of size ``ms`` points at SVG position (x, y) (y down)."""
    r = ms / 2.0
    st = f'fill="{face}" stroke="{edge}" stroke-width="{_num(mew)}"'
    if m == "o":
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" {st}/>'
    if m == "s":
        xy = f'x="{_num(x - r)}" y="{_num(y - r)}"'
        return f'<rect {xy} width="{_num(ms)}" height="{_num(ms)}" {st}/>'
    if m in ("+", "x", "|", "_"):
        marks: dict[str, list[tuple[float, float, float, float]]] = {
            "+": [(-r, 0, r, 0), (0, -r, 0, r)],
            "x": [(-r, -r, r, r), (-r, r, r, -r)],
            "|": [(0, -r, 0, r)],
            "_": [(-r, 0, r, 0)],
        }
        segs = marks[m]
        d = "".join(
            f"M{_num(x + a)} {_num(y + b)}L{_num(x + c)} {_num(y + e)}" for a, b, c, e in segs
        )
        return f'<path d="{d}" fill="none" stroke="{edge}" stroke-width="{_num(mew)}"/>'
    if m == "*":
        pts = []
        for k in range(10):
            rr = r if k % 2 == 0 else r * 0.4
            a = math.pi / 2 + k * math.pi / 5
            pts.append((x + rr * math.cos(a), y - rr * math.sin(a)))
        return f'<polygon points="{_poly(np.array(pts))}" {st}/>'
    shapes = {
        "^": [(0, -r), (r, r * 0.7), (-r, r * 0.7)],
        "v": [(0, r), (r, -r * 0.7), (-r, -r * 0.7)],
        "D": [(0, -r), (r * 0.75, 0), (0, r), (-r * 0.75, 0)],
    }
    pts = shapes.get(m, shapes["D"])
    return f'<polygon points="{_poly(np.array([(x + a, y + b) for a, b in pts]))}" {st}/>'


class Patch(Artist):
    """A closed or open outline with fill, edge and hatch."""

    default_z = 1.0

    def outline(self) -> np.ndarray:
        """The shape's points in its own coordinates."""
        raise NotImplementedError

    closed = True

    def svg(self, w: SvgWriter) -> str:
        pts = w.pt(self._coords().transform(self.outline()))
        paint = self._paint(w, fill_default="#1f77b4")
        el = "polygon" if self.closed else "polyline"
        return _shape(el, f'points="{_poly(pts)}"', paint, ' stroke-linejoin="round"')


class Polygon(Patch):
    def __init__(self, xy: Any, closed: bool = True, **kw: Any) -> None:
        super().__init__(**kw)
        self.xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        self.closed = closed

    def outline(self) -> np.ndarray:
        return self.xy


class Ellipse(Patch):
    """An ellipse of ``width`` x ``height`` (data units) turned by ``angle`` degrees."""

    def __init__(self, xy: Any, width: float, height: float, angle: float = 0.0, **kw: Any):
        super().__init__(**kw)
        self.centre = np.asarray(xy, dtype=float)
        self.width, self.height, self.angle = float(width), float(height), float(angle)

    def svg(self, w: SvgWriter) -> str:
        c = self._coords()
        sx, sy = c.scale_pt()
        ((cx, cy),) = w.pt(c.transform(self.centre))
        rx, ry = self.width / 2 * sx, self.height / 2 * sy
        if abs(abs(sx) - abs(sy)) > 1e-6 * max(abs(sx), 1.0) and self.angle % 180:
            return super().svg(w)  # unequal scales: turned ellipse becomes a polygon
        attrs = f'cx="{_num(cx)}" cy="{_num(cy)}" rx="{_num(abs(rx))}" ry="{_num(abs(ry))}"'
        if self.angle % 360:
            attrs += f' transform="rotate({_num(-self.angle)} {_num(cx)} {_num(cy)})"'
        return _shape("ellipse", attrs, self._paint(w, fill_default="#1f77b4"))

    def outline(self) -> np.ndarray:
        t = np.linspace(0.0, 2 * math.pi, 49)
        a = math.radians(self.angle)
        x, y = self.width / 2 * np.cos(t), self.height / 2 * np.sin(t)
        return self.centre + np.column_stack(
            [x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a)]
        )


class Circle(Ellipse):
    def __init__(self, xy: Any, radius: float = 5.0, **kw: Any) -> None:
        super().__init__(xy, 2 * radius, 2 * radius, **kw)


class Rectangle(Patch):
    """Lower-left corner ``xy``, ``width`` x ``height``, turned by ``angle`` degrees about
    that corner."""

    def __init__(self, xy: Any, width: float, height: float, angle: float = 0.0, **kw: Any):
        super().__init__(**kw)
        self.xy = np.asarray(xy, dtype=float)
        self.width, self.height, self.angle = float(width), float(height), float(angle)

    def set_angle(self, angle: float) -> None:
        self.angle = float(angle)

    def outline(self) -> np.ndarray:
        box = np.array([[0, 0], [self.width, 0], [self.width, self.height], [0, self.height]])
        a = math.radians(self.angle)
        rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return self.xy + box @ rot.T


class Arc(Patch):
    """An elliptical arc from ``theta1`` to ``theta2`` degrees (counter-clockwise)."""

    closed = False

    def __init__(
        self,
        xy: Any,
        width: float,
        height: float,
        *,
        theta1: float = 0.0,
        theta2: float = 360.0,
        angle: float = 0.0,
        **kw: Any,
    ) -> None:
        kw.setdefault("facecolor", "none")
        super().__init__(**kw)
        self.centre = np.asarray(xy, dtype=float)
        self.width, self.height = float(width), float(height)
        self.theta1, self.theta2, self.angle = float(theta1), float(theta2), float(angle)

    def outline(self) -> np.ndarray:
        t = np.radians(np.linspace(self.theta1, self.theta2, 40) + self.angle)
        return self.centre + np.column_stack(
            [self.width / 2 * np.cos(t), self.height / 2 * np.sin(t)]
        )


def _arrow_head(tip: np.ndarray, back: np.ndarray, length: float, half_width: float) -> np.ndarray:
    """Triangle (SVG points) of a head at ``tip`` pointing away from ``back``."""
    d = tip - back
    n = float(np.hypot(*d))
    u = d / n if n > 1e-9 else np.array([1.0, 0.0])
    v = np.array([-u[1], u[0]])
    base = tip - u * length
    return np.array([tip, base + v * half_width, base - v * half_width])


def _arrow_svg(
    a: np.ndarray, b: np.ndarray, style: ArrowStyle, scale: float, colour: str, lw: float, ls: Any
) -> str:
    """A straight arrow between SVG points ``a`` and ``b`` with the heads of ``style``."""
    out = []
    head_len, head_w = 0.4 * scale + lw, 0.2 * scale + lw / 2
    start, end = a.copy(), b.copy()
    heads = []
    if style in (ArrowStyle.head, ArrowStyle.both_heads):
        heads.append((b, a, True))
    elif style == ArrowStyle.open_head:
        heads.append((b, a, False))
    if style in (ArrowStyle.head_at_start, ArrowStyle.both_heads):
        heads.append((a, b, True))
    for tip, back, filled in heads:
        if filled:
            d = tip - back
            n = float(np.hypot(*d))
            if n > 1e-9:
                cut = tip - d / n * head_len * 0.9
                if tip is b:
                    end = cut
                else:
                    start = cut
    attrs = f'stroke="{colour}" stroke-width="{_num(lw)}" fill="none" stroke-linecap="butt"'
    dash = _dasharray(ls, lw)
    if dash:
        attrs += f' stroke-dasharray="{dash}"'
    out.append(
        f'<line x1="{_num(start[0])}" y1="{_num(start[1])}" x2="{_num(end[0])}" '
        f'y2="{_num(end[1])}" {attrs}/>'
    )
    for tip, back, filled in heads:
        tri = _arrow_head(tip, back, head_len, head_w)
        if filled:
            out.append(
                f'<polygon points="{_poly(tri)}" fill="{colour}" stroke="{colour}" '
                f'stroke-width="{_num(lw * 0.5)}" stroke-linejoin="miter"/>'
            )
        else:
            out.append(
                f'<polyline points="{_poly(tri[[1, 0, 2]])}" fill="none" stroke="{colour}" '
                f'stroke-width="{_num(lw)}"/>'
            )
    return "".join(out)


class FancyArrowPatch(Artist):
    """A straight arrow from ``posA`` to ``posB`` (``arrowstyle`` as in matplotlib, head
    size proportional to ``mutation_scale`` points)."""

    default_z = 2.0

    def __init__(
        self,
        posA: Any,
        posB: Any,
        arrowstyle: ArrowStyle = ArrowStyle.head,
        mutation_scale: float = 10.0,
        **kw: Any,
    ):
        super().__init__(**kw)
        self.a, self.b = np.asarray(posA, dtype=float), np.asarray(posB, dtype=float)
        self.arrowstyle, self.mutation_scale = arrowstyle, float(mutation_scale)

    def svg(self, w: SvgWriter) -> str:
        a, b = w.pt(self._coords().transform([self.a, self.b]))
        s = self.style
        colour = _colour(s.get("color", s.get("edgecolor", "#000000")))
        return _arrow_svg(
            a,
            b,
            self.arrowstyle,
            self.mutation_scale,
            colour,
            float(s.get("linewidth", 1.0)),
            s.get("linestyle", "-"),
        )


class Text(Artist):
    """A label at ``(x, y)`` in its coordinates; ``ha``/``va`` align its box (as in
    matplotlib: left/center/right, top/center/bottom/baseline); ``bbox`` a
    :class:`Ground` under the text."""

    default_z = 3.0

    def __init__(self, x: float, y: float, text: str, **kw: Any) -> None:
        kw = _norm(kw)
        self.x, self.y = float(x), float(y)
        self.text = str(text)
        self.fontsize = float(kw.pop("fontsize", kw.pop("size", 8.0)))
        self.weight = kw.pop("fontweight", kw.pop("weight", "normal"))
        self.fontstyle = kw.pop("style", kw.pop("fontstyle", "normal"))
        self.ha = kw.pop("ha", kw.pop("horizontalalignment", "left"))
        self.va = kw.pop("va", kw.pop("verticalalignment", "baseline"))
        self.rotation = float(kw.pop("rotation", 0.0) or 0.0)
        self.linespacing = float(kw.pop("linespacing", LINE_SPACING))
        self.bbox: Ground | None = kw.pop("bbox", None)
        kw.setdefault("clip_on", False)
        super().__init__(**kw)

    # matplotlib-style accessors used by layout code
    def get_text(self) -> str:
        return self.text

    def get_position(self) -> tuple[float, float]:
        return self.x, self.y

    def set_position(self, xy: tuple[float, float]) -> None:
        self.x, self.y = float(xy[0]), float(xy[1])

    def set_bbox(self, bbox: Ground | None) -> None:
        self.bbox = bbox

    @property
    def bold(self) -> bool:
        return self.weight in ("bold", "heavy", 700, 800, 900)

    def anchor_pt(self) -> np.ndarray:
        """The text's anchor in canvas points."""
        return self._coords().transform((self.x, self.y))[0]

    def _pad_pt(self) -> float:
        return self.bbox.pad * self.fontsize if self.bbox is not None else 0.0

    def size_pt(self) -> tuple[float, float]:
        """Width and height of the text's box (without the ground's padding), points."""
        lines = self.text.count("\n") + 1
        w = text_width_pt(self.text, self.fontsize, self.bold, self.fontstyle == "italic")
        h = ((lines - 1) * self.linespacing + ASCENT_EM + DESCENT_EM) * self.fontsize
        return w, h

    def _layout(self) -> tuple[float, float, float, float]:
        """Centre (x, y, canvas points) and unrotated width and height of the text box.
        As in matplotlib, ``ha``/``va`` align the box after rotation."""
        w, h = self.size_pt()
        x, y = self.anchor_pt()
        if self.rotation:
            a = math.radians(self.rotation)
            bw = abs(w * math.cos(a)) + abs(h * math.sin(a))
            bh = abs(w * math.sin(a)) + abs(h * math.cos(a))
            base = -bh / 2
        else:
            bw, bh = w, h
            base = ASCENT_EM * self.fontsize - h / 2  # anchor on the first baseline
        cx = x + {"left": bw / 2, "center": 0.0, "right": -bw / 2}[str(self.ha)]
        cy = y + {
            "top": -bh / 2,
            "center": 0.0,
            "bottom": bh / 2,
            "baseline": -base,
            "center_baseline": -base,
        }.get(str(self.va), 0.0)
        return cx, cy, w, h

    def window_extent(self, pad: bool = True) -> Box:
        """The text's box (with its ground's padding when ``pad``), canvas points; for a
        rotated label, the box of the turned rectangle."""
        cx, cy, w, h = self._layout()
        p = self._pad_pt() if pad else 0.0
        hw, hh = w / 2 + p, h / 2 + p
        if self.rotation:
            a = math.radians(self.rotation)
            hw, hh = (
                abs(hw * math.cos(a)) + abs(hh * math.sin(a)),
                abs(hw * math.sin(a)) + abs(hh * math.cos(a)),
            )
        return (cx - hw, cy - hh, cx + hw, cy + hh)

    def svg(self, w: SvgWriter) -> str:
        if not self.text:
            return ""
        out = []
        cx, cy, tw, th = self._layout()
        sx, sy = w.xy(cx, cy)  # the box's centre in SVG units
        rot = (
            f' transform="rotate({_num(-self.rotation)} {_num(sx)} {_num(sy)})"'
            if self.rotation
            else ""
        )
        if self.bbox is not None:
            p = self._pad_pt()
            b = self.bbox
            fc = _colour(b.fc)
            rx = f' rx="{_num(p)}"' if b.rounded else ""
            op = f' fill-opacity="{b.alpha:.2f}"' if b.alpha is not None else ""
            stroke = f' stroke="{_colour(b.ec)}" stroke-width="0.5"' if b.ec is not None else ""
            out.append(
                f'<rect x="{_num(sx - tw / 2 - p)}" y="{_num(sy - th / 2 - p)}" '
                f'width="{_num(tw + 2 * p)}" height="{_num(th + 2 * p)}" '
                f'fill="{fc}"{op}{stroke}{rx}{rot}/>'
            )
        anchor = {"left": "start", "center": "middle", "right": "end"}[str(self.ha)]
        tx = sx + {"left": -tw / 2, "center": 0.0, "right": tw / 2}[str(self.ha)]
        base = sy - th / 2 + ASCENT_EM * self.fontsize
        attrs = [f'x="{_num(tx)}" y="{_num(base)}"', f'font-size="{_num(self.fontsize)}"']
        if anchor != "start":
            attrs.append(f'text-anchor="{anchor}"')
        if self.bold:
            attrs.append('font-weight="bold"')
        if self.fontstyle == "italic":
            attrs.append('font-style="italic"')
        colour = _colour(self.style.get("color", "#000000"))
        if colour != "#000000":
            attrs.append(f'fill="{colour}"')
        lines = self.text.split("\n")
        if len(lines) == 1:
            body = _esc(lines[0])
        else:
            step = self.linespacing * self.fontsize
            body = "".join(
                f'<tspan x="{_num(tx)}" dy="{_num(0 if i == 0 else step)}">{_esc(t) or " "}</tspan>'
                for i, t in enumerate(lines)
            )
        out.append(f"<text {' '.join(attrs)}{rot}>{body}</text>")
        return "".join(out)


_ANNOTATION_COORDS: dict[str, CoordKind] = {
    "data": "data",
    "axes fraction": "axes",
    "figure fraction": "figure",
}


class Annotation(Text):
    """A label placed at ``xytext`` (in ``textcoords``: "offset points" from ``xy``,
    "axes fraction", "figure fraction" or "data") pointing at ``xy`` (data) with an
    optional leader or arrow (``arrowprops``: arrowstyle, color, lw, shrinkA/shrinkB in
    points, relpos: the point of the text box the leader starts from)."""

    def __init__(
        self,
        text: str,
        xy: tuple[float, float],
        xytext: tuple[float, float] | None = None,
        textcoords: str = "data",
        arrowprops: dict[str, Any] | None = None,
        xycoords: str = "data",
        **kw: Any,
    ) -> None:
        kw.pop("annotation_clip", None)
        xt = xytext if xytext is not None else xy
        super().__init__(float(xt[0]), float(xt[1]), text, **kw)
        self.xy = (float(xy[0]), float(xy[1]))
        self.textcoords = textcoords
        self.xycoords = xycoords
        self.arrowprops = arrowprops

    @property
    def xyann(self) -> tuple[float, float]:
        return self.x, self.y

    @xyann.setter
    def xyann(self, v: tuple[float, float]) -> None:
        self.x, self.y = float(v[0]), float(v[1])

    def get_anncoords(self) -> str:
        return self.textcoords

    def target_pt(self) -> np.ndarray:
        return Coords(_ANNOTATION_COORDS[self.xycoords], self.axes).transform(self.xy)[0]

    def anchor_pt(self) -> np.ndarray:
        if self.textcoords == "offset points":
            return self.target_pt() + np.array([self.x, self.y])
        kind = _ANNOTATION_COORDS[self.textcoords]
        return Coords(kind, self.axes).transform((self.x, self.y))[0]

    def svg(self, w: SvgWriter) -> str:
        out = ""
        if self.arrowprops is not None:
            ap = _norm(dict(self.arrowprops))
            target = self.target_pt()
            if self.text:
                x0, y0, x1, y1 = self.window_extent()
                rx, ry = ap.get("relpos", (0.5, 0.5))
                start = np.array([x0 + rx * (x1 - x0), y0 + ry * (y1 - y0)])
            else:
                start = self.anchor_pt()
            d = target - start
            n = float(np.hypot(*d))
            if n > 1e-6:
                u = d / n
                sa, sb = (
                    float(ap.get("shrinkA", 0 if not self.text else 2)),
                    float(ap.get("shrinkB", 0)),
                )
                a, b = start + u * sa, target - u * sb
                pa, pb = w.pt(np.array([a, b]))
                out += _arrow_svg(
                    pa,
                    pb,
                    ap.get("arrowstyle", ArrowStyle.open_head),
                    float(ap.get("mutation_scale", 10.0)),
                    _colour(ap.get("color", "#000000")),
                    float(ap.get("linewidth", 1.0)),
                    ap.get("linestyle", "-"),
                )
        return out + super().svg(w)


class Image(Artist):
    """A grey-level raster (``cmap`` "gray": ``vmin`` black to ``vmax`` white) filling
    ``extent`` (x0, x1, y0, y1, data units), row 0 at the bottom, nearest-neighbour."""

    default_z = 0.0

    def __init__(self, values: Any, extent: Sequence[float], vmin: float, vmax: float, **kw: Any):
        super().__init__(**kw)
        self.values = np.asarray(values, dtype=float)
        self.extent = tuple(float(v) for v in extent)
        self.vmin, self.vmax = float(vmin), float(vmax)

    def svg(self, w: SvgWriter) -> str:
        x0, x1, y0, y1 = self.extent
        (ax0, ay0), (ax1, ay1) = w.pt(self._coords().transform([(x0, y0), (x1, y1)]))
        grey = np.clip((self.values - self.vmin) / max(self.vmax - self.vmin, 1e-12), 0, 1)
        png = png_grey(np.round(grey[::-1] * 255).astype(np.uint8))
        href = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return (
            f'<image x="{_num(min(ax0, ax1))}" y="{_num(min(ay0, ay1))}" '
            f'width="{_num(abs(ax1 - ax0))}" height="{_num(abs(ay1 - ay0))}" '
            f'preserveAspectRatio="none" style="image-rendering:pixelated" href="{href}"/>'
        )


def png_grey(a: np.ndarray) -> bytes:
    """An 8-bit grey-level PNG of ``a`` (rows top to bottom)."""
    h, w = a.shape
    raw = b"".join(b"\x00" + a[i].tobytes() for i in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    head = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", head)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


class Group(Artist):
    """Several artists under one tag (e.g. the pieces of a contour line)."""

    def __init__(self, parts: list[Artist], **kw: Any) -> None:
        super().__init__(**kw)
        self.parts = parts

    def svg(self, w: SvgWriter) -> str:
        for p in self.parts:
            p.axes = self.axes
        return "".join(p.svg(w) for p in self.parts)


# ----------------------------------------------------------------------------- axes


class Axes:
    """A rectangle of the canvas (``rect`` = left, bottom, width, height in canvas
    fractions) showing data coordinates between its limits."""

    def __init__(self, fig: Canvas, rect: Sequence[float]) -> None:
        self.fig = fig
        self.rect = tuple(float(v) for v in rect)
        self._xlim: tuple[float, float] | None = None
        self._ylim: tuple[float, float] | None = None
        self.aspect_equal = False
        self.artists: list[Artist] = []
        self._data: list[np.ndarray] = []

    # ------------------------------------------------------------------ limits and box
    def set_aspect(self, aspect: str, adjustable: str = "box") -> None:
        self.aspect_equal = aspect == "equal"

    def set_axis_off(self) -> None:
        """Axes never draw their own frame or ticks here (see :func:`plain_axes`)."""

    def apply_aspect(self) -> None:
        """Nothing to do: the box is worked out from the limits whenever it is used."""

    def _auto(self, i: int) -> tuple[float, float]:
        if not self._data:
            return (0.0, 1.0)
        v = np.concatenate([d[:, i] for d in self._data])
        v = v[np.isfinite(v)]
        if v.size == 0:
            return (0.0, 1.0)
        lo, hi = float(v.min()), float(v.max())
        m = (hi - lo) * 0.05 or 0.5
        return (lo - m, hi + m)

    def set_xlim(self, left: float | None = None, right: float | None = None) -> None:
        lo, hi = self.get_xlim()
        self._xlim = (lo if left is None else float(left), hi if right is None else float(right))

    def set_ylim(self, bottom: float | None = None, top: float | None = None) -> None:
        lo, hi = self.get_ylim()
        self._ylim = (lo if bottom is None else float(bottom), hi if top is None else float(top))

    def get_xlim(self) -> tuple[float, float]:
        return self._xlim if self._xlim is not None else self._auto(0)

    def get_ylim(self) -> tuple[float, float]:
        return self._ylim if self._ylim is not None else self._auto(1)

    def set_position(self, rect: Sequence[float]) -> None:
        self.rect = tuple(float(v) for v in rect)

    def box_pt(self) -> Box:
        """The drawn box (x0, y0, x1, y1), canvas points: the rectangle, narrowed about
        its centre to equal scales when the aspect is equal."""
        w, h = self.fig.size_pt
        left, b, rw, rh = self.rect
        x0, y0, x1, y1 = left * w, b * h, (left + rw) * w, (b + rh) * h
        if self.aspect_equal:
            (a, c), (d, e) = self.get_xlim(), self.get_ylim()
            dx, dy = abs(c - a), abs(e - d)
            if dx > 0 and dy > 0:
                s = min((x1 - x0) / dx, (y1 - y0) / dy)
                cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
                x0, x1 = cx - dx * s / 2, cx + dx * s / 2
                y0, y1 = cy - dy * s / 2, cy + dy * s / 2
        return (x0, y0, x1, y1)

    def get_position(self) -> _Bounds:
        w, h = self.fig.size_pt
        x0, y0, x1, y1 = self.box_pt()
        return _Bounds(x0 / w, y0 / h, (x1 - x0) / w, (y1 - y0) / h)

    @property
    def transData(self) -> Coords:
        return Coords("data", self)

    @property
    def transAxes(self) -> Coords:
        return Coords("axes", self)

    def get_figure(self, root: bool = True) -> Canvas:
        return self.fig

    # ------------------------------------------------------------------ artists
    def add_artist(self, a: Artist) -> Artist:
        a.axes = self
        if a.coords is not None and a.coords.ax is None:
            a.coords.ax = self
        self.artists.append(a)
        return a

    @property
    def texts(self) -> list[Text]:
        return [a for a in self.artists if isinstance(a, Text)]

    @property
    def lines(self) -> list[Line2D]:
        return [a for a in self.artists if isinstance(a, Line2D)]

    def plot(self, xs: Any, ys: Any, **kw: Any) -> list[Line2D]:
        """A data line that also widens automatic limits; ``label`` names it in a
        :meth:`legend`."""
        kw.setdefault("color", "#000000")
        marker = kw.pop("marker", None)
        if marker:
            kw["marker"] = marker
        label = kw.pop("label", None)
        line = Line2D(xs, ys, **kw)
        line.label = label  # type: ignore[attr-defined]
        self._data.append(line.xy)
        self.add_artist(line)
        return [line]

    def axvline(self, x: float, **kw: Any) -> Line2D:
        line = Line2D([x, x], [0.0, 1.0], transform=Coords("xaxis", self), **kw)
        self.add_artist(line)
        return line

    def axhline(self, y: float, **kw: Any) -> Line2D:
        line = Line2D([0.0, 1.0], [y, y], transform=Coords("yaxis", self), **kw)
        self.add_artist(line)
        return line

    def text(self, x: float, y: float, s: str, **kw: Any) -> Text:
        t = Text(x, y, s, **kw)
        self.add_artist(t)
        return t

    def annotate(self, text: str, xy: tuple[float, float], **kw: Any) -> Annotation:
        a = Annotation(text, xy, **kw)
        self.add_artist(a)
        return a

    def imshow(
        self, values: Any, *, extent: Sequence[float], vmin: float, vmax: float, **kw: Any
    ) -> Image:
        for k in ("origin", "aspect", "cmap", "interpolation"):
            kw.pop(k, None)
        im = Image(values, extent, vmin, vmax, **kw)
        if self._xlim is None:  # an image fills its axes, as in matplotlib
            self._xlim = (float(extent[0]), float(extent[1]))
        if self._ylim is None:
            self._ylim = (float(extent[2]), float(extent[3]))
        self.add_artist(im)
        return im

    def contour(self, x: Any, y: Any, z: Any, *, levels: Sequence[float], **kw: Any) -> Group:
        """Iso-lines of ``z`` (rows along ``y``) at ``levels``, one group."""
        import contourpy

        gen = contourpy.contour_generator(
            np.asarray(x, float), np.asarray(y, float), np.asarray(z, float)
        )
        kw = _norm(kw)
        parts: list[Artist] = []
        for level in levels:
            for seg in gen.lines(float(level)):
                seg = np.asarray(seg)
                if len(seg) >= 2:
                    parts.append(
                        Line2D(
                            seg[:, 0], seg[:, 1], **{k: v for k, v in kw.items() if k != "zorder"}
                        )
                    )
        g = Group(parts, zorder=kw.get("zorder", 2.0))
        self.add_artist(g)
        return g

    def set_title(self, title: str, fontsize: float = 8.0, pad: float = 4.0, **kw: Any) -> Text:
        kw.pop("y", None)
        t = Text(
            0.5,
            1.0,
            title,
            fontsize=fontsize,
            ha="center",
            va="bottom",
            transform=Coords("axes", self, (0.0, pad)),
            **kw,
        )
        self.add_artist(t)
        return t

    def legend(
        self,
        loc: str = "upper left",
        bbox_to_anchor: tuple[float, float] = (1.03, 1.0),
        fontsize: float = 6.5,
        **_kw: Any,
    ) -> None:
        """The labelled lines of :meth:`plot`, listed from ``bbox_to_anchor`` (axes
        fractions, the list's upper left corner) downwards."""
        y = 0.0
        step = fontsize * 1.6
        for line in self.lines:
            label = getattr(line, "label", None)
            if not label:
                continue
            st = dict(line.style)
            anchor = Coords("points", self, anchor=bbox_to_anchor)
            sample = Line2D(
                [2.0, 20.0],
                [y - step / 2] * 2,
                transform=anchor,
                clip_on=False,
                **{k: v for k, v in st.items() if k != "marker"},
            )
            if st.get("marker"):
                sample = Line2D([11.0], [y - step / 2], transform=anchor, clip_on=False, **st)
            self.add_artist(sample)
            self.add_artist(
                Text(
                    24.0,
                    y - step / 2,
                    label,
                    fontsize=fontsize,
                    va="center",
                    transform=Coords("points", self, anchor=bbox_to_anchor),
                )
            )
            y -= step


@dataclass(frozen=True)
class _Bounds:
    x0: float
    y0: float
    width: float
    height: float


# ----------------------------------------------------------------------------- canvas


class Canvas:
    """A drawing of ``width_in`` x ``height_in`` inches: axes, and texts in canvas
    fractions."""

    def __init__(self, figsize: tuple[float, float]) -> None:
        self.width_in, self.height_in = float(figsize[0]), float(figsize[1])
        self.axes: list[Axes] = []
        self.artists: list[Artist] = []
        self._whole = _FigureAxes(self)  # figure fractions: the whole canvas as an axes

    @property
    def size_pt(self) -> tuple[float, float]:
        return self.width_in * PT_PER_IN, self.height_in * PT_PER_IN

    def get_figheight(self) -> float:
        return self.height_in

    def set_size_inches(self, w: float, h: float) -> None:
        self.width_in, self.height_in = float(w), float(h)

    def add_axes(self, rect: Sequence[float]) -> Axes:
        ax = Axes(self, rect)
        self.axes.append(ax)
        return ax

    def text(self, x: float, y: float, s: str, **kw: Any) -> Text:
        t = Text(x, y, s, transform=Coords("figure"), **kw)
        self.add_artist(t)
        return t

    def add_artist(self, a: Artist) -> Artist:
        """An artist in canvas coordinates (figure fractions, or its own ``transform``)."""
        a.axes = self._whole
        if a.coords is not None:
            a.coords.ax = self._whole
        self.artists.append(a)
        return a

    @property
    def texts(self) -> list[Text]:
        """Every text of the drawing (axes and canvas level)."""
        return [t for ax in self.axes for t in ax.texts] + [
            a for a in self.artists if isinstance(a, Text)
        ]

    def to_svg(self, prefix: str = "", title: str | None = None) -> str:
        return SvgWriter(self, prefix).write(title)

    def to_png(self, dpi: float = 150.0, prefix: str = "", title: str | None = None) -> bytes:
        """The drawing rasterised by resvg at ``dpi`` (written with its size in user
        units, which resvg takes as pixels: one point per pixel at zoom 1)."""
        return _rasterise(SvgWriter(self, prefix, size_unit="").write(title), dpi)


class _FigureAxes(Axes):
    """The whole canvas as an axes (figure-fraction coordinates)."""

    def __init__(self, fig: Canvas) -> None:
        super().__init__(fig, (0.0, 0.0, 1.0, 1.0))
        self._xlim = (0.0, 1.0)
        self._ylim = (0.0, 1.0)


# ----------------------------------------------------------------------------- writer


_HATCH_DENSITY = 6.0
"""Hatch lines per inch per repeated hatch character (matplotlib's convention)."""


class SvgWriter:
    """Writes one canvas: definitions (hatch patterns, clip paths) and the elements in
    z-order, tagged elements wrapped in ``<g id class data-ref>``."""

    def __init__(self, fig: Canvas, prefix: str, size_unit: Literal["pt", ""] = "pt") -> None:
        self.fig = fig
        self.prefix = prefix
        self.size_unit = size_unit
        self.h = fig.size_pt[1]
        self.defs: dict[str, str] = {}
        self.patterns: dict[tuple[Hatch, str], str] = {}
        self.ids: dict[str, int] = {}

    def pt(self, p: np.ndarray) -> np.ndarray:
        """Canvas points (y up) -> SVG user units (y down)."""
        q = np.asarray(p, dtype=float).reshape(-1, 2).copy()
        q[:, 1] = self.h - q[:, 1]
        return q

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return float(x), float(self.h - y)

    def pattern(self, hatch: Hatch, colour: str) -> str:
        """The id of ``hatch`` in ``colour`` among the definitions (defined once)."""
        pid = self.patterns.get((hatch, colour))
        if pid is not None:
            return pid
        pid = self.patterns[(hatch, colour)] = f"{self.prefix}hatch{len(self.defs)}"
        s = PT_PER_IN / (_HATCH_DENSITY * hatch.density)
        lines = []
        st = f'stroke="{colour}" stroke-width="0.6" fill="none"'
        marks = hatch.strokes
        if "/" in marks:
            lines.append(
                f'<path d="M0 {_num(s)}L{_num(s)} 0M-1 1L1 -1M{_num(s - 1)} {_num(s + 1)}'
                f'L{_num(s + 1)} {_num(s - 1)}" {st}/>'
            )
        if "\\" in marks:
            lines.append(
                f'<path d="M0 0L{_num(s)} {_num(s)}M-1 {_num(s - 1)}L1 {_num(s + 1)}'
                f'M{_num(s - 1)} -1L{_num(s + 1)} 1" {st}/>'
            )
        if "-" in marks:
            lines.append(f'<path d="M0 {_num(s / 2)}H{_num(s)}" {st}/>')
        if "|" in marks:
            lines.append(f'<path d="M{_num(s / 2)} 0V{_num(s)}" {st}/>')
        if "." in marks:
            lines.append(
                f'<circle cx="{_num(s / 2)}" cy="{_num(s / 2)}" r="{_num(min(0.6, s / 5))}" '
                f'fill="{colour}"/>'
            )
        self.defs[pid] = (
            f'<pattern id="{pid}" patternUnits="userSpaceOnUse" '
            f'width="{_num(s)}" height="{_num(s)}">{"".join(lines)}</pattern>'
        )
        return pid

    def clip(self, ax: Axes) -> str:
        cid = f"{self.prefix}clip{self.fig.axes.index(ax)}"
        if cid not in self.defs:
            x0, y0, x1, y1 = ax.box_pt()
            self.defs[cid] = (
                f'<clipPath id="{cid}"><rect x="{_num(x0)}" y="{_num(self.h - y1)}" '
                f'width="{_num(x1 - x0)}" height="{_num(y1 - y0)}"/></clipPath>'
            )
        return cid

    def _element(self, a: Artist, ax: Axes | None) -> str:
        body = a.svg(self)
        if not body:
            return ""
        if ax is not None and a.clip_on and not isinstance(a, Text):
            body = f'<g clip-path="url(#{self.clip(ax)})">{body}</g>'
        if a.tag is not None:
            base = f"{self.prefix}{a.tag.kind}-{a.tag.ref}"
            n = self.ids[base] = self.ids.get(base, 0) + 1
            uid = base if n == 1 else f"{base}-{n}"
            cls, ref = _esc(a.tag.classes), _esc(a.tag.ref)
            return f'<g id="{_esc(uid)}" class="{cls}" data-ref="{ref}">{body}</g>'
        return body

    def write(self, title: str | None) -> str:
        w, h = self.fig.size_pt
        body: list[str] = []
        for ax in self.fig.axes:
            for a in sorted(ax.artists, key=lambda a: a.zorder):
                a.axes = ax
                body.append(self._element(a, ax))
        for a in sorted(self.fig.artists, key=lambda a: a.zorder):
            body.append(self._element(a, None))
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(w)}{self.size_unit}" '
            f'height="{_num(h)}{self.size_unit}" '
            f'viewBox="0 0 {_num(w)} {_num(h)}" font-family="DejaVu Sans, sans-serif"'
        )
        if title:
            head += f' role="img" aria-label="{_esc(title)}"><title>{_esc(title)}</title>'
        else:
            head += ">"
        defs = "".join(self.defs.values())
        return (
            head
            + (f"<defs>{defs}</defs>" if defs else "")
            + f'<rect width="{_num(w)}" height="{_num(h)}" fill="#ffffff"/>'
            + "".join(body)
            + "</svg>"
        )


def svg_to_png(svg: str, dpi: float = 150.0) -> bytes:
    """Rasterise SVG text whose size is given in points (e.g. a chart written elsewhere)
    at ``dpi`` with resvg and the DejaVu Sans files; a :class:`Canvas` rasterises itself
    with :meth:`Canvas.to_png`."""
    import re

    # resvg wants a size in pixels: one user unit (a point) becomes one pixel at zoom 1
    plain = re.sub(r'^(<svg[^>]*?width="[0-9.]+)pt(" height="[0-9.]+)pt"', r'\1\2"', svg, count=1)
    return _rasterise(plain, dpi)


def _rasterise(svg: str, dpi: float) -> bytes:
    """An SVG sized in user units (one pixel each at zoom 1) as a PNG at ``dpi``."""
    import resvg_py

    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg,
            zoom=dpi / PT_PER_IN,
            font_files=font_paths(),
            skip_system_fonts=True,
            background="#ffffff",
        )
    )
