"""Lines of action (issue 10): power arms for translation, guided springs, lever arms,
protraction from the palate, friction at the bracket."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.mechanics import power_arm_for_translation
from tadplan.mechanics.geometry import moment_about

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
