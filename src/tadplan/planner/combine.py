"""Step 2 of the pipeline: combine goals into one plan and share implants.

- A design whose rule says ``also_serves`` (e.g. one palatal implant holding the incisors
  for both sides' protraction, or the retraction implants that keep the molars unloaded)
  is listed under every goal it serves.
- Implants are identified by their site: designs of different goals that use the same
  site use the same implant id (one screw, inserted once), and the implant lists all goals
  it serves. ``shared`` returns the ids that serve more than one goal.
"""

from __future__ import annotations

from tadplan.knowledge.conditions import other_goals
from tadplan.planner.propose import Draft, GoalDrafts


def serve_other_goals(goals: list[GoalDrafts]) -> None:
    """Add designs to the other goals they serve (rule ``also_serves``)."""
    for gd in goals:
        for d in list(gd.drafts):
            f = d.rule.spec.design.also_serves if d.rule.spec.design else None
            if f is None:
                continue
            for j in other_goals(gd.ctx, f):
                other = goals[j]
                if other.ctx.goal_id not in d.goal_ids:
                    d.goal_ids.append(other.ctx.goal_id)
                    other.drafts.append(d)
                    other.notes.append(
                        f"{d.title} (proposed for goal {gd.ctx.goal_id}) also serves this goal."
                    )


def assign_ids(goals: list[GoalDrafts]) -> list[str]:
    """Number designs and implants; an implant site used by several designs is one implant.

    Returns the ids of implants that serve more than one goal.
    """
    seen: list[Draft] = []
    for gd in goals:
        for d in gd.drafts:
            if all(d is not s for s in seen):
                seen.append(d)
    ids: dict[tuple[str, int, str], str] = {}
    served: dict[str, list[str]] = {}
    for n, d in enumerate(seen, start=1):
        d.id = f"d{n}"
        for imp in d.implants:
            key = (imp.site.model_dump_json(), imp.ordinal, imp.head.value)
            if key not in ids:
                ids[key] = f"i{len(ids) + 1}"
            imp.id = ids[key]
            goals_of = served.setdefault(imp.id, [])
            for g in d.goal_ids:
                if g not in goals_of:
                    goals_of.append(g)
    for d in seen:
        for imp in d.implants:
            imp.goal_ids = list(served[imp.id])
    return [i for i, g in served.items() if len(g) > 1]


def combine(goals: list[GoalDrafts]) -> list[str]:
    serve_other_goals(goals)
    return assign_ids(goals)
