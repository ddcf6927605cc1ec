"""The site analyses a report draws: for every placed inter-radicular implant of a plan,
the room between the roots by height and the clearance map of its screw, measured by the
anatomy package on the case's average dentition.

They are a companion of the plan, not part of its JSON: the clearance grids are arrays,
and measuring them costs as much as planning on a fresh process, so only a report asks
for them (:func:`analyse_sites`); the report draws them and measures nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from tadplan.anatomy._data import Cited
from tadplan.anatomy.clearance import ClearanceMap, clearance_map
from tadplan.anatomy.safety import SiteUnavailable, dentition_model
from tadplan.anatomy.search import site_value
from tadplan.anatomy.sites import interradicular_profile
from tadplan.case import Case
from tadplan.model import Design, Implant, Plan

InsertionKey = tuple[object, ...]


@dataclass(frozen=True, eq=False)
class SiteAnalysis:
    """What the report draws of one inter-radicular implant's site."""

    profile: tuple[tuple[float, float], ...]
    """(height from the crest mm, inter-radicular distance mm) on the average dentition;
    empty when the anatomy package cannot measure the site."""
    septal_bone_mm: Cited
    """Septal bone wanted each side of the screw (the width it needs: Ø + 2x this)."""
    pdl_mm: Cited
    """Periodontal ligament width (Ø + 2x this: the screw touches the roots)."""
    clearance: ClearanceMap | None
    """Root clearance of this screw over insertion height x mesiodistal position (its size,
    the angles of its site assessment, the case's workflow); None when not mappable."""
    planned_cell: tuple[int, int] | None
    """(height index, mesiodistal index) of the map cell nearest the planned insertion."""


def insertion_key(implant: Implant) -> InsertionKey:
    """Everything a site analysis depends on besides the case: site, size, head, axis
    and the assessed angles (implants of several designs at one insertion share it)."""
    safety = implant.safety
    return (
        implant.site.model_dump_json(),
        implant.diameter_mm,
        implant.length_mm,
        implant.head_position_mm,
        implant.axis,
        safety.vertical_angle_deg if safety else None,
        safety.horizontal_angle_deg if safety else None,
    )


@dataclass(frozen=True, eq=False)
class PlanSites:
    """The site analyses of a plan's inter-radicular implants, by insertion."""

    by_insertion: Mapping[InsertionKey, SiteAnalysis]

    def of(self, implant: Implant) -> SiteAnalysis | None:
        """The analysis of ``implant``'s insertion, None when it is not inter-radicular
        or was not analysed."""
        return self.by_insertion.get(insertion_key(implant))


def analyse_site(case: Case | None, implant: Implant) -> SiteAnalysis | None:
    """The site analysis of one implant (None for sites between no two teeth)."""
    site = implant.site
    if site.between is None:
        return None
    a, b = site.between
    surface = site.surface.value if site.surface else "buccal"
    try:
        profile = interradicular_profile(dentition_model(case), a, b, surface)
    except (KeyError, ValueError):
        profile = ()
    cmap = _clearance(case, implant)
    cell = None
    if cmap is not None and implant.head_position_mm is not None:
        axis = np.asarray(implant.axis, dtype=float) if implant.axis is not None else None
        cell = cmap.nearest_cell(np.asarray(implant.head_position_mm, dtype=float), axis)
    return SiteAnalysis(
        profile=tuple(profile),
        septal_bone_mm=site_value("margins", "septal_bone_each_side_mm"),
        pdl_mm=site_value("margins", "pdl_mm"),
        clearance=cmap,
        planned_cell=cell,
    )


def _clearance(case: Case | None, implant: Implant) -> ClearanceMap | None:
    """The clearance map of ``implant`` at its site (its size; the angles of its site
    assessment, else the best angles for its size; the case's workflow), or None when the
    anatomy package cannot map the site."""
    safety = implant.safety
    guided = bool(case and case.constraints.guided_insertion)
    try:
        return clearance_map(
            case,
            implant.site,
            diameter_mm=implant.diameter_mm,
            length_mm=implant.length_mm,
            vertical_deg=safety.vertical_angle_deg if safety else None,
            horizontal_deg=(safety.horizontal_angle_deg if safety else None) or 0.0,
            workflow="guided" if guided else "freehand",
        )
    except (SiteUnavailable, ValueError, KeyError):
        return None


def analyse_sites(plan: Plan, designs: Iterable[Design] | None = None) -> PlanSites:
    """The site analyses of every inter-radicular implant of ``designs`` (default: every
    design of the plan)."""
    chosen = designs if designs is not None else (d for gp in plan.goals for d in gp.designs)
    out: dict[InsertionKey, SiteAnalysis] = {}
    for d in chosen:
        for imp in d.implants:
            key = insertion_key(imp)
            if key in out:
                continue
            analysis = analyse_site(plan.case, imp)
            if analysis is not None:
                out[key] = analysis
    return PlanSites(out)
