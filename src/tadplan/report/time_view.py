"""Force over time of each active module of a design: its decay and the reactivation
points, as the mechanics result computes them (nothing is drawn without one)."""

from __future__ import annotations

import numpy as np

from tadplan.model import Connection, ConnectionForce, Design
from tadplan.report.canvas import Axes, Canvas, wrap_text
from tadplan.report.figures import GREY, INK, Figure, new_figure, nice_ticks, plain_axes, tag
from tadplan.report.mechanics_view import force_system_of
from tadplan.report.text import CONNECTION_NAMES, fmt_num

_STYLES = ["-", (0, (5, 2)), (0, (1, 1.5)), "-."]
_MARKERS = ["o", "s", "^", "D"]
MAX_MARKED = 12
"""More reactivation points than this are summarised in words, not drawn one by one."""


def force_time_figure(design: Design, fig_id: str) -> Figure | None:
    """The force-decay plot, or None when the design has no force curve to show."""
    fs = force_system_of(design)
    if fs is None:
        return None
    curves = [
        c for c in fs.connections if c.role == "active" and c.curve is not None and c.curve.t_days
    ]
    if not curves:
        return None
    names = {c.id: c for c in design.connections}
    fig = new_figure(6.4, 2.2)
    ax = fig.add_axes((0.09, 0.18, 0.56, 0.72))
    thresholds: dict[tuple[float, str], list[str]] = {}
    notes: list[str] = []  # what the figure could not show (also listed under it)
    said: list[str] = []  # statements drawn in the figure only
    for i, cf in enumerate(curves[:4]):
        _draw_curve(ax, i, cf, names.get(cf.connection_id), notes, said)
        curve = cf.curve
        assert curve is not None
        if curve.starts_below_range:
            key = (round(curve.useful_min_g, 1), "useful minimum (not reached) for")
        else:
            key = (round(curve.useful_min_g, 1), "reactivate below, for")
        thresholds.setdefault(key, []).append(cf.connection_id)
    _draw_thresholds(ax, thresholds)
    x0, x1 = ax.get_xlim()
    plain_axes(
        ax,
        xticks=nice_ticks(max(x0, 0.0), x1, 6),
        yticks=nice_ticks(0.0, ax.get_ylim()[1]),
        xlabel="days after activation",
        ylabel="force (g)",
        fontsize=7,
        labelsize=8,
    )
    ax.legend(loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=6.5, frameon=False)
    ax.set_title("Force over time of the active modules", fontsize=8, pad=3, y=1.0)
    caption = (
        "Force delivered by each active module from activation, with the points at "
        "which it is reactivated (from the mechanics result)."
    )
    if notes or said:
        _write_notes_under(fig, ax, notes + said)
    return Figure(fig_id, "force_time", f"Force over time: {design.title}", caption, fig, notes)


def _draw_curve(
    ax: Axes,
    i: int,
    cf: ConnectionForce,
    conn: Connection | None,
    notes: list[str],
    said: list[str],
) -> None:
    """The ``i``-th module's force curve (its own line style) and its reactivation
    points, or a note when there are too many to mark."""
    curve = cf.curve
    assert curve is not None
    t = np.asarray(curve.t_days, dtype=float)
    f = np.asarray(curve.force_g, dtype=float)
    label = f"{cf.connection_id}: {CONNECTION_NAMES[conn.kind] if conn else cf.kind}"
    (line,) = ax.plot(t, f, color=INK, lw=1.3, ls=_STYLES[i % 4], label=label)
    tag(line, "force_curve", cf.connection_id, cf.kind)
    if len(curve.reactivation_days) > MAX_MARKED:
        step = curve.reactivation_interval_days or curve.reactivation_days[0]
        notes.append(
            f"{cf.connection_id}: the mechanics result reactivates it every "
            f"{fmt_num(step, 2)} days ({len(curve.reactivation_days)} times): the module "
            "falls below the useful force almost at once; points not marked"
        )
    elif curve.reactivation_days:
        r = np.asarray(curve.reactivation_days, dtype=float)
        fr = np.interp(r, t, f)
        ax.plot(
            r,
            fr,
            ls="none",
            marker=_MARKERS[i % 4],
            ms=5,
            mfc="white",
            mec=INK,
            zorder=5,
            label=f"{cf.connection_id}: reactivation",
        )
        for x in r:
            ax.axvline(x, color=GREY, lw=0.5, ls=":", zorder=0)
    if curve.starts_below_range:
        said.append(
            f"{cf.connection_id}: starts below the useful {fmt_num(curve.useful_min_g, 0)} g "
            "(see the dose check for the force needed)"
        )


def _draw_thresholds(ax: Axes, thresholds: dict[tuple[float, str], list[str]]) -> None:
    """A dashed line at each module's useful minimum force, named; y limits to show them."""
    for (level, words), ids in thresholds.items():
        ax.axhline(level, color=GREY, lw=0.8, ls=(0, (3, 3)))
        ax.annotate(
            f"{fmt_num(level, 0)} g: {words} {', '.join(ids)}",
            xy=(0, level),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=6,
            va="bottom",
            color=INK,
        )
    ax.set_ylim(bottom=0)
    ax.set_ylim(top=max(ax.get_ylim()[1], max((k[0] for k in thresholds), default=0.0) * 1.15))


def _write_notes_under(fig: Canvas, ax: Axes, lines: list[str]) -> None:
    """The notes under the plot, the canvas made taller to hold them."""
    text = wrap_text("\n".join(lines), 0.88 * 6.4 * 72, 6.0, italic=True)
    # make room under the x-axis label for the notes (about 0.12 in per line)
    extra = 0.12 * (text.count("\n") + 1) + 0.05
    height = 2.2 + extra
    fig.set_size_inches(6.4, height)
    ax.set_position((0.09, (0.18 * 2.2 + extra) / height, 0.56, 0.72 * 2.2 / height))
    fig.text(0.09, 0.01, text, fontsize=6, style="italic", va="bottom")
