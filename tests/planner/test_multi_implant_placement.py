"""A design's implants are placed in order, each seeing the heads already placed: two
screws never share one hole (MARPE's four paramedian screws, two screws forced into one
inter-radicular site), and an implant shared by designs keeps one placement."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from planner_helpers import by_rule, plan_of

from tadplan.anatomy.safety import min_head_distance_mm, place_implant
from tadplan.case.model import SiteRef, SiteRegion
from tadplan.examples import load_example
from tadplan.model import Implant, SiteSafety
from tadplan.planner.analyse import place_design


def _dist(p, q) -> float:
    return float(np.linalg.norm(np.subtract(p, q)))


def test_marpe_has_four_distinct_heads_kept_apart_on_their_sides():
    marpe = by_rule(plan_of("12_crossbite_correction"), "expand", "crossbite-marpe")
    imps = marpe.implants
    assert len(imps) == 4
    heads = [i.head_position_mm for i in imps]
    assert all(h is not None for h in heads)
    assert len({tuple(h) for h in heads}) == 4
    for a, b in combinations(imps, 2):
        need = min_head_distance_mm(max(a.diameter_mm, b.diameter_mm)).value
        assert _dist(a.head_position_mm, b.head_position_mm) >= need - 1e-6, (a.id, b.id)
    for i in imps:
        assert i.site.region == SiteRegion.paramedian_palate
        assert i.site.label() == f"paramedian palate ({i.site.side})"
        x = i.head_position_mm[0]
        assert (x < 0) if i.site.side == "right" else (x > 0)  # +x is the patient's left
        assert i.safety is not None and i.safety.status in ("green", "amber")
        assert i.safety.bone_depth_mm is not None
    # per side: one screw at the default level, one anterior of it (same line, same height)
    for side in ("right", "left"):
        a, b = (i.head_position_mm for i in imps if i.site.side == side)
        assert a[0] == pytest.approx(b[0]) and a[2] == pytest.approx(b[2])
        assert a[1] != pytest.approx(b[1])


@pytest.mark.slow
def test_every_example_design_keeps_its_screws_apart_or_says_why(all_plans):
    """No two implants of one design closer than the cited spacing unless one is red with
    a note naming the clash."""
    for name, p in all_plans.items():
        for gp in p.goals:
            for d in gp.designs:
                placed = [i for i in d.implants if i.head_position_mm is not None]
                for a, b in combinations(placed, 2):
                    need = min_head_distance_mm(max(a.diameter_mm, b.diameter_mm)).value
                    if _dist(a.head_position_mm, b.head_position_mm) >= need - 1e-6:
                        continue
                    flagged = [
                        i
                        for i in (a, b)
                        if i.safety is not None
                        and i.safety.status == "red"
                        and any("share" in n for n in i.safety.notes)
                    ]
                    assert flagged, (name, d.id, a.id, b.id)


def test_single_implant_designs_keep_the_lone_placement():
    case = load_example("12_crossbite_correction")
    p = plan_of("12_crossbite_correction")
    singles = [d for gp in p.goals for d in gp.designs if len(d.implants) == 1]
    assert singles
    for d in singles:
        (imp,) = d.implants
        bare = imp.model_copy(update={"head_position_mm": None, "axis": None, "safety": None})
        assert imp.head_position_mm == place_implant(case, bare).head_position_mm, d.id


def test_two_screws_forced_into_one_interradicular_site():
    case = load_example("07a_posterior_anchorage")
    site = SiteRef(between=(15, 16), surface="buccal")
    imps = [Implant(id=f"i{k}", site=site, diameter_mm=1.6, length_mm=8.0) for k in (1, 2)]
    first, second = place_design(place_implant, case, imps, {})
    assert first.site == site
    assert second.safety is not None
    moved = second.site != site
    if moved:
        assert set(second.site.between) in ({14, 15}, {16, 17})
        assert _dist(first.head_position_mm, second.head_position_mm) >= (
            min_head_distance_mm(1.6).value
        )
        assert any("moved from buccal 16-15" in n for n in second.safety.notes)
    else:
        assert second.safety.status == "red"
        assert any("cannot share one inter-radicular site" in n for n in second.safety.notes)


def test_a_shared_implant_keeps_its_placement_and_is_avoided():
    calls: list[tuple[str, list]] = []

    def fake(case, implant, occupied_mm=()):
        calls.append((implant.id, list(occupied_mm)))
        head = (float(len(calls)), 0.0, 0.0)
        return implant.model_copy(
            update={"head_position_mm": head, "safety": SiteSafety(status="green")}
        )

    site = SiteRef(region=SiteRegion.paramedian_palate, side="left")
    i1 = Implant(id="i1", site=site, diameter_mm=2.0, length_mm=8.0, purpose="goal A")
    i2 = i1.model_copy(update={"id": "i2"})
    placed: dict[str, Implant] = {}
    place_design(fake, None, [i1], placed)  # type: ignore[arg-type]
    out = place_design(fake, None, [i2, i1.model_copy(update={"purpose": "goal B"})], placed)  # type: ignore[arg-type]
    assert [c[0] for c in calls] == ["i1", "i2"]  # i1 not placed twice
    assert calls[1][1] == [(1.0, 0.0, 0.0)]  # the new screw sees the shared one
    assert [i.id for i in out] == ["i2", "i1"]  # design order kept
    assert out[1].head_position_mm == (1.0, 0.0, 0.0)
    assert out[1].purpose == "goal B"  # the design's own text, the shared placement
