"""The clearance map of one site (height x mesiodistal) against exact capsule distances, the
geometry of a thicker screw, and the angle it is drawn at."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.anatomy.clearance import clearance_map
from tadplan.anatomy.safety import SiteUnavailable, best_insertion, dentition_model
from tadplan.anatomy.search import exact_clearance
from tadplan.case.model import SiteRef
from tadplan.examples import load_example

SITE = SiteRef(between=(15, 16), surface="buccal")


@pytest.fixture(scope="module")
def case():
    return load_example("demo")


@pytest.fixture(scope="module")
def cmap(case):
    return clearance_map(case, SITE, diameter_mm=1.6, length_mm=8.0, vertical_deg=30.0)


def test_grid_is_every_half_millimetre_high_and_quarter_millimetre_mesiodistally(cmap):
    assert np.allclose(np.diff(cmap.heights_mm), 0.5)
    assert np.allclose(np.diff(cmap.mesiodistal_mm), 0.25)
    assert cmap.clearance_mm.shape == (len(cmap.heights_mm), len(cmap.mesiodistal_mm))
    assert cmap.status.shape == cmap.clearance_mm.shape


def test_cells_match_exact_capsule_distances(case, cmap):
    """Issue 5's accuracy for the fast search: within 0.05 mm of the exact (python-fcl)
    clearance where that is under 2 mm; contacts compared as 0."""
    model = dentition_model(case)
    teeth = (14, 15, 16, 17)
    nh, nm = cmap.clearance_mm.shape
    cells = [(i, j) for i in range(0, nh, 4) for j in range(0, nm, 4)]
    compared = 0
    for i, j in cells:
        ex = exact_clearance(
            model, teeth, cmap.entries_mm[i, j], cmap.axis, cmap.length_mm, cmap.diameter_mm / 2
        )
        exact = max(min(ex.values()), 0.0)
        fast = max(float(cmap.clearance_mm[i, j]), 0.0)
        if exact < 2.0:
            compared += 1
            assert abs(fast - exact) <= 0.05, (i, j, fast, exact)
    assert compared >= 8  # the map crosses the roots, not only open bone


def test_map_spans_contact_and_room(cmap):
    """Between 15 and 16 a 1.6 mm screw touches a root somewhere on the map and is clear of
    the PDL elsewhere: the map is not flat."""
    assert (cmap.clearance_mm <= cmap.pdl_mm.value).any()
    assert (cmap.clearance_mm > cmap.safety_margin_mm).any()
    assert (cmap.status == 2).any() and (cmap.status < 2).any()
    assert (cmap.status[cmap.clearance_mm < cmap.pdl_mm.value] == 2).all()


def test_thicker_screw_loses_half_the_extra_diameter(case, cmap):
    thick = clearance_map(case, SITE, diameter_mm=2.0, length_mm=8.0, vertical_deg=30.0)
    both = (cmap.clearance_mm > 0.3) & (cmap.clearance_mm < 1.8)
    assert both.sum() > 10
    np.testing.assert_allclose(cmap.clearance_mm[both] - thick.clearance_mm[both], 0.2, atol=1e-5)


def test_default_vertical_angle_is_the_best_insertion_of_the_size(case):
    m = clearance_map(case, SITE, diameter_mm=1.6, length_mm=8.0)
    best = best_insertion(case, SITE, sizes=[(1.6, 8.0)])
    assert m.vertical_deg == best.vertical_deg
    i, j = m.nearest_cell(np.array(best.entry_mm))
    assert m.heights_mm[i] == best.height_mm
    assert m.mesiodistal_mm[j] == best.mesiodistal_mm
    # the head lies on the axis outside the bone: the same cell from the head and axis
    assert m.nearest_cell(np.array(best.head_position_mm), np.array(best.axis)) == (i, j)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"diameter_mm": 0.0, "length_mm": 8.0}, "diameter_mm"),
        ({"diameter_mm": 1.6, "length_mm": 30.0}, "length_mm"),
        ({"diameter_mm": 1.6, "length_mm": 8.0, "vertical_deg": 95.0}, "vertical_deg"),
        ({"diameter_mm": 1.6, "length_mm": 8.0, "workflow": "robot"}, "workflow"),
    ],
)
def test_bad_input_names_the_field(case, kwargs, field):
    with pytest.raises(ValueError, match=field):
        clearance_map(case, SITE, **kwargs)


def test_non_interradicular_sites_are_refused(case):
    with pytest.raises(ValueError, match="site"):
        clearance_map(case, SiteRef(region="median_palatal_suture"), diameter_mm=2.0, length_mm=8.0)
    with pytest.raises(SiteUnavailable):
        clearance_map(
            case, SiteRef(between=(14, 16), surface="buccal"), diameter_mm=1.6, length_mm=8.0
        )
