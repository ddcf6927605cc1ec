"""Force modules against their source data."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.mechanics import (
    ForceModule,
    ModuleKind,
    chain_decay_fit,
    fit_module,
    force_at,
    mechanics_data,
    reactivation_interval_days,
    sample_curve,
)
from tadplan.mechanics.modules import G_TO_N, ModuleError, appointment_days

D = mechanics_data()


def test_chain_decay_fit_lies_inside_every_published_band():
    fit = chain_decay_fit()
    for t, _, low, high in fit.points:
        assert low <= fit.remaining(t) <= high, t
    assert 0 < fit.a < 1
    assert fit.rms_residual < 0.1  # the points scatter by about +/- 0.15; the fit is tighter


def test_chain_loses_most_of_its_decay_in_the_first_day():
    fit = chain_decay_fit()
    lost_day1 = 1 - fit.remaining(1.0)
    lost_day21 = 1 - fit.remaining(21.0)
    assert lost_day1 > 0.95 * lost_day21  # Buchmann 2012: 24 h -> 21 d not significant


def test_chain_initial_force_matches_buchmann_means():
    for p in D.modules.elastomeric_chain.initial_force_n:
        m = ForceModule(kind=ModuleKind.elastomeric_chain, length_mm=10.0)
        assert force_at(m, p.strain * 10.0, 0.0) * G_TO_N == pytest.approx(p.value)


def test_chain_beyond_the_measured_strain_is_refused():
    m = ForceModule(kind=ModuleKind.elastomeric_chain, length_mm=10.0)
    with pytest.raises(ModuleError, match="strain"):
        force_at(m, 15.0, 0.0)


def test_latex_elastic_relaxes_a_quarter_in_a_day_mostly_within_hours():
    m, act = fit_module(ModuleKind.latex_elastic, 200.0, span_mm=30.0)
    f0 = force_at(m, act, 0.0)
    assert f0 == pytest.approx(200.0)  # rated force at 3x the lumen
    assert force_at(m, act, 1.0) == pytest.approx(150.0, rel=1e-3)
    lost_5h = f0 - force_at(m, act, 5 / 24)
    assert lost_5h > 0.9 * (f0 - force_at(m, act, 1.0))


def test_niti_closed_coil_has_a_plateau_over_its_superelastic_range():
    c = D.modules.niti_closed_coil
    m = ForceModule(kind=ModuleKind.niti_closed_coil, nominal_g=150.0)
    onset = c.superelastic_onset_fraction_of_niti_length.value * c.default_niti_length_mm.value
    acts = np.linspace(onset, c.max_activation_mm.value, 7)
    assert [force_at(m, a) for a in acts] == pytest.approx([150.0] * 7)
    assert force_at(m, onset / 2) == pytest.approx(75.0)
    assert force_at(m, acts[0], 60.0) == force_at(m, acts[0], 0.0)  # no decay with time
    with pytest.raises(ModuleError, match="permanent deformation"):
        force_at(m, c.max_activation_mm.value + 1)


def test_open_coils_follow_their_load_deflection_rate():
    niti = ForceModule(kind=ModuleKind.niti_open_coil, nominal_g=200.0, length_mm=20.0)
    k = D.modules.niti_open_coil.load_deflection_g_per_mm.value
    assert force_at(niti, 2.0) == pytest.approx(2 * k)
    ss = ForceModule(kind=ModuleKind.ss_open_coil, length_mm=10.0)
    kss = D.modules.ss_open_coil.load_deflection_g_per_mm.value
    assert force_at(ss, 1.0) == pytest.approx(kss)
    # stainless steel loses its force with a small deactivation; NiTi hardly does
    assert force_at(ss, 1.0) - force_at(ss, 0.5) > 5 * (force_at(niti, 1.0) - force_at(niti, 0.5))


def test_passive_modules_deliver_no_force():
    assert force_at(ForceModule(kind=ModuleKind.ligature), 3.0, 10.0) == 0.0
    assert reactivation_interval_days(ForceModule(kind=ModuleKind.rigid), 0.0, 50.0) is None


def test_reactivation_when_the_chain_falls_below_the_useful_range():
    m, act = fit_module(ModuleKind.elastomeric_chain, 200.0, span_mm=15.0)
    t = reactivation_interval_days(m, act, 150.0)
    assert t is not None and 0 < t < 1.0  # 200 g falls below 150 g within hours
    assert force_at(m, act, t) == pytest.approx(150.0, abs=1.0)  # found to about a minute
    visit = appointment_days()
    assert 21 <= visit <= 42  # a usual interval between visits
    curve = sample_curve(m, act, 150.0, duration_days=3.5 * visit)
    # reactivated only at visits, once each: not every few hours
    assert curve.reactivation_days == pytest.approx([visit, 2 * visit, 3 * visit])
    assert max(curve.force_g) == pytest.approx(200.0)
    assert len(curve.t_days) < 200
    # between visits it works at the decayed force
    mid = np.interp(visit / 2, curve.t_days, curve.force_g)
    assert mid == pytest.approx(force_at(m, act, visit / 2))
    assert mid < 150.0


def test_a_module_that_stays_in_range_is_reactivated_only_at_the_visit_before_it_would_not():
    m, act = fit_module(ModuleKind.niti_closed_coil, 150.0)
    per_day = 0.1
    t = reactivation_interval_days(m, act, 100.0, movement_mm_per_day=per_day)
    assert t is not None
    visit = appointment_days()
    curve = sample_curve(m, act, 100.0, duration_days=3 * visit, movement_mm_per_day=per_day)
    first = curve.reactivation_days[0]
    assert first % visit == pytest.approx(0.0)
    assert first <= t < first + visit  # the last visit before the force would fall too low
    assert min(curve.force_g) >= 100.0 - 1e-6


def test_tooth_movement_deactivates_a_niti_spring_until_it_needs_reactivation():
    m, act = fit_module(ModuleKind.niti_closed_coil, 150.0)
    assert reactivation_interval_days(m, act, 100.0, movement_mm_per_day=0.0) is None
    t = reactivation_interval_days(m, act, 100.0, movement_mm_per_day=0.1)
    c = D.modules.niti_closed_coil
    onset = c.superelastic_onset_fraction_of_niti_length.value * c.default_niti_length_mm.value
    # below the plateau the force falls linearly: 100 g at 2/3 of the onset activation
    assert t == pytest.approx((act - onset * 100 / 150) / 0.1, abs=0.3)


def test_a_niti_open_coil_that_cannot_fit_the_space_is_refused():
    k = D.modules.niti_open_coil.load_deflection_g_per_mm.value
    with pytest.raises(ModuleError, match="available"):
        fit_module(ModuleKind.niti_open_coil, 20 * k, span_mm=10.0)
    m, act = fit_module(ModuleKind.ss_open_coil, 20 * k, span_mm=10.0)
    assert force_at(m, act) == pytest.approx(20 * k)
