"""Verification catalogue: force systems with closed-form answers."""

from __future__ import annotations

import numpy as np
import pytest
from mech_helpers import upright_tooth

from tadplan.mechanics import (
    make_unit,
    mechanics_data,
    share_load,
    tooth_cr,
    unit_force_system,
)
from tadplan.mechanics.modules import G_TO_N
from tadplan.mechanics.text import cr_words
from tadplan.model import MovementType

N = G_TO_N


def test_single_rooted_cr_is_the_cited_fraction_of_the_embedded_root(tooth11):
    lm = tooth11[11]
    cr, basis = tooth_cr(lm)
    note = cr_words(basis)
    frac = mechanics_data().centres.single_rooted.fraction_of_embedded_root_from_crest.value
    # crest at CEJ + 1.5, apex at CEJ + 13: embedded 11.5 mm
    assert cr == pytest.approx(lm.cej_mm + np.array([0, 0, 1.5 + frac * 11.5]))
    assert "yoshida2001" in note


def test_multi_rooted_cr_is_at_the_furcation():
    lm = upright_tooth(16, n_roots=3, crown_mm=7.5, root_mm=12.0)
    cr, basis = tooth_cr(lm)
    note = cr_words(basis)
    m = mechanics_data().centres.multi_rooted
    depth = m.furcation_depth_mm["maxilla_6"].value + m.cr_apical_to_furcation_mm.value
    assert cr == pytest.approx(lm.cej_mm + np.array([0, 0, depth]))
    assert "furcation" in note


def test_force_through_the_cr_translates_with_zero_moment(tooth11):
    unit = make_unit([11], tooth11)
    f = np.array([0.0, -1.0, 0.0])  # lingual, 1 N
    s = unit_force_system(unit, [(unit.cr_mm, f)])
    assert s.movement == MovementType.translation
    assert np.linalg.norm(s.moment_about_cr_nmm) == pytest.approx(0.0, abs=1e-12)
    assert s.force_g == pytest.approx(1.0 / N)
    assert s.components.buccal_g == pytest.approx(-1.0 / N)


def test_a_couple_gives_pure_rotation(tooth11):
    unit = make_unit([11], tooth11)
    f = np.array([1.0, 0.0, 0.0])
    p = unit.attachment_mm
    s = unit_force_system(unit, [(p, f), (p + np.array([0, 0, 3.0]), -f)])
    assert s.movement == MovementType.rotation
    assert s.force_g == pytest.approx(0.0, abs=1e-9)
    # the moment of a couple is the same about every point: 3 mm x 1 N
    assert np.linalg.norm(s.moment_about_cr_nmm) == pytest.approx(3.0)


def test_translation_needs_m_over_f_equal_to_the_bracket_to_cr_distance(tooth11):
    unit = make_unit([11], tooth11)
    f = np.array([0.0, -1.5, 0.0])  # lingual force at the bracket
    b = unit.attachment_mm
    couple = -np.cross(b - unit.cr_mm, f)  # the couple that cancels its tipping moment
    s = unit_force_system(unit, [(b, f)], couple_nmm=couple)
    distance = np.linalg.norm(
        (b - unit.cr_mm) - np.dot(b - unit.cr_mm, [0, 1, 0]) * np.array([0, 1, 0])
    )
    assert s.movement == MovementType.translation
    assert s.moment_to_force_mm == pytest.approx(distance)
    assert s.lever_mm == pytest.approx(distance)
    assert np.linalg.norm(s.moment_about_cr_nmm) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("share", "kind"),
    [
        (0.0, MovementType.uncontrolled_tipping),
        (0.65, MovementType.controlled_tipping),
        (1.0, MovementType.translation),
        (1.4, MovementType.root_movement),
    ],
)
def test_m_over_f_orders_the_kinds_of_movement(tooth11, share, kind):
    unit = make_unit([11], tooth11)
    f = np.array([0.0, -1.0, 0.0])
    b = unit.attachment_mm
    couple = -share * np.cross(b - unit.cr_mm, f)
    s = unit_force_system(unit, [(b, f)], couple_nmm=couple)
    assert s.movement == kind
    assert s.moment_to_force_mm == pytest.approx(share * s.lever_mm)


def test_a_lingual_force_at_the_bracket_tips_the_crown_lingually(tooth11):
    unit = make_unit([11], tooth11)
    s = unit_force_system(unit, [(unit.attachment_mm, np.array([0.0, -1.0, 0.0]))])
    assert s.movement == MovementType.uncontrolled_tipping
    assert any("palatal crown tipping" in e for e in s.effects)


def test_several_forces_sum_to_the_resultant_and_its_moment():
    teeth = {11: upright_tooth(11), 21: upright_tooth(21, at=(8.0, 0, 0))}
    unit = make_unit([11, 21], teeth)
    loads = [
        (teeth[11].bracket_mm, np.array([0, -1.0, 0.5])),
        (teeth[21].bracket_mm, np.array([0.2, -1.0, 0.0])),
    ]
    s = unit_force_system(unit, loads)
    f = sum(ld[1] for ld in loads)
    m = sum(np.cross(p - unit.cr_mm, fv) for p, fv in loads)
    assert s.force_n == pytest.approx(tuple(f))
    assert s.moment_about_cr_nmm == pytest.approx(tuple(m))


def test_equal_and_opposite_forces_on_a_rigid_anchorage_load_no_implant():
    heads = [np.array([0.0, -10.0, 15.0]), np.array([6.0, -10.0, 15.0])]
    shares = share_load(heads, np.zeros(3), np.zeros(3), np.array([0, -8.0, 12.0]))
    for f, m in shares:
        assert np.linalg.norm(f) == pytest.approx(0.0, abs=1e-12)
        assert np.linalg.norm(m) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_implant_reactions_balance_the_anchorage_load(n):
    rng = np.random.default_rng(n)
    heads = [rng.normal(size=3) * 8 for _ in range(n)]
    about = np.array([1.0, -5.0, 10.0])
    f, m = rng.normal(size=3), rng.normal(size=3) * 10
    shares = share_load(heads, f, m, about)
    assert sum(s[0] for s in shares) == pytest.approx(f)
    total_m = sum(np.cross(h - about, s[0]) + s[1] for h, s in zip(heads, shares, strict=True))
    assert total_m == pytest.approx(m)


def test_one_implant_takes_the_moment_that_two_share_as_forces():
    about = np.array([0.0, 0.0, 0.0])
    f = np.array([0.0, 1.0, 0.0])
    m = np.array([0.0, 0.0, 20.0])  # about the implants' axes (+z)
    ((_f1, m1),) = share_load([np.array([0.0, 0.0, 10.0])], f, m, about)
    assert m1[2] == pytest.approx(20.0)
    two = share_load([np.array([-5.0, 0.0, 10.0]), np.array([5.0, 0.0, 10.0])], f, m, about)
    for _, mi in two:
        assert abs(mi[2]) < 0.01
    assert two[0][0][1] - two[1][0][1] == pytest.approx(-4.0, rel=1e-3)  # couple 20 / 5 mm
