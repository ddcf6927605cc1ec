"""The report's SVG canvas: geometry, text metrics, tags, hatching, images and PNG output."""

from __future__ import annotations

import re
import struct
import zlib

import numpy as np
import pytest

from tadplan.report.canvas import (
    Canvas,
    Circle,
    Hatch,
    Polygon,
    Text,
    png_grey,
    svg_to_png,
    text_width_pt,
    wrap_text,
)
from tadplan.report.figures import tag


def _points(svg: str, element: str = "polygon") -> np.ndarray:
    m = re.search(rf'<{element} points="([^"]+)"', svg)
    assert m
    return np.array([[float(v) for v in p.split(",")] for p in m.group(1).split()])


def test_data_maps_to_the_axes_box_with_y_up() -> None:
    fig = Canvas((2.0, 1.0))  # 144 x 72 pt
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 5)
    ax.add_artist(Polygon([(0, 0), (10, 0), (10, 5)]))
    pts = _points(fig.to_svg())
    # SVG y runs down: data (0, 0) is the lower left corner (0, 72)
    assert np.allclose(pts, [[0, 72], [144, 72], [144, 0]])


def test_equal_aspect_narrows_the_box_about_its_centre() -> None:
    fig = Canvas((2.0, 1.0))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_aspect("equal")
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    x0, y0, x1, y1 = ax.box_pt()
    assert x1 - x0 == pytest.approx(72.0) and y1 - y0 == pytest.approx(72.0)
    assert (x0 + x1) / 2 == pytest.approx(72.0)
    # a circle of radius 5 mm is round: 36 pt both ways
    ax.add_artist(Circle((5, 5), 5))
    m = re.search(r'<ellipse cx="([\d.]+)" cy="([\d.]+)" rx="([\d.]+)" ry="([\d.]+)"', fig.to_svg())
    assert m and float(m.group(3)) == pytest.approx(36.0) and float(m.group(4)) == 36.0


def test_text_width_follows_the_font_not_the_character_count() -> None:
    assert text_width_pt("MMMM", 10) > 1.5 * text_width_pt("iiii", 10)
    assert text_width_pt("MMMM", 10, bold=True) > text_width_pt("MMMM", 10)
    # DejaVu Sans advance of "M" is 1767/2048 em
    assert text_width_pt("M", 10) == pytest.approx(10 * 1767 / 2048, abs=1e-6)
    assert text_width_pt("ab\nabcd", 10) == pytest.approx(text_width_pt("abcd", 10))


def test_text_alignment_and_rotation_place_the_box() -> None:
    fig = Canvas((4.0, 4.0))
    t = Text(0.5, 0.5, "label", fontsize=10, ha="right", va="top")
    fig.add_artist(t)
    x0, _y0, x1, y1 = t.window_extent()
    assert x1 == pytest.approx(144.0) and y1 == pytest.approx(144.0)
    assert x1 - x0 == pytest.approx(text_width_pt("label", 10))
    turned = Text(0.5, 0.5, "label", fontsize=10, ha="center", va="center", rotation=90)
    fig.add_artist(turned)
    a0, b0, a1, b1 = turned.window_extent()
    assert b1 - b0 == pytest.approx(text_width_pt("label", 10))  # now as tall as it was wide
    assert (a0 + a1) / 2 == pytest.approx(144.0) and (b0 + b1) / 2 == pytest.approx(144.0)


def test_wrap_text_keeps_every_line_within_the_width() -> None:
    words = "the mini-implant is placed between the roots of the first molar and premolar " * 3
    wrapped = wrap_text(words.strip(), 120.0, 7.0)
    assert wrapped.count("\n") >= 2
    assert all(text_width_pt(line, 7.0) <= 120.0 for line in wrapped.split("\n"))
    assert wrapped.replace("\n", " ") == words.strip()


def test_tags_name_elements_and_number_repeats() -> None:
    fig = Canvas((1.0, 1.0))
    ax = fig.add_axes((0, 0, 1, 1))
    for _ in range(2):
        ax.add_artist(tag(Circle((0.5, 0.5), 0.1), "implant", "i1"))
    svg = fig.to_svg(prefix="d1-")
    assert '<g id="d1-implant-i1" class="implant" data-ref="i1">' in svg
    assert '<g id="d1-implant-i1-2" class="implant" data-ref="i1">' in svg


def test_hatch_pattern_is_defined_once_per_style_and_prefixed() -> None:
    fig = Canvas((1.0, 1.0))
    ax = fig.add_axes((0, 0, 1, 1))
    for x in (0.2, 0.5, 0.8):
        ax.add_artist(
            Circle((x, 0.5), 0.1, facecolor="none", edgecolor="#000000", hatch=Hatch.diagonal)
        )
    svg = fig.to_svg(prefix="f-")
    assert svg.count("<pattern ") == 1
    assert svg.count('fill="url(#f-hatch0)"') == 3


def test_grey_png_round_trips() -> None:
    a = np.array([[0, 128, 255], [10, 20, 30]], dtype=np.uint8)
    png = png_grey(a)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", png[16:24])
    assert (w, h) == (3, 2)
    idat = png[png.index(b"IDAT") + 4 :]
    raw = zlib.decompressobj().decompress(idat)
    rows = [raw[i * 4 + 1 : i * 4 + 4] for i in range(2)]  # filter byte, then 3 pixels
    assert rows == [bytes([0, 128, 255]), bytes([10, 20, 30])]


def test_png_has_the_size_of_the_drawing_at_the_dpi() -> None:
    fig = Canvas((2.0, 1.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_artist(Polygon([(0.1, 0.1), (0.9, 0.1), (0.5, 0.9)], facecolor="#000000"))
    png = svg_to_png(fig.to_svg(), dpi=100)
    assert struct.unpack(">II", png[16:24]) == (200, 100)


def test_typed_tags_hatches_grounds_and_arrows_reach_the_svg() -> None:
    """Issue 12: tags, hatches, text grounds and arrow heads are values, written straight
    into the SVG: a tag's further classes, a cross hatch over a coloured fill (the shape
    drawn twice, once with the pattern), a rounded ground with its pad, two arrow heads."""
    from tadplan.report.canvas import ArrowStyle, FancyArrowPatch, Ground

    fig = Canvas((1.0, 1.0))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_artist(tag(Circle((0.5, 0.5), 0.1), "connection", "c1", "tpa"))
    ax.add_artist(Polygon([(0, 0), (0.2, 0), (0.2, 0.2)], facecolor="#d9d9d9", hatch=Hatch.cross))
    ax.add_artist(Text(0.5, 0.5, "x", fontsize=10, bbox=Ground(pad=0.2, rounded=True)))
    ax.add_artist(FancyArrowPatch((0.1, 0.1), (0.9, 0.9), arrowstyle=ArrowStyle.both_heads))
    svg = fig.to_svg(prefix="f-")
    assert '<g id="f-connection-c1" class="connection tpa" data-ref="c1">' in svg
    pattern = re.search(r'<pattern id="f-hatch\d+"[^>]*>(.*?)</pattern>', svg)
    assert pattern is not None and pattern.group(1).count("<path") == 2  # both diagonals
    assert svg.count('<polygon points="0,72 ') == 2  # the fill, then the hatch over it
    assert 'fill="url(#f-hatch' in svg and "data-hatch" not in svg
    assert 'rx="2"' in svg  # pad 0.2 x 10 pt
    heads = re.findall(r'<polygon points="[^"]+" fill="#000000" stroke="#000000"', svg)
    assert len(heads) == 2
