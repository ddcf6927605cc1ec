"""Modules are reactivated at visits, as clinicians do (issue 4, fix 2)."""

from __future__ import annotations

import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design, format_force_system
from tadplan.mechanics.modules import appointment_days

CASE = load_example("10_molar_mesialisation")
LM = average_landmarks(CASE)


def _protraction(kind: str, force_g: float):
    d = design(
        [("i1", SiteRef(between=(44, 45), surface="buccal"))],
        [dict(id="c", kind=kind, from_implant="i1", teeth=[47], force_g=force_g)],
        goal_ids=["mesialise"],
    )
    fs = analyse_design(CASE, d, LM)
    return fs, fs.connections[0]


def test_a_chain_is_replaced_at_visits_and_works_below_range_between_them():
    fs, c = _protraction("elastic_chain", 175.0)
    curve = c.curve
    assert curve is not None and c.dose is not None
    visit = appointment_days()
    assert curve.appointment_interval_days == visit
    duration = curve.t_days[-1]
    # one reactivation per visit at most, never every few hours
    assert len(curve.reactivation_days) <= duration / visit
    assert all(d / visit == pytest.approx(round(d / visit)) for d in curve.reactivation_days)
    assert len(curve.t_days) < 1000
    # falls below the range within hours, then works at a lower force until the next visit
    assert curve.reactivation_interval_days is not None
    assert curve.reactivation_interval_days < 1.0
    assert curve.works_at_g is not None and 0 < curve.works_at_g < curve.useful_min_g
    text = format_force_system(fs)
    assert f"below {curve.useful_min_g:.0f} g after" in text
    assert f"works at about {curve.works_at_g:.0f} g until the next visit" in text


def test_a_niti_spring_in_range_needs_no_reactivation_between_visits():
    _, c = _protraction("niti_tension_spring", 175.0)
    curve = c.curve
    assert curve is not None
    assert curve.works_at_g is None and not curve.starts_below_range
    assert min(curve.force_g) >= curve.useful_min_g - 1e-6


def test_a_module_that_starts_below_the_range_is_reported_so():
    fs, c = _protraction("niti_tension_spring", 100.0)
    assert c.dose is not None and c.dose.status == "below"
    curve = c.curve
    assert curve is not None
    assert curve.starts_below_range
    assert curve.reactivation_interval_days is None  # no threshold it could fall below
    assert curve.force_g[0] < curve.useful_min_g
    assert "already below the useful" in format_force_system(fs)
