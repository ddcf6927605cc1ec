"""Several screws of one design never share one hole: ``place_implant(..., occupied_mm)``
keeps every head the cited spacing from the heads already placed."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.anatomy import place_implant
from tadplan.anatomy._data import load
from tadplan.anatomy.regions import region_insertion
from tadplan.anatomy.safety import (
    _neighbour_sites,
    best_insertion,
    dentition_model,
    min_head_distance_mm,
)
from tadplan.case.model import SiteRef, SiteRegion
from tadplan.examples import load_example
from tadplan.model import Implant


@pytest.fixture(scope="module")
def case():
    return load_example("12_crossbite_correction")


def _palatal(iid: str, side: str = "right") -> Implant:
    site = SiteRef(region=SiteRegion.paramedian_palate, side=side)
    return Implant(id=iid, site=site, diameter_mm=2.0, length_mm=8.0)


def _buccal(iid: str, a: int = 15, b: int = 16) -> Implant:
    return Implant(
        id=iid, site=SiteRef(between=(a, b), surface="buccal"), diameter_mm=1.6, length_mm=8.0
    )


def _dist(p, q) -> float:
    return float(np.linalg.norm(np.subtract(p, q)))


def test_min_head_distance_is_the_cited_bone_plus_one_diameter():
    bone = load("sites")["spacing"]["min_bone_between_screws_mm"]
    m = min_head_distance_mm(2.0)
    assert m.value == pytest.approx(bone["value"] + 2.0)
    assert m.source == "tarnow2000" and m.tag in ("R", "R2", "U", "E")


def test_a_lone_screw_keeps_its_head(case):
    imp = _palatal("i1")
    alone = place_implant(case, imp)
    before = region_insertion(case, imp.site, sizes=[(2.0, 8.0)])
    assert alone.head_position_mm == pytest.approx(before.head_position_mm)
    # a screw far away (other side of the palate) changes nothing
    far = place_implant(case, imp, occupied_mm=[(6.0, -23.8, 16.0)])
    assert far.head_position_mm == alone.head_position_mm
    assert far.safety == alone.safety


def test_a_lone_interradicular_screw_keeps_the_best_insertion(case):
    imp = _buccal("i1")
    alone = place_implant(case, imp, occupied_mm=())
    best = best_insertion(case, imp.site, sizes=[(1.6, 8.0)])
    assert alone.head_position_mm == best.head_position_mm
    assert alone.site == imp.site
    assert not any("moved" in n for n in alone.safety.notes)


def test_second_palatal_screw_moves_along_the_paramedian_line(case):
    first = place_implant(case, _palatal("i1"))
    assert first.head_position_mm is not None
    second = place_implant(case, _palatal("i2"), occupied_mm=[first.head_position_mm])
    h1, h2 = np.array(first.head_position_mm), np.array(second.head_position_mm)
    assert _dist(h1, h2) >= min_head_distance_mm(2.0).value - 1e-6
    # only the anteroposterior coordinate changes: same paramedian line, same vault height
    assert h2[0] == pytest.approx(h1[0]) and h2[2] == pytest.approx(h1[2])
    assert h2[0] < 0  # still on the right half of the palate
    # anterior first (thicker anterior paramedian bone), within the PM1-M1 span
    lms = dentition_model(case).landmarks
    assert h2[1] > h1[1]
    assert lms[16].crown_centre_mm[1] - 1e-6 <= h2[1] <= lms[14].crown_centre_mm[1] + 1e-6
    s = second.safety
    assert s is not None and s.status in ("green", "amber")
    assert s.bone_depth_mm == first.safety.bone_depth_mm
    assert any("moved" in n and "anterior" in n for n in s.notes)
    assert {r.key for r in s.sources} >= {"tarnow2000", "choi_hy2023", "farnsworth2011"}
    assert second.site.label() == "paramedian palate (right)"


def test_a_full_paramedian_line_is_reported_not_stacked(case):
    first = place_implant(case, _palatal("i1"))
    x, _, z = first.head_position_mm
    lms = dentition_model(case).landmarks
    ys = np.arange(lms[16].crown_centre_mm[1] - 3, lms[14].crown_centre_mm[1] + 3, 1.0)
    crowd = [(x, float(v), z) for v in ys]
    out = place_implant(case, _palatal("i9"), occupied_mm=crowd)
    assert out.safety is not None and out.safety.status == "red"
    assert any(
        "cited span keeps" in n and "would share one insertion" in n for n in out.safety.notes
    )


def test_a_region_without_a_cited_span_flags_the_second_screw(case):
    site = SiteRef(region=SiteRegion.infrazygomatic_crest, side="right")
    imp = Implant(id="i1", site=site, diameter_mm=2.0, length_mm=12.0)
    first = place_implant(case, imp)
    second = place_implant(case, imp.model_copy(update={"id": "i2"}), [first.head_position_mm])
    assert second.head_position_mm == first.head_position_mm
    assert second.safety is not None and second.safety.status == "red"
    assert any("no cited span" in n for n in second.safety.notes)
    assert first.safety is not None and first.safety.status != "red"


def test_second_screw_in_one_septum_moves_to_the_neighbouring_site(case):
    first = place_implant(case, _buccal("i1"))
    second = place_implant(case, _buccal("i2"), occupied_mm=[first.head_position_mm])
    assert set(second.site.between) in ({14, 15}, {16, 17})
    assert second.site.label() in ("buccal 15-14", "buccal 17-16")
    assert _dist(first.head_position_mm, second.head_position_mm) >= (
        min_head_distance_mm(1.6).value
    )
    s = second.safety
    assert s is not None and s.status in ("green", "amber")
    assert s.min_root_clearance_mm is not None  # assessed at the new site
    assert any("moved from buccal 16-15" in n for n in s.notes)


def test_no_acceptable_neighbour_says_so(case):
    heads = [
        place_implant(case, _buccal(f"i{k}", a, b)).head_position_mm
        for k, (a, b) in enumerate([(15, 16), (14, 15), (16, 17)])
    ]
    out = place_implant(case, _buccal("i9"), occupied_mm=heads)
    assert set(out.site.between) == {15, 16}
    assert out.safety is not None and out.safety.status == "red"
    note = next(n for n in out.safety.notes if "cannot share" in n)
    assert "15-14 is also taken" in note and "17-16 is also taken" in note


def test_neighbouring_sites_stay_on_the_surface_and_side():
    present = tuple(sorted(load_example("12_crossbite_correction").dentition.present_teeth()))
    got = {
        s.label() for s in _neighbour_sites(SiteRef(between=(15, 16), surface="palatal"), present)
    }
    assert got == {"palatal 15-14", "palatal 17-16"}
    mid = _neighbour_sites(SiteRef(between=(11, 21), surface="buccal"), present)
    assert {frozenset(s.between) for s in mid} == {frozenset({11, 12}), frozenset({21, 22})}
