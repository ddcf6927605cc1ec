"""Clearance map of one inter-radicular site: how far one screw stays from the roots for
every insertion height and mesiodistal position, at fixed angles and size.

The map is a slice of the safe-site search (:mod:`tadplan.anatomy.search`): the same
entry points on the bone surface, the same distance grids and scan kernel, the same traffic
light (:func:`tadplan.anatomy.safety.rank_site`). Heights run every 0.5 mm and mesiodistal
positions every 0.25 mm over the search grid (``data/sites.yaml`` ``search_grid``).

Values: clearance (mm) = smallest distance from the screw axis to a root surface minus the
screw radius; <= 0 means the screw touches a root. Clearances are read from narrow-band
distance grids that end 3.1 mm from the roots, so values above about 3.1 mm minus the radius
are lower bounds (accuracy against exact capsule distances: ``tests/anatomy``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from tadplan.anatomy.safety import (
    RankedSite,
    Workflow,
    _fields_for,
    _frame_for,
    _neighbour_teeth,
    dentition_model,
    insertion_error,
    rank_site,
)
from tadplan.anatomy.search import SearchGrid, default_grid, scan_sites, site_value
from tadplan.case import Case
from tadplan.case.model import SiteRef, SiteRegion
from tadplan.model import Cited

F64 = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class ClearanceMap:
    """Root clearance of one screw over insertion height x mesiodistal position."""

    site: SiteRef
    heights_mm: F64
    """(nh,) insertion height, apical from the alveolar crest."""
    mesiodistal_mm: F64
    """(nm,) offset from the middle of the site, + towards the second tooth of the site."""
    clearance_mm: F64
    """(nh, nm) smallest root clearance of the screw; <= 0: it touches a root."""
    status: NDArray[np.int8]
    """(nh, nm) traffic light of each insertion: 0 green, 1 amber, 2 red."""
    entries_mm: F64
    """(nh, nm, 3) where the axis enters the bone (patient frame)."""
    axis: F64
    """(3,) unit screw axis, head towards tip (the same for every cell)."""
    diameter_mm: float
    length_mm: float
    vertical_deg: float
    horizontal_deg: float
    workflow: Workflow
    pdl_mm: Cited
    """Clearance below this: the screw enters the periodontal ligament (red)."""
    septal_bone_mm: Cited
    """Septal bone wanted each side once the insertion error is allowed for (else amber)."""
    linear_error_mm: Cited
    """The workflow's linear insertion error."""

    @property
    def safety_margin_mm(self) -> float:
        """The clearance the screw needs at its entry to be green (septal bone + the
        linear insertion error; the angular error adds with depth)."""
        return self.septal_bone_mm.value + self.linear_error_mm.value

    def nearest_cell(self, point_mm: F64, axis: F64 | None = None) -> tuple[int, int]:
        """(height index, mesiodistal index) of the cell whose entry point is nearest to
        ``point_mm``, or, with ``axis``, nearest to the line through ``point_mm`` along
        ``axis`` (e.g. a screw head and its axis)."""
        d = self.entries_mm - np.asarray(point_mm, dtype=np.float64)
        if axis is not None:
            u = np.asarray(axis, dtype=np.float64)
            u = u / np.linalg.norm(u)
            d = d - (d @ u)[..., None] * u
        i, j = np.unravel_index(int(np.argmin(np.linalg.norm(d, axis=-1))), d.shape[:2])
        return int(i), int(j)


def map_from_ranked(
    site: SiteRef,
    ranked: RankedSite,
    grid: SearchGrid,
    v: int,
    w: int,
    li: int,
    di: int,
    workflow: Workflow,
) -> ClearanceMap:
    """The (height x mesiodistal) slice of a ranked site scan at angle indices ``v``, ``w``
    and size indices ``li`` (length), ``di`` (diameter)."""
    g = ranked.scan.geometry
    e_lin, _ = insertion_error(workflow)
    return ClearanceMap(
        site=site,
        heights_mm=np.asarray(grid.heights_mm, dtype=np.float64),
        mesiodistal_mm=np.asarray(grid.mesiodistal_mm, dtype=np.float64),
        clearance_mm=np.asarray(ranked.clearance_mm[:, :, v, w, li, di], dtype=np.float64),
        status=np.asarray(ranked.status[:, :, v, w, li, di], dtype=np.int8),
        entries_mm=np.asarray(g.entries, dtype=np.float64),
        axis=np.asarray(g.dirs[v, w], dtype=np.float64),
        diameter_mm=float(grid.diameters_mm[di]),
        length_mm=float(grid.lengths_mm[li]),
        vertical_deg=float(grid.vertical_deg[v]),
        horizontal_deg=float(grid.horizontal_deg[w]),
        workflow=workflow,
        pdl_mm=site_value("margins", "pdl_mm"),
        septal_bone_mm=site_value("margins", "septal_bone_each_side_mm"),
        linear_error_mm=e_lin,
    )


def clearance_map(
    case: Case | None,
    site: SiteRef,
    *,
    diameter_mm: float,
    length_mm: float,
    vertical_deg: float | None = None,
    horizontal_deg: float = 0.0,
    workflow: Workflow = "freehand",
) -> ClearanceMap:
    """Clearance map of a ``diameter_mm`` x ``length_mm`` screw at an inter-radicular
    ``site`` on the case's average dentition, at ``vertical_deg`` (0 = horizontal into the
    alveolus, + tips apically) and ``horizontal_deg`` (+ turns the tip towards the second
    tooth). Without ``vertical_deg`` the vertical angle of the best insertion of this size
    (the search's ranking) is used. Raises ``ValueError`` naming the bad argument, and
    :class:`~tadplan.anatomy.safety.SiteUnavailable` when the site's teeth are absent or
    not neighbours."""
    if site.region != SiteRegion.interradicular or site.between is None:
        raise ValueError(f"site: {site.label()} is not an inter-radicular site")
    if site.surface is None:
        raise ValueError(f"site: {site.label()} names no surface (buccal/palatal/lingual)")
    if not 0 < diameter_mm <= 3:
        raise ValueError(f"diameter_mm: {diameter_mm} is not a mini-implant diameter (0-3 mm)")
    if not 0 < length_mm <= 20:
        raise ValueError(f"length_mm: {length_mm} is not a mini-implant length (0-20 mm)")
    if vertical_deg is not None and not -90 < vertical_deg < 90:
        raise ValueError(f"vertical_deg: {vertical_deg} is outside -90..90 degrees")
    if not -90 < horizontal_deg < 90:
        raise ValueError(f"horizontal_deg: {horizontal_deg} is outside -90..90 degrees")
    insertion_error(workflow)  # names a bad workflow
    g0 = default_grid()
    grid = SearchGrid(
        g0.heights_mm,
        g0.mesiodistal_mm,
        g0.vertical_deg if vertical_deg is None else np.array([float(vertical_deg)]),
        np.array([float(horizontal_deg)]),
        np.array([float(diameter_mm)]),
        np.array([float(length_mm)]),
    )
    model = dentition_model(case)
    frame = _frame_for(model, site)

    def build() -> ClearanceMap:
        fields = _fields_for(model, _neighbour_teeth(model, frame))
        ranked = rank_site(scan_sites(model, fields, [frame], grid)[0], grid, workflow)
        v = ranked.best[2] if vertical_deg is None else 0
        return map_from_ranked(site, ranked, grid, v, 0, 0, 0, workflow)

    # kept on the model: the designs of a plan and its report share their insertions
    key = (
        "clearance_map",
        site.model_dump_json(),
        diameter_mm,
        length_mm,
        vertical_deg,
        horizontal_deg,
        workflow,
    )
    return model.derived.get(key, build)
