"""Step 1 of the pipeline: fire the rules on each goal and build draft designs.

Generic: all clinical content comes from the rule files. A design rule whose implant
sites cannot be placed (site ruled out, tooth absent, palate refused) proposes nothing; the
goal's notes say why and list the rule's alternatives, and rules conditioned on
``not: {site_available: ...}`` (lever arm, another site) take over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tadplan.case import fdi
from tadplan.case.model import Case, SiteRef, Symmetry
from tadplan.errors import ComputationError
from tadplan.knowledge import Knowledge, Rule
from tadplan.knowledge.conditions import other_goals
from tadplan.knowledge.context import GoalContext, InstanceSide, Resolved, Side, quadrant_tooth
from tadplan.knowledge.schema import (
    ConnectionTemplate,
    DesignFilter,
    ImplantTemplate,
    SiteMatch,
    SiteTemplate,
    SourceSpec,
    WarningSpec,
)
from tadplan.model import (
    AnchorageType,
    AttachmentSite,
    ConnectionKind,
    ImplantHead,
    ModuleKind,
    SourceRef,
    TraceEntry,
    Warning,
    usual_attachment_site,
    usual_module,
)


@dataclass
class DraftImplant:
    ref: str
    site: SiteRef
    ordinal: int
    side: InstanceSide
    diameter_mm: float
    length_mm: float
    head: ImplantHead
    purpose: str
    stage: int = 1
    id: str = ""
    goal_ids: list[str] = field(default_factory=list)
    apical: bool = False


@dataclass
class DraftConnection:
    kind: ConnectionKind
    from_refs: list[DraftImplant]
    """every implant that carries it, the primary first; empty: tooth-borne"""
    teeth: list[int]
    attachment: str
    activation: str
    passive: bool
    force_g: float | None
    hook_teeth: list[int] = field(default_factory=list)
    """where it hooks when that is not one of ``teeth`` (the archwire carries the force)"""
    attachment_site: AttachmentSite | None = None
    module: ModuleKind | None = None
    activation_mm: float | None = None
    force_source: SourceRef | None = None
    """the citation of ``force_g`` (the rule's)"""


@dataclass
class Draft:
    """A design being built: mutable until the pipeline freezes it into a Design."""

    rule: Rule
    goal_ids: list[str]
    title: str
    anchorage: AnchorageType
    provides: str
    preference: float
    implants: list[DraftImplant]
    connections: list[DraftConnection]
    activation: list[str]
    reactivation: str | None
    prerequisites: list[str]
    warnings: list[Warning]
    alternatives: list[str]
    sources: list[SourceRef]
    id: str = ""


@dataclass
class GoalDrafts:
    ctx: GoalContext
    drafts: list[Draft] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    trace: list[TraceEntry] = field(default_factory=list)


def add_unique(target: list[Any], items: list[Any]) -> None:
    for x in items:
        if x not in target:
            target.append(x)


def site_matches(m: SiteMatch, site: SiteRef) -> bool:
    if m.region is not None and site.region != m.region:
        return False
    if m.jaw is not None and site.jaw != m.jaw:
        return False
    if m.surface is not None and site.surface != m.surface:
        return False
    if m.side is not None:
        lateral = site.side in ("right", "left")
        if (m.side == "lateral") != lateral:
            return False
    return m.max_position is None or (
        site.between is not None and max(fdi.position(t) for t in site.between) <= m.max_position
    )


def _warnings(specs: list[WarningSpec], default: list[SourceSpec]) -> list[Warning]:
    return [
        Warning(severity=w.severity, text=w.text, sources=list(w.sources or default)) for w in specs
    ]


def _instance_sides(tpl: ImplantTemplate, ctx: GoalContext) -> list[InstanceSide]:
    if tpl.sides == "goal":
        return list(ctx.sides)
    if tpl.sides == "both":
        return ["right", "left"]
    return [tpl.sides]


def _ruled_out(ctx: GoalContext, r: Resolved) -> bool:
    """The site was resolved but the case's own site assessment rules it out."""
    return not r.available and r.site is not None and ctx.case.site_assessment(r.site) is not None


def _single_sites(tpl: ImplantTemplate) -> list[SiteTemplate]:
    """The template's site options with every inter-radicular pair as its own option."""
    out: list[SiteTemplate] = []
    for o in tpl.site:
        pairs = o.between or []
        if len(pairs) > 1:
            out += [o.model_copy(update={"between": [p]}) for p in pairs]
        else:
            out.append(o)
    return out


def _place_implants(
    tpl: ImplantTemplate, ctx: GoalContext, knowledge: Knowledge
) -> tuple[list[DraftImplant], list[SourceRef], str | None]:
    """Implants of one template on every side, or the reason it cannot be placed.

    A symmetric goal with implants on both sides gets mirror-image sites (the same tooth
    positions right and left) when one option is usable on both sides; otherwise each
    side takes its first usable option. A site that the case's own site assessment rules out
    on one side moves that side only: the other keeps its first choice."""
    out: list[DraftImplant] = []
    sources: list[SourceRef] = []
    sides = _instance_sides(tpl, ctx)
    options = {side: list(tpl.site) for side in sides}
    if len(sides) == 2 and ctx.goal.symmetry == Symmetry.symmetric:
        mirrored = None
        for o in _single_sites(tpl):
            resolved = [ctx.resolve(o, s) for s in sides]
            if all(r.available for r in resolved):
                mirrored = o
                break
            if any(_ruled_out(ctx, r) for r in resolved):
                # a site the case rules out on one side moves that side only (issue 10)
                break
        if mirrored is not None:
            options = {side: [mirrored] for side in sides}
    for side in sides:
        reasons = []
        chosen = None
        for option in options[side]:
            r = ctx.resolve(option, side)
            if r.available and r.site is not None:
                chosen = (r.site, option)
                break
            reasons.append(r.reason)
        if chosen is None:
            return [], [], "; ".join(reasons)
        site, option = chosen
        screw = next(s for s in knowledge.tables.screws if site_matches(s.match, site))
        add_unique(sources, screw.sources)
        purpose = tpl.purpose
        if option.apical:
            purpose = (purpose + "; " if purpose else "") + "insert as apically as possible"
        if tpl.stage > 1:
            purpose = f"stage {tpl.stage}: {purpose}"
        for k in range(tpl.count):
            out.append(
                DraftImplant(
                    tpl.ref,
                    site,
                    k,
                    side,
                    screw.diameter_mm,
                    screw.length_mm,
                    tpl.head,
                    purpose,
                    tpl.stage,
                    apical=option.apical,
                )
            )
    return out, sources, None


def _target_teeth(
    to: object,
    ctx: GoalContext,
    side: InstanceSide | None,
    only: set[str] | None = None,
) -> list[int]:
    sides: list[Side] = list(ctx.sides)
    if side in ("right", "left") and side in sides:
        sides = [side]
    if only is not None:
        sides = [s for s in sides if s in only]
    teeth = [t for t in ctx.teeth if fdi.side(t) in sides]
    if to == "none":
        return []
    if to == "goal_teeth":
        return teeth
    if to in ("most_mesial", "most_distal"):
        pick = min if to == "most_mesial" else max
        return [pick((t for t in teeth if fdi.side(t) == s), key=fdi.position) for s in sides]
    assert isinstance(to, list)
    retained = ctx.case.dentition.retained_teeth()
    jaw = ctx.jaw
    return [t for s in sides for p in to if (t := quadrant_tooth(jaw, s, p)) in retained]


def _carriers(
    ct: ConnectionTemplate, implants: list[DraftImplant]
) -> list[tuple[InstanceSide | None, list[DraftImplant]]]:
    """The implant groups that carry connection ``ct``, each with its side.

    A connection from ref R is carried by every implant of R on a side (``count`` of them,
    ordinal order): one connection per side. A ``one_piece`` appliance is one connection
    carried by every implant of R on all sides (side None: it attaches to every goal side's
    teeth). No ``from``: one tooth-borne connection."""
    if not ct.from_:
        return [(None, [])]
    mine = [i for i in implants if i.ref == ct.from_]
    if ct.one_piece:
        return [(None, mine)] if mine else []
    sides = list(dict.fromkeys(i.side for i in mine))
    return [(s, [i for i in mine if i.side == s]) for s in sides]


class _NotBuildable(ComputationError):
    """A connection the dentition cannot carry (the message says why)."""


def _across_the_arch(teeth: list[int], ctx: GoalContext) -> list[int]:
    """A TPA joins the two sides of the arch: ``teeth`` and their counterparts on the other
    side (same positions), when retained. Raises :class:`_NotBuildable` when one side has
    no tooth to carry it."""
    retained = ctx.case.dentition.retained_teeth()
    jaw = ctx.jaw
    positions = sorted({fdi.position(t) for t in teeth})
    out = [
        t
        for s in ("right", "left")
        for p in positions
        if (t := quadrant_tooth(jaw, s, p)) in retained
    ]
    sides = {fdi.side(t) for t in out}
    if len(sides) < 2:
        raise _NotBuildable(
            "a transpalatal arch needs a banded tooth on both sides "
            f"(positions {', '.join(map(str, positions))}); "
            f"only the {' '.join(sorted(sides)) or 'no'} side has one"
        )
    return out


def _hook_teeth(ct: ConnectionTemplate, ctx: GoalContext, teeth: list[int]) -> list[int] | None:
    """Where connection ``ct`` to ``teeth`` hooks: per side of ``teeth``, the first of its
    ``hook`` positions present; [] without ``hook``; None when a side has none present."""
    if not ct.hook:
        return []
    out = []
    for side in dict.fromkeys(fdi.side(t) for t in teeth):
        found = next(
            (t for p in ct.hook for t in _target_teeth([p], ctx, None, {side})),
            None,
        )
        if found is None:
            return None
        out.append(found)
    return out


def _connections(
    templates: list[ConnectionTemplate], implants: list[DraftImplant], ctx: GoalContext
) -> tuple[list[DraftConnection], list[SourceRef], str | None]:
    """The connections of a design and their force sources; or why a connection cannot be
    made (it reaches no tooth)."""
    out: list[DraftConnection] = []
    sources: list[SourceRef] = []
    for ct in templates:
        force_source = ct.force_source
        n_before = len(out)
        groups: list[tuple[list[int], list[DraftImplant]]] = []
        for side, carriers in _carriers(ct, implants):
            teeth = _target_teeth(ct.to, ctx, side)
            if ct.kind == ConnectionKind.tpa and teeth:
                teeth = _across_the_arch(teeth, ctx)
            # both sides' implants reaching the same teeth (a palatal plate on screws right
            # and left for a one-sided goal) carry one appliance: one connection
            same = next((g for g in groups if teeth and g[0] == teeth and g[1]), None)
            if same is not None and carriers:
                same[1].extend(carriers)
            else:
                groups.append((teeth, list(carriers)))
        out += [
            DraftConnection(
                ct.kind,
                carriers,
                teeth,
                ct.attachment,
                ct.activation,
                ct.passive,
                ct.force_g,
                hooks,
                ct.attachment_site or usual_attachment_site(ct.kind.value),
                ct.module or usual_module(ct.kind.value),
                ct.activation_mm,
                force_source if ct.force_g is not None else None,
            )
            for teeth, carriers in groups
            if (hooks := _hook_teeth(ct, ctx, teeth)) is not None
        ]
        if ct.to != "none" and not any(teeth for teeth, _ in groups):
            positions = ct.to if isinstance(ct.to, list) else []
            absent = " ".join(
                str(quadrant_tooth(ctx.jaw, s, p)) for s in ctx.sides for p in positions
            )
            kind = ct.kind.value.replace("_", " ")
            return [], [], f"its {kind} reaches no tooth ({absent or 'no goal tooth'} absent)"
        if len(out) < n_before + len(groups):
            why = (
                f"{ct.kind.value.replace('_', ' ')}: no tooth to hook it on "
                f"(positions {', '.join(map(str, ct.hook or []))} absent)"
            )
            return out, sources, why
        if ct.force_g is not None and force_source is not None:
            add_unique(sources, [force_source])
    return out, sources, None


def build_draft(rule: Rule, ctx: GoalContext, knowledge: Knowledge) -> Draft | str:
    """The draft design of a design rule on a goal, or why it is not possible."""
    t = rule.spec.design
    assert t is not None
    implants: list[DraftImplant] = []
    sources = list(rule.spec.sources)
    for tpl in t.implants:
        placed, screw_sources, why = _place_implants(tpl, ctx, knowledge)
        if why is not None:
            return why
        implants += placed
        add_unique(sources, screw_sources)
    try:
        conns, force_sources, why = _connections(t.connections, implants, ctx)
    except _NotBuildable as exc:
        return str(exc)
    if why is not None:
        return why
    add_unique(sources, force_sources)
    warnings = _warnings(t.warnings, rule.spec.sources)
    for w in warnings:
        add_unique(sources, w.sources)
    return Draft(
        rule=rule,
        goal_ids=[ctx.goal_id],
        title=t.title,
        anchorage=t.anchorage,
        provides=t.provides.value,
        preference=t.preference,
        implants=implants,
        connections=conns,
        activation=list(t.activation),
        reactivation=t.reactivation,
        prerequisites=list(t.prerequisites),
        warnings=warnings,
        alternatives=list(t.alternatives),
        sources=sources,
    )


def _next_to_moved(f: DesignFilter, d: Draft, ctx: GoalContext) -> bool:
    assert f.implant_next_to_teeth_of is not None
    moved = {
        t
        for j in other_goals(ctx, f.implant_next_to_teeth_of)
        for t in GoalContext(ctx.case, j).teeth
    }
    return any(i.site.between is not None and set(i.site.between) & moved for i in d.implants)


def design_matches(f: DesignFilter, d: Draft, ctx: GoalContext) -> bool:
    """Does design ``d`` (of the goal ``ctx``) match the modifier filter ``f``?"""
    if f.implant_next_to_teeth_of is not None and not _next_to_moved(f, d, ctx):
        return False
    if f.implant_site is not None and not any(
        site_matches(f.implant_site, i.site) for i in d.implants
    ):
        return False
    if f.connection_kind_in is not None and not any(
        c.kind in f.connection_kind_in for c in d.connections
    ):
        return False
    if f.region_in is not None and not any(i.site.region in f.region_in for i in d.implants):
        return False
    if f.surface_in is not None and not any(i.site.surface in f.surface_in for i in d.implants):
        return False
    if f.anchorage is not None and d.anchorage != f.anchorage:
        return False
    if f.rule_in is not None and d.rule.id not in f.rule_in:
        return False
    return f.has_implants is None or bool(d.implants) == f.has_implants


def apply_modifier(rule: Rule, d: Draft) -> None:
    m = rule.spec.modify
    assert m is not None
    add_unique(d.activation, m.activation)
    if m.apical_implants:
        for imp in d.implants:
            imp.apical = True
    add_unique(d.prerequisites, m.prerequisites)
    add_unique(d.alternatives, m.alternatives)
    for w in _warnings(m.warnings, rule.spec.sources):
        if w not in d.warnings:
            d.warnings.append(w)
        add_unique(d.sources, w.sources)
    add_unique(d.sources, rule.spec.sources)


def propose(case: Case, knowledge: Knowledge) -> list[GoalDrafts]:
    """Fire every rule on every goal: design rules first, then modifiers."""
    width = knowledge.tables.min_interradicular_width_mm
    out = []
    for i in range(len(case.goals)):
        ctx = GoalContext(case, i, width.value if width else None)
        gd = GoalDrafts(ctx)
        for rule in knowledge.rules:
            if not rule.is_design:
                continue
            ok, facts = rule.condition(ctx)
            if not ok:
                gd.trace.append(
                    TraceEntry(
                        rule_id=rule.id,
                        goal_id=ctx.goal_id,
                        fired=False,
                        reason=f"not met: {facts[0]}" if facts else "not met",
                    )
                )
                continue
            draft = build_draft(rule, ctx, knowledge)
            if isinstance(draft, str):
                title = rule.spec.design.title if rule.spec.design else rule.id
                note = f"{title} [{rule.id}] is not possible: {draft}."
                alts = rule.spec.design.alternatives if rule.spec.design else []
                if alts:
                    note += " Alternatives: " + "; ".join(a.rstrip(".") for a in alts) + "."
                gd.notes.append(note)
                reason = f"design not possible: {draft}"
            else:
                gd.drafts.append(draft)
                reason = f"proposed: {draft.title}"
            gd.trace.append(
                TraceEntry(
                    rule_id=rule.id, goal_id=ctx.goal_id, fired=True, facts=facts, reason=reason
                )
            )
        for rule in knowledge.rules:
            if rule.is_design:
                continue
            ok, facts = rule.condition(ctx)
            m = rule.spec.modify
            assert m is not None
            hit = [d for d in gd.drafts if design_matches(m.applies_to, d, ctx)] if ok else []
            for d in hit:
                apply_modifier(rule, d)
            gd.trace.append(
                TraceEntry(
                    rule_id=rule.id,
                    goal_id=ctx.goal_id,
                    fired=bool(hit),
                    facts=facts if hit else [],
                    reason=("modified: " + "; ".join(d.title for d in hit))
                    if hit
                    else ("no matching design" if ok else f"not met: {'; '.join(facts)}"),
                )
            )
        out.append(gd)
    return out


def implant_count(d: Draft) -> int:
    """Screws a design inserts (one per site, ordinal and head, as :mod:`combine` counts)."""
    return len({(i.site.model_dump_json(), i.ordinal, i.head) for i in d.implants})


def limit_implants(goals: list[GoalDrafts], limit: int | None) -> list[str]:
    """Drop the designs that need more mini-implants than ``limit``
    (``constraints.max_implants``); each goal's notes and trace say which and why.
    Returns the ids of the goals left without a design by the limit."""
    emptied: list[str] = []
    if limit is None:
        return emptied
    for gd in goals:
        keep = []
        for d in gd.drafts:
            n = implant_count(d)
            if n <= limit:
                keep.append(d)
                continue
            gd.notes.append(
                f"{d.title} [{d.rule.id}] is not proposed: it needs {n} mini-implants, "
                f"more than constraints.max_implants ({limit})."
            )
            gd.trace.append(
                TraceEntry(
                    rule_id=d.rule.id,
                    goal_id=gd.ctx.goal_id,
                    fired=True,
                    reason=f"dropped: {n} implants, constraints.max_implants is {limit}",
                )
            )
        if gd.drafts and not keep:
            emptied.append(gd.ctx.goal_id)
        gd.drafts = keep
    return emptied


__all__ = [
    "Draft",
    "DraftImplant",
    "GoalDrafts",
    "implant_count",
    "limit_implants",
    "propose",
    "site_matches",
]
