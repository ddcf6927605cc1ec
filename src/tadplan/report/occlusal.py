"""Occlusal view of the affected arch(es): teeth by FDI position (missing, extracted and
planned extractions shown as such), the implants at their sites with their size, and every
connection drawn as what it is (coil spring, chain links, ligature, wires, appliances).

Greyscale-safe: statuses differ by line style and hatching, connections by their drawn
shape, and every element is named in a callout outside the arch.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tadplan.case import Case, ToothStatus, fdi
from tadplan.model import PALATAL_APPLIANCE_KINDS, Connection, ConnectionKind, Design, Implant
from tadplan.report.canvas import (
    ArrowStyle,
    Axes,
    Circle,
    Ellipse,
    Ground,
    Hatch,
    Rectangle,
    Tag,
)
from tadplan.report.figures import (
    GREY,
    INK,
    LIGHT,
    PAPER,
    Figure,
    draw_line,
    new_figure,
    plain_legend,
    tag,
)
from tadplan.report.geometry import (
    ToothShape,
    attachment_points_mm,
    implant_head_mm,
    implant_is_palatal,
)
from tadplan.report.text import connection_label, implant_label, jaw_name

P2 = np.ndarray


@dataclass(frozen=True)
class _Callout:
    anchor: tuple[float, float]
    text: str


STATUS_STYLE: dict[str, dict[str, Any]] = {
    "present": {"facecolor": PAPER, "edgecolor": INK, "linestyle": "-", "hatch": None},
    "moved": {"facecolor": LIGHT, "edgecolor": INK, "linestyle": "-", "hatch": None},
    "missing": {"facecolor": "none", "edgecolor": GREY, "linestyle": (0, (3, 2)), "hatch": None},
    "extracted": {
        "facecolor": "none",
        "edgecolor": GREY,
        "linestyle": (0, (1, 1.5)),
        "hatch": None,
    },
    "planned_extraction": {
        "facecolor": PAPER,
        "edgecolor": INK,
        "linestyle": "-",
        "hatch": Hatch.cross,
    },
    "implant": {"facecolor": LIGHT, "edgecolor": INK, "linestyle": "-", "hatch": Hatch.diagonal},
    "pontic": {
        "facecolor": LIGHT,
        "edgecolor": INK,
        "linestyle": "-",
        "hatch": Hatch.back_diagonal,
    },
    "unerupted": {"facecolor": "none", "edgecolor": GREY, "linestyle": (0, (5, 2)), "hatch": None},
    "impacted": {"facecolor": "none", "edgecolor": INK, "linestyle": (0, (5, 2)), "hatch": None},
}
STATUS_LABEL = {
    "present": "present",
    "moved": "tooth moved by this design",
    "missing": "missing (agenesis)",
    "extracted": "extracted",
    "planned_extraction": "planned extraction",
    "implant": "prosthetic implant",
    "pontic": "pontic",
    "unerupted": "unerupted (in the bone)",
    "impacted": "impacted",
}


def design_jaws(design: Design, goal_teeth: Sequence[int]) -> list[fdi.Arch]:
    """The arches a design touches, maxilla first."""
    jaws: set[fdi.Arch] = {i.site.jaw for i in design.implants}
    for c in design.connections:
        jaws.update(fdi.arch(t) for t in c.teeth)
    jaws.update(fdi.arch(t) for t in goal_teeth)
    return [j for j in ("maxilla", "mandible") if j in jaws] or ["maxilla"]


def _xy(p: np.ndarray, mirror: bool) -> P2:
    return np.array([-p[0] if mirror else p[0], p[1]])


def _tooth_status(case: Case, t: int) -> str:
    st = case.dentition.status(t)
    return {
        ToothStatus.present: "present",
        ToothStatus.missing: "missing",
        ToothStatus.extracted: "extracted",
        ToothStatus.planned_extraction: "planned_extraction",
        ToothStatus.implant: "implant",
        ToothStatus.pontic: "pontic",
        ToothStatus.unerupted: "unerupted",
        ToothStatus.impacted: "impacted",
    }[st]


# ----------------------------------------------------------------------------- shapes


def _unit(v: P2) -> P2:
    n = float(np.hypot(*v))
    return v / n if n > 1e-9 else np.array([1.0, 0.0])


def _coil(ax: Axes, a: P2, b: P2, pitch: float, gid: Tag, lw: float = 1.0) -> None:
    """A helical spring seen from the side: a zigzag between straight leads."""
    d = b - a
    length = float(np.hypot(*d))
    u = _unit(d)
    n = np.array([-u[1], u[0]])
    lead = min(1.2, length * 0.15)
    body = max(length - 2 * lead, 0.5)
    k = max(int(body / pitch), 3)
    pts = [a, a + u * lead]
    for i in range(k):
        s = lead + body * (i + 0.5) / k
        pts.append(a + u * s + n * (0.9 if i % 2 == 0 else -0.9))
    pts += [a + u * (length - lead), b]
    arr = np.array(pts)
    (line,) = draw_line(
        ax, arr[:, 0], arr[:, 1], color=INK, lw=lw, solid_joinstyle="miter", zorder=6
    )
    line.tag = gid


def _chain(ax: Axes, a: P2, b: P2, gid: Tag) -> None:
    """Elastic chain: a row of rings joined by short links."""
    d = b - a
    length = float(np.hypot(*d))
    u = _unit(d)
    k = max(int(length / 1.8), 2)
    group = []
    for i in range(k + 1):
        c = a + u * length * i / k
        ring = Circle(tuple(c), 0.55, facecolor=PAPER, edgecolor=INK, lw=0.9, zorder=6)
        ax.add_artist(ring)
        group.append(ring)
    (line,) = draw_line(ax, [a[0], b[0]], [a[1], b[1]], color=INK, lw=0.9, zorder=5)
    for art in [*group, line]:
        art.tag = gid


def _ligature(ax: Axes, a: P2, b: P2, gid: Tag) -> None:
    """Twisted steel ligature: two thin intertwined strands."""
    d = b - a
    length = float(np.hypot(*d))
    u = _unit(d)
    n = np.array([-u[1], u[0]])
    s = np.linspace(0, length, 60)
    for phase in (0.0, math.pi):
        off = 0.35 * np.sin(s / 0.9 + phase)
        pts = a[None, :] + s[:, None] * u[None, :] + off[:, None] * n[None, :]
        (line,) = draw_line(ax, pts[:, 0], pts[:, 1], color=INK, lw=0.6, zorder=6)
        line.tag = gid


def _wire(ax: Axes, pts: Sequence[P2], gid: Tag, lw: float = 2.0, style: object = "-") -> None:
    arr = np.array(pts)
    (line,) = draw_line(
        ax, arr[:, 0], arr[:, 1], color=INK, lw=lw, ls=style, zorder=5, solid_capstyle="round"
    )
    line.tag = gid


def _tube(ax: Axes, p: P2, along: P2, gid: Tag) -> None:
    """A cross tube / auxiliary slot: a small rectangle across the wire at ``p``."""
    u = _unit(along)
    ang = math.degrees(math.atan2(u[1], u[0]))
    r = Rectangle(
        (p[0] - 1.4, p[1] - 0.6),
        2.8,
        1.2,
        angle=0.0,
        facecolor=PAPER,
        edgecolor=INK,
        lw=1.0,
        zorder=7,
    )
    r.set_angle(ang + 90)
    r.tag = gid
    ax.add_artist(r)


def _blob(ax: Axes, p: P2, gid: Tag) -> None:
    c = Circle(tuple(p), 1.0, facecolor=GREY, edgecolor=INK, lw=0.8, zorder=7, hatch=Hatch.dots)
    c.tag = gid
    ax.add_artist(c)


def _hook(ax: Axes, p: P2, out: P2, gid: Tag) -> None:
    """A power hook / lever arm seen from occlusal: a stem out of the arch with a hook."""
    u = _unit(out)
    n = np.array([-u[1], u[0]])
    stem_end = p + u * 2.2
    pts = [p, stem_end, stem_end + n * 0.9, stem_end + n * 0.9 - u * 0.8]
    _wire(ax, pts, gid, lw=1.6)


def _elastic(ax: Axes, a: P2, b: P2, gid: Tag) -> None:
    d = b - a
    n = np.array([-d[1], d[0]]) * 0.12
    t = np.linspace(0, 1, 30)
    pts = a[None, :] + t[:, None] * d[None, :] + (4 * t * (1 - t))[:, None] * n[None, :]
    (line,) = draw_line(ax, pts[:, 0], pts[:, 1], color=INK, lw=1.2, ls=(0, (5, 1.5)), zorder=6)
    line.tag = gid


def _helix_loop(ax: Axes, c: P2, gid: Tag, r: float = 1.2) -> None:
    loop = Circle(tuple(c), r, facecolor="none", edgecolor=INK, lw=1.6, zorder=6)
    loop.tag = gid
    ax.add_artist(loop)


# ----------------------------------------------------------------------------- connections


@dataclass(frozen=True)
class _Route:
    """Where one connection runs in an occlusal panel (2-D points, mm)."""

    ax: Axes
    tag: Tag
    kind: ConnectionKind
    has_implant: bool
    head: P2
    """The implant's head (or the first tooth of a tooth-to-tooth connection)."""
    nearest: P2
    """The attachment nearest the head."""
    targets: list[P2]
    teeth_points: list[P2]
    """Every attachment point, the first tooth included."""
    outward: list[P2]
    arch_path: list[P2]
    via: Sequence[P2]

    @property
    def path(self) -> list[P2]:
        """Head to the nearest attachment, along the arch outside the crowns."""
        return [self.head, *self.via, self.nearest]

    @property
    def legs(self) -> list[tuple[P2, P2]]:
        return list(itertools.pairwise(self.path))

    @property
    def mid(self) -> P2:
        """Where the callout points by default."""
        return self.via[len(self.via) // 2] if self.via else (self.head + self.nearest) / 2.0


def _draw_connection(
    ax: Axes,
    conn: Connection,
    implant: Implant | None,
    head: P2 | None,
    targets: list[P2],
    outward: list[P2],
    arch_path: list[P2],
    via: Sequence[P2] = (),
) -> P2:
    """Draw one connection as what it is; return the point its callout points at."""
    if not targets and head is None:
        return np.array([0.0, 0.0])
    teeth_points = list(targets)
    if head is None:  # between teeth only
        head = targets[0]
        targets = targets[1:] or targets
    start = head
    nearest = min(targets, key=lambda p: float(np.hypot(*(p - start)))) if targets else head
    route = _Route(
        ax,
        Tag("connection", conn.id, (conn.kind.value,)),
        conn.kind,
        implant is not None,
        head,
        nearest,
        targets,
        teeth_points,
        outward,
        arch_path,
        via,
    )
    return _DRAWERS.get(conn.kind, _draw_plain_link)(route)


def _draw_coil_spring(r: _Route) -> P2:
    closed = r.kind == ConnectionKind.niti_tension_spring
    for a, b in r.legs:
        _coil(r.ax, a, b, pitch=0.55 if closed else 1.3, gid=r.tag)
    if not closed:  # an open coil rides on a wire
        _wire(r.ax, r.path, r.tag, lw=0.6)
    return r.mid


def _draw_chain(r: _Route) -> P2:
    for a, b in r.legs:
        _chain(r.ax, a, b, r.tag)
    return r.mid


def _draw_elastic(r: _Route) -> P2:
    _elastic(r.ax, r.head, r.nearest, r.tag)
    return r.mid


def _draw_ligature(r: _Route) -> P2:
    for a, b in r.legs:
        _ligature(r.ax, a, b, r.tag)
    return r.mid


def _draw_rigid_link(r: _Route) -> P2:
    """Segmental arch, cross tube, band slot, composite bond, cantilever: a wire from
    the implant along the teeth, with what joins it to them."""
    _wire(r.ax, [r.head, r.nearest], r.tag, lw=1.8)
    if len(r.targets) > 1:
        order = sorted(r.targets, key=lambda p: float(np.hypot(*(p - r.nearest))))
        _wire(r.ax, order, r.tag, lw=1.8)
    if r.kind in (ConnectionKind.cross_tube, ConnectionKind.band_auxiliary_slot):
        _tube(r.ax, r.nearest, r.nearest - r.head, r.tag)
    elif r.kind == ConnectionKind.composite_bond:
        for p in r.targets:
            _blob(r.ax, p, r.tag)
    elif r.kind == ConnectionKind.cantilever:
        _hook(r.ax, r.nearest, r.nearest - r.head, r.tag)
    return r.mid


def _draw_tpa(r: _Route) -> P2:
    """One arch per pair of teeth facing each other across the palate (16-26, 17-27)."""
    right = sorted((p for p in r.teeth_points if p[0] < 0), key=lambda p: -p[1])
    left = sorted((p for p in r.teeth_points if p[0] >= 0), key=lambda p: -p[1])
    pairs = list(zip(right, left, strict=False))
    if not pairs:
        _wire(r.ax, [r.head, r.nearest], r.tag, lw=2.0)
        return r.mid
    t = np.linspace(0, 1, 40)[:, None]
    for n, (a, b) in enumerate(pairs):
        apex = r.head if r.has_implant and n == 0 else (a + b) / 2.0
        curve = (1 - t) ** 2 * a + 2 * (1 - t) * t * apex + t**2 * b
        _wire(r.ax, list(curve), r.tag, lw=2.0)
        _helix_loop(r.ax, apex, r.tag, r=1.4)
    return r.head if r.has_implant else (pairs[0][0] + pairs[0][1]) / 2.0


def _draw_quadhelix(r: _Route) -> P2:
    pts = sorted(r.targets, key=lambda p: p[0])
    if len(pts) < 2:
        _wire(r.ax, [r.head, r.nearest], r.tag, lw=1.8)
        return r.mid
    a, b = pts[0], pts[-1]
    inward = 0.22 * (b[0] - a[0])
    pa, pb = a + np.array([inward, -1.5]), b + np.array([-inward, -1.5])
    aa, ab = pa + np.array([0.0, 14.0]), pb + np.array([0.0, 14.0])
    _wire(r.ax, [a, pa, pb, b], r.tag, lw=1.8)
    _wire(r.ax, [pa, aa, ab, pb], r.tag, lw=1.8)
    for h in (pa, pb, aa, ab):
        _helix_loop(r.ax, h, r.tag)
    bridge = (aa + ab) / 2.0
    _wire(r.ax, [r.head, bridge], r.tag, lw=1.0, style=(0, (2, 1)))
    return (pa + aa) / 2.0


def _draw_horseshoe(r: _Route) -> P2:
    if len(r.arch_path) < 2:
        _wire(r.ax, [r.head, r.nearest], r.tag, lw=2.0)
        return r.mid
    _wire(r.ax, r.arch_path, r.tag, lw=2.0)
    joint = min(r.arch_path, key=lambda p: float(np.hypot(*(p - r.head))))
    _wire(r.ax, [r.head, joint], r.tag, lw=1.2)
    return joint


def _draw_arm(r: _Route) -> P2:
    """Lever arm, power hook: the hook out of the arch, a dotted link to the implant."""
    nearest = r.nearest
    inside = any(p is nearest for p in r.targets)
    out = r.outward[[id(p) for p in r.targets].index(id(nearest))] if inside else nearest - r.head
    _hook(r.ax, nearest, out, r.tag)
    _wire(r.ax, [r.head, nearest], r.tag, lw=0.8, style=(0, (1, 1.2)))
    return r.mid


def _draw_expander(r: _Route) -> P2:
    body = Rectangle(
        (r.head[0] - 3.0, r.head[1] - 2.0),
        6.0,
        4.0,
        facecolor=LIGHT,
        edgecolor=INK,
        lw=1.2,
        hatch=Hatch.vertical,
        zorder=6,
    )
    body.tag = r.tag
    r.ax.add_artist(body)
    for p in r.targets:
        _wire(r.ax, [r.head, p], r.tag, lw=1.8)
    return r.mid


def _draw_distaliser(r: _Route) -> P2:
    _wire(r.ax, [r.head, r.nearest], r.tag, lw=1.8)
    d = r.nearest - r.head
    _coil(r.ax, r.head + d * 0.25, r.head + d * 0.75, 1.2, r.tag)
    return r.mid


def _draw_plain_link(r: _Route) -> P2:
    """Intermaxillary fixation and anything new: a plain dash-dot link."""
    _wire(r.ax, [r.head, r.nearest], r.tag, lw=1.2, style="-.")
    return r.mid


_DRAWERS: dict[ConnectionKind, Callable[[_Route], P2]] = {
    ConnectionKind.niti_tension_spring: _draw_coil_spring,
    ConnectionKind.compression_spring: _draw_coil_spring,
    ConnectionKind.elastic_chain: _draw_chain,
    ConnectionKind.elastic: _draw_elastic,
    ConnectionKind.ligature_tie_back: _draw_ligature,
    ConnectionKind.segmental_arch: _draw_rigid_link,
    ConnectionKind.cross_tube: _draw_rigid_link,
    ConnectionKind.band_auxiliary_slot: _draw_rigid_link,
    ConnectionKind.composite_bond: _draw_rigid_link,
    ConnectionKind.cantilever: _draw_rigid_link,
    ConnectionKind.tpa: _draw_tpa,
    ConnectionKind.quadhelix: _draw_quadhelix,
    ConnectionKind.horseshoe_arch: _draw_horseshoe,
    ConnectionKind.lever_arm: _draw_arm,
    ConnectionKind.power_hook: _draw_arm,
    ConnectionKind.expander: _draw_expander,
    ConnectionKind.distaliser: _draw_distaliser,
}
"""How each kind of connection is drawn in the occlusal view (else a plain link)."""


ROUTED = frozenset(
    {
        ConnectionKind.niti_tension_spring,
        ConnectionKind.compression_spring,
        ConnectionKind.elastic_chain,
        ConnectionKind.ligature_tie_back,
    }
)
"""Modules drawn along the arch (outside the crowns) from an inter-radicular implant."""


def _via_points(
    conn: Connection,
    implant: Implant | None,
    teeth: Sequence[int],
    shapes: Mapping[int, ToothShape],
    mirror: bool,
    palatal: bool,
) -> list[P2]:
    """Points just outside the crowns between an inter-radicular implant and the tooth the
    module runs to, so that it is drawn along the arch rather than across the teeth."""
    if conn.kind not in ROUTED or implant is None or implant.site.between is None or not teeth:
        return []
    a, b = implant.site.between
    if fdi.arch(a) != fdi.arch(teeth[0]):
        return []
    order = fdi.arch_order(fdi.arch(a))
    ia, ib = sorted((order.index(a), order.index(b)))
    it = min((order.index(t) for t in teeth), key=lambda i: min(abs(i - ia), abs(i - ib)))
    if it < ia:
        idx = list(range(ia, it, -1))
    elif it > ib:
        idx = list(range(ib, it))
    else:
        return []
    out = []
    for i in idx:
        t = order[i]
        if t not in shapes:
            continue
        sh = shapes[t]
        p = (
            sh.palatal_point_mm - sh.landmarks.buccal * 2.0
            if palatal
            else sh.landmarks.bracket_mm + sh.landmarks.buccal * 2.0
        )
        out.append(_xy(p, mirror))
    return out


# ----------------------------------------------------------------------------- figure


def _place_callouts(ax: Axes, callouts: list[_Callout], side: str) -> None:
    """Labels outside the axes box on one side, in the order of their anchors, never
    overlapping each other; thin leader lines to the drawing."""
    if not callouts:
        return
    y0, y1 = ax.get_ylim()
    root = ax.get_figure(root=True)
    assert root is not None
    fig_h = float(root.get_figheight()) * ax.get_position().height
    line_frac = (8.5 / 72.0) / fig_h
    items = sorted(callouts, key=lambda c: -c.anchor[1])
    heights = [line_frac * (c.text.count("\n") + 1) + line_frac * 0.45 for c in items]
    want = [(c.anchor[1] - y0) / (y1 - y0) for c in items]
    # top-down greedy packing, then shift everything up if we ran out at the bottom
    ys: list[float] = []
    cursor = 1.0
    for w, h in zip(want, heights, strict=True):
        y = min(w, cursor - h / 2.0)
        ys.append(y)
        cursor = y - h / 2.0
    if cursor < 0.0:
        shift = -cursor
        ys = [y + shift for y in ys]
    xt = -0.03 if side == "left" else 1.03
    for c, y in zip(items, ys, strict=True):
        ax.annotate(
            c.text,
            xy=c.anchor,
            xycoords="data",
            xytext=(xt, y),
            textcoords="axes fraction",
            ha="right" if side == "left" else "left",
            va="center",
            fontsize=6.8,
            arrowprops={
                "arrowstyle": ArrowStyle.line,
                "color": GREY,
                "lw": 0.5,
                "shrinkA": 2,
                "shrinkB": 1,
                "patchA": None,
                "relpos": (1.0, 0.5) if side == "left" else (0.0, 0.5),
            },
            annotation_clip=False,
            zorder=10,
        )


def _wrap(text: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(text, width)[:3])


@dataclass
class _Panel:
    """One arch's panel of the occlusal view being drawn."""

    ax: Axes
    jaw: fdi.Arch
    mirror: bool
    """The mandible is seen from above: the patient's right on the right."""
    shapes: Mapping[int, ToothShape]
    heads: dict[str, P2] = field(default_factory=dict)
    """Implant id -> head drawn in this panel."""
    callouts: list[_Callout] = field(default_factory=list)


def occlusal_figure(
    case: Case,
    design: Design,
    shapes: Mapping[int, ToothShape],
    goal_teeth: Sequence[int],
    fig_id: str,
    heads_mm: Mapping[str, np.ndarray] | None = None,
) -> Figure:
    """The occlusal view(s) of one design: one panel per arch it touches. ``heads_mm``:
    implant id -> head position (else the plan's, else a schematic point at the site)."""
    jaws = design_jaws(design, goal_teeth)
    panel = 2.8
    height = panel * len(jaws) + 0.55
    fig = new_figure(6.4, height)
    implants = {i.id: i for i in design.implants}
    notes: list[str] = []
    for row, jaw in enumerate(jaws):
        bottom = 0.55 / height + (len(jaws) - 1 - row) * panel / height
        ax = fig.add_axes((0.29, bottom + 0.02, 0.42, (panel - 0.3) / height))
        ax.set_aspect("equal", adjustable="box")
        ax.set_axis_off()
        pn = _Panel(ax, jaw, jaw == "mandible", shapes)
        teeth = [t for t in fdi.arch_order(jaw) if t in shapes]
        used = _draw_teeth(pn, case, teeth, goal_teeth)
        _draw_implant_heads(pn, design, heads_mm, notes)
        for conn in design.connections:
            _draw_panel_connection(pn, conn, implants, heads_mm)
        _frame_and_label(pn, teeth)
        _status_legend(ax, used)
    title = f"Occlusal view: {design.title}"
    caption = (
        "Teeth by FDI number; implants (black, with their size) at their sites; each "
        "connection drawn as what it is and named at the side."
    )
    return Figure(fig_id, "occlusal", title, caption, fig, notes)


def _draw_teeth(
    pn: _Panel, case: Case, teeth: Sequence[int], goal_teeth: Sequence[int]
) -> set[str]:
    """Each tooth of the arch as an ellipse styled by its status, numbered; returns the
    statuses shown (for the legend)."""
    ax, mirror, shapes = pn.ax, pn.mirror, pn.shapes
    used = {s for t in teeth for s in [_tooth_status(case, t)]}
    for t in teeth:
        sh = shapes[t]
        lm = sh.landmarks
        c = _xy(lm.crown_centre_mm, mirror)
        m = _xy(lm.mesial, mirror)
        ang = math.degrees(math.atan2(m[1], m[0]))
        status = _tooth_status(case, t)
        key = "moved" if (t in goal_teeth and status == "present") else status
        if key == "moved":
            used.add("moved")
        st = STATUS_STYLE[key]
        e = Ellipse(
            tuple(c),
            sh.md_width_mm * 0.94,
            sh.bl_width_mm * 0.94,
            angle=ang,
            facecolor=st["facecolor"],
            edgecolor=st["edgecolor"],
            linestyle=st["linestyle"],
            hatch=st["hatch"],
            lw=1.3 if key == "moved" else 0.8,
            zorder=2,
        )
        ax.add_artist(tag(e, "tooth", str(t), key))
        if status == "extracted":
            r = sh.md_width_mm * 0.25
            for sgn in (1, -1):
                draw_line(
                    ax,
                    [c[0] - r, c[0] + r],
                    [c[1] - sgn * r, c[1] + sgn * r],
                    color=GREY,
                    lw=0.6,
                    zorder=2,
                )
        ax.text(
            c[0],
            c[1],
            str(t),
            ha="center",
            va="center",
            fontsize=5.6,
            color=GREY if status in ("missing", "extracted", "unerupted") else INK,
            zorder=3,
            bbox=Ground(fc=PAPER, alpha=0.85, pad=0.08, rounded=True) if st["hatch"] else None,
        )
    return used


def _draw_implant_heads(
    pn: _Panel, design: Design, heads_mm: Mapping[str, np.ndarray] | None, notes: list[str]
) -> None:
    """The panel's implants: a black head with a white cross, and a callout."""
    ax, jaw, mirror, shapes = pn.ax, pn.jaw, pn.mirror, pn.shapes
    heads, callouts = pn.heads, pn.callouts
    for imp in design.implants:
        if imp.site.jaw != jaw:
            continue
        p3 = (heads_mm or {}).get(imp.id)
        if p3 is None:
            p3 = implant_head_mm(imp, shapes)
        if imp.head_position_mm is None and imp.id not in (heads_mm or {}):
            notes.append(
                f"{imp.id}: no head position in the plan; drawn at the mechanics "
                f"default for {imp.site.label()}"
            )
        p = _xy(p3, mirror)
        heads[imp.id] = p
        r = max(imp.diameter_mm / 2.0, 1.0)
        circ = Circle(tuple(p), r, facecolor=INK, edgecolor=INK, lw=0.8, zorder=8)
        ax.add_artist(tag(circ, "implant", imp.id))
        draw_line(ax, [p[0] - r * 0.6, p[0] + r * 0.6], [p[1], p[1]], color=PAPER, lw=0.9, zorder=9)
        draw_line(ax, [p[0], p[0]], [p[1] - r * 0.6, p[1] + r * 0.6], color=PAPER, lw=0.9, zorder=9)
        callouts.append(_Callout((float(p[0]), float(p[1])), _wrap(implant_label(imp))))


def _draw_panel_connection(
    pn: _Panel,
    conn: Connection,
    implants: Mapping[str, Implant],
    heads_mm: Mapping[str, np.ndarray] | None,
) -> None:
    """One connection in this panel (if it reaches this arch): its route from the head
    (the hub of a one-piece appliance on several screws) to the teeth, and a callout."""
    ax, jaw, mirror, shapes = pn.ax, pn.jaw, pn.mirror, pn.shapes
    heads, callouts = pn.heads, pn.callouts
    conn_jaws = {fdi.arch(t) for t in conn.teeth}
    cimp = implants.get(conn.from_implant) if conn.from_implant else None
    if cimp is not None:
        conn_jaws.add(cimp.site.jaw)
    if jaw not in conn_jaws:
        return
    palatal = (cimp is not None and implant_is_palatal(cimp)) or (
        conn.kind in PALATAL_APPLIANCE_KINDS
    )
    in_jaw = Connection.model_construct(
        **{**dict(conn), "teeth": [t for t in conn.teeth if fdi.arch(t) == jaw]}
    )
    targets3 = attachment_points_mm(in_jaw, shapes, palatal=palatal)
    targets = [_xy(p, mirror) for p in targets3]
    outward = [
        _xy(shapes[t].landmarks.buccal, mirror) * (-1 if palatal else 1)
        for t in in_jaw.teeth
        if t in shapes
    ]
    head = heads.get(conn.from_implant or "")
    if head is None and cimp is not None:  # implant in the other jaw
        other = (heads_mm or {}).get(cimp.id)
        head = _xy(other if other is not None else implant_head_mm(cimp, shapes), mirror)
    carriers = [heads[i] for i in conn.from_implants if i in heads]
    if len(carriers) > 1:  # one appliance on several screws: joined at its body
        hub = (
            np.mean(carriers, axis=0)
            if conn.kind == ConnectionKind.expander
            else (head if head is not None else carriers[0])
        )
        for c in carriers:
            if float(np.hypot(*(c - hub))) > 0.3:
                _wire(ax, [c, hub], Tag("connection", conn.id, (conn.kind.value,)), lw=1.4)
        head = hub
    arch_path = []
    if len(in_jaw.teeth) >= 2:  # palatal points of every tooth between the two ends
        ends = sorted(in_jaw.teeth, key=fdi.arch_index)
        arch_path = [
            _xy(shapes[t].palatal_point_mm - shapes[t].landmarks.buccal * 1.5, mirror)
            for t in fdi.span(ends[0], ends[-1])
            if t in shapes
        ]
    via = _via_points(conn, cimp, in_jaw.teeth, shapes, mirror, palatal)
    anchor = _draw_connection(ax, conn, cimp, head, targets, outward, arch_path, via)
    callouts.append(_Callout((float(anchor[0]), float(anchor[1])), _wrap(connection_label(conn))))


def _frame_and_label(pn: _Panel, teeth: Sequence[int]) -> None:
    """Limits around the arch and the callouts' anchors, the callouts laid out on both
    sides, the patient's sides and the title."""
    ax, jaw, mirror, shapes, callouts = pn.ax, pn.jaw, pn.mirror, pn.shapes, pn.callouts
    xs = [float(_xy(shapes[t].landmarks.crown_centre_mm, mirror)[0]) for t in teeth]
    ys = [float(shapes[t].landmarks.crown_centre_mm[1]) for t in teeth]
    xs += [c.anchor[0] for c in callouts]
    ys += [c.anchor[1] for c in callouts]
    pad = 8.0
    ax.set_xlim(min(xs) - pad, max(xs) + pad)
    ax.set_ylim(min(ys) - pad, max(ys) + pad)
    ax.apply_aspect()
    left = [c for c in callouts if c.anchor[0] < 0]
    right = [c for c in callouts if c.anchor[0] >= 0]
    _place_callouts(ax, left, "left")
    _place_callouts(ax, right, "right")
    rl = ("R", "L") if not mirror else ("L", "R")
    for x, s in ((0.02, rl[0]), (0.98, rl[1])):
        ax.text(
            x,
            0.98,
            f"patient's {'right' if s == 'R' else 'left'}",
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top",
            fontsize=6.5,
            color=GREY,
        )
    view = "from below" if jaw == "maxilla" else "from above"
    ax.set_title(
        f"{jaw_name(jaw)} — occlusal view {view}, anterior at top", fontsize=8, pad=2, y=1.0
    )


def _status_legend(ax: Axes, used: set[str]) -> None:
    """The legend of the tooth statuses shown, under the arch."""
    entries: list[tuple[dict[str, Any], str]] = []
    for key in (
        "moved",
        "present",
        "missing",
        "extracted",
        "planned_extraction",
        "implant",
        "pontic",
        "unerupted",
        "impacted",
    ):
        if key in used:
            st = STATUS_STYLE[key]
            style = {
                "facecolor": st["facecolor"],
                "edgecolor": st["edgecolor"],
                "linestyle": st["linestyle"],
                "hatch": st["hatch"],
                "lw": 0.8,
            }
            entries.append((style, STATUS_LABEL[key]))
    entries.append(({"marker": "o", "color": INK, "ms": 5}, "mini-implant (head)"))
    plain_legend(ax, entries, ncol=3, fontsize=6)
