"""What each connection kind does is defined once (tadplan.model) and the mechanics and the
drawings agree on it (issue 12: the report drew a cantilever pulling, the mechanics pushed)."""

from __future__ import annotations

import numpy as np

from tadplan.examples import load_example
from tadplan.model import (
    CLAMPED_KINDS,
    COMPRESSION_KINDS,
    PUSH_KINDS,
    RIGID_KINDS,
    TENSION_KINDS,
    ConnectionKind,
)
from tadplan.planner import plan
from tadplan.report.geometry import dentition_shapes
from tadplan.report.mechanics_view import force_vectors


def test_every_kind_is_exactly_one_of_pull_push_clamped_or_rigid() -> None:
    groups = [TENSION_KINDS, COMPRESSION_KINDS, CLAMPED_KINDS, RIGID_KINDS]
    for kind in ConnectionKind:
        assert sum(kind in g for g in groups) == 1, kind
    assert not PUSH_KINDS & TENSION_KINDS


def test_a_palatal_cantilever_is_drawn_pushing_as_the_mechanics_pushes_it() -> None:
    """18_dental_posterior_crossbite: the palatal arm from a paramedian implant pushes the
    crossbite tooth buccally, away from the implant; the drawing without a mechanics result
    (the plan's nominal force along the implant-attachment line) points the same way."""
    case = load_example("18_dental_posterior_crossbite")
    shapes = dentition_shapes(case)
    compared = 0
    for gp in plan(case).goals:
        for d in gp.designs:
            nominal = {v.connection.id: v for v in force_vectors(d, shapes, None)}
            for v in force_vectors(d, shapes, d.mechanics):
                if v.connection.kind != ConnectionKind.cantilever or v.connection.id not in nominal:
                    continue
                assert float(np.dot(v.direction, nominal[v.connection.id].direction)) > 0.5
                compared += 1
    assert compared >= 1
