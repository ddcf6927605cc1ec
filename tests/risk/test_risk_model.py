"""Behaviour of the failure-risk model: monotone where the literature says so, root
contact in the mandible heavily penalised, unknowns at the population average, the
interval, the design's risk, what would lower it, and the data file's errors."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tadplan.case.model import SiteRef
from tadplan.risk import (
    ImplantFacts,
    RiskDataError,
    design_risk,
    implant_risk,
    load_risk_data,
    parse_risk_data,
)
from tadplan.risk.data import _data_path

U56 = SiteRef(region="interradicular", between=(15, 16), surface="buccal")
L67 = SiteRef(region="interradicular", between=(36, 37), surface="buccal")
U67 = SiteRef(region="interradicular", between=(16, 17), surface="buccal")
U78 = SiteRef(region="interradicular", between=(17, 18), surface="buccal")
MIDPALATE = SiteRef(region="median_palatal_suture", side="midline")
PARAMEDIAN = SiteRef(region="paramedian_palate", side="right")
SHELF = SiteRef(region="mandibular_buccal_shelf", side="left")
TUBEROSITY = SiteRef(region="tuberosity", side="right")


def facts(site: SiteRef = U56, **kw: Any) -> ImplantFacts:
    base: dict[str, object] = {
        "implant_id": "i1",
        "site": site,
        "diameter_mm": 1.6,
        "length_mm": 8.0,
        "min_root_clearance_mm": 2.0,
        "cortical_thickness_mm": 1.4,
        "soft_tissue": "attached gingiva",
        "age_y": 25.0,
        "smoker": False,
        "inflammation": False,
        "immediate_loading": False,
        "mechanics_flags": (),
    }
    base.update(kw)
    return ImplantFacts.model_validate(base)


def p(f: ImplantFacts) -> float:
    return implant_risk(f).failure_probability


def test_site_baselines_are_the_published_pooled_rates() -> None:
    """mohammed2018 abstract; chang2015 121/1680."""
    from tadplan.risk import site_baseline

    expect = {
        MIDPALATE: 0.013,
        PARAMEDIAN: 0.048,
        SiteRef(region="interradicular", between=(15, 16), surface="palatal"): 0.055,
        U56: 0.092,
        SiteRef(region="interradicular", between=(12, 13), surface="buccal"): 0.097,
        L67: 0.135,
        SiteRef(region="infrazygomatic_crest", side="right"): 0.164,
        SHELF: 0.072,
    }
    for site, rate in expect.items():
        assert site_baseline(site).rate == pytest.approx(rate), site.label()
    assert site_baseline(SHELF).rate == pytest.approx(121 / 1680, abs=1e-3)


def test_root_clearance_lowers_risk_monotonically() -> None:
    """kuroda2007: contact > proximity > clear, in both jaws."""
    for site in (U56, L67):
        ps = [p(facts(site, min_root_clearance_mm=c)) for c in (0.0, 0.5, 2.0, 3.0)]
        assert ps[0] > ps[1] > ps[2], (site.label(), ps)
        assert ps[2] == ps[3]


def test_root_contact_in_the_mandible_is_heavily_penalised() -> None:
    """kuroda2007: mandibular screws over the lamina dura 35 % success (65 % failure) with
    the 1.3 mm screws of that cohort; patient factors unknown."""
    touch = p(
        facts(
            L67,
            min_root_clearance_mm=0.0,
            diameter_mm=1.3,
            length_mm=6.0,
            age_y=None,
            cortical_thickness_mm=None,
        )
    )
    assert touch > 0.35
    clear, touch = p(facts(L67)), p(facts(L67, min_root_clearance_mm=0.0))
    assert touch / clear > 5
    # more than the same contact in the maxilla
    up = p(facts(U56, min_root_clearance_mm=0.0)) / p(facts(U56))
    assert touch / clear > up
    r = implant_risk(facts(L67, min_root_clearance_mm=0.0))
    assert r.factors[0].code == "root_contact"
    assert r.lower_it[0].code == "keep_clear_of_root"


@pytest.mark.parametrize(
    ("field", "worse", "better"),
    [
        ("cortical_thickness_mm", 0.8, 1.4),  # motoyoshi2007_cortical
        ("diameter_mm", 1.2, 1.6),  # hong2016, miyawaki2003
        ("length_mm", 6.0, 8.0),  # hong2016
        ("age_y", 14.0, 25.0),  # hong2016
        ("smoker", True, False),  # bayat2010
        ("soft_tissue", "mobile mucosa", "attached gingiva"),  # chang2015 (small)
        ("inflammation", True, False),  # bmc2022_mbs_rct, park2006
        ("mechanics_flags", ("unresisted_moment",), ()),  # seed II.1 Fig. 8
        ("mechanics_flags", ("over_immediate_loading_limit",), ()),
    ],
)
def test_each_factor_raises_risk_in_the_direction_published(
    field: str, worse: object, better: object
) -> None:
    assert p(facts(U56, **{field: worse})) > p(facts(U56, **{field: better}))


def test_immediate_loading_alone_changes_nothing() -> None:
    """No significant effect of immediate vs delayed loading (aly2019 introduction)."""
    assert p(facts(immediate_loading=True)) == pytest.approx(p(facts()), abs=1e-4)
    assert implant_risk(facts(immediate_loading=True)).interval[1] > p(facts())


def test_distal_to_the_upper_molars_is_riskier() -> None:
    """Seed II.2: poorer bone and thicker gingiva distal to the upper molars."""
    assert p(facts(U78)) > p(facts(U67))
    assert p(facts(U67)) == pytest.approx(p(facts(U56)))
    assert p(facts(TUBEROSITY, min_root_clearance_mm=None)) > p(
        facts(U56, min_root_clearance_mm=None)
    )


def test_unknowns_count_at_the_population_average_not_as_favourable() -> None:
    known_good = facts()
    unknown = facts(
        cortical_thickness_mm=None,
        age_y=None,
        smoker=None,
        inflammation=None,
        immediate_loading=None,
        mechanics_flags=None,
        min_root_clearance_mm=None,
        soft_tissue=None,
    )
    bad = facts(min_root_clearance_mm=0.0, age_y=14.0, cortical_thickness_mm=0.7, smoker=True)
    assert p(known_good) < p(unknown) < p(bad)
    r = implant_risk(unknown)
    assert any(not f.known and 0 < f.exposure < 1 for f in r.factors)


def test_factors_listed_largest_effect_first_with_sources() -> None:
    r = implant_risk(facts(L67, min_root_clearance_mm=0.0, length_mm=6.0, age_y=14.0))
    effects = [abs(f.log_effect) for f in r.factors]
    assert effects == sorted(effects, reverse=True)
    codes = {f.code for f in r.factors}
    assert {"root_contact", "short_screw", "adolescent"} <= codes
    registry = load_risk_data().source_keys()
    assert all(f.source.key in registry and f.source.tag for f in r.factors)


def test_interval_brackets_the_estimate_and_is_reproducible() -> None:
    a, b = implant_risk(facts(L67)), implant_risk(facts(L67))
    lo, hi = a.interval
    assert lo < a.failure_probability < hi
    assert a == b


def test_palatal_sites_have_no_root_factor_and_low_risk() -> None:
    r = implant_risk(facts(MIDPALATE, min_root_clearance_mm=None))
    assert not any(f.code.startswith("root") for f in r.factors)
    assert r.failure_probability < p(facts(PARAMEDIAN)) < p(facts(U56, min_root_clearance_mm=None))


def test_what_would_lower_it() -> None:
    r = implant_risk(
        facts(
            L67,
            diameter_mm=1.3,
            length_mm=6.0,
            min_root_clearance_mm=0.5,
            smoker=True,
            mechanics_flags=("unresisted_moment", "over_immediate_loading_limit"),
            interradicular_width_mm=4.0,
            bone_depth_mm=9.0,
        )
    )
    by = {m.code: m for m in r.lower_it}
    assert set(by) >= {
        "keep_clear_of_root",
        "longer_screw",
        "wider_screw",
        "delayed_loading",
        "second_screw",
        "stop_smoking",
        "another_site",
    }
    assert by["another_site"].site == "mandibular_buccal_shelf"
    assert by["longer_screw"].value == 8.0 and by["wider_screw"].value == 1.6
    for m in r.lower_it:
        assert m.failure_probability < r.failure_probability
        assert m.reduction == pytest.approx(r.failure_probability - m.failure_probability, abs=1e-4)
    reductions = [m.reduction for m in r.lower_it]
    assert reductions == sorted(reductions, reverse=True)


def test_a_second_screw_is_offered_only_to_a_single_screw() -> None:
    flagged = facts(mechanics_flags=("unresisted_moment",))
    assert "second_screw" in {m.code for m in implant_risk(flagged).lower_it}
    pair = flagged.model_copy(update={"joined_screws": 2})
    assert "second_screw" not in {m.code for m in implant_risk(pair).lower_it}


def test_a_bigger_screw_is_not_offered_where_the_bone_does_not_allow_it() -> None:
    r = implant_risk(
        facts(diameter_mm=1.3, length_mm=6.0, interradicular_width_mm=3.0, bone_depth_mm=6.5)
    )
    codes = {m.code for m in r.lower_it}
    assert "wider_screw" not in codes and "longer_screw" not in codes


def test_design_risk_is_the_chance_that_any_implant_fails() -> None:
    fs = [facts(U56, implant_id="a"), facts(L67, implant_id="b", min_root_clearance_mm=0.0)]
    rs = [implant_risk(f) for f in fs]
    d = design_risk(rs, fs)
    pa, pb = (r.failure_probability for r in rs)
    assert d.failure_probability == pytest.approx(1 - (1 - pa) * (1 - pb), abs=1e-4)
    assert max(pa, pb) < d.failure_probability
    assert d.interval[0] < d.failure_probability < d.interval[1]
    assert design_risk([], []).failure_probability == 0.0


@pytest.mark.xfail(
    strict=True,
    reason="known deviation: the model's size steps are those of hong2016 (<= 1.4 mm, < 8 mm); "
    "the trial's small screw (1.5 x 8 mm) is above both, so the model sees no contrast",
)
def test_held_out_screw_size_contrast_on_the_buccal_shelf() -> None:
    """Not calibrated on (bmc2022_mbs_rct): 1.5 x 8 mm 75 % vs 2.0 x 10 mm 91.3 % stable,
    OR 3.5; 95 % CI about 1.5-8.3 assuming about 92 screws per arm [E]."""
    small = p(facts(SHELF, diameter_mm=1.5, length_mm=8.0, min_root_clearance_mm=None))
    large = p(facts(SHELF, diameter_mm=2.0, length_mm=10.0, min_root_clearance_mm=None))
    odds_ratio = (small / (1 - small)) / (large / (1 - large))
    assert 1.5 <= odds_ratio <= 8.3


def test_held_out_maxillary_root_contact_odds_ratio_cbct2025() -> None:
    """Not calibrated on (root_proximity_cbct2025): of 47 buccal U5-U6 screws, 52.4 % of those
    with root proximity on CBCT loosened within a month and none without. Every split of the
    47 screws that gives 52.4 % yields a Haldane-corrected OR whose 95 % Woolf interval must
    hold the model's maxillary contact OR (Kuroda 2007 against Mohammed 2018's rate)."""
    model_or = (lambda a, b: (a / (1 - a)) / (b / (1 - b)))(
        p(facts(U56, min_root_clearance_mm=0.0)), p(facts(U56, min_root_clearance_mm=2.0))
    )
    splits = [(k, n) for n in range(1, 48) for k in range(n + 1) if round(100 * k / n, 1) == 52.4]
    assert splits == [(11, 21), (22, 42)]
    for k, n in splits:
        a, b, c, d = k + 0.5, n - k + 0.5, 0.5, 47 - n + 0.5
        log_or, se = math.log((a / b) / (c / d)), math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        assert math.exp(log_or - 1.96 * se) <= model_or <= math.exp(log_or + 1.96 * se), (k, n)


def test_data_file_errors_name_the_field() -> None:
    text = _data_path().read_text(encoding="utf-8")
    with pytest.raises(RiskDataError, match=r"factors\.smoker: .*ci"):
        parse_risk_data(text.replace("ci: [1.0, 4.5]", "ci: [2.5, 4.5]"))
    with pytest.raises(RiskDataError, match="not in the registry: nosuchpaper"):
        parse_risk_data(text.replace("source: kuroda2007", "source: nosuchpaper", 1))
