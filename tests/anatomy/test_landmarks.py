"""The average dentition's landmarks: frame, geometry, cited sizes and norms."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.anatomy import Customisation, average_landmarks
from tadplan.anatomy.dentition import arch_value, size_of
from tadplan.case import fdi
from tadplan.examples import load_example

# literature.md section 3 (Wheeler Table 1-1): crown, root, MD, MD-cervix, BL, BL-cervix.
# Root of U6/U7 = mean of the buccal and lingual root lengths given there.
WHEELER = {
    ("maxilla", 1): (10.5, 13.0, 8.5, 7.0, 7.0, 6.0),
    ("maxilla", 2): (9.0, 13.0, 6.5, 5.0, 6.0, 5.0),
    ("maxilla", 3): (10.0, 17.0, 7.5, 5.5, 8.0, 7.0),
    ("maxilla", 4): (8.5, 14.0, 7.0, 5.0, 9.0, 8.0),
    ("maxilla", 5): (8.5, 14.0, 7.0, 5.0, 9.0, 8.0),
    ("maxilla", 6): (7.5, 12.5, 10.0, 8.0, 11.0, 10.0),
    ("maxilla", 7): (7.0, 11.5, 9.0, 7.0, 11.0, 10.0),
    ("mandible", 1): (9.0, 12.5, 5.0, 3.5, 6.0, 5.3),
    ("mandible", 2): (9.5, 14.0, 5.5, 4.0, 6.5, 5.8),
    ("mandible", 3): (11.0, 16.0, 7.0, 5.5, 7.5, 7.0),
    ("mandible", 4): (8.5, 14.0, 7.0, 5.0, 7.5, 6.5),
    ("mandible", 5): (8.0, 14.5, 7.0, 5.0, 8.0, 7.0),
    ("mandible", 6): (7.5, 14.0, 11.0, 9.0, 10.5, 9.0),
    ("mandible", 7): (7.0, 13.0, 10.5, 8.0, 10.0, 9.0),
}
ROOTS = {
    ("maxilla", 4): 2,
    ("maxilla", 6): 3,
    ("maxilla", 7): 3,
    ("mandible", 6): 2,
    ("mandible", 7): 2,
}


@pytest.fixture(scope="module")
def lm():
    return average_landmarks()


def test_all_permanent_teeth_without_a_case(lm):
    assert sorted(lm) == sorted(fdi.PERMANENT)


@pytest.mark.parametrize(("key", "row"), list(WHEELER.items()))
def test_sizes_are_the_cited_wheeler_values(key, row):
    jaw, pos = key
    s = size_of((11 if jaw == "maxilla" else 31) + pos - 1)
    got = (
        s.crown_length_mm,
        s.root_length_mm,
        s.md_crown_mm,
        s.md_cervix_mm,
        s.bl_crown_mm,
        s.bl_cervix_mm,
    )
    assert got == pytest.approx(row)
    assert s.n_roots == ROOTS.get(key, 1)
    assert all(c.source == "wheeler_table_1_1" for _, c in s.citations)


def test_frames_are_orthonormal_and_point_the_right_way(lm):
    for t, tl in lm.items():
        for v in (tl.axis, tl.mesial, tl.buccal):
            assert np.linalg.norm(v) == pytest.approx(1.0)
        assert abs(tl.axis @ tl.mesial) < 1e-9 and abs(tl.axis @ tl.buccal) < 1e-9
        assert abs(tl.mesial @ tl.buccal) < 1e-9
        up = 1 if fdi.arch(t) == "maxilla" else -1
        assert up * tl.axis[2] > 0.85  # roots point to the cranium / down into the mandible
        assert up * (tl.apex_mm[2] - tl.cej_mm[2]) > 8
        # mesial points towards the midline, buccal out of the arch
        x = tl.crown_centre_mm[0]
        m = fdi.mesial_neighbour(t)
        assert m is not None
        assert tl.mesial @ (lm[m].crown_centre_mm - tl.crown_centre_mm) > 0
        assert tl.buccal @ np.array([x, tl.crown_centre_mm[1] + 25, 0]) > 0
        # bracket on the facial surface, crest apical to the CEJ
        assert (tl.bracket_mm - tl.crown_centre_mm) @ tl.buccal > 2
        assert tl.alveolar_crest_mm is not None
        assert (tl.alveolar_crest_mm - tl.cej_mm) @ tl.axis == pytest.approx(
            arch_value("periodontium", "crest_below_cej_mm").value
        )


def test_patient_frame_origin_and_symmetry(lm):
    # upper incisal point at the origin, on the occlusal plane
    tip11 = lm[11].cej_mm - lm[11].axis * lm[11].crown_length_mm
    tip21 = lm[21].cej_mm - lm[21].axis * lm[21].crown_length_mm
    assert tip11[0] < 0 < tip21[0] and tip11[2] == pytest.approx(0)
    mid = (tip11 + tip21) / 2
    assert abs(mid[0]) < 1e-9 and abs(mid[1]) < 1.5
    for q_r, q_l in ((1, 2), (4, 3)):
        for p in range(1, 9):
            a, b = lm[10 * q_r + p], lm[10 * q_l + p]
            mirror = np.array([-1.0, 1.0, 1.0])
            np.testing.assert_allclose(a.apex_mm * mirror, b.apex_mm, atol=1e-9)
            np.testing.assert_allclose(a.axis * mirror, b.axis, atol=1e-9)


def test_teeth_stand_in_contact_on_the_arch(lm):
    for q in (1, 2, 3, 4):
        for p in range(1, 7):
            a, b = 10 * q + p, 10 * q + p + 1
            tip = {t: lm[t].cej_mm - lm[t].axis * lm[t].crown_length_mm for t in (a, b)}
            gap = np.linalg.norm(tip[a] - tip[b])
            half = (size_of(a).md_crown_mm + size_of(b).md_crown_mm) / 2
            assert 0.93 * half < gap <= half + 1e-6  # chord of an arc of that length


def test_first_molar_width_is_the_cited_width():
    lm = average_landmarks()
    for jaw, (r, left) in (("maxilla", (16, 26)), ("mandible", (46, 36))):
        tip = {t: lm[t].cej_mm - lm[t].axis * lm[t].crown_length_mm for t in (r, left)}
        width = arch_value("arch_form", "first_molar_width_mm", jaw).value
        assert tip[left][0] - tip[r][0] == pytest.approx(width, abs=0.05)


def test_angulation_and_inclination_signs(lm):
    def apex_mesial_mm(t, m):
        towards_mesial = lm[m].crown_centre_mm - lm[t].crown_centre_mm
        towards_mesial[2] = 0
        return (lm[t].apex_mm - lm[t].cej_mm) @ towards_mesial / np.linalg.norm(towards_mesial)

    # Tong 2012 whole-tooth angulation: upper canine 11 deg, its apex well distal to the CEJ;
    # upper first molar just above 0; upper second molar -6 deg, its apex mesial
    for t, m in ((13, 12), (23, 22)):
        assert apex_mesial_mm(t, m) < -2.5
    assert -1.0 < apex_mesial_mm(16, 15) < 0.5
    assert apex_mesial_mm(17, 16) > 0.5
    # upper incisors proclined: apex palatal to the incisal edge
    assert lm[11].apex_mm[1] < lm[11].cej_mm[1] - 3
    # lower molars: crowns lingually inclined, roots buccal (curve of Wilson)
    assert lm[36].apex_mm[0] > lm[36].cej_mm[0] + 1
    assert lm[46].apex_mm[0] < lm[46].cej_mm[0] - 1
    # mandibular arch sits behind the maxillary one by the overjet
    assert lm[31].crown_centre_mm[1] < lm[11].crown_centre_mm[1]


def test_case_removes_absent_teeth():
    case = load_example("01a_agenesis_bilateral_protraction")
    absent = {t for t in fdi.PERMANENT if t not in case.dentition.present_teeth()}
    assert absent, "example should have absent teeth"
    lm = average_landmarks(case)
    assert not absent & set(lm)
    full = average_landmarks()
    for t in lm:  # spaces are not closed: the others keep their positions
        np.testing.assert_allclose(lm[t].apex_mm, full[t].apex_mm)


def test_customisation_scales_and_tips():
    base = average_landmarks()
    wide = average_landmarks(custom=Customisation(arch_width_scale=1.1))
    assert abs(wide[26].cej_mm[0]) > abs(base[26].cej_mm[0]) + 1.5
    big = average_landmarks(custom=Customisation(tooth_size_scale=1.1))
    assert big[11].root_length_mm == pytest.approx(base[11].root_length_mm * 1.1)
    tipped = average_landmarks(custom=Customisation(tip_deg={16: 10.0}))
    ang = np.degrees(np.arccos(np.clip(tipped[16].axis @ base[16].axis, -1, 1)))
    assert ang == pytest.approx(10.0, abs=1.5)
    with pytest.raises(ValueError, match="arch_width_scale"):
        average_landmarks(custom=Customisation(arch_width_scale=3))
    with pytest.raises(ValueError, match="tip_deg"):
        average_landmarks(custom=Customisation(tip_deg={16: 80.0}))
