"""What the report draws of a design's mechanics: the force system the plan carries
(:class:`tadplan.model.ForceSystem`), or, without one, only what the plan itself states
(implant, attachment, nominal force) drawn on the average dentition as a schematic."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from pydantic import ValidationError

from tadplan.model import PUSH_KINDS, Connection, Design, ForceSystem, Implant
from tadplan.report.geometry import (
    ToothShape,
    attachment_points_mm,
    implant_axis,
    implant_head_mm,
    implant_is_palatal,
)

G_PER_N = 1.0 / 0.00980665
"""Grams-force per newton (standard gravity; a unit conversion, not a clinical value)."""


def force_system_of(design: Design) -> ForceSystem | None:
    """The design's mechanics result as a :class:`ForceSystem`, or None when it has none
    (or one this report cannot read)."""
    m: object = design.mechanics
    if m is None:
        return None
    if isinstance(m, ForceSystem):
        return m
    try:
        return ForceSystem.model_validate(m)
    except ValidationError:
        return None


@dataclass(frozen=True)
class ForceVector:
    """One force on the teeth: grams, a unit direction, where it acts (patient frame)."""

    connection: Connection
    implant: Implant
    point_mm: np.ndarray
    direction: np.ndarray
    applied_g: float
    delivered_g: float | None
    from_mechanics: bool
    carriers: tuple[str, ...] = ()
    """Every implant that carries the force (one appliance on several screws)."""


def implant_heads(
    design: Design, shapes: Mapping[int, ToothShape], fs: ForceSystem | None
) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Implant id -> (head position, axis or None): the plan's, else the mechanics
    result's, else the mechanics package's default for the site."""
    from_fs = {i.implant_id: i for i in fs.implants} if fs else {}
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    for imp in design.implants:
        axis = np.asarray(imp.axis, dtype=float) if imp.axis is not None else None
        if imp.head_position_mm is not None:
            out[imp.id] = (np.asarray(imp.head_position_mm, dtype=float), axis)
        elif imp.id in from_fs:
            load = from_fs[imp.id]
            out[imp.id] = (
                np.asarray(load.head_mm),
                axis if axis is not None else np.asarray(load.axis),
            )
        else:
            head = implant_head_mm(imp, shapes)
            axis = axis if axis is not None else implant_axis(imp, shapes)
            # two implants in one named region (e.g. two paramedian screws) get the same
            # default point: set them 4 mm apart along the arch so both are seen
            while any(float(np.linalg.norm(head - h)) < 1.0 for h, _ in out.values()):
                head = head + np.array([0.0, -4.0, 0.0])
            out[imp.id] = (head, axis)
    return out


def force_vectors(
    design: Design, shapes: Mapping[int, ToothShape], fs: ForceSystem | None
) -> list[ForceVector]:
    """Every active force from an implant: from the mechanics result when there is one,
    else from the plan's nominal force along the implant-attachment line."""
    implants = {i.id: i for i in design.implants}
    conns = {c.id: c for c in design.connections}
    out: list[ForceVector] = []
    if fs is not None:
        for cf in fs.connections:
            imp = implants.get(cf.implant_id or "")
            # a one-piece appliance analysed side by side: each side names its connection
            conn = conns.get(cf.design_connection_id)
            if (
                cf.role != "active"
                or imp is None
                or conn is None
                or cf.point_mm is None
                or cf.direction is None
                or cf.applied_g <= 0
            ):
                continue
            out.append(
                ForceVector(
                    conn,
                    imp,
                    np.asarray(cf.point_mm),
                    np.asarray(cf.direction),
                    cf.applied_g,
                    cf.delivered_g,
                    True,
                    tuple(cf.implant_ids) or (imp.id,),
                )
            )
        return out
    heads = implant_heads(design, shapes, None)
    for c in design.connections:
        imp = implants.get(c.from_implant or "")
        if imp is None or c.passive or c.force_g is None or c.force_g <= 0:
            continue
        head = heads[imp.id][0]
        pts = attachment_points_mm(c, shapes, palatal=implant_is_palatal(imp))
        if not pts:
            continue
        p = min(pts, key=lambda q: float(np.linalg.norm(q - head)))
        d = head - p
        n = float(np.linalg.norm(d))
        if n < 1e-6:
            continue
        u = d / n if c.kind not in PUSH_KINDS else -d / n
        carried = tuple(c.from_implants) or (imp.id,)
        out.append(ForceVector(c, imp, p, u, float(c.force_g), None, False, carried))
    return out
