"""Lines of action (issue 10): the power-arm length that translates a unit, friction in the
bracket slot, the hook height of a connection."""

from __future__ import annotations

import numpy as np
import pytest
from mech_helpers import design

from tadplan.anatomy import average_landmarks
from tadplan.case.model import SiteRef
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design, make_unit, power_arm_for_translation
from tadplan.mechanics.geometry import moment_about
from tadplan.mechanics.modules import G_TO_N

CR = np.array([0.0, 0.0, 10.0])
BRACKET = np.array([0.0, 4.0, 0.0])
AXIS = np.array([0.0, 0.0, 1.0])
TRANSVERSE = np.array([1.0, 0.0, 0.0])  # the tipping axis of a sagittal pull


def _moment_with_arm(h: float, head: np.ndarray) -> float:
    tip = BRACKET + AXIS * h
    force = (head - tip) / np.linalg.norm(head - tip)
    return float(np.dot(moment_about(CR, tip, force), TRANSVERSE))


@pytest.mark.parametrize("head_z", [2.0, 6.0, 10.0, 14.0])
def test_power_arm_for_translation_puts_the_pull_through_the_cr(head_z: float) -> None:
    head = np.array([0.0, -25.0, head_z])
    h = power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE)
    assert h is not None
    assert abs(_moment_with_arm(h, head)) < 1e-9
    # the pull from the head through the arm tip passes through the CR
    tip = BRACKET + AXIS * h
    d = (head - tip) / np.linalg.norm(head - tip)
    off = (CR - tip) - np.dot(CR - tip, d) * d
    assert np.linalg.norm(off[1:]) < 1e-9


def test_a_pull_parallel_to_the_occlusal_plane_needs_an_arm_to_the_cr_height() -> None:
    head = np.array([0.0, -25.0, 10.0])  # implant head at the height of the CR
    h = power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE)
    assert h == pytest.approx(10.0)


def test_shorter_and_longer_arms_tip_the_opposite_ways() -> None:
    head = np.array([0.0, -25.0, 8.0])
    h = power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE)
    assert h is not None
    short, long_ = _moment_with_arm(h - 3.0, head), _moment_with_arm(h + 3.0, head)
    assert short * long_ < 0  # a longer arm than the translation length reverses the moment
    # a short arm tips the crown (below the CR) towards the implant (-y)
    crown = BRACKET - CR
    assert np.cross(np.array([short, 0, 0]), crown)[1] < 0  # crown moves to the implant


def test_a_head_on_the_long_axis_through_the_cr_has_no_translation_length() -> None:
    head = CR + AXIS * 20.0  # every line from it through the CR runs along the arm
    assert power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE) is None


def test_with_friction_in_the_slot_the_arm_still_cancels_the_moment() -> None:
    """Sliding mechanics: friction acts in the bracket slot against the sliding; the length
    returned cancels the moment of the pull and of the friction together."""
    head = np.array([0.0, -25.0, 8.0])
    back = np.array([0.0, -1.0, 0.0])  # retraction: the bracket slides posteriorly
    fr = 0.34
    h = power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE, back, fr)
    h0 = power_arm_for_translation(CR, BRACKET, AXIS, head, TRANSVERSE)
    assert h is not None and h0 is not None
    tip = BRACKET + AXIS * h
    pull = (head - tip) / np.linalg.norm(head - tip)
    friction = -fr * float(np.dot(pull, back)) * back
    m = moment_about(CR, tip, pull) + moment_about(CR, BRACKET, friction)
    assert abs(float(np.dot(m, TRANSVERSE))) < 1e-9
    # friction pushes the slot (below the CR) forward, against the pull: it tips the crown
    # forward, so a shorter arm already translates
    assert h < h0


# ---------------------------------------------------------------- on a real dentition

PROTRACT = load_example("10c_maxillary_molar_protraction")  # 26 27, brackets, 34 % friction
PROTRACT_LM = average_landmarks(PROTRACT)


def _pull(height_mm: float | None, **extra: object):  # type: ignore[no-untyped-def]
    conn = dict(
        id="s",
        kind="niti_tension_spring",
        from_implant="i1",
        teeth=[26],
        force_g=150,
        attachment="hook on the molar tube",
        attachment_height_mm=height_mm,
        **extra,
    )
    d = design([("i1", SiteRef(between=(23, 24), surface="buccal"))], [conn], ["protract-left"])
    return analyse_design(PROTRACT, d, PROTRACT_LM)


def test_friction_acts_in_the_slot_not_at_the_tip_of_the_arm() -> None:
    fs = _pull(8.0)
    (cf,) = fs.connections
    assert cf.friction_loss_fraction > 0 and cf.attachment_height_mm == 8.0
    lm = PROTRACT_LM[26]
    unit = make_unit([26, 27], PROTRACT_LM)
    tip = lm.bracket_mm + lm.axis * 8.0
    pull = np.asarray(cf.direction) * cf.applied_g * G_TO_N
    delivered = np.asarray(cf.system.force_n)
    friction = delivered - pull  # what the slot takes off, along the wire
    expected = np.cross(tip - unit.cr_mm, pull) + np.cross(lm.bracket_mm - unit.cr_mm, friction)
    assert np.allclose(cf.system.moment_about_cr_nmm, expected, atol=1e-6)
    at_tip = np.cross(tip - unit.cr_mm, delivered)
    assert not np.allclose(cf.system.moment_about_cr_nmm, at_tip, atol=1e-3)


def test_a_hook_at_the_translation_height_translates_the_molars() -> None:
    h = _pull(0.0).connections[0].translation_height_mm
    assert h is not None and 0 < h < 12
    fitted = _pull(h).connections[0]
    assert fitted.translation_height_mm == pytest.approx(h, abs=1e-6)  # same head, same CR
    u = fitted.system
    assert u.movement.value == "translation"
    # shorter: the crown tips mesially (towards the implant); longer: the root leads
    short, long_ = _pull(max(h - 3, 0.0)).connections[0], _pull(h + 3).connections[0]
    # (the tipping axis of the tooth and of the two-molar unit differ by a few degrees)
    tip_moment = abs(short.system.moment_components.about_buccal_nmm)
    assert abs(u.moment_components.about_buccal_nmm) < 0.05 * tip_moment
    assert "mesial crown tipping" in " ".join(short.system.effects)
    assert "mesial root movement" in " ".join(long_.system.effects)
