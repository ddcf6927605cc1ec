"""The anchorage planner: ``plan(case) -> Plan``.

Pipeline (:mod:`tadplan.planner.pipeline`): propose designs from the knowledge base's rules
(:mod:`~tadplan.planner.propose`) -> combine goals and share implants
(:mod:`~tadplan.planner.combine`) -> rank by explicit criteria (:mod:`~tadplan.planner.rank`)
-> fill citations. The plan's JSON contract is :mod:`tadplan.model`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tadplan.case.model import Case
    from tadplan.knowledge import Knowledge
    from tadplan.model import Plan


def plan(case: Case, knowledge: Knowledge | None = None) -> Plan:
    """Ranked anchorage designs for every goal of ``case`` (see :mod:`.pipeline`)."""
    from tadplan.planner.pipeline import plan as _plan

    return _plan(case, knowledge)


__all__ = ["plan"]
