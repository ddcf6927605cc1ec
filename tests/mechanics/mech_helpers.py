"""Helpers for the mechanics tests: synthetic teeth with known geometry, a design builder."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.case.model import SiteRef
from tadplan.model import Connection, Design, Implant


def upright_tooth(
    fdi: int,
    at: Iterable[float] = (0.0, 0.0, 0.0),
    *,
    crown_mm: float = 10.0,
    root_mm: float = 13.0,
    bracket_offset_mm: float = 4.0,
    n_roots: int = 1,
    crest_below_cej_mm: float = 1.5,
) -> ToothLandmarks:
    """An upper tooth standing straight up (+z) with its occlusal point at ``at``; buccal is
    +y, mesial is +x. Easy numbers for closed-form checks."""
    p0 = np.asarray(list(at), dtype=float)
    axis = np.array([0.0, 0.0, 1.0])
    cej = p0 + axis * crown_mm
    centre = p0 + axis * crown_mm / 2
    return ToothLandmarks(
        fdi=fdi,
        crown_centre_mm=centre,
        bracket_mm=centre + np.array([0.0, bracket_offset_mm, 0.0]),
        cej_mm=cej,
        apex_mm=cej + axis * root_mm,
        axis=axis,
        mesial=np.array([1.0, 0.0, 0.0]),
        buccal=np.array([0.0, 1.0, 0.0]),
        crown_length_mm=crown_mm,
        root_length_mm=root_mm,
        n_roots=n_roots,
        alveolar_crest_mm=cej + axis * crest_below_cej_mm,
    )


def design(
    implants: list[tuple[str, SiteRef]] | None = None,
    connections: list[dict[str, Any]] | None = None,
    goal_ids: list[str] | None = None,
    heads: dict[str, tuple[float, float, float]] | None = None,
) -> Design:
    heads = heads or {}
    return Design(
        id="t",
        rule_id="test",
        title="test design",
        goal_ids=goal_ids or [],
        anchorage="direct",
        implants=[
            Implant(id=i, site=s, diameter_mm=1.6, length_mm=8, head_position_mm=heads.get(i))
            for i, s in (implants or [])
        ],
        connections=[Connection(**c) for c in (connections or [])],
    )


def assert_points_into_its_jaw(
    name: str, designs: list[Design], lm: Mapping[int, ToothLandmarks]
) -> None:
    """Every implant of ``designs`` has a head and an axis that points into its jaw's bone
    (issue 4, fix 3; the per-example test plans every bundled example)."""
    implants = [i for d in designs for i in d.implants]
    assert implants
    for imp in implants:
        assert imp.axis is not None and imp.head_position_mm is not None, imp.id
        axis = np.asarray(imp.axis)
        where = f"{name} {imp.id} {imp.site.label()} axis {imp.axis}"
        # the maxilla's bone lies above the occlusal plane, the mandible's below
        assert axis[2] > 0 if imp.site.jaw == "maxilla" else axis[2] < 0, where
        if imp.site.between is not None and imp.site.surface is not None:
            # from the buccal (palatal/lingual) surface inwards: against the teeth's buccal
            out = sum(lm[t].buccal for t in imp.site.between if t in lm)
            inward = -1.0 if imp.site.surface.value == "buccal" else 1.0
            assert inward * float(np.dot(axis, out)) > 0, where
