"""Helpers for planner tests: plans of the bundled examples, computed once (in-process)."""

from __future__ import annotations

from functools import cache

from tadplan.examples import load_example
from tadplan.model import Design, Plan
from tadplan.planner import plan
from tadplan.planner.text import activation_steps


@cache
def plan_of(name: str) -> Plan:
    return plan(load_example(name))


def designs(p: Plan, goal_id: str) -> list[Design]:
    for gp in p.goals:
        if gp.goal.id == goal_id:
            return gp.designs
    raise KeyError(goal_id)


def by_rule(p: Plan, goal_id: str, rule_id: str) -> Design:
    found = [d for d in designs(p, goal_id) if d.rule_id == rule_id]
    assert found, f"rule {rule_id} proposed no design for goal {goal_id}"
    return found[0]


def texts(d: Design) -> str:
    """Everything a clinician reads about a design, lower-case."""
    parts = [
        d.title,
        *activation_steps(d),
        *d.prerequisites,
        *d.alternatives,
        *(w.text for w in d.warnings),
        *(i.purpose for i in d.implants),
    ]
    return " ".join(parts).lower()
