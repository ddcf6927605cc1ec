"""Calibration check of the failure-risk model on documented synthetic cohorts (see
``cohorts.py``): the site rates it was calibrated on are reproduced through the public API,
and published values it was *not* calibrated on are held out."""

from __future__ import annotations

import pytest
from cohorts import OLDER_BUCCAL, SITES, draw, mean_risk

from tadplan.risk import load_risk_data

N = 400


@pytest.fixture(scope="module")
def site_means() -> dict[str, float]:
    """Common random numbers: every site of a profile gets the same drawn patients and
    screws, so the sites differ only by site (no sampling noise in the ordering)."""
    return {sid: mean_risk(draw(site, prof, N, seed=7)) for sid, (site, prof) in SITES.items()}


@pytest.fixture(scope="module")
def older_cohort() -> tuple[float, float]:
    """papageorgiou2012-era buccal cohorts: maxilla 600, mandible 400 implants (the same
    drawn patients and screws: the jaws differ only by site)."""
    mx = draw(SITES["maxillary_buccal_posterior"][0], OLDER_BUCCAL, 600, seed=101)
    md = draw(SITES["mandibular_interradicular"][0], OLDER_BUCCAL, 400, seed=101)
    return mean_risk(mx), mean_risk(md)


def _odds(p: float) -> float:
    return p / (1 - p)


def test_each_site_cohort_reproduces_its_published_rate_within_its_ci(
    site_means: dict[str, float],
) -> None:
    d = load_risk_data()
    for sid, mean in site_means.items():
        b = d.baseline(sid)
        lo, hi = b.ci
        assert lo <= mean <= hi, (sid, mean, b.ci)
        assert mean == pytest.approx(b.rate, rel=0.15), (sid, mean, b.rate)


def test_site_ordering_of_mohammed2018_is_reproduced(site_means: dict[str, float]) -> None:
    """midpalatal < paramedian < parapalatal < maxillary buccal 6-5 < 3-2 < mandibular buccal
    < infrazygomatic (pooled point estimates, Prog Orthod 2018 abstract)."""
    order = [
        "midpalatal",
        "paramedian",
        "parapalatal",
        "maxillary_buccal_posterior",
        "maxillary_buccal_anterior",
        "mandibular_interradicular",
        "infrazygomatic_crest",
    ]
    means = [site_means[s] for s in order]
    assert means == sorted(means), dict(zip(order, means, strict=True))
    # chang2015's buccal shelf lies below the mandibular inter-radicular sites
    assert site_means["mandibular_buccal_shelf"] < site_means["mandibular_interradicular"]


def test_held_out_overall_rate_papageorgiou2012(older_cohort: tuple[float, float]) -> None:
    """Not calibrated on: overall failure 13.5 % (95 % CI 11.5-15.8) over 4987 screws."""
    pm, pd = older_cohort
    overall = 0.6 * pm + 0.4 * pd
    assert 0.115 <= overall <= 0.158, overall


def test_held_out_jaw_rates_alharbi2018(older_cohort: tuple[float, float]) -> None:
    """Not calibrated on: maxilla 11.0 % (8.8-13.7), mandible 16.5 % (11.6-22.7) [R2]."""
    pm, pd = older_cohort
    assert 0.088 <= pm <= 0.137, pm
    assert 0.116 <= pd <= 0.227, pd


def test_held_out_jaw_odds_ratio_scirep2020(older_cohort: tuple[float, float]) -> None:
    """Not calibrated on: maxilla vs mandible OR 0.56 (0.39-0.80) for loss of stability."""
    pm, pd = older_cohort
    assert 0.39 <= _odds(pm) / _odds(pd) <= 0.80


@pytest.mark.xfail(
    strict=True,
    reason="known deviation: the model's success OR maxilla vs mandible is about 1.595, just "
    "below hong2016's retrospective 1.60 lower bound: mohammed2018's site rates alone "
    "(9.2 % vs 13.5 %) give 1.54",
)
def test_held_out_jaw_odds_ratio_hong2016_retrospective(
    older_cohort: tuple[float, float],
) -> None:
    """Not calibrated on: success OR maxilla vs mandible 2.10 (1.60-2.74), retrospective
    studies."""
    pm, pd = older_cohort
    success_or = _odds(pd) / _odds(pm)
    assert 1.60 <= success_or <= 2.74, success_or


@pytest.mark.xfail(
    strict=True,
    reason="known deviation: hong2016's prospective subgroup (success OR 3.67, 2.10-6.44) "
    "contrasts the jaws more than the site rates of mohammed2018 allow",
)
def test_held_out_jaw_odds_ratio_hong2016_prospective(
    older_cohort: tuple[float, float],
) -> None:
    pm, pd = older_cohort
    assert 1 / 6.44 <= _odds(pm) / _odds(pd) <= 1 / 2.10


def test_held_out_infrazygomatic_rate_uribe2015(site_means: dict[str, float]) -> None:
    """Not calibrated on: 12 of 55 infrazygomatic screws failed (21.8 %; Wilson 95 % CI
    12.9-34.4 %); the model's cohort (mohammed2018's 16.4 %) lies within."""
    assert 0.129 <= site_means["infrazygomatic_crest"] <= 0.344
