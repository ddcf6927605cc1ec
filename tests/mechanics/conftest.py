"""Fixtures for the mechanics tests."""

from __future__ import annotations

import pytest
from mech_helpers import upright_tooth

from tadplan.anatomy.landmarks import ToothLandmarks


@pytest.fixture
def tooth11() -> dict[int, ToothLandmarks]:
    return {11: upright_tooth(11)}
