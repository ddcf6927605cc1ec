"""The force diagram of a design: a lateral view (sagittal and vertical mechanics) or a
frontal view (transverse and palatal mechanics) with the teeth, the implants, each active
force's line of action, its magnitude and components in grams, and, where the mechanics
result supplies them, the centre of resistance, the moment's sense and the predicted kind
of movement. What the plan does not carry is said in the figure, never made up.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.patches import Arc, Circle, FancyArrowPatch, Polygon

from tadplan.case import MovementKind, fdi
from tadplan.planner.model import Connection, ConnectionKind, Design, Implant
from tadplan.report.figures import GREY, INK, LIGHT, PAPER, Figure, new_figure, tag
from tadplan.report.geometry import (
    ToothShape,
    attachment_points_mm,
    implant_head_mm,
    implant_is_palatal,
)
from tadplan.report.text import CONNECTION_NAMES, fmt_num

PUSHING = frozenset(
    {ConnectionKind.compression_spring, ConnectionKind.distaliser, ConnectionKind.expander}
)
"""Modules that push the attachment away from the implant; the others pull towards it."""

TRANSVERSE = frozenset({MovementKind.expansion, MovementKind.crossbite_correction})
FRONTAL_CONNECTIONS = frozenset(
    {ConnectionKind.tpa, ConnectionKind.quadhelix, ConnectionKind.expander}
)


@dataclass(frozen=True)
class ForceVector:
    """One force on the teeth, in the patient frame: grams, a unit direction, where it acts."""

    connection: Connection
    implant: Implant
    point_mm: np.ndarray
    direction: np.ndarray
    force_g: float


@dataclass(frozen=True)
class MechanicsView:
    """What the report draws from a design's mechanics result (all optional)."""

    centre_of_resistance_mm: np.ndarray | None = None
    moment_gmm: float | None = None
    movement: str | None = None


def mechanics_view(design: Design) -> MechanicsView | None:
    """The parts of ``design.mechanics`` the diagram can show, or None without one."""
    m = design.mechanics
    if not m:
        return None

    def first(*keys: str) -> object:
        for k in keys:
            if m.get(k) is not None:
                return m[k]
        return None

    cr = first("centre_of_resistance_mm", "center_of_resistance_mm", "cr_mm")
    mom = first("moment_gmm", "moment_g_mm", "moment_at_cr_gmm")
    mv = first("movement", "predicted_movement", "movement_kind")
    cr_arr = np.asarray(cr, dtype=float) if isinstance(cr, list | tuple) and len(cr) == 3 else None
    return MechanicsView(
        cr_arr,
        float(mom) if isinstance(mom, int | float) else None,
        str(mv) if mv is not None else None,
    )


def force_vectors(design: Design, shapes: Mapping[int, ToothShape]) -> list[ForceVector]:
    """Every active connection from an implant with a nominal force, as a vector."""
    implants = {i.id: i for i in design.implants}
    out: list[ForceVector] = []
    for c in design.connections:
        imp = implants.get(c.from_implant or "")
        if imp is None or c.passive or c.force_g is None or c.force_g <= 0:
            continue
        head = implant_head_mm(imp, shapes)
        pts = attachment_points_mm(c, shapes, palatal=implant_is_palatal(imp))
        if not pts:
            continue
        p = min(pts, key=lambda q: float(np.linalg.norm(q - head)))
        d = head - p
        if float(np.linalg.norm(d)) < 1e-6:
            continue
        u = d / np.linalg.norm(d)
        if c.kind in PUSHING:
            u = -u
        out.append(ForceVector(c, imp, p, u, float(c.force_g)))
    return out


def view_plane(design: Design, goal_kinds: Sequence[MovementKind]) -> str:
    """``"frontal"`` for transverse or palatal mechanics, else ``"lateral"``."""
    if any(k in TRANSVERSE for k in goal_kinds):
        return "frontal"
    if any(c.kind in FRONTAL_CONNECTIONS for c in design.connections):
        return "frontal"
    if design.implants and all(implant_is_palatal(i) for i in design.implants):
        return "frontal"
    return "lateral"


def _component_names(jaw: fdi.Arch, plane: str) -> tuple[tuple[str, str], tuple[str, str]]:
    """(horizontal -, +), (vertical -, +) names for the components."""
    horiz = ("posterior", "anterior") if plane == "lateral" else ("to the right", "to the left")
    vert = ("extrusive", "intrusive") if jaw == "maxilla" else ("intrusive", "extrusive")
    return horiz, vert


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


def force_figure(
    design: Design,
    shapes: Mapping[int, ToothShape],
    goal_teeth: Sequence[int],
    goal_kinds: Sequence[MovementKind],
    fig_id: str,
) -> Figure:
    plane = view_plane(design, goal_kinds)
    forces = force_vectors(design, shapes)
    mech = mechanics_view(design)
    notes: list[str] = []
    # which side and jaw to show
    ref_pts = [f.point_mm for f in forces] or [implant_head_mm(i, shapes) for i in design.implants]
    ref_pts += [shapes[t].landmarks.crown_centre_mm for t in goal_teeth if t in shapes]
    jaw_votes = [fdi.arch(t) for t in goal_teeth] + [i.site.jaw for i in design.implants]
    jaw: fdi.Arch = (
        "mandible" if jaw_votes.count("mandible") > jaw_votes.count("maxilla") else "maxilla"
    )
    mean_x = float(np.mean([p[0] for p in ref_pts])) if ref_pts else -1.0
    side = "left" if mean_x > 0.5 else "right"
    if plane == "lateral":
        teeth = [
            t
            for t in fdi.arch_order(jaw)
            if t in shapes and fdi.side(t) == side and fdi.position(t) <= 7
        ]

        def proj(p: np.ndarray) -> np.ndarray:
            return np.array([p[1], p[2]])

        width_dir = np.array([0.0, 1.0, 0.0])
        view = f"lateral view from the patient's {side}, anterior to the right"
    else:
        teeth = [
            t
            for t in fdi.arch_order(jaw)
            if t in shapes
            and fdi.position(t) in (6, 7)
            and (
                fdi.position(t) == 6
                or any(t in (c.teeth) for c in design.connections)
                or t in goal_teeth
            )
        ]

        def proj(p: np.ndarray) -> np.ndarray:
            return np.array([p[0], p[2]])

        width_dir = np.array([1.0, 0.0, 0.0])
        view = "frontal view (coronal section at the molars), patient's right on the left"
    fig = new_figure(6.4, 3.9)
    ax = fig.add_axes((0.06, 0.2, 0.62, 0.72))
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    present_pts: list[np.ndarray] = []
    for t in teeth:
        sh = shapes[t]
        crown, root = _tooth_outline(sh, width_dir)
        moved = t in goal_teeth
        for pts, hatch in ((root, None), (crown, None)):
            poly = Polygon(
                np.array([proj(p) for p in pts]),
                closed=True,
                facecolor=LIGHT if moved else PAPER,
                edgecolor=INK if moved else GREY,
                lw=1.1 if moved else 0.6,
                hatch=hatch,
                zorder=2,
            )
            ax.add_patch(tag(poly, f"tooth{' moved' if moved else ''}", str(t)))
            present_pts += [proj(p) for p in pts]
        c2 = proj(
            shapes[t].landmarks.crown_centre_mm
            - shapes[t].landmarks.axis * (shapes[t].landmarks.crown_length_mm / 2 + 2.5)
        )
        ax.text(
            c2[0],
            c2[1],
            str(t),
            ha="center",
            va="center",
            fontsize=6.5,
            color=INK if moved else GREY,
        )
    # occlusal plane
    xs = [p[0] for p in present_pts] or [-10.0, 10.0]
    ax.plot([min(xs) - 4, max(xs) + 4], [0, 0], color=GREY, lw=0.5, ls=(0, (6, 3)), zorder=1)
    ax.text(max(xs) + 4, 0.4, "occlusal plane", fontsize=5.5, color=GREY, ha="right", va="bottom")
    # implants
    for imp in design.implants:
        head = implant_head_mm(imp, shapes)
        if plane == "lateral" and (head[0] > 0) != (side == "left") and abs(head[0]) > 2.0:
            continue  # the other side's implant
        h2 = proj(head)
        if imp.axis is not None:
            a3 = np.asarray(imp.axis, dtype=float)
        elif implant_is_palatal(imp):
            a3 = np.array([0.0, 0.0, 1.0 if imp.site.jaw == "maxilla" else -1.0])
        else:
            a3 = -_site_outward(imp, shapes)
        tip2 = proj(head + a3 * imp.length_mm)
        d2 = tip2 - h2
        shaft_len = float(np.hypot(*d2))
        group = []
        if shaft_len > 0.8:
            u = d2 / shaft_len
            n = np.array([-u[1], u[0]]) * imp.diameter_mm / 2
            body = Polygon(
                [h2 + n, tip2 + n * 0.3, tip2 - n * 0.3, h2 - n],
                closed=True,
                facecolor=GREY,
                edgecolor=INK,
                lw=0.7,
                hatch="----",
                zorder=7,
            )
            ax.add_patch(body)
            group.append(body)
        head_c = Circle(
            tuple(h2), max(imp.diameter_mm * 0.75, 1.0), facecolor=INK, edgecolor=INK, zorder=8
        )
        ax.add_patch(head_c)
        group.append(head_c)
        for art in group:
            tag(art, "implant", imp.id)
        ax.annotate(
            imp.id,
            xy=tuple(h2),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=7,
            fontweight="bold",
            zorder=9,
        )
        present_pts += [h2, tip2]
    # forces
    horiz_names, vert_names = _component_names(jaw, plane)
    scale = 0.08  # mm of arrow per gram
    table: list[str] = []
    for f in forces:
        on_view_side = plane != "lateral" or (f.point_mm[0] > 0) == (side == "left")
        if not on_view_side:  # the other side's force: in the list, not drawn over this side
            table.append(
                f"{f.connection.id} ({CONNECTION_NAMES[f.connection.kind]}, from "
                f"{f.implant.id}): {fmt_num(f.force_g, 0)} g on the other side "
                "(not drawn)"
            )
            continue
        p2 = proj(f.point_mm)
        d3 = f.direction * f.force_g
        d2 = proj(d3)
        out_of_plane = f.force_g * float(f.direction[0] if plane == "lateral" else f.direction[1])
        gid = f"force connection {f.connection.kind.value}|{f.connection.id}"
        # line of action, across the drawing
        ud = d2 / max(float(np.hypot(*d2)), 1e-9)
        la = np.array([p2 - ud * 60, p2 + ud * 60])
        (lline,) = ax.plot(la[:, 0], la[:, 1], color=GREY, lw=0.6, ls="-.", zorder=3)
        lline.set_gid(gid)
        arrow = FancyArrowPatch(
            tuple(p2),
            tuple(p2 + d2 * scale),
            arrowstyle="-|>",
            mutation_scale=10,
            color=INK,
            lw=1.6,
            zorder=9,
        )
        ax.add_patch(tag(arrow, gid.split("|")[0], f.connection.id))
        tipp = p2 + d2 * scale
        ax.annotate(
            f"{f.connection.id}: {fmt_num(f.force_g, 0)} g",
            xy=tuple(tipp),
            xytext=(0, -14 if d2[1] >= 0 else 8),
            textcoords="offset points",
            ha="center",
            fontsize=7,
            fontweight="bold",
            zorder=10,
            bbox={"boxstyle": "round,pad=0.15", "fc": PAPER, "ec": "none", "alpha": 0.9},
        )
        comps = [
            (np.array([d2[0], 0.0]), horiz_names[int(d2[0] > 0)], abs(d2[0])),
            (np.array([0.0, d2[1]]), vert_names[int(d2[1] > 0)], abs(d2[1])),
        ]
        for vec, _name, mag in comps:
            if mag < 0.5:
                continue
            comp = FancyArrowPatch(
                tuple(p2),
                tuple(p2 + vec * scale),
                arrowstyle="-|>",
                mutation_scale=7,
                color=GREY,
                lw=0.9,
                ls="--",
                zorder=8,
            )
            ax.add_patch(comp)
        table.append(
            f"{f.connection.id} ({CONNECTION_NAMES[f.connection.kind]}, from {f.implant.id}): "
            f"{fmt_num(f.force_g, 0)} g; components "
            + ", ".join(f"{fmt_num(m, 0)} g {n}" for _v, n, m in comps)
            + (
                f", {fmt_num(abs(out_of_plane), 0)} g "
                f"{_out_of_plane_name(plane, out_of_plane, side)}"
                if abs(out_of_plane) >= 0.5
                else ""
            )
        )
        present_pts += [tipp]
    if not forces:
        notes.append(
            "no active force from an implant in this design (passive/indirect "
            "anchorage): nothing to draw as a force"
        )
    # centre of resistance and moment
    if mech is None:
        notes.append(
            "centre of resistance, moment and predicted movement: the plan has no "
            "mechanics result for this design"
        )
    else:
        if mech.centre_of_resistance_mm is not None:
            cr = proj(mech.centre_of_resistance_mm)
            crm = ax.plot(cr[0], cr[1], marker="o", ms=7, mfc=PAPER, mec=INK, mew=1.2, zorder=9)
            ax.plot(cr[0], cr[1], marker="+", ms=7, color=INK, zorder=10)
            crm[0].set_gid("centre_of_resistance|cr")
            ax.annotate(
                "CR",
                xy=tuple(cr),
                xytext=(-14, 4),
                textcoords="offset points",
                fontsize=7,
                zorder=10,
            )
            if mech.moment_gmm is not None and abs(mech.moment_gmm) > 0:
                ccw = mech.moment_gmm > 0
                arc = Arc(
                    tuple(cr),
                    9,
                    9,
                    theta1=20 if ccw else 160,
                    theta2=300 if ccw else 440,
                    color=INK,
                    lw=1.0,
                    zorder=9,
                )
                arc.set_gid("moment|m")
                ax.add_patch(arc)
                end_ang = math.radians(300 if ccw else 80)
                e = cr + 4.5 * np.array([math.cos(end_ang), math.sin(end_ang)])
                tang = np.array([-math.sin(end_ang), math.cos(end_ang)]) * (1 if ccw else -1)
                ax.annotate(
                    "",
                    xy=tuple(e + tang * 1.2),
                    xytext=tuple(e),
                    arrowprops={"arrowstyle": "-|>", "color": INK, "lw": 1.0},
                )
                table.append(
                    f"moment at CR: {fmt_num(abs(mech.moment_gmm), 0)} g·mm, "
                    f"{'counter-clockwise' if ccw else 'clockwise'} in this view"
                )
            present_pts.append(cr)
        else:
            notes.append("centre of resistance: not in the mechanics result")
        if mech.movement:
            table.append(f"predicted movement: {mech.movement}")
    # frame
    arr = np.array(present_pts) if present_pts else np.array([[-10.0, -10.0], [10.0, 10.0]])
    pad = 4.0
    ax.set_xlim(arr[:, 0].min() - pad, arr[:, 0].max() + pad)
    ax.set_ylim(arr[:, 1].min() - pad, arr[:, 1].max() + pad)
    ax.set_title(f"{'Maxilla' if jaw == 'maxilla' else 'Mandible'} — {view}", fontsize=8, pad=2)
    # the numbers, beside the drawing (never on it)
    side_text = "\n\n".join(_wrap(t, 38) for t in table) or "no active force"
    fig.text(0.70, 0.9, side_text, fontsize=6.6, va="top", ha="left", linespacing=1.3)
    key = (
        "solid arrow: force (length ∝ g); dashed arrows: its components; "
        "dash-dot line: line of action; black: mini-implant"
    )
    fig.text(0.06, 0.11, key, fontsize=6, color=GREY, va="top")
    if notes:
        fig.text(
            0.06,
            0.06,
            _wrap(" · ".join(notes), 130),
            fontsize=6,
            color=INK,
            va="top",
            style="italic",
        )
    title = f"Force diagram: {design.title}"
    caption = (
        f"{'Lateral' if plane == 'lateral' else 'Frontal'} view: teeth moved (grey), "
        "implants, forces in grams and their components."
    )
    return Figure(
        fig_id, "lateral" if plane == "lateral" else "frontal", title, caption, fig, notes
    )


def _site_outward(imp: Implant, shapes: Mapping[int, ToothShape]) -> np.ndarray:
    site = imp.site
    if site.between is not None:
        v = sum(shapes[t].landmarks.buccal for t in site.between if t in shapes)
        v = np.asarray(v, dtype=float)
        n = float(np.linalg.norm(v))
        if n > 0:
            return v / n if site.surface == "buccal" else -v / n
    head = implant_head_mm(imp, shapes)
    out = np.array([head[0], 0.0, 0.0])
    n = float(np.linalg.norm(out))
    return out / n if n > 0 else np.array([1.0, 0.0, 0.0])


def _out_of_plane_name(plane: str, value: float, side: str) -> str:
    if plane == "lateral":
        # +x is the patient's left; buccal on the left side, palatal on the right side
        toward_left = value > 0
        buccal = toward_left == (side == "left")
        return "buccal" if buccal else "palatal/lingual"
    return "anterior" if value > 0 else "posterior"


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))
