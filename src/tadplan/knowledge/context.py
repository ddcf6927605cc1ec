"""What the rules see: one goal of a case, and how site templates resolve on it.

A :class:`GoalContext` is built once per goal. Site templates (see
:class:`tadplan.knowledge.templates.SiteTemplate`) are placed relative to the goal's teeth
("buccal inter-radicular mesial of the most mesial moved tooth", "palatal between 5 and 6")
and resolved to a :class:`~tadplan.case.SiteRef` of the controlled vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from tadplan.case import fdi
from tadplan.case.model import (
    ABSENT,
    UNERUPTED,
    BoneQuality,
    Case,
    Goal,
    SiteAssessment,
    SiteRef,
    SiteRegion,
    Surface,
)

if TYPE_CHECKING:
    from tadplan.knowledge.templates import SiteTemplate

Side = Literal["right", "left"]
InstanceSide = Literal["right", "left", "midline"]

PALATAL_REGIONS = frozenset(
    {SiteRegion.anterior_palate, SiteRegion.median_palatal_suture, SiteRegion.paramedian_palate}
)
MIDLINE_REGIONS = frozenset({SiteRegion.anterior_palate, SiteRegion.median_palatal_suture})
MANDIBULAR_REGIONS = frozenset({SiteRegion.retromolar, SiteRegion.mandibular_buccal_shelf})
MAXILLARY_REGIONS = PALATAL_REGIONS | {SiteRegion.infrazygomatic_crest, SiteRegion.tuberosity}
BEHIND_SECOND_MOLAR = frozenset({SiteRegion.tuberosity, SiteRegion.retromolar})
"""Regions distal to the second molar: the bone of an unerupted or impacted third molar."""

_QUADRANT: dict[tuple[fdi.Arch, Side], int] = {
    ("maxilla", "right"): 1,
    ("maxilla", "left"): 2,
    ("mandible", "left"): 3,
    ("mandible", "right"): 4,
}


def quadrant_tooth(jaw: fdi.Arch, side: Side, position: int) -> int:
    """The permanent tooth at ``position`` (1-8) on ``side`` of ``jaw``."""
    return _QUADRANT[(jaw, side)] * 10 + position


@dataclass(frozen=True)
class Resolved:
    """A resolved site, or why it could not be used."""

    site: SiteRef | None
    available: bool
    reason: str = ""


@dataclass(frozen=True)
class GoalContext:
    """One goal of a case, as the rules see it.

    ``teeth`` are the teeth the goal moves (or holds), absent teeth of a segment dropped.
    ``min_interradicular_width_mm`` comes from the knowledge base (sourced threshold).
    """

    case: Case
    index: int
    min_interradicular_width_mm: float | None = None

    @property
    def goal(self) -> Goal:
        return self.case.goals[self.index]

    @property
    def goal_id(self) -> str:
        return self.case.goal_ids()[self.index]

    @property
    def teeth(self) -> tuple[int, ...]:
        return self.case.goal_teeth(self.index)

    @property
    def jaw(self) -> fdi.Arch:
        return fdi.arch(self.teeth[0])

    @property
    def jaws(self) -> frozenset[fdi.Arch]:
        return frozenset(fdi.arch(t) for t in self.teeth)

    @property
    def sides(self) -> tuple[Side, ...]:
        """Sides on which the goal has teeth, right first."""
        present = {fdi.side(t) for t in self.teeth}
        return tuple(s for s in ("right", "left") if s in present)

    @property
    def side_label(self) -> Literal["right", "left", "bilateral"]:
        s = self.sides
        return "bilateral" if len(s) == 2 else s[0]

    def teeth_on(self, side: Side, jaw: fdi.Arch | None = None) -> tuple[int, ...]:
        """Goal teeth on ``side`` (of ``jaw``); if none, the goal's positions mirrored there."""
        jaw = jaw or self.jaw
        own = tuple(t for t in self.teeth if fdi.side(t) == side and fdi.arch(t) == jaw)
        if own:
            return own
        positions = sorted({fdi.position(t) for t in self.teeth if not fdi.is_primary(t)})
        return tuple(quadrant_tooth(jaw, side, p) for p in positions)

    # ------------------------------------------------------------------ sites

    def _jaw_of(self, template: SiteTemplate) -> fdi.Arch:
        if template.jaw == "goal":
            return self.jaw
        if template.jaw == "opposite":
            return "mandible" if self.jaw == "maxilla" else "maxilla"
        return template.jaw

    def resolve(self, template: SiteTemplate, side: InstanceSide) -> Resolved:
        """Place ``template`` on ``side`` of the goal; check it against the case."""
        jaw = self._jaw_of(template)
        region = template.region
        if region != SiteRegion.interradicular:
            if region in MANDIBULAR_REGIONS and jaw == "maxilla":
                return Resolved(None, False, f"{region.value} is a mandibular site")
            if region in MAXILLARY_REGIONS and jaw == "mandible":
                return Resolved(None, False, f"{region.value} is a maxillary site")
            site_side: Literal["right", "left", "midline"] | None
            if region in MIDLINE_REGIONS:
                site_side = "midline"
            elif side == "midline":
                return Resolved(None, False, f"{region.value} needs a side, not the midline")
            else:
                site_side = side
            if region == SiteRegion.edentulous_ridge and side != "midline":
                gap = self._gap_mesial(jaw, side)
                if gap is None:
                    return Resolved(
                        None, False, f"no edentulous space next to the goal teeth on the {side}"
                    )
            arch = jaw if region in (SiteRegion.retromolar, SiteRegion.edentulous_ridge) else None
            if region in BEHIND_SECOND_MOLAR and side != "midline":
                third = quadrant_tooth(jaw, side, 8)
                st = self.case.dentition.status(third)
                if st in UNERUPTED:
                    behind = SiteRef(region=region, side=site_side, arch=arch)
                    return Resolved(
                        behind,
                        False,
                        f"{behind.label()}: the {st.value} third molar {third} is there",
                    )
            return self.check(SiteRef(region=region, side=site_side, arch=arch))
        if side == "midline":
            return Resolved(None, False, "an inter-radicular site needs a side")
        surface = self._surface(template.surface, jaw)
        if surface is None:
            return Resolved(None, False, f"no {template.surface} surface in the {jaw}")
        retained = self.case.dentition.retained_teeth()
        reasons: list[str] = []
        last: Resolved | None = None
        for pair in self._candidate_pairs(template, jaw, side):
            gone = [t for t in pair if t not in retained]
            if gone:
                st = self.case.dentition.status(gone[0])
                why = f"is {st.value}" if st in UNERUPTED else "is not there"
                reasons.append(f"tooth {gone[0]} {why} for a site {pair[0]}-{pair[1]}")
                continue
            res = self.check(SiteRef(between=pair, surface=surface))
            if res.available:
                return res
            reasons.append(res.reason)
            last = res
        site = last.site if last is not None else None
        return Resolved(site, False, "; ".join(reasons) or "no inter-radicular site there")

    def _gap_mesial(self, jaw: fdi.Arch, side: Side) -> int | None:
        """The absent tooth mesial of the goal's most mesial tooth on ``side``, if any."""
        teeth = self.teeth_on(side, jaw)
        t = fdi.mesial_neighbour(min(teeth, key=fdi.position))
        if t is not None and self.case.dentition.status(t) in ABSENT:
            return t
        return None

    @staticmethod
    def _surface(surface: str | None, jaw: fdi.Arch) -> Surface | None:
        if surface in (None, "buccal"):
            return Surface.buccal
        if surface == "oral":
            return Surface.palatal if jaw == "maxilla" else Surface.lingual
        if surface == "palatal":
            return Surface.palatal if jaw == "maxilla" else None
        return Surface.lingual if jaw == "mandible" else None

    def _candidate_pairs(
        self, template: SiteTemplate, jaw: fdi.Arch, side: Side
    ) -> list[tuple[int, int]]:
        if template.between:
            return [
                (quadrant_tooth(jaw, side, a), quadrant_tooth(jaw, side, b))
                for a, b in template.between
            ]
        teeth = self.teeth_on(side, jaw)
        if template.place == "mesial_of_most_mesial":
            t = min(teeth, key=fdi.position)
            for _ in range(template.offset):
                nxt = fdi.mesial_neighbour(t)
                if nxt is None:
                    return []
                t = nxt
            other = fdi.mesial_neighbour(t)
        else:
            t = max(teeth, key=fdi.position)
            for _ in range(template.offset):
                nxt = fdi.distal_neighbour(t)
                if nxt is None:
                    return []
                t = nxt
            other = fdi.distal_neighbour(t)
        return [] if other is None else [(t, other)]

    def assessment(self, site: SiteRef) -> SiteAssessment | None:
        """The clinician's assessment of ``site`` (side-less assessments match any side)."""
        for a in self.case.findings.site_assessments:
            s = a.site
            if s.region != site.region or s.between != site.between:
                continue
            if s.surface is not None and s.surface != site.surface:
                continue
            if s.side is not None and site.side is not None and s.side != site.side:
                continue
            return a
        return None

    def check(self, site: SiteRef) -> Resolved:
        """Is ``site`` usable in this case: not ruled out, palate not refused, bone enough."""
        palatal = site.region in PALATAL_REGIONS or site.surface == Surface.palatal
        if palatal and self.case.constraints.no_palatal:
            return Resolved(
                site, False, f"{site.label()}: palatal insertion refused (constraints.no_palatal)"
            )
        a = self.assessment(site)
        if a is None:
            return Resolved(site, True)
        if not a.available:
            why = a.reason or "ruled out by the clinician"
            return Resolved(site, False, f"{site.label()}: {why}")
        if a.bone_quality == BoneQuality.poor:
            return Resolved(site, False, f"{site.label()}: poor bone quality")
        w = a.interradicular_width_mm
        if (
            w is not None
            and self.min_interradicular_width_mm is not None
            and (w < self.min_interradicular_width_mm)
        ):
            return Resolved(
                site,
                False,
                f"{site.label()}: {w:g} mm between the roots is less "
                f"than {self.min_interradicular_width_mm:g} mm",
            )
        return Resolved(site, True)
