"""Every implant the planner places points into its jaw's bone (issue 4, fix 3); the check over
every bundled example runs in test_mech_data_and_examples (one plan per example)."""

from __future__ import annotations

import numpy as np
import pytest

from tadplan.anatomy import average_landmarks
from tadplan.examples import load_example


def test_an_edentulous_ridge_implant_sits_in_the_gap_and_points_into_the_mandible():
    """09: 36 is missing; the ridge implant for uprighting 37 stands between 35 and 37."""
    from tadplan.anatomy.regions import region_insertion
    from tadplan.case.model import SiteRef

    case = load_example("09_molar_uprighting")
    lm = average_landmarks(case)
    ins = region_insertion(case, SiteRef(region="edentulous_ridge", side="left", arch="mandible"))
    assert ins.axis == pytest.approx((0.0, 0.0, -1.0))
    head = np.asarray(ins.head_position_mm)
    y35, y37 = lm[35].cej_mm[1], lm[37].cej_mm[1]
    assert min(y35, y37) < head[1] < max(y35, y37)
    assert head[0] > 0  # patient's left
