"""Tooth meshes, distance grids and exact capsule clearance on analytic fixtures."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from hypothesis import given, settings
from hypothesis import strategies as st

from tadplan.anatomy.distance_grid import _pt_tri_sq, build_distance_grid, build_part_fields
from tadplan.anatomy.meshes import DentitionModel, ToothMesh, average_dentition
from tadplan.case import fdi


@pytest.fixture(scope="module")
def coarse():
    return average_dentition(resolution="coarse")


def test_every_component_is_closed_and_outward(coarse):
    for t, m in coarse.meshes.items():
        for a, b in m.components:
            tm = trimesh.Trimesh(m.vertices, m.faces[a:b], process=True)
            assert tm.is_watertight and tm.is_winding_consistent, t
            assert tm.volume > 20.0, t  # outward normals: positive volume


def test_root_count_follows_the_tooth(coarse):
    assert len(coarse.meshes[16].components) == 4  # body + MB, DB, P
    assert len(coarse.meshes[14].components) == 3  # body + B, P
    assert len(coarse.meshes[36].components) == 3  # body + M, D
    assert len(coarse.meshes[11].components) == 1


def test_mesh_matches_its_landmarks(coarse):
    for t in (11, 16, 36, 43):
        m, lm = coarse.meshes[t], coarse.landmarks[t]
        along = (m.vertices - lm.cej_mm) @ lm.axis
        assert along.min() == pytest.approx(-lm.crown_length_mm, abs=0.05)
        assert along.max() == pytest.approx(lm.root_length_mm, abs=0.6)


def test_clinical_resolution_has_over_200k_triangles():
    full = average_dentition(resolution="clinical")
    assert full.n_triangles >= 200_000


def _sphere(r: float = 2.0, centre=(0.0, 0.0, 0.0), subdiv: int = 4) -> tuple:
    s = trimesh.creation.icosphere(subdivisions=subdiv, radius=r)
    return np.asarray(s.vertices) + np.asarray(centre), np.asarray(s.faces, dtype=np.int64)


def test_grid_distance_to_a_sphere_is_analytic():
    v, f = _sphere(2.0)
    g = build_distance_grid(v, f, h_mm=0.3, band_mm=3.0)
    rng = np.random.default_rng(0)
    dirs = rng.normal(size=(500, 3))
    dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    radii = rng.uniform(2.6, 4.8, size=500)
    pts = dirs * radii[:, None]
    got = g.gather(pts)
    # icosphere faces sit slightly inside the sphere: allow for the chord sag
    want = radii - 2.0
    assert np.all(np.abs(got - want) < 0.06)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=12, max_size=12))
def test_point_triangle_distance_is_exact(xs):
    tri = np.array(xs[:9], dtype=np.float64).reshape(3, 3)
    p = np.array(xs[9:], dtype=np.float64)
    if np.linalg.norm(np.cross(tri[1] - tri[0], tri[2] - tri[0])) < 1e-3:
        return
    # dense barycentric sampling gives an upper bound within the sampling step
    u, v = np.meshgrid(np.linspace(0, 1, 121), np.linspace(0, 1, 121))
    keep = (u + v) <= 1
    pts = tri[0] + u[keep, None] * (tri[1] - tri[0]) + v[keep, None] * (tri[2] - tri[0])
    brute = np.sqrt(((pts - p) ** 2).sum(1).min())
    got = np.sqrt(_pt_tri_sq(p[0], p[1], p[2], tri))
    assert got <= brute + 1e-9
    assert brute - got < 0.1


def _cylinder_model(radius: float = 1.0, height: float = 12.0) -> DentitionModel:
    """A single 'root': a vertical cylinder on the z axis, as tooth 16's only component."""
    cyl = trimesh.creation.cylinder(radius=radius, height=height, sections=256)
    cyl.apply_translation([0.0, 0.0, height / 2])
    mesh = ToothMesh(
        16, np.asarray(cyl.vertices), np.asarray(cyl.faces, dtype=np.int64), ((0, len(cyl.faces)),)
    )
    lm = average_dentition(teeth=[16], resolution="coarse").landmarks
    return DentitionModel(lm, {16: mesh})


def test_exact_capsule_clearance_to_a_cylinder():
    from tadplan.anatomy.search import exact_clearance

    model = _cylinder_model(1.0)
    # horizontal capsule passing the cylinder at 3 mm from its axis, radius 0.8
    entry = np.array([3.0, -6.0, 6.0])
    c = exact_clearance(model, [16], entry, np.array([0.0, 1.0, 0.0]), 12.0, 0.8)[16]
    assert c == pytest.approx(3.0 - 1.0 - 0.8, abs=0.01)
    # aimed at the cylinder: contact
    c = exact_clearance(model, [16], np.array([6.0, 0.0, 6.0]), np.array([-1.0, 0, 0]), 6.0, 0.8)[
        16
    ]
    assert c == 0.0  # contact is no clearance, not fcl's collision code -1


def test_the_modelled_screw_is_exactly_its_stated_length():
    """Issue 10: an fcl capsule's length excludes its caps, so a capsule of the thread length
    was one diameter longer than the screw. Aimed at a root 2 mm beyond its tip, a screw
    clears it by 2 mm (not 2 - radius)."""
    from tadplan.anatomy.search import exact_clearance

    model = _cylinder_model(1.0)
    # along -x towards the cylinder (surface at x = 1): tip at x = 9 - 6 = 3, 2 mm short
    c = exact_clearance(model, [16], np.array([9.0, 0.0, 6.0]), np.array([-1.0, 0, 0]), 6.0, 0.8)[
        16
    ]
    assert c == pytest.approx(2.0, abs=0.01)
    # 1 mm longer than the gap: it enters the root
    c = exact_clearance(model, [16], np.array([9.0, 0.0, 6.0]), np.array([-1.0, 0, 0]), 9.0, 0.8)[
        16
    ]
    assert c == 0.0


def test_part_fields_match_exact_capsule_clearance_on_a_cylinder():
    from tadplan.anatomy.search import exact_clearance

    model = _cylinder_model(1.2)
    m = model.meshes[16]
    fields = build_part_fields(
        [(16, m.vertices, m.faces)],
        h_mm=0.35,
        band_mm=3.1,
        seed_band_mm=0.45,
        max_sweeps=3,
        threads=1,
    )
    rng = np.random.default_rng(3)
    for _ in range(40):
        entry = np.array([rng.uniform(1.8, 4.0), rng.uniform(-6, -4), rng.uniform(2, 8)])
        d = np.array([rng.uniform(-0.3, 0.3), 1.0, rng.uniform(-0.5, 0.5)])
        d /= np.linalg.norm(d)
        ts = np.linspace(0, 10.0 - 0.8, 2001)  # the rounded tip ends at 10 mm
        fast = fields.distance(entry + ts[:, None] * d, fields.parts_of([16])).min() - 0.8
        exact = exact_clearance(model, [16], entry, d, 10.0, 0.8)[16]
        if exact < 2.0:
            assert max(fast, 0) == pytest.approx(max(exact, 0), abs=0.05)
        assert max(fast, 0) <= exact + 0.05  # contact is 0, never fcl's code -1


def test_neighbouring_teeth_do_not_overlap(coarse):
    """Crowns touch at the contacts; roots stay apart (IRD > 0 everywhere)."""
    from tadplan.anatomy.dentition import neighbour_pairs
    from tadplan.anatomy.sites import interradicular_distance, site_frame

    for a, b in neighbour_pairs(coarse.landmarks):
        f = site_frame(coarse, a, b, "buccal")
        for h in (2.0, 6.0):
            assert interradicular_distance(coarse, f, h)[0] > 0.3, (a, b, h)
    assert fdi.arch(11) == "maxilla"
