"""Property tests: moments transform correctly between points and frames."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from tadplan.anatomy.landmarks import ToothLandmarks
from tadplan.mechanics import make_unit
from tadplan.mechanics.geometry import moment_about, transfer_moment

coord = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
vec = st.tuples(coord, coord, coord).map(np.array)
quat = st.tuples(*[st.floats(-1, 1, allow_nan=False)] * 4).filter(
    lambda q: sum(x * x for x in q) > 0.1
)


@settings(max_examples=200, deadline=None)
@given(vec, vec, vec, vec)
def test_moment_about_another_point(p, q, a, f):
    """M_q = M_p + (p - q) x F for a force F at a."""
    assert np.allclose(
        moment_about(q, a, f), transfer_moment(moment_about(p, a, f), f, p, q), atol=1e-6
    )


@settings(max_examples=200, deadline=None)
@given(vec, vec, vec, quat, vec)
def test_moments_rotate_with_the_frame(p, a, f, q, shift):
    """Computing r x F in a rotated, shifted frame equals rotating the moment: moments are
    free vectors under rigid motions (R(r x F) = Rr x RF)."""
    r = Rotation.from_quat(np.array(q)).as_matrix()
    m = moment_about(p, a, f)
    m_moved = moment_about(r @ p + shift, r @ a + shift, r @ f)
    assert np.allclose(r @ m, m_moved, atol=1e-6)


def _tooth(r: np.ndarray, shift: np.ndarray) -> dict[int, ToothLandmarks]:
    axis, mesial, buccal = r @ [0, 0, 1.0], r @ [1.0, 0, 0], r @ [0, 1.0, 0]
    p0 = shift
    cej = p0 + 10 * axis
    centre = p0 + 5 * axis
    return {
        11: ToothLandmarks(
            fdi=11,
            crown_centre_mm=centre,
            bracket_mm=centre + 4 * buccal,
            cej_mm=cej,
            apex_mm=cej + 13 * axis,
            axis=axis,
            mesial=mesial,
            buccal=buccal,
            crown_length_mm=10.0,
            root_length_mm=13.0,
            n_roots=1,
            alveolar_crest_mm=cej + 1.5 * axis,
        )
    }


@settings(max_examples=100, deadline=None)
@given(quat, vec, vec)
def test_local_components_do_not_depend_on_where_the_tooth_stands(q, shift, f_local):
    """The same tooth anywhere, turned any way: a force given in its local frame has the same
    local components and the same local moment about the CR."""
    r = Rotation.from_quat(np.array(q)).as_matrix()
    ref = make_unit([11], _tooth(np.eye(3), np.zeros(3)))
    moved = make_unit([11], _tooth(r, shift))
    f_ref = ref.rotation().T @ f_local
    f_mov = moved.rotation().T @ f_local
    assert np.allclose(ref.local(f_ref), moved.local(f_mov), atol=1e-6)
    m_ref = ref.local(moment_about(ref.cr_mm, ref.attachment_mm, f_ref))
    m_mov = moved.local(moment_about(moved.cr_mm, moved.attachment_mm, f_mov))
    assert np.allclose(m_ref, m_mov, atol=1e-6)


def test_a_half_arch_is_described_in_the_patients_planes() -> None:
    """A segment from the central incisor to the second molar on one side turns the corner of
    the arch: its movement is named in the patient's planes (buccal = outward, mesial =
    forward), so a push straight outward (a MARPE) is 'buccal', not part 'distal'. A straight
    buccal segment keeps its own frame, which is close to the same."""
    from tadplan.anatomy.dentition import average_landmarks
    from tadplan.examples import load_example

    lms = average_landmarks(load_example("demo"))
    right = make_unit([17, 16, 15, 14, 13, 12, 11], lms)
    left = make_unit([21, 22, 23, 24, 25, 26, 27], lms)
    assert right.buccal[0] < -0.95 and left.buccal[0] > 0.95
    assert right.mesial[1] > 0.95 and left.mesial[1] > 0.95
    molars = make_unit([14, 15, 16, 17], lms)
    assert molars.buccal[0] < -0.8 and molars.mesial[1] > 0.8
