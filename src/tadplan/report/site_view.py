"""The screw between the roots: a view of an inter-radicular site from its surface (buccal
or palatal/lingual), the two neighbouring teeth with their roots, the screw at its insertion
height, the clearances of the plan's site assessment (:class:`SiteSafety`) where it has
one, and the room between the roots by height as the anatomy package measures it on the
average dentition (against the width the screw needs with the anatomy package's margins).
Those measurements come with the plan (:class:`tadplan.planner.sites.SiteAnalysis`): this
module only draws them."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from tadplan.anatomy.clearance import ClearanceMap
from tadplan.anatomy.dentition import root_axes, size_of
from tadplan.model import Implant
from tadplan.planner.sites import SiteAnalysis
from tadplan.report.canvas import (
    Axes,
    Canvas,
    Hatch,
    Polygon,
    wrap_text,
)
from tadplan.report.figures import (
    GREY,
    INK,
    LIGHT,
    PAPER,
    Figure,
    draw_line,
    new_figure,
    nice_ticks,
    plain_axes,
    tag,
)
from tadplan.report.geometry import ToothShape
from tadplan.report.screw import draw_screw
from tadplan.report.text import fmt_num, implant_label

_STATUS_WORD = {"green": "safe", "amber": "borderline", "red": "unsafe", "unknown": "unknown"}
_STATUS_HATCH = {"green": None, "amber": Hatch.diagonal, "red": Hatch.cross, "unknown": Hatch.dots}


@dataclass(frozen=True)
class _SitePlane:
    """The view of a site from its surface: mesiodistal across, apical up, origin at the
    middle of the two teeth's CEJs."""

    origin: np.ndarray
    md: np.ndarray
    up: np.ndarray

    def proj(self, p: np.ndarray) -> tuple[float, float]:
        d = np.asarray(p, dtype=float) - self.origin
        return float(d @ self.md), float(d @ self.up)  # mesiodistal, apical from the CEJs


def site_figure(
    implant: Implant,
    head_mm: np.ndarray,
    axis: np.ndarray | None,
    shapes: Mapping[int, ToothShape],
    fig_id: str,
    analysis: SiteAnalysis | None = None,
) -> Figure | None:
    """The site view of one inter-radicular implant (None for other regions): the screw
    between the roots, the plan's site assessment, and the ``analysis`` of its site (the
    inter-radicular distance by height and the clearance map of the screw)."""
    site, safety = implant.site, implant.safety
    if site.between is None or any(t not in shapes for t in site.between):
        return None
    a, b = site.between
    la, lb = shapes[a].landmarks, shapes[b].landmarks
    md = lb.crown_centre_mm - la.crown_centre_mm
    md[2] = 0.0
    md /= np.linalg.norm(md)
    up = np.array([0.0, 0.0, 1.0 if site.jaw == "maxilla" else -1.0])
    plane = _SitePlane((la.cej_mm + lb.cej_mm) / 2.0, md, up)
    fig = new_figure(6.4, 5.6)
    ax = fig.add_axes((0.04, 0.47, 0.48, 0.48))
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    pts = _draw_site_teeth(ax, plane, shapes, (a, b))
    _draw_crest(ax, plane, shapes, (a, b), pts)
    h = plane.proj(head_mm)
    direction = np.asarray(axis, dtype=float) if axis is not None else -up * 0.0
    tip2 = plane.proj(head_mm + direction * implant.length_mm)
    draw_screw(
        ax,
        np.array(h),
        np.array(tip2),
        implant.diameter_mm,
        implant.length_mm,
        implant.id,
        hatch=_STATUS_HATCH[safety.status if safety else "unknown"],
    )
    pts += [h, tip2]
    arr = np.array(pts)
    ax.set_xlim(arr[:, 0].min() - 2, arr[:, 0].max() + 6)
    ax.set_ylim(arr[:, 1].min() - 3, arr[:, 1].max() + 2)
    surface = site.surface.value if site.surface else ""
    ax.set_title(f"Site {a}-{b}, seen from {surface}; apical up", fontsize=8, pad=2, y=1.0)
    notes: list[str] = []
    fig.text(
        0.56,
        0.97,
        "\n".join(textwrap.fill(r, 50) for r in _assessment_rows(implant, notes)),
        fontsize=6.6,
        va="top",
        linespacing=1.3,
    )
    _draw_analysis(fig, implant, analysis, notes)
    caption = (
        f"The screw {implant.id} between the roots of {a} and {b}"
        + (", with the clearances from the site assessment" if safety else "")
        + "; below left: the clearance map of this screw over insertion height and "
        "mesiodistal position (the planned insertion starred); below right: the room "
        "between the roots by height on the average dentition."
    )
    if implant.head_position_mm is None:
        notes.append(
            f"{implant.id}: head position not in the plan; drawn where the mechanics "
            "result or its defaults put it"
        )
    return Figure(fig_id, "site", f"Site {implant.id}: {site.label()}", caption, fig, notes)


def _draw_site_teeth(
    ax: Axes, plane: _SitePlane, shapes: Mapping[int, ToothShape], teeth: tuple[int, int]
) -> list[tuple[float, float]]:
    """The two teeth of the site: crown, each root along its axis, the FDI number;
    returns the points drawn."""
    proj, md = plane.proj, plane.md
    pts: list[tuple[float, float]] = []
    for t in teeth:
        lm, sh = shapes[t].landmarks, shapes[t]
        w = md - (md @ lm.axis) * lm.axis
        w /= np.linalg.norm(w)
        tip = lm.crown_centre_mm - lm.axis * lm.crown_length_mm / 2
        half = sh.md_width_mm / 2
        crown = [
            tip - w * half * 0.8,
            tip + w * half * 0.8,
            lm.cej_mm + w * half * 0.8,
            lm.cej_mm - w * half * 0.8,
        ]
        poly = Polygon(
            [proj(p) for p in crown], closed=True, facecolor=PAPER, edgecolor=INK, lw=0.8, zorder=2
        )
        ax.add_artist(poly)
        tag(poly, "tooth", str(t))
        pts += [proj(p) for p in crown]
        for start, apex, (semi_md, _semi_bl) in root_axes(
            t, lm.cej_mm, lm.axis, lm.mesial, lm.buccal, size_of(t)
        ):
            r0 = min(semi_md, half * 0.8)
            root = [
                lm.cej_mm - w * r0,
                lm.cej_mm + w * r0,
                start + w * r0,
                apex + w * 0.5,
                apex - w * 0.5,
                start - w * r0,
            ]
            rp = Polygon(
                [proj(p) for p in root],
                closed=True,
                facecolor=LIGHT,
                edgecolor=INK,
                lw=0.8,
                zorder=2,
            )
            ax.add_artist(rp)
            tag(rp, "root", str(t))
            pts += [proj(p) for p in root]
        c = proj(tip)
        ax.text(c[0], c[1] - 1.8, str(t), ha="center", va="top", fontsize=7)
    return pts


def _draw_crest(
    ax: Axes,
    plane: _SitePlane,
    shapes: Mapping[int, ToothShape],
    teeth: tuple[int, int],
    pts: list[tuple[float, float]],
) -> None:
    """The alveolar crest level between the two teeth (where the landmarks give it)."""
    la, lb = shapes[teeth[0]].landmarks, shapes[teeth[1]].landmarks
    if la.alveolar_crest_mm is not None and lb.alveolar_crest_mm is not None:
        crest = plane.proj((la.alveolar_crest_mm + lb.alveolar_crest_mm) / 2)[1]
        xs = [p[0] for p in pts]
        ax.plot([min(xs), max(xs)], [crest, crest], color=GREY, lw=0.6, ls=(0, (4, 2)))
        ax.text(max(xs), crest, " alveolar crest", fontsize=5.5, color=GREY, va="center")


def _assessment_rows(implant: Implant, notes: list[str]) -> list[str]:
    """The implant and its site assessment, one row per value (a note when the plan
    has no assessment)."""
    safety = implant.safety
    rows = [implant_label(implant)]
    if safety is None:
        rows.append("site assessment: not in the plan")
        notes.append(
            f"{implant.id}: the plan carries no site assessment (clearances) for "
            f"{implant.site.label()}"
        )
        return rows
    rows.append(f"assessment: {safety.status} ({_STATUS_WORD[safety.status]})")
    for label, value, unit in (
        ("minimum root clearance", safety.min_root_clearance_mm, "mm"),
        ("inter-radicular width", safety.interradicular_width_mm, "mm"),
        ("bone depth", safety.bone_depth_mm, "mm"),
        ("insertion height from the crest", safety.insertion_height_mm, "mm"),
        ("vertical angle", safety.vertical_angle_deg, "°"),
        ("horizontal angle", safety.horizontal_angle_deg, "°"),
    ):
        text = f"{fmt_num(value)} {unit}" if value is not None else "not given"
        if label == "minimum root clearance" and safety.root_contact:
            text = "none: the screw touches a root"
        rows.append(f"{label}: {text}")
    if safety.teeth_at_risk:
        rows.append("teeth at risk: " + ", ".join(map(str, safety.teeth_at_risk)))
    if safety.soft_tissue:
        rows.append(f"soft tissue: {safety.soft_tissue}")
    if safety.notes:
        rows.append(f"(+{len(safety.notes)} note(s) in the site table)")
    return rows


def _draw_analysis(
    fig: Canvas, implant: Implant, analysis: SiteAnalysis | None, notes: list[str]
) -> None:
    """The plan's site analysis: the room between the roots by height (below right) and
    the screw's clearance map (below left); a note for what the plan does not carry."""
    safety, site = implant.safety, implant.site
    if analysis is not None and analysis.profile:
        _draw_profile(fig, implant, analysis, safety.insertion_height_mm if safety else None)
    else:
        a, b = site.between or (0, 0)
        notes.append(f"inter-radicular distance by height: not available for {a}-{b}")
    cmap = analysis.clearance if analysis is not None else None
    if analysis is not None and cmap is not None and analysis.planned_cell is not None:
        draw_clearance_map(fig, cmap, analysis.planned_cell, implant.id)
    else:
        notes.append(f"clearance map: the anatomy package cannot map {site.label()}")


def _draw_profile(
    fig: Canvas,
    implant: Implant,
    analysis: SiteAnalysis,
    height_mm: float | None,
) -> None:
    """Inter-radicular distance by height, against the width the screw needs."""
    septal, pdl = analysis.septal_bone_mm, analysis.pdl_mm
    ax = fig.add_axes((0.64, 0.14, 0.33, 0.26))
    h = np.array([p[0] for p in analysis.profile])
    d = np.array([p[1] for p in analysis.profile])
    (ln,) = draw_line(ax, d, h, lw=1.3, marker="o", ms=3)
    tag(ln, "ird_profile", implant.id)
    need = implant.diameter_mm + 2 * septal.value
    touch = implant.diameter_mm + 2 * pdl.value
    ax.axvline(need, color=INK, lw=0.9, ls=(0, (4, 2)))
    ax.axvline(touch, color=GREY, lw=0.9, ls=(0, (1, 1.5)))
    xmax = max(float(d.max()), need) * 1.1
    left = need / xmax > 0.6  # no room right of the line: label on its left
    ax.text(
        need,
        h.max(),
        f"Ø + 2×{fmt_num(septal.value)} mm bone ",
        fontsize=5.5,
        va="top",
        ha="right" if left else "left",
    )
    ax.text(touch, h.min(), "Ø + 2×PDL ", fontsize=5.5, va="bottom", ha="right", color=GREY)
    if height_mm is not None:
        ax.axhline(height_mm, color=GREY, lw=0.8)
        ax.text(d.max(), height_mm, " planned", fontsize=5.5, va="bottom", ha="right")
    ax.set_xlim(0, xmax)
    ax.set_ylim(float(h.min()) - 0.5, float(h.max()) + 0.5)
    plain_axes(
        ax,
        xticks=nice_ticks(0, xmax),
        yticks=nice_ticks(float(h.min()), float(h.max())),
        xlabel="room between the roots (mm)",
        ylabel="height from the crest, apical (mm)",
    )
    ax.set_title(
        f"sources: {septal.source} [{septal.tag}], average dentition",
        fontsize=5.5,
        color=GREY,
        pad=2,
        y=1.0,
    )


def draw_clearance_map(
    fig: Canvas,
    cmap: ClearanceMap,
    cell: tuple[int, int],
    ref: str,
    rect: tuple[float, float, float, float] = (0.09, 0.14, 0.36, 0.26),
    caption_at: float | None = 0.045,
) -> None:
    """Clearance over insertion height x mesiodistal position in grey (dark: near or in a
    root), the PDL contour (white) and the safety-margin contour (black, dashed), the
    insertion at ``cell`` (height index, mesiodistal index) starred; elements tagged with
    ``ref``. The key to the contours is written at ``caption_at`` (canvas fraction from the
    bottom) unless it is None."""
    x0, y0, w, h_ = rect
    ax = fig.add_axes(rect)
    cax = fig.add_axes((x0 + w + 0.01, y0, 0.012, h_))
    vmax = 2.0
    _draw_map(ax, cmap, cell, ref, vmax)
    _draw_colour_bar(cax, vmax)
    if caption_at is not None:
        _map_key(fig, cmap, cell, caption_at)


def _draw_map(ax: Axes, cmap: ClearanceMap, cell: tuple[int, int], ref: str, vmax: float) -> None:
    """The grey map (clearances above ``vmax`` white), its contours, the starred cell."""
    md, h = cmap.mesiodistal_mm, cmap.heights_mm
    dm, dh = float(md[1] - md[0]) / 2, float(h[1] - h[0]) / 2
    im = ax.imshow(
        np.clip(cmap.clearance_mm, 0.0, vmax),
        origin="lower",
        aspect="auto",
        cmap="gray",
        vmin=0.0,
        vmax=vmax,
        interpolation="nearest",
        extent=(md[0] - dm, md[-1] + dm, h[0] - dh, h[-1] + dh),
    )
    tag(im, "clearance_map", ref)
    pdl, margin = cmap.pdl_mm.value, cmap.safety_margin_mm
    levels = [(pdl, PAPER, "solid"), (margin, INK, "dashed")]
    for level, colour, style in levels:
        if cmap.clearance_mm.min() < level < cmap.clearance_mm.max():
            cs = ax.contour(
                md,
                h,
                cmap.clearance_mm,
                levels=[level],
                colors=colour,
                linewidths=1.0,
                linestyles=style,
            )
            tag(cs, "clearance_contour", ref)
    i, j = cell
    (star,) = draw_line(
        ax, [md[j]], [h[i]], marker="*", ms=9, color=PAPER, markeredgecolor=INK, mew=0.8, ls=""
    )
    tag(star, "planned_insertion", ref)
    ax.set_xlim(md[0] - dm, md[-1] + dm)
    ax.set_ylim(h[0] - dh, h[-1] + dh)
    _a, b = cmap.site.between or (0, 0)
    plain_axes(
        ax,
        xticks=nice_ticks(float(md[0]), float(md[-1]), 7),
        yticks=nice_ticks(float(h[0]), float(h[-1]), 6),
        xlabel=f"mesiodistal position (mm, + towards {b})",
        ylabel="height from the crest, apical (mm)",
        box=True,
    )
    ax.set_title(
        f"clearance of Ø {fmt_num(cmap.diameter_mm)} × {fmt_num(cmap.length_mm)} mm at "
        f"{fmt_num(cmap.vertical_deg, 0)}°/{fmt_num(cmap.horizontal_deg, 0)}° ({cmap.workflow})",
        fontsize=6.5,
        pad=2,
        y=1.0,
    )


def _draw_colour_bar(cax: Axes, vmax: float) -> None:
    cax.imshow(
        np.linspace(0.0, vmax, 64)[:, None],
        origin="lower",
        aspect="auto",
        cmap="gray",
        vmin=0.0,
        vmax=vmax,
        extent=(0.0, 1.0, 0.0, vmax),
    )
    plain_axes(
        cax,
        xticks=None,
        yticks=nice_ticks(0.0, vmax),
        ylabel="root clearance (mm)",
        box=True,
        yside="right",
    )


def _map_key(fig: Canvas, cmap: ClearanceMap, cell: tuple[int, int], caption_at: float) -> None:
    """The key to the contours and the star, with the margins' sources."""
    md, h = cmap.mesiodistal_mm, cmap.heights_mm
    pdl, margin = cmap.pdl_mm.value, cmap.safety_margin_mm
    i, j = cell
    fig.text(
        0.02,
        caption_at,
        wrap_text(
            f"Clearance map: white line = PDL ({fmt_num(pdl)} mm, {cmap.pdl_mm.source} "
            f"[{cmap.pdl_mm.tag}]); dashed = safety margin {fmt_num(margin)} mm (septal bone "
            f"{fmt_num(cmap.septal_bone_mm.value)} mm, {cmap.septal_bone_mm.source} "
            f"[{cmap.septal_bone_mm.tag}], + {cmap.workflow} linear error "
            f"{fmt_num(cmap.linear_error_mm.value)} mm);\n★ the planned insertion at "
            f"{fmt_num(h[i])} mm from the crest, {fmt_num(md[j])} mm mesiodistally. "
            "Average dentition; clearances from distance grids (above about 2 mm: lower bounds).",
            0.96 * fig.size_pt[0],
            5.5,
        ),
        fontsize=5.5,
        va="center",
        color=INK,
    )
