"""The report's summaries, from the plan's own data: the plan on one page (each goal's chosen
design and why it beat the runner-up), one materials list, the lab order sheet and the
patient's plan in plain words. Pure functions returning typed rows; the HTML and PDF
templates only lay them out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tadplan.case import Case, fdi
from tadplan.case.summary import case_summary
from tadplan.model import Design, GoalPlan, Implant, Plan, RankCriterion
from tadplan.report.risk_text import plan_sentence
from tadplan.report.text import CONNECTION_NAMES, HEAD_NAMES, fmt_force, fmt_num, implant_size

CRITERION_WORDS = {
    "demand_met": "anchorage against the demand",
    "failure": "chance no new screw is lost",
    "root_risk": "root risk of the sites",
    "implant_count": "fewer new screws",
    "preference": "the rules' preference",
    "shared": "screws shared with other goals",
    "warnings": "the rules' cautions",
    "mechanics": "mechanics (dose, screw load)",
    "site_safety": "measured site safety",
}
"""What each ranking criterion (:mod:`tadplan.planner.rank`) weighs, in a clinician's words."""


@dataclass(frozen=True)
class ChosenDesign:
    """One goal's first-ranked design, as page 1 states it."""

    goal_id: str
    goal: str
    """The goal in words: movement, teeth, amount, anchorage demand."""
    design_id: str
    key: str
    """The design's anchor in the report (``design-<key>``)."""
    title: str
    same_as_goal: str | None
    """The goal whose chosen design this is too (then the rows are not repeated)."""
    screws: list[str]
    modules: list[str]
    movement: list[str]
    duration: str
    failure: str
    cautions: list[str]
    why: str


def case_lines(case: Case) -> tuple[str, str]:
    """The case in two lines: the patient and the findings; the dentition and appliances."""
    rows = dict(case_summary(case))
    first = "; ".join(x for x in (rows.get("patient"), rows.get("findings")) if x) or case.id
    second_bits = [
        f"{label} {rows[label]}"
        for label in (
            "missing (agenesis)",
            "extracted",
            "planned extraction",
            "bands",
            "brackets",
            "appliances",
            "site ruled out",
        )
        if label in rows
    ]
    return first, "; ".join(second_bits) or "full permanent dentition, no attachments given"


def goal_words(gp: GoalPlan) -> str:
    g = gp.goal
    teeth = ", ".join(map(str, g.teeth))
    amount = f" by {g.amount}" if g.amount else ""
    kind = g.kind.value.replace("_", " ")
    return f"{kind} of {teeth}{amount}, {g.anchorage_demand.value} anchorage"


def screw_line(imp: Implant) -> str:
    head = HEAD_NAMES[imp.head]
    s = imp.safety
    where = f"{imp.id} {imp.site.label()}: {implant_size(imp)}, {head}"
    if s is not None and s.status != "unknown":
        where += f"; site {s.status}"
        if s.min_root_clearance_mm is not None:
            where += f", {fmt_num(s.min_root_clearance_mm)} mm from the nearest root"
    return where


def module_lines(d: Design) -> list[str]:
    out = []
    for c in d.connections:
        src = "+".join(c.from_implants) or "the anchorage unit"
        teeth = f" to {', '.join(map(str, c.teeth))}" if c.teeth else ""
        force = f" {fmt_force(c.force_g)}" if c.force_g is not None else ""
        passive = " (passive)" if c.passive else ""
        act = f": {c.activation}" if c.activation else ""
        out.append(f"{CONNECTION_NAMES[c.kind]}{force}{passive} from {src}{teeth}{act}")
    return out


def movement_lines(d: Design) -> list[str]:
    fs = d.mechanics
    if fs is None:
        return ["no mechanics result in the plan"]
    out = []
    for u in fs.units:
        effects = ", ".join(dict.fromkeys(u.effects))
        out.append(
            f"{', '.join(map(str, u.teeth))}: {u.movement.value.replace('_', ' ')} "
            f"({fmt_force(u.force_g)})" + (f"; {effects}" if effects else "")
        )
    return out or ["the design holds teeth (no active force)"]


def duration_line(d: Design) -> str:
    fs = d.mechanics
    times = [g for g in fs.goals if g.duration_weeks is not None] if fs else []
    if not times:
        return "no duration in the plan (holding or passive design)"
    return "; ".join(
        f"goal {g.goal_id}: about {fmt_num(g.duration_weeks or 0, 0)} weeks"
        + (
            f" at {fmt_num(g.rate_mm_per_month, 2)} mm/month [{g.rate_source.key}]"
            if g.rate_mm_per_month and g.rate_source
            else ""
        )
        for g in times
    )


def failure_line(d: Design) -> str:
    if d.risk is None:
        return "not computed"
    lo, hi = d.risk.interval
    return f"any screw lost {d.risk.failure_probability:.1%} (95 % interval {lo:.1%}-{hi:.1%})"


def remaining_cautions(d: Design) -> list[str]:
    """The design's cautions and dangers (the rules' and the force system's), each once."""
    texts = [(w.severity, w.text) for w in d.warnings if w.severity != "info"]
    if d.mechanics is not None:
        texts += [(w.severity, w.text) for w in d.mechanics.warnings if w.severity != "info"]
    return [f"{sev.upper()}: {text}" for sev, text in dict.fromkeys(texts)]


def _gaps(chosen: Design, other: Design) -> list[tuple[float, RankCriterion, RankCriterion]]:
    """Per criterion where the two differ: (weighted share of the score gap, chosen's
    criterion, other's criterion), largest advantage of ``chosen`` first."""
    theirs = {c.name: c for c in other.criteria}
    total = sum(c.weight for c in chosen.criteria) or 1.0
    gaps = []
    for c in chosen.criteria:
        o = theirs.get(c.name)
        if o is not None and abs(c.value - o.value) > 1e-9:
            gaps.append((c.weight * (c.value - o.value) / total, c, o))
    return sorted(gaps, key=lambda g: -g[0])


def _danger_only_in(other: Design, chosen: Design) -> str | None:
    danger = [w.text for w in other.warnings if w.severity == "danger"]
    if danger and not any(w.severity == "danger" for w in chosen.warnings):
        return danger[0]
    return None


def criterion_name(name: str) -> str:
    return CRITERION_WORDS.get(name, name.replace("_", " "))


def why_chosen(chosen: Design, runner_up: Design | None) -> str:
    """Why ``chosen`` ranked above ``runner_up``, from their ranking criteria: a DANGER that
    only the runner-up carries, then the criteria that moved the weighted score most."""
    if runner_up is None:
        return "the only design proposed for this goal"
    head = f"ranked above {runner_up.id} ({runner_up.title})"
    danger = _danger_only_in(runner_up, chosen)
    if danger is not None:
        return (
            f"{head}: {runner_up.id} carries a DANGER ({danger}), which ranks it below "
            "every design without one"
        )
    gaps = _gaps(chosen, runner_up)
    ahead = [g for g in gaps if g[0] > 0][:3]
    behind = [g for g in gaps if g[0] < 0][:2]
    score = f"score {chosen.score:.2f} against {runner_up.score:.2f}"
    if not ahead:
        return f"{head}: {score}, equal on every criterion (order kept from the first ranking)"

    def said(c: RankCriterion, o: RankCriterion) -> str:
        return f"{criterion_name(c.name)} {c.value:.2g} vs {o.value:.2g}"

    _, c0, o0 = ahead[0]
    text = (
        f"{head}, {score}: better on {said(c0, o0)} ({runner_up.id}: {o0.note.replace('_', ' ')})"
        + "".join(f"; {said(c, o)}" for _, c, o in ahead[1:])
    )
    if behind:
        text += "; worse on " + "; ".join(said(c, o) for _, c, o in behind)
    return text


def behind_chosen(chosen: Design, alternative: Design) -> str:
    """In a few words, where an alternative lost to the chosen design."""
    if alternative.id == chosen.id:
        return "the chosen design"
    danger = _danger_only_in(alternative, chosen)
    if danger is not None:
        return f"DANGER: {danger}"
    behind = [
        f"{criterion_name(a.name)} {o.value:.2g} vs {a.value:.2g}"
        for gap, a, o in _gaps(chosen, alternative)
        if gap > 0
    ][:2]
    ahead = [
        f"{criterion_name(a.name)} {o.value:.2g} vs {a.value:.2g}"
        for gap, a, o in _gaps(chosen, alternative)
        if gap < 0
    ][:1]
    text = "behind on " + "; ".join(behind) if behind else "equal score"
    return text + (f"; better on {ahead[0]}" if ahead else "")


def chosen_designs(plan: Plan) -> list[ChosenDesign]:
    """Each goal's first-ranked design, for page 1."""
    out: list[ChosenDesign] = []
    first_goal: dict[str, str] = {}
    for gp in plan.goals:
        if not gp.designs:
            out.append(
                ChosenDesign(
                    gp.goal.id,
                    goal_words(gp),
                    "",
                    "",
                    "no design proposed",
                    None,
                    [],
                    [],
                    [],
                    "",
                    "",
                    ["; ".join(gp.notes) or "see the goal's notes"],
                    "",
                )
            )
            continue
        d = gp.designs[0]
        runner = gp.designs[1] if len(gp.designs) > 1 else None
        same = first_goal.get(d.id)
        first_goal.setdefault(d.id, gp.goal.id)
        out.append(
            ChosenDesign(
                goal_id=gp.goal.id,
                goal=goal_words(gp),
                design_id=d.id,
                key=d.id,
                title=d.title,
                same_as_goal=same,
                screws=[screw_line(i) for i in d.implants],
                modules=module_lines(d),
                movement=movement_lines(d),
                duration=duration_line(d),
                failure=failure_line(d),
                cautions=remaining_cautions(d),
                why=why_chosen(d, runner),
            )
        )
    return out


def first_choices(plan: Plan) -> list[Design]:
    """The chosen design of every goal, each once (a design can serve several goals)."""
    seen: dict[str, Design] = {}
    for gp in plan.goals:
        if gp.designs:
            seen.setdefault(gp.designs[0].id, gp.designs[0])
    return list(seen.values())


def plan_materials(plan: Plan) -> list[str]:
    """One list for the whole plan: every screw of the chosen designs once (counted by size
    and head), then every module and appliance."""
    implants = {i.id: i for d in first_choices(plan) for i in d.implants}
    sizes = Counter((implant_size(i), HEAD_NAMES[i.head]) for i in implants.values())
    out = []
    for (size, head), n in sizes.items():
        ids = ", ".join(
            i.id for i in implants.values() if (implant_size(i), HEAD_NAMES[i.head]) == (size, head)
        )
        out.append(f"{n} × mini-implant {size}, {head} ({ids})")
    kinds = Counter(
        (CONNECTION_NAMES[c.kind], fmt_force(c.force_g) if c.force_g is not None else "")
        for d in first_choices(plan)
        for c in d.connections
    )
    for (name, force), n in kinds.items():
        out.append(f"{n} × {name}" + (f", {force}" if force else ""))
    return out


@dataclass(frozen=True)
class LabImplant:
    id: str
    site: str
    diameter_mm: str
    length_mm: str
    head: str
    vertical_deg: str
    horizontal_deg: str
    height_mm: str
    goals: str


@dataclass(frozen=True)
class LabTooth:
    tooth: int
    name: str
    attachment: str
    """Band or bracket from the case."""
    parts: str
    """Modules and appliances of the chosen designs that attach to it, with where."""


def lab_sheet(plan: Plan) -> tuple[list[LabImplant], list[LabTooth], list[str]]:
    """The lab order: the chosen designs' implants, per tooth what attaches to it, and the
    case's appliances."""
    dash = "—"
    implants: dict[str, LabImplant] = {}
    per_tooth: dict[int, list[str]] = {}
    for d in first_choices(plan):
        for i in d.implants:
            s = i.safety
            implants.setdefault(
                i.id,
                LabImplant(
                    id=i.id,
                    site=i.site.label(),
                    diameter_mm=fmt_num(i.diameter_mm),
                    length_mm=fmt_num(i.length_mm),
                    head=HEAD_NAMES[i.head].removesuffix(" head"),
                    vertical_deg=fmt_num(s.vertical_angle_deg, 0)
                    if s and s.vertical_angle_deg is not None
                    else dash,
                    horizontal_deg=fmt_num(s.horizontal_angle_deg, 0)
                    if s and s.horizontal_angle_deg is not None
                    else dash,
                    height_mm=fmt_num(s.insertion_height_mm)
                    if s and s.insertion_height_mm is not None
                    else dash,
                    goals=", ".join(i.goal_ids or d.goal_ids),
                ),
            )
        for c in d.connections:
            src = "+".join(c.from_implants) or "anchorage unit"
            what = f"{CONNECTION_NAMES[c.kind]} from {src}"
            if c.force_g is not None:
                what += f", {fmt_force(c.force_g)}"
            if c.attachment:
                what += f" ({c.attachment})"
            for t in dict.fromkeys([*c.teeth, *c.hook_teeth]):
                per_tooth.setdefault(t, [])
                if what not in per_tooth[t]:
                    per_tooth[t].append(what)
    att = plan.case.attachments
    bonded = set(att.bands)
    brackets = att.brackets
    teeth = sorted(set(per_tooth) | bonded, key=fdi.arch_index)
    rows = []
    for t in teeth:
        if t in att.bands:
            where = "band"
        elif brackets == "all" or (isinstance(brackets, list) and t in brackets):
            where = "bracket"
        else:
            where = dash
        rows.append(LabTooth(t, fdi.name(t), where, "; ".join(per_tooth.get(t, [])) or dash))
    appliances = [a.value.replace("_", " ") for a in att.appliances]
    return list(implants.values()), rows, appliances


def site_in_words(imp: Implant) -> str:
    """Where a screw goes, as a patient understands it."""
    s = imp.site
    if s.between is not None:
        a, b = s.between
        side = {"buccal": "cheek", "palatal": "palate", "lingual": "tongue"}.get(
            str(s.surface), str(s.surface)
        )
        return f"in the gum between the {fdi.name(a)} and the {fdi.name(b)}, on the {side} side"
    region = s.region.value.replace("_", " ")
    side = f" ({s.side} side)" if s.side and s.side != "midline" else ""
    jaw = "upper" if s.jaw == "maxilla" else "lower"
    return f"in the {region}{side} of the {jaw} jaw"


@dataclass(frozen=True)
class PatientPlan:
    screws: list[str]
    how_long: str
    chance: str

    @property
    def where(self) -> str:
        n = len(self.screws)
        if not n:
            return "your plan needs no mini-implant."
        head = "one mini-implant, " if n == 1 else f"{n} mini-implants: "
        return head + "; ".join(self.screws) + "."


def patient_plan(plan: Plan) -> PatientPlan:
    """Where the screws of the plan's first choices go, for how long and how likely one
    loosens (from the failure-risk model on the plan's implants)."""
    implants = {i.id: i for d in first_choices(plan) for i in d.implants}
    screws = [
        f"{site_in_words(i)} ({fmt_num(i.diameter_mm)} mm thick, {fmt_num(i.length_mm)} mm long)"
        for i in implants.values()
    ]
    weeks = [
        g.duration_weeks
        for d in first_choices(plan)
        if d.mechanics is not None
        for g in d.mechanics.goals
        if g.duration_weeks is not None
    ]
    if weeks:
        months = max(weeks) / 4.35
        how_long = (
            f"The teeth are expected to need about {fmt_num(months, 0)} months to move; the "
            "screws stay until that movement is finished and held, then they are unscrewed."
        )
    else:
        how_long = (
            "The screws stay for as long as your orthodontist needs to hold the teeth; "
            "then they are unscrewed."
        )
    return PatientPlan(screws, how_long, plan_sentence(plan))
