"""The force diagram of a design: a lateral view (sagittal and vertical mechanics) or a
frontal view (transverse and palatal mechanics) with the teeth, the implants, each active
force's line of action, its magnitude and components in grams, and, where the mechanics
result supplies them, the centre of resistance, the moment's sense and the predicted kind
of movement. What the plan does not carry is said in the figure, never made up.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from tadplan.case import MovementKind, fdi
from tadplan.model import (
    ARM_KINDS,
    ORTHOPAEDIC_KINDS,
    PALATAL_APPLIANCE_KINDS,
    RIGID_KINDS,
    ConnectionForce,
    ConnectionKind,
    Design,
    ForceSystem,
    Implant,
)
from tadplan.report.canvas import (
    Annotation,
    Arc,
    ArrowStyle,
    Axes,
    Canvas,
    Circle,
    FancyArrowPatch,
    Ground,
    Hatch,
    Polygon,
    Rectangle,
    Role,
    Text,
    wrap_text,
)
from tadplan.report.figures import (
    GREY,
    INK,
    LIGHT,
    PAPER,
    Figure,
    FigureKind,
    draw_line,
    new_figure,
    tag,
)
from tadplan.report.geometry import ToothShape, attachment_points_mm, implant_is_palatal
from tadplan.report.mechanics_view import (
    G_PER_N,
    ForceVector,
    force_system_of,
    force_vectors,
    implant_heads,
)
from tadplan.report.screw import draw_screw
from tadplan.report.text import CONNECTION_NAMES, fmt_force, fmt_num

TRANSVERSE = frozenset({MovementKind.expansion, MovementKind.crossbite_correction})
PALATAL_WIRES = PALATAL_APPLIANCE_KINDS
"""Appliances drawn as a wire across the palate in the frontal view."""
ARMS = ARM_KINDS
PASSIVE_KINDS = RIGID_KINDS - PALATAL_APPLIANCE_KINDS - {ConnectionKind.intermaxillary_fixation}
"""Links drawn from the implant to the tooth as what they are, not as a force."""
FRONTAL_CONNECTIONS = frozenset(
    {ConnectionKind.tpa, ConnectionKind.quadhelix, ConnectionKind.expander}
)


def view_plane(
    design: Design, goal_kinds: Sequence[MovementKind], forces: Sequence[ForceVector] = ()
) -> str:
    """``"frontal"`` for transverse goals; else the plane that shows more of the design's
    forces (sagittal and vertical: lateral; transverse: frontal); without forces,
    ``"frontal"`` for palatal appliances and all-palatal implants, else ``"lateral"``."""
    if any(k in TRANSVERSE for k in goal_kinds):
        return "frontal"
    if forces:
        g = np.array([f.direction * f.applied_g for f in forces])
        sagittal, transverse = float(np.abs(g[:, 1]).sum()), float(np.abs(g[:, 0]).sum())
        if sagittal + transverse > 0:
            return "lateral" if sagittal >= transverse else "frontal"
    if any(c.kind in FRONTAL_CONNECTIONS for c in design.connections):
        return "frontal"
    if design.implants and all(implant_is_palatal(i) for i in design.implants):
        return "frontal"
    return "lateral"


@dataclass(frozen=True)
class _View:
    plane: str
    jaw: fdi.Arch
    side: str
    teeth: list[int]
    title: str

    def proj(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        return np.array([p[1], p[2]]) if self.plane == "lateral" else np.array([p[0], p[2]])

    @property
    def width_dir(self) -> np.ndarray:
        return np.array([0.0, 1.0, 0.0]) if self.plane == "lateral" else np.array([1.0, 0, 0])

    @property
    def normal(self) -> np.ndarray:
        """Out of the drawing towards the viewer: a moment along it turns counter-clockwise."""
        return np.array([1.0, 0, 0]) if self.plane == "lateral" else np.array([0, -1.0, 0])

    def on_side(self, p: np.ndarray) -> bool:
        return self.plane != "lateral" or abs(p[0]) < 2.0 or (p[0] > 0) == (self.side == "left")


def _choose_view(
    design: Design,
    shapes: Mapping[int, ToothShape],
    goal_teeth: Sequence[int],
    goal_kinds: Sequence[MovementKind],
    forces: Sequence[ForceVector],
    heads: Mapping[str, tuple[np.ndarray, np.ndarray | None]],
) -> _View:
    plane = view_plane(design, goal_kinds, forces)
    ref = [f.point_mm for f in forces] or [h for h, _ in heads.values()]
    ref += [shapes[t].landmarks.crown_centre_mm for t in goal_teeth if t in shapes]
    votes = [fdi.arch(t) for t in goal_teeth] + [i.site.jaw for i in design.implants]
    jaw: fdi.Arch = "mandible" if votes.count("mandible") > votes.count("maxilla") else "maxilla"
    mean_x = float(np.mean([p[0] for p in ref])) if ref else -1.0
    side = "left" if mean_x > 0.5 else "right"
    if plane == "lateral":
        teeth = [
            t
            for t in fdi.arch_order(jaw)
            if t in shapes and fdi.side(t) == side and fdi.position(t) <= 7
        ]
        title = f"lateral view from the patient's {side}, anterior to the right"
    else:
        linked = {t for c in design.connections for t in c.teeth}
        # a coronal section shows one tooth per side: the most posterior tooth a connection
        # reaches, else the first molar
        by_side: dict[str, int] = {}
        for s_ in ("right", "left"):
            cands = [
                t
                for t in linked
                if t in shapes and fdi.arch(t) == jaw and fdi.side(t) == s_ and fdi.position(t) >= 3
            ]
            q = {
                ("maxilla", "right"): 1,
                ("maxilla", "left"): 2,
                ("mandible", "left"): 3,
                ("mandible", "right"): 4,
            }[(jaw, s_)]
            if cands:
                by_side[s_] = max(cands, key=fdi.position)
            elif q * 10 + 6 in shapes:
                by_side[s_] = q * 10 + 6
        teeth = sorted(by_side.values(), key=fdi.arch_index)
        title = "frontal view (section through the molars), patient's right on the left"
    return _View(plane, jaw, side, teeth, title)


def _tooth_outline(sh: ToothShape, width_dir: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Crown and root outlines (3-D points) in the plane of ``width_dir`` and the axis."""
    lm = sh.landmarks
    ax = lm.axis
    w = width_dir - np.dot(width_dir, ax) * ax
    w = w / np.linalg.norm(w)
    half = sh.md_width_mm / 2.0 if abs(np.dot(width_dir, lm.mesial)) > 0.7 else sh.bl_width_mm / 2
    tip = lm.crown_centre_mm - ax * lm.crown_length_mm / 2.0
    cej = lm.cej_mm
    crown = [
        tip - w * half * 0.8,
        tip + w * half * 0.8,
        tip + w * half + ax * 1.0,
        cej + w * half * 0.8,
        cej - w * half * 0.8,
        tip - w * half + ax * 1.0,
    ]
    apex = cej + ax * lm.root_length_mm
    root = [cej - w * half * 0.75, cej + w * half * 0.75, apex + w * 0.6, apex - w * 0.6]
    return np.array(crown), np.array(root)


def _component_words(jaw: fdi.Arch, plane: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(horizontal -, +), (vertical -, +) names of the in-plane components."""
    horiz = ("posterior", "anterior") if plane == "lateral" else ("to the right", "to the left")
    vert = ("extrusive", "intrusive") if jaw == "maxilla" else ("intrusive", "extrusive")
    return horiz, vert


def _out_of_plane_word(view: _View, value: float) -> str:
    if view.plane == "lateral":  # +x is the patient's left
        buccal = (value > 0) == (view.side == "left")
        return "buccal" if buccal else "palatal/lingual"
    return "anterior" if value > 0 else "posterior"


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width))


@dataclass
class _Sheet:
    """One force diagram being drawn: its axes and view, and what the drawers collect."""

    ax: Axes
    view: _View
    shapes: Mapping[int, ToothShape]
    pts: list[np.ndarray] = field(default_factory=list)
    """Every point drawn (data mm): the axes are framed around them."""
    table: list[str] = field(default_factory=list)
    """The numbers written beside the drawing, one entry per force or centre."""
    notes: list[str] = field(default_factory=list)
    """What the diagram cannot show."""


def force_figure(
    design: Design,
    shapes: Mapping[int, ToothShape],
    goal_teeth: Sequence[int],
    goal_kinds: Sequence[MovementKind],
    fig_id: str,
) -> Figure:
    """Lateral or frontal force diagram of one design."""
    fs = force_system_of(design)
    heads = implant_heads(design, shapes, fs)
    forces = force_vectors(design, shapes, fs)
    view = _choose_view(design, shapes, goal_teeth, goal_kinds, forces, heads)
    fig = new_figure(6.4, 3.9)
    ax = fig.add_axes((0.07, 0.2, 0.58, 0.7))
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    s = _Sheet(ax, view, shapes)
    _draw_teeth(s, goal_teeth)
    _draw_occlusal_plane(s)
    _draw_implants(s, design, heads)
    if view.plane == "frontal":
        _draw_palatal_wires(s, design, heads)
    _draw_arms(s, design, fs)
    passive_drawn = _draw_passive_links(s, design, heads)
    # forces of the case's appliances (Herbst, intermaxillary elastics) that the implants hold
    held = [
        cf
        for cf in (fs.connections if fs is not None else [])
        if cf.role == "appliance" and cf.point_mm is not None and cf.direction is not None
    ]
    # mm of arrow per gram; orthopaedic forces (kilograms) are drawn shorter to fit
    sizes = [f.applied_g for f in forces] + [cf.applied_g for cf in held]
    scale = min(0.08, 16.0 / max(sizes, default=1.0))
    _draw_forces(s, forces, scale)
    _draw_held_forces(s, held, scale)
    _say_what_is_missing(s, design, fs, forces, held)
    if fs is not None:
        _draw_centres(s, fs)
    _frame(s)
    _write_beside(fig, s, passive_drawn, bool(held))
    kind: FigureKind = "lateral" if view.plane == "lateral" else "frontal"
    caption = (
        f"{kind.capitalize()} view of {', '.join(map(str, view.teeth))}: teeth moved in "
        "grey; forces in grams with their components"
        + (
            "; centre of resistance, moment and predicted movement from the mechanics result."
            if fs is not None
            else "."
        )
    )
    return Figure(fig_id, kind, f"Force diagram: {design.title}", caption, fig, s.notes)


def _draw_teeth(s: _Sheet, goal_teeth: Sequence[int]) -> None:
    """Crown and root outlines of the view's teeth (moved teeth grey), numbered."""
    ax, view, proj, pts, shapes = s.ax, s.view, s.view.proj, s.pts, s.shapes

    for t in view.teeth:
        crown, root = _tooth_outline(shapes[t], view.width_dir)
        moved = t in goal_teeth
        for outline in (root, crown):
            poly = Polygon(
                np.array([proj(p) for p in outline]),
                closed=True,
                facecolor=LIGHT if moved else PAPER,
                edgecolor=INK if moved else GREY,
                lw=1.1 if moved else 0.6,
                zorder=2,
            )
            ax.add_artist(poly)
            tag(poly, "tooth", str(t), *(("moved",) if moved else ()))
            pts += [proj(p) for p in outline]
        lm = shapes[t].landmarks
        lab = proj(lm.crown_centre_mm - lm.axis * (lm.crown_length_mm / 2 + 2.5))
        ax.text(
            lab[0],
            lab[1],
            str(t),
            ha="center",
            va="center",
            fontsize=6.5,
            color=INK if moved else GREY,
            role=Role.tooth_number,
        )


def _draw_occlusal_plane(s: _Sheet) -> None:
    ax, view, pts = s.ax, s.view, s.pts

    xs = [p[0] for p in pts] or [-10.0, 10.0]
    draw_line(
        ax, [min(xs) - 10, max(xs) + 10], [0, 0], color=GREY, lw=0.5, ls=(0, (6, 3)), zorder=1
    )
    # beyond the teeth, on the side of the line away from the crowns
    ax.text(
        max(xs) + 9.5,
        -0.6 if view.jaw == "maxilla" else 0.6,
        "occlusal plane",
        fontsize=5.5,
        color=GREY,
        ha="right",
        va="top" if view.jaw == "maxilla" else "bottom",
    )


def _draw_implants(
    s: _Sheet, design: Design, heads: Mapping[str, tuple[np.ndarray, np.ndarray | None]]
) -> None:
    """Implants on the view's side: the screw along its axis, the head as a black disc
    (where forces start) and the implant's id."""
    ax, view, proj, pts, shapes = s.ax, s.view, s.view.proj, s.pts, s.shapes

    n_lab = 0
    for imp in design.implants:
        head, axis = heads[imp.id]
        if not view.on_side(head):
            continue
        if axis is None:
            axis = (
                np.array([0.0, 0, 1.0 if imp.site.jaw == "maxilla" else -1.0])
                if implant_is_palatal(imp)
                else -_site_outward(imp, shapes)
            )
        h2, tip2 = proj(head), proj(head + axis * imp.length_mm)
        draw_screw(ax, h2, tip2, imp.diameter_mm, imp.length_mm, imp.id, zorder=7)
        disc = Circle(
            (float(h2[0]), float(h2[1])),
            max(imp.diameter_mm * 0.7, 1.0),
            facecolor=INK,
            edgecolor=INK,
            zorder=8,
        )
        ax.add_artist(disc)
        tag(disc, "implant", imp.id)
        label = ax.annotate(
            imp.id,
            xy=(float(h2[0]), float(h2[1])),
            xytext=(5, 5 + 9 * n_lab),
            textcoords="offset points",
            fontsize=7,
            fontweight="bold",
            zorder=9,
        )
        tag(label, "implant_label", imp.id)
        n_lab += 1
        pts += [h2, tip2]


def _draw_palatal_wires(
    s: _Sheet, design: Design, heads: Mapping[str, tuple[np.ndarray, np.ndarray | None]]
) -> None:
    """Palatal appliances in the frontal section: the wire from each molar to the
    implant (struts to each screw of a one-piece appliance, an expander's jackscrew)."""
    ax, view, proj, pts, shapes = s.ax, s.view, s.view.proj, s.pts, s.shapes

    for c in design.connections:
        if c.kind not in PALATAL_WIRES:
            continue
        ends = [
            shapes[t].palatal_point_mm for t in c.teeth if t in shapes and fdi.arch(t) == view.jaw
        ]
        if not ends:
            continue
        ends = sorted(ends, key=lambda p: float(p[0]))
        carriers = [heads[i][0] for i in c.from_implants if i in heads]
        centre = np.mean(carriers, axis=0) if carriers else None
        path3 = (
            [ends[0], centre, ends[-1]]
            if centre is not None and len(ends) > 1
            else ([ends[0], centre] if centre is not None else ends)
        )
        path2 = np.array([proj(p) for p in path3])
        (wire,) = draw_line(ax, path2[:, 0], path2[:, 1], lw=2.0, zorder=6, solid_capstyle="round")
        tag(wire, "connection", c.id, c.kind.value)
        pts += list(path2)
        if centre is not None and len(carriers) > 1:  # one body on several screws
            c2 = proj(centre)
            for h in carriers:
                h2 = proj(h)
                (strut,) = draw_line(ax, [h2[0], c2[0]], [h2[1], c2[1]], lw=1.4, zorder=6)
                tag(strut, "connection", c.id, c.kind.value)
            if c.kind == ConnectionKind.expander:
                jackscrew = Rectangle(
                    (float(c2[0]) - 4.0, float(c2[1]) - 1.5),
                    8.0,
                    3.0,
                    facecolor=LIGHT,
                    edgecolor=INK,
                    lw=1.0,
                    hatch=Hatch.vertical,
                    zorder=7,
                )
                ax.add_artist(jackscrew)
                tag(jackscrew, "connection", c.id, c.kind.value)


def _draw_arms(s: _Sheet, design: Design, fs: ForceSystem | None) -> None:
    """Arms that carry the point of force application away from the bracket."""
    ax, view, proj, pts, shapes = s.ax, s.view, s.view.proj, s.pts, s.shapes

    fs_points = {cf.connection_id: cf.point_mm for cf in fs.connections} if fs else {}
    for c in design.connections:
        if c.kind not in ARMS or not c.teeth or c.teeth[0] not in shapes:
            continue
        base = shapes[c.teeth[0]].landmarks.bracket_mm
        end3 = fs_points.get(c.id) or c.attachment_point_mm
        if end3 is None or not view.on_side(base):
            continue
        end = np.asarray(end3, dtype=float)
        if float(np.linalg.norm(end - base)) < 0.5:
            continue
        b2, e2 = proj(base), proj(end)
        (arm,) = draw_line(
            ax, [b2[0], e2[0]], [b2[1], e2[1]], lw=2.4, zorder=8, solid_capstyle="round"
        )
        tag(arm, "connection", c.id, c.kind.value)
        pts += [b2, e2]


def _draw_passive_links(
    s: _Sheet, design: Design, heads: Mapping[str, tuple[np.ndarray, np.ndarray | None]]
) -> bool:
    """Passive links from an implant (indirect anchorage, tie-backs): implant to the
    tooth. True when one was drawn."""
    ax, view, proj, pts, shapes = s.ax, s.view, s.view.proj, s.pts, s.shapes

    passive_drawn = False
    for c in design.connections:
        if not c.from_implant or c.kind in PALATAL_WIRES or c.kind in ARMS:
            continue
        if not (c.passive or c.kind in PASSIVE_KINDS) or c.from_implant not in heads:
            continue
        head = heads[c.from_implant][0]
        ends = attachment_points_mm(
            c,
            shapes,
            palatal=implant_is_palatal(next(i for i in design.implants if i.id == c.from_implant)),
        )
        if not ends or not view.on_side(head):
            continue
        end = min(ends, key=lambda p: float(np.linalg.norm(p - head)))
        h2, e2 = proj(head), proj(end)
        (link,) = draw_line(
            ax,
            [h2[0], e2[0]],
            [h2[1], e2[1]],
            color=GREY if c.kind != ConnectionKind.ligature_tie_back else INK,
            lw=2.2 if c.kind != ConnectionKind.ligature_tie_back else 0.8,
            ls="-" if c.kind != ConnectionKind.ligature_tie_back else (0, (2, 1)),
            zorder=6,
            solid_capstyle="round",
        )
        tag(link, "connection", c.id, c.kind.value)
        pts += [h2, e2]
        passive_drawn = True
    return passive_drawn


def _draw_forces(s: _Sheet, forces: Sequence[ForceVector], scale: float) -> None:
    """Each active force from an implant: its line of action, the arrow (``scale`` mm
    per gram) with its magnitude, and its in-plane components; its numbers in the table.
    Several connections along one line of action (a chain on a lever arm) are drawn
    once."""
    view, table = s.view, s.table
    drawn: list[ForceVector] = []
    for f in forces:
        frm = "+".join(f.carriers) or f.implant.id
        name = f"{f.connection.id} ({CONNECTION_NAMES[f.connection.kind]}, from {frm})"
        same = next(
            (
                g
                for g in drawn
                if float(np.linalg.norm(g.point_mm - f.point_mm)) < 0.5
                and float(g.direction @ f.direction) > 0.999
                and abs(g.applied_g - f.applied_g) < 1.0
            ),
            None,
        )
        if same is not None:
            table.append(
                f"{name}: {fmt_force(f.applied_g)} along the same line as "
                f"{same.connection.id} (one force)"
            )
            continue
        delivered = (
            f", {fmt_force(f.delivered_g)} reach the teeth after friction"
            if f.delivered_g is not None and abs(f.delivered_g - f.applied_g) >= 1
            else ""
        )
        if not view.on_side(f.point_mm):
            table.append(f"{name}: {fmt_force(f.applied_g)} on the other side (mirror image)")
            continue
        drawn.append(f)
        name_delivered = f"{name}: {fmt_force(f.applied_g)}{delivered}"
        table.append(f"{name_delivered}; components {_draw_force(s, f, scale, len(drawn) - 1)}")


def _draw_force(s: _Sheet, f: ForceVector, scale: float, n_drawn: int) -> str:
    """One force: line of action, arrow with its magnitude (the ``n_drawn``-th label
    stepped down), dashed in-plane components; returns the components in words."""
    ax, view, proj, pts = s.ax, s.view, s.view.proj, s.pts
    horiz, vert = _component_words(view.jaw, view.plane)
    p2 = proj(f.point_mm)
    d2 = proj(f.direction * f.applied_g)
    oop = f.applied_g * float(
        f.direction @ (view.normal if view.plane == "lateral" else np.array([0.0, 1.0, 0.0]))
    )
    ud = d2 / max(float(np.hypot(*d2)), 1e-9)
    (line,) = draw_line(
        ax,
        [p2[0] - ud[0] * 25, p2[0] + ud[0] * 25],
        [p2[1] - ud[1] * 25, p2[1] + ud[1] * 25],
        color=GREY,
        lw=0.6,
        ls="-.",
        zorder=3,
        role=Role.line_of_action,
    )
    tag(line, "force", f.connection.id, "connection", f.connection.kind.value)
    tip = p2 + d2 * scale
    nrm = np.array([ud[1], -ud[0]]) if ud[0] >= 0 else np.array([-ud[1], ud[0]])
    arrow = _arrow(ax, p2, tip, INK, 1.6, 10, zorder=9)
    tag(arrow, "force", f.connection.id, "connection", f.connection.kind.value)
    ax.annotate(
        f"{f.connection.id}: {fmt_force(f.applied_g)}",
        # beside the middle of the arrow, on its lower side, away from the implant head
        xy=(float((p2[0] + tip[0]) / 2), float((p2[1] + tip[1]) / 2)),
        xytext=(float(nrm[0]) * 9, float(nrm[1]) * 9 - 10 * n_drawn),
        textcoords="offset points",
        ha="left" if nrm[0] > 0.3 else ("right" if nrm[0] < -0.3 else "center"),
        va="top" if nrm[1] < -0.3 else ("bottom" if nrm[1] > 0.3 else "center"),
        fontsize=7,
        fontweight="bold",
        zorder=10,
        bbox=Ground(fc=PAPER, alpha=0.9, pad=0.15, rounded=True),
    )
    comps = [
        (np.array([d2[0], 0.0]), horiz[int(d2[0] > 0)], abs(float(d2[0]))),
        (np.array([0.0, d2[1]]), vert[int(d2[1] > 0)], abs(float(d2[1]))),
    ]
    for vec, _w, mag in comps:
        if mag >= 0.5:
            end = p2 + vec * scale
            _arrow(ax, p2, end, GREY, 0.9, 7, zorder=8, ls="--")
    words = ", ".join(f"{fmt_force(m)} {w}" for _v, w, m in comps)
    if abs(oop) >= 0.5:
        words += f", {fmt_force(abs(oop))} {_out_of_plane_word(view, oop)}"
    pts.append(tip)
    return words


def _draw_held_forces(s: _Sheet, held: Sequence[ConnectionForce], scale: float) -> None:
    """Forces of the case's appliances that the implants hold against (thick grey)."""
    ax, view, proj, pts, table = s.ax, s.view, s.view.proj, s.pts, s.table

    for cf in held:
        p3 = np.asarray(cf.point_mm, dtype=float)
        name = cf.connection_id.replace("_", " ")
        holders = "+".join(cf.implant_ids) or "the anchorage"
        table.append(
            f"{name}: {fmt_force(cf.applied_g)} on {', '.join(map(str, cf.teeth))} from the "
            f"case's appliance, held by {holders}"
        )
        if not view.on_side(p3):
            continue
        p2 = proj(p3)
        end = p2 + proj(np.asarray(cf.direction) * cf.applied_g) * scale
        arrow = _arrow(ax, p2, end, GREY, 2.2, 9, zorder=9)
        tag(arrow, "appliance_force", cf.design_connection_id, cf.kind)
        ax.annotate(
            f"{cf.kind.replace('_', ' ')}: {fmt_force(cf.applied_g)} (held)",
            xy=(float((p2[0] + end[0]) / 2), float((p2[1] + end[1]) / 2)),
            xytext=(0, -12),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=6.5,
            color=INK,
            zorder=10,
            bbox=Ground(fc=PAPER, alpha=0.9, pad=0.15, rounded=True),
        )
        pts.append(end)


def _say_what_is_missing(
    s: _Sheet,
    design: Design,
    fs: ForceSystem | None,
    forces: Sequence[ForceVector],
    held: Sequence[ConnectionForce],
) -> None:
    notes = s.notes
    unforced = [
        c for c in design.connections if c.from_implant and not c.passive and c.force_g is None
    ]
    if fs is not None and any(c.kind in ORTHOPAEDIC_KINDS for c in design.connections):
        notes.append(
            "expander: an orthopaedic force (kg) meant to open the midpalatal suture; the tooth "
            "movement shown puts the whole force on the anchor teeth (an upper bound)"
        )
    if not forces and not held:
        notes.append("no active force from an implant in this design: no force arrow")
    if unforced and fs is None:
        notes.append(
            "the plan gives no force for "
            + ", ".join(f"{c.id} ({CONNECTION_NAMES[c.kind]})" for c in unforced)
        )
    if forces and not forces[0].from_mechanics:
        notes.append(
            "no mechanics result in the plan: forces drawn from the plan's nominal "
            "force along the implant-attachment line at schematic positions; centre of "
            "resistance, moment and predicted movement not shown"
        )


def _draw_centres(s: _Sheet, fs: ForceSystem) -> None:
    """Centres of resistance, moments and predicted movement (mechanics result only)."""
    ax, view, proj, pts, table = s.ax, s.view, s.view.proj, s.pts, s.table

    for k, unit in enumerate(fs.units):
        cr = np.asarray(unit.cr_mm)
        if not view.on_side(cr):
            continue
        c2 = proj(cr)
        (mark,) = draw_line(
            ax, c2[0], c2[1], marker="o", ms=7, mfc=PAPER, mec=INK, mew=1.2, zorder=9
        )
        draw_line(ax, c2[0], c2[1], marker="+", ms=7, color=INK, zorder=10)
        tag(mark, "centre_of_resistance", f"cr{k + 1}")
        ax.annotate(
            f"CR{k + 1}",
            xy=(float(c2[0]), float(c2[1])),
            xytext=(-10, -14),
            textcoords="offset points",
            fontsize=7,
            ha="right",
            zorder=10,
            arrowprops={"arrowstyle": ArrowStyle.line, "color": GREY, "lw": 0.5, "shrinkB": 3},
        )
        m_view_gmm = float(np.asarray(unit.moment_about_cr_nmm) @ view.normal) * G_PER_N
        sense = ""
        if abs(m_view_gmm) >= 1.0:
            ccw = m_view_gmm > 0
            arc = Arc(
                (float(c2[0]), float(c2[1])),
                10,
                10,
                theta1=30 if ccw else 150,
                theta2=300 if ccw else 420,
                color=INK,
                lw=1.1,
                zorder=9,
            )
            tag(arc, "moment", f"m{k + 1}")
            ax.add_artist(arc)
            end_ang = math.radians(300 if ccw else 150)
            e = c2 + 5.0 * np.array([math.cos(end_ang), math.sin(end_ang)])
            tang = np.array([-math.sin(end_ang), math.cos(end_ang)]) * (1 if ccw else -1)
            ax.annotate(
                "",
                xy=(float(e[0] + tang[0]), float(e[1] + tang[1])),
                xytext=(float(e[0]), float(e[1])),
                arrowprops={"arrowstyle": ArrowStyle.head, "color": INK, "lw": 1.1},
            )
            sense = (
                f"; moment {fmt_num(abs(m_view_gmm), -1)} g·mm "
                f"{'counter-clockwise' if ccw else 'clockwise'} in this view"
            )
        teeth = ", ".join(map(str, unit.teeth))
        table.append(
            f"CR{k + 1} ({teeth}): resultant {fmt_force(unit.force_g)}{sense}"
            + (
                f"; line of action {fmt_num(unit.lever_mm)} mm from the CR"
                if unit.lever_mm is not None
                else ""
            )
            + (
                f"; M/F {fmt_num(unit.moment_to_force_mm)} mm at the bracket"
                if unit.moment_to_force_mm is not None
                else ""
            )
            + f"; predicted {unit.movement.value.replace('_', ' ')}"
        )
        pts.append(c2)
    if not fs.units:
        s.notes.append("the mechanics result has no moved unit for this design")


def _frame(s: _Sheet) -> None:
    """Axes limits around everything drawn, then the labels moved apart."""
    ax, pts, view = s.ax, s.pts, s.view
    arr = np.array(pts) if pts else np.array([[-10.0, -10.0], [10.0, 10.0]])
    ax.set_xlim(arr[:, 0].min() - 10, arr[:, 0].max() + 10)
    ax.set_ylim(arr[:, 1].min() - 4, arr[:, 1].max() + 4)
    declutter_labels(ax, away_from_crowns=-1.0 if view.jaw == "maxilla" else 1.0)


def _write_beside(fig: Canvas, s: _Sheet, passive_drawn: bool, held: bool) -> None:
    """The title, the numbers beside the drawing (never on it), the legend and the
    notes under it."""
    view, table, notes = s.view, s.table, s.notes

    fig.text(
        0.05,
        0.975,
        f"{'Maxilla' if view.jaw == 'maxilla' else 'Mandible'} — {view.title}",
        fontsize=8,
        va="top",
    )
    # the numbers beside the drawing, never on it
    fig.text(
        0.67,
        0.89,
        "\n\n".join(_wrap(t, 40) for t in table) or "no active force",
        fontsize=6.5,
        va="top",
        ha="left",
        linespacing=1.3,
    )
    legend = wrap_text(
        "solid arrow: force (length ∝ g) · dashed arrows: its components · "
        "dash-dot: line of action · black disc: mini-implant head, on its shaft\n"
        "⊕ CR: centre of resistance · "
        "curved arrow: moment about the CR"
        + (
            " · grey bar: rigid link, dotted: ligature tie-back (passive, indirect anchorage)"
            if passive_drawn
            else ""
        )
        + (" · thick grey arrow: appliance force the implants hold against" if held else ""),
        0.9 * fig.size_pt[0],
        6.0,
    )
    fig.text(0.05, 0.15, legend, fontsize=6, color=GREY, va="top")
    # the notes start under the legend's last line
    notes_top = 0.15 - ((legend.count("\n") + 1) * 6.0 * 1.2 + 3.0) / fig.size_pt[1]
    if notes:
        fig.text(
            0.05,
            notes_top,
            wrap_text(" · ".join(notes), 0.9 * fig.size_pt[0], 6.0, italic=True),
            fontsize=6,
            va="top",
            style="italic",
        )


def _arrow(
    ax: Axes,
    start: np.ndarray,
    end: np.ndarray,
    colour: str,
    lw: float,
    head: float,
    **kw: object,
) -> FancyArrowPatch:
    """A straight force arrow from ``start`` to ``end`` (data mm) with a filled head of
    size ``head`` (points)."""
    arrow = FancyArrowPatch(
        (float(start[0]), float(start[1])),
        (float(end[0]), float(end[1])),
        arrowstyle=ArrowStyle.head,
        mutation_scale=head,
        color=colour,
        lw=lw,
        **kw,
    )
    ax.add_artist(arrow)
    return arrow


def _site_outward(imp: Implant, shapes: Mapping[int, ToothShape]) -> np.ndarray:
    site = imp.site
    if site.between is not None:
        v = np.sum([shapes[t].landmarks.buccal for t in site.between if t in shapes], axis=0)
        n = float(np.linalg.norm(v))
        if n > 0:
            return np.asarray(v / n if site.surface == "buccal" else -v / n, dtype=float)
    return np.array([1.0, 0.0, 0.0])


# ----------------------------------------------------------------------------- labels


def _label_box(ax: Axes, t: Text) -> tuple[float, float, float, float] | None:
    """The display box (x0, y0, x1, y1, points) of a label with its ground's padding,
    from the font's metrics."""
    return t.window_extent() if t.get_text() else None


def _overlaps(a: tuple[float, ...], b: tuple[float, ...], gap: float = 1.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _crosses(box: tuple[float, ...], segments: list[np.ndarray]) -> bool:
    """Does any segment ((2, 2) points) pass through ``box``? (sampled every ~1 pt)"""
    for seg in segments:
        n = max(2, int(np.hypot(*(seg[1] - seg[0]))))
        p = seg[0] + np.linspace(0.0, 1.0, n)[:, None] * (seg[1] - seg[0])
        inside = (p[:, 0] > box[0]) & (p[:, 0] < box[2]) & (p[:, 1] > box[1]) & (p[:, 1] < box[3])
        if inside.any():
            return True
    return False


def declutter_labels(ax: Axes, away_from_crowns: float) -> None:
    """Move the labels of a force diagram (limits set) apart: tooth numbers that touch
    step away from the crowns by a line (staggered) and get a white ground where a line
    of action runs through them; then implant, force and centre-of-resistance labels
    move up or down in 8-point steps until they touch no label placed before them and no
    line of action."""
    segments = [
        ax.transData.transform(np.asarray(ln.get_xydata())[[0, -1]])
        for ln in ax.lines
        if ln.role is Role.line_of_action and np.asarray(ln.get_xydata()).shape[0] >= 2
    ]
    placed: list[tuple[float, float, float, float]] = []
    for arc in (a for a in ax.artists if isinstance(a, Arc)):  # moment arrows: keep clear
        q = ax.transData.transform(arc.outline())
        placed.append((*q.min(axis=0), *q.max(axis=0)))
    teeth: list[Text] = []
    movable: list[Annotation] = []
    for t in ax.texts:
        if isinstance(t, Annotation):
            if t.get_text() and t.get_anncoords() == "offset points":
                movable.append(t)
        elif t.role is Role.tooth_number:
            teeth.append(t)
        else:
            box = _label_box(ax, t)
            if box is not None:
                placed.append(box)
    # tooth numbers, from one end of the arch to the other
    line_pt = 1.25 * 6.5
    pt_per_mm = ax.transData.scale_pt()[1]
    for t in sorted(teeth, key=lambda t: float(t.get_position()[0])):
        box = _label_box(ax, t)
        assert box is not None
        step = 0
        while step < 3 and any(_overlaps(box, b) for b in placed):
            step += 1
            x, y = t.get_position()
            t.set_position((float(x), float(y + away_from_crowns * line_pt / pt_per_mm)))
            box = _label_box(ax, t)
            assert box is not None
        if _crosses(box, segments):
            t.set_bbox(Ground(fc=PAPER, pad=0.1))
        placed.append(box)
    # annotations in the order drawn (implants, forces, centres of resistance)
    for t in movable:
        dx0, dy0 = (float(v) for v in t.xyann)
        for k in range(13):
            dy = dy0 + (0 if k == 0 else (8.0 * ((k + 1) // 2) * (-1 if k % 2 else 1)))
            t.xyann = (dx0, dy)
            box = _label_box(ax, t)
            if box is None or not (
                any(_overlaps(box, b) for b in placed) or _crosses(box, segments)
            ):
                break
        else:
            t.xyann = (dx0, dy0)
        box = _label_box(ax, t)
        if box is not None:
            placed.append(box)
