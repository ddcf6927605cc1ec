"""The readable text form of a plan (``tadplan plan CASE --format text``)."""

from __future__ import annotations

import textwrap

from tadplan.case.summary import goal_notes
from tadplan.knowledge.sources import cited_detail, display_key
from tadplan.model import Connection, Design, Plan, SourceRef


def _src(refs: list[SourceRef]) -> str:
    return "; ".join(
        display_key(r.key) + (f" ({d})" if (d := cited_detail(r)) else "") for r in refs
    )


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        text, width=100, initial_indent=indent, subsequent_indent=indent + "  "
    ) or [indent]


def force_step(c: Connection) -> str | None:
    """The activation step of a connection's cited force: "elastic chain: about 200 g
    (source, detail)", or the force the planner fitted instead of the rule's; None: the rule
    gave no force."""
    if c.force_g is None or c.force_source is None:
        return None
    src = c.force_source
    detail = cited_detail(src)
    cited = f"({src.key}" + (f", {detail}" if detail else "") + ")"
    name = c.kind.value.replace("_", " ")
    if c.rule_force_g is None:
        return f"{name}: about {c.force_g:g} g {cited}"
    verb = "raised" if c.force_g > c.rule_force_g else "lowered"
    return (
        f"{name}: {c.force_g:g} g ({verb} from the rule's {c.rule_force_g:g} g to reach the "
        f"cited range) {cited}"
    )


def activation_steps(d: Design) -> list[str]:
    """The design's activation steps, then the cited force of each connection (once)."""
    forces = (force_step(c) for c in d.connections)
    return [*d.activation, *dict.fromkeys(f for f in forces if f is not None)]


def design_text(d: Design, indent: str = "  ") -> list[str]:
    """Lines describing one design."""
    out = [
        f"{indent}#{d.rank} {d.title}  [{d.anchorage.value}; score {d.score:.3f}; "
        f"rule {d.rule_id}; design {d.id}]"
    ]
    sub = indent + "   "
    if len(d.goal_ids) > 1:
        out.append(f"{sub}serves goals: {', '.join(d.goal_ids)}")
    for i in d.implants:
        shared = f" (shared: {', '.join(i.goal_ids)})" if len(i.goal_ids) > 1 else ""
        out += _wrap(
            f"implant {i.id}: {i.site.label()}, {i.diameter_mm:g} x {i.length_mm:g} mm"
            f"{'' if i.head.value == 'standard' else ', ' + i.head.value + ' head'}"
            f"{' - ' + i.purpose if i.purpose else ''}{shared}",
            sub,
        )
    for c in d.connections:
        frm = f"{'+'.join(c.from_implants)} -> " if c.from_implants else ""
        teeth = " ".join(map(str, c.teeth)) or "-"
        force = f", {c.force_g:g} g" if c.force_g else ""
        att = f" ({c.attachment})" if c.attachment else ""
        out += _wrap(
            f"{c.kind.value.replace('_', ' ')}: {frm}{teeth}{att}{force}"
            f"{' [passive]' if c.passive else ''}",
            sub,
        )
    for p in d.prerequisites:
        out += _wrap(f"needs: {p}", sub)
    for a in activation_steps(d):
        out += _wrap(f"do: {a}", sub)
    for w in d.warnings:
        out += _wrap(f"{w.severity.upper()}: {w.text} [{_src(w.sources)}]", sub)
    for a in d.alternatives:
        out += _wrap(f"alternative: {a}", sub)
    out += _wrap(
        "ranking: " + ", ".join(f"{c.name} {c.value:g}x{c.weight:g}" for c in d.criteria), sub
    )
    out += _wrap(f"sources: {_src(d.sources)}", sub)
    return out


def plan_text(plan: Plan) -> str:
    """The whole plan as text: goals with ranked designs, notes, trace, sources."""
    c = plan.case
    lines = [
        f"tadplan {plan.tadplan_version} - plan for case {c.id}"
        + (f": {c.title}" if c.title else ""),
        "",
    ]
    notes = goal_notes(c)
    for gp in plan.goals:
        g = gp.goal
        amount = f" {g.amount}" if g.amount else ""
        lines.append(
            f"Goal {g.id}: {g.kind.value.replace('_', ' ')}{amount} of "
            f"{' '.join(map(str, g.teeth))} (anchorage demand {g.anchorage_demand.value})"
        )
        if g.id in notes:
            lines += _wrap(f"case notes: {notes[g.id]}", "  ")
        if not gp.designs:
            lines.append("  no design proposed")
        for d in gp.designs:
            lines += design_text(d)
        for n in gp.notes:
            lines += _wrap(f"note: {n}", "  ")
        lines.append("")
    if plan.shared_implants:
        lines.append(f"Shared implants: {', '.join(plan.shared_implants)}")
        lines.append("")
    for w in plan.warnings:
        lines += _wrap(f"{w.severity.upper()}: {w.text}", "")
    lines.append("Rules fired:")
    for t in plan.trace:
        if t.fired:
            lines += _wrap(
                f"{t.rule_id} on {t.goal_id}: {'; '.join(t.facts) or '-'} -> {t.reason}", "  "
            )
    lines += ["", "Sources:"]
    for s in plan.sources:
        lines += _wrap(f"[{display_key(s.key)}] {s.text}", "  ")
    lines += ["", *textwrap.wrap(plan.disclaimer, width=100)]
    return "\n".join(lines) + "\n"
