"""Fixtures for planner tests (helpers live in planner_helpers.py)."""

from __future__ import annotations

import pytest
from planner_helpers import plan_of

from tadplan.examples import example_paths
from tadplan.model import Plan


@pytest.fixture(scope="session")
def all_plans() -> dict[str, Plan]:
    return {name: plan_of(name) for name in example_paths()}
