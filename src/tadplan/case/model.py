"""The orthodontic case: dentition, findings, goals. Frozen, validated pydantic models.

Every key is checked: unknown keys are errors (a typo must not be silently ignored),
tooth numbers are FDI (see :mod:`tadplan.case.fdi`), lengths are in millimetres
(``_mm``) and angles in degrees (``_deg``).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from tadplan.case import fdi
from tadplan.errors import FieldErrors, FieldPath

# ----------------------------------------------------------------------------- basics


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_enum_values=False, allow_inf_nan=False, defer_build=True
    )


ECHO_CHARS = 40
"""Longest piece of a user's value repeated in an error message (the rest is cut)."""


def echo(v: object) -> str:
    """``repr(v)`` cut to :data:`ECHO_CHARS` characters, for error messages."""
    if isinstance(v, list | tuple | dict | set) and len(v) > ECHO_CHARS:
        return f"a {type(v).__name__} of {len(v)} items"
    r = repr(v)
    return r if len(r) <= ECHO_CHARS else r[: ECHO_CHARS - 3] + "..."


def _tooth(v: object) -> int:
    if isinstance(v, str) and len(v) < 8 and v.strip().isascii() and v.strip().isdigit():
        v = int(v.strip())
    if not fdi.is_tooth(v):
        raise ValueError(
            f"{echo(v)} is not an FDI tooth number (permanent 11-18, 21-28, 31-38, 41-48; "
            "primary 51-55, 61-65, 71-75, 81-85)"
        )
    return int(v)  # type: ignore[call-overload]


Tooth = Annotated[int, Field(description="FDI tooth number, e.g. 16")]


def _teeth_list(v: object) -> object:
    if v is None:
        return v
    if not isinstance(v, list | tuple):
        raise ValueError("must be a list of FDI tooth numbers")
    out: list[int] = []
    for t in v:
        tooth = _tooth(t)
        if tooth in out:
            raise ValueError(f"tooth {tooth} is listed twice")
        out.append(tooth)
    return out


class ToothStatus(StrEnum):
    present = "present"
    missing = "missing"  # agenesis / congenitally missing
    extracted = "extracted"
    planned_extraction = "planned_extraction"
    implant = "implant"  # prosthetic (osseointegrated) implant in the tooth's place
    pontic = "pontic"
    unerupted = "unerupted"  # still developing in the bone, not (yet) in the mouth
    impacted = "impacted"  # will not erupt on its own (blocked, ankylosed, displaced)


ABSENT = frozenset(
    {ToothStatus.missing, ToothStatus.extracted, ToothStatus.implant, ToothStatus.pontic}
)
"""Statuses under which no natural tooth can be moved."""

UNERUPTED = frozenset({ToothStatus.unerupted, ToothStatus.impacted})
"""A natural tooth in the bone but not in the mouth: no bracket or band, no neighbour along
the arch for an inter-radicular site, but its crown occupies the bone (an impacted canine
can be the target of ``canine_alignment``)."""


class Appliance(StrEnum):
    herbst = "herbst"
    jasper_jumper = "jasper_jumper"
    class_ii_elastics = "class_ii_elastics"
    class_iii_elastics = "class_iii_elastics"
    utility_arch = "utility_arch"
    tpa = "tpa"
    quadhelix = "quadhelix"
    horseshoe_arch = "horseshoe_arch"
    headgear = "headgear"
    rapid_palatal_expander = "rapid_palatal_expander"
    lingual_arch = "lingual_arch"
    fixed_full_arch = "fixed_full_arch"
    clear_aligners = "clear_aligners"


class Dentition(_Model):
    """Which teeth are there. Any permanent tooth not listed is present, except third molars,
    whose default follows the patient's age (:meth:`Case.dentition_for_age`: unerupted
    below the cited eruption age); primary teeth are present only when listed."""

    missing: list[Tooth] = Field(default_factory=list, description="agenesis")
    extracted: list[Tooth] = Field(default_factory=list)
    planned_extraction: list[Tooth] = Field(default_factory=list)
    implants: list[Tooth] = Field(default_factory=list, description="prosthetic implants")
    pontics: list[Tooth] = Field(default_factory=list)
    primary_present: list[Tooth] = Field(
        default_factory=list, description="retained primary teeth, e.g. 55"
    )
    unerupted: list[Tooth] = Field(
        default_factory=list,
        description="permanent teeth developing in the bone, not yet in the mouth, e.g. [18, 28]",
    )
    impacted: list[Tooth] = Field(
        default_factory=list,
        description="permanent teeth that will not erupt on their own, e.g. [13, 38]",
    )
    erupted: list[Tooth] = Field(
        default_factory=list,
        description="third molars in the mouth although the patient is younger than the "
        "usual eruption age (overrides the age default)",
    )
    _age_unerupted: frozenset[int] = PrivateAttr(default_factory=frozenset)
    """Third molars unerupted by the age default (set by :class:`Case`; not dumped)."""

    _v = field_validator(
        "missing",
        "extracted",
        "planned_extraction",
        "implants",
        "pontics",
        "primary_present",
        "unerupted",
        "impacted",
        "erupted",
        mode="before",
    )(_teeth_list)

    @model_validator(mode="after")
    def _consistent(self) -> Dentition:
        seen: dict[int, str] = {}
        for field in _STATUS_FIELDS:
            for t in getattr(self, field):
                if t in seen:
                    raise ValueError(f"tooth {t} is listed both as {seen[t]} and as {field}")
                seen[t] = field
        for t in self.primary_present:
            if not fdi.is_primary(t):
                raise FieldErrors.at("primary_present", f"{t} is a permanent tooth")
        for field in ("unerupted", "impacted", "erupted"):
            for t in getattr(self, field):
                if fdi.is_primary(t):
                    raise FieldErrors.at(field, f"{t} is a primary tooth (use primary_present)")
        for t in self.erupted:
            if fdi.position(t) != 8:
                raise FieldErrors.at(
                    "erupted", f"{t} is not a third molar (only third molars default from age)"
                )
        return self

    @property
    def age_unerupted(self) -> frozenset[int]:
        """Third molars counted unerupted by the patient's age (not listed in the case)."""
        return self._age_unerupted

    def status(self, tooth: int) -> ToothStatus:
        if tooth in self.missing:
            return ToothStatus.missing
        if tooth in self.extracted:
            return ToothStatus.extracted
        if tooth in self.planned_extraction:
            return ToothStatus.planned_extraction
        if tooth in self.implants:
            return ToothStatus.implant
        if tooth in self.pontics:
            return ToothStatus.pontic
        if tooth in self.unerupted:
            return ToothStatus.unerupted
        if tooth in self.impacted:
            return ToothStatus.impacted
        if tooth in self._age_unerupted:
            return ToothStatus.unerupted
        if fdi.is_primary(tooth) and tooth not in self.primary_present:
            return ToothStatus.missing
        return ToothStatus.present

    def present_teeth(self) -> frozenset[int]:
        """Natural teeth in the mouth now (planned extractions included; unerupted and
        impacted teeth are not in the mouth)."""
        perm = {
            t
            for t in fdi.PERMANENT
            if self.status(t) in (ToothStatus.present, ToothStatus.planned_extraction)
        }
        return frozenset(perm | set(self.primary_present))

    def retained_teeth(self) -> frozenset[int]:
        """Natural teeth that stay for treatment (present minus planned extractions)."""
        return frozenset(
            t for t in self.present_teeth() if self.status(t) != ToothStatus.planned_extraction
        )


@cache
def third_molar_eruption_age_y() -> dict[fdi.Arch, float]:
    """Age (years) from which an unlisted third molar counts as erupted, per jaw
    (``case/data/eruption.yaml``, ADA eruption chart: 17-21 years, upper end)."""
    # imported on first use: the case's types (and tadplan.model) load without YAML
    from importlib import resources

    from tadplan._yaml import load_data

    path = resources.files("tadplan.case") / "data" / "eruption.yaml"
    data = load_data(path.read_text(encoding="utf-8"))["third_molar_eruption_age_y"]
    return {
        "maxilla": float(data["maxilla"]["value"]),
        "mandible": float(data["mandible"]["value"]),
    }


THIRD_MOLARS = (18, 28, 38, 48)


_STATUS_FIELDS = (
    "missing",
    "extracted",
    "planned_extraction",
    "implants",
    "pontics",
    "unerupted",
    "impacted",
    "erupted",
)
"""Dentition lists that give a permanent tooth a status; a tooth is in at most one."""


class Attachments(_Model):
    bands: list[Tooth] = Field(default_factory=list, description="banded teeth, e.g. [17, 27]")
    brackets: list[Tooth] | Literal["all"] | None = Field(
        default=None, description="bonded teeth, or 'all' for full fixed appliances"
    )
    appliances: list[Appliance] = Field(default_factory=list)

    _vb = field_validator("bands", mode="before")(_teeth_list)

    @field_validator("brackets", mode="before")
    @classmethod
    def _brackets(cls, v: object) -> object:
        return v if v in (None, "all") else _teeth_list(v)


# ----------------------------------------------------------------------------- findings


class SagittalClass(StrEnum):
    class_i = "I"
    class_ii_1 = "II/1"
    class_ii_2 = "II/2"
    class_iii = "III"


class VerticalPattern(StrEnum):
    normal = "normal"
    deep_bite = "deep_bite"
    open_bite = "open_bite"


class Inclination(StrEnum):
    retroclined = "retroclined"
    normal = "normal"
    proclined = "proclined"


class CrossbiteKind(StrEnum):
    anterior = "anterior"
    posterior_lingual = "posterior_lingual"  # palatal/lingual crossbite
    posterior_buccal = "posterior_buccal"  # scissor bite
    bilateral_posterior = "bilateral_posterior"


class Crossbite(_Model):
    kind: CrossbiteKind
    teeth: list[Tooth] = Field(min_length=1)
    skeletal: StrictBool = Field(default=False, description="transverse maxillary deficiency")

    _v = field_validator("teeth", mode="before")(_teeth_list)


class Surface(StrEnum):
    buccal = "buccal"
    palatal = "palatal"
    lingual = "lingual"


class BoneQuality(StrEnum):
    poor = "poor"
    normal = "normal"
    good = "good"


class SiteRegion(StrEnum):
    """Controlled vocabulary of insertion regions."""

    interradicular = "interradicular"
    anterior_palate = "anterior_palate"
    median_palatal_suture = "median_palatal_suture"
    paramedian_palate = "paramedian_palate"
    retromolar = "retromolar"
    infrazygomatic_crest = "infrazygomatic_crest"
    mandibular_buccal_shelf = "mandibular_buccal_shelf"
    tuberosity = "tuberosity"
    edentulous_ridge = "edentulous_ridge"


class SiteRef(_Model):
    """Where on the jaws: an inter-radicular site between two neighbouring teeth on one
    surface, or a named region (palate, crest, shelf...) with a side where it has one."""

    region: SiteRegion = SiteRegion.interradicular
    between: tuple[Tooth, Tooth] | None = Field(
        default=None, description="the two teeth of an inter-radicular site, e.g. [15, 16]"
    )
    surface: Surface | None = None
    side: Literal["right", "left", "midline"] | None = None
    arch: fdi.Arch | None = None

    @field_validator("between", mode="before")
    @classmethod
    def _between(cls, v: object) -> object:
        if v is None:
            return v
        teeth = _teeth_list(v)
        assert isinstance(teeth, list)
        if len(teeth) != 2:
            raise ValueError("an inter-radicular site names exactly two teeth")
        a, b = teeth
        if fdi.arch(a) != fdi.arch(b):
            raise ValueError(f"teeth {a} and {b} are in different arches")
        if a == b or fdi.is_primary(a) != fdi.is_primary(b):
            raise ValueError(f"teeth {a} and {b} do not bound an inter-radicular site")
        return tuple(sorted((a, b), key=fdi.arch_index))

    @model_validator(mode="after")
    def _complete(self) -> SiteRef:
        if self.region == SiteRegion.interradicular:
            if self.between is None:
                raise ValueError("an inter-radicular site needs 'between: [tooth, tooth]'")
            if self.surface is None:
                raise ValueError("an inter-radicular site needs 'surface' (buccal/palatal/lingual)")
            jaw = fdi.arch(self.between[0])
            if self.surface == Surface.palatal and jaw == "mandible":
                raise ValueError("the mandible has no palatal surface: use 'lingual'")
            if self.surface == Surface.lingual and jaw == "maxilla":
                raise ValueError("the maxilla has no lingual surface: use 'palatal'")
        elif self.between is not None:
            raise ValueError(f"'between' is only for inter-radicular sites, not {self.region}")
        return self

    @property
    def jaw(self) -> fdi.Arch:
        if self.between is not None:
            return fdi.arch(self.between[0])
        if self.arch is not None:
            return self.arch
        return (
            "mandible"
            if self.region in (SiteRegion.retromolar, SiteRegion.mandibular_buccal_shelf)
            else "maxilla"
        )

    def label(self) -> str:
        if self.between is not None:
            a, b = self.between
            return f"{self.surface} {a}-{b}"
        parts = [self.region.value.replace("_", " ")]
        if self.side and self.side != "midline":
            parts.append(f"({self.side})")
        if self.arch and self.region in (SiteRegion.retromolar, SiteRegion.edentulous_ridge):
            parts.append(self.arch)
        return " ".join(parts)


class SiteAssessment(_Model):
    """What the clinician measured or decided about one site."""

    site: SiteRef
    interradicular_width_mm: StrictFloat | None = Field(default=None, ge=0, le=20)
    bone_quality: BoneQuality | None = None
    cortical_thickness_mm: StrictFloat | None = Field(default=None, ge=0, le=6)
    gingiva_thickness_mm: StrictFloat | None = Field(default=None, ge=0, le=10)
    attached_gingiva_height_mm: StrictFloat | None = Field(default=None, ge=0, le=15)
    available: StrictBool = Field(default=True, description="false rules the site out")
    reason: str | None = Field(default=None, description="why the site is ruled out")


class Displacement(StrEnum):
    """Where a tooth lies relative to its place in the arch."""

    palatal = "palatal"
    lingual = "lingual"
    buccal = "buccal"
    apical = "apical"  # high (maxilla) / low (mandible): not erupted to the occlusal plane
    mesial = "mesial"
    distal = "distal"


_OPPOSITE_DISPLACEMENT = (
    ({Displacement.palatal, Displacement.lingual}, {Displacement.buccal}),
    ({Displacement.mesial}, {Displacement.distal}),
)


class DisplacedTooth(_Model):
    """A tooth out of its place in the arch, e.g. ``{tooth: 23, direction: [palatal, apical]}``:
    the crown lies palatal of and higher than its place. The mechanics bring it back the
    opposite way (towards the arch)."""

    tooth: StrictInt = Field(description="FDI tooth number, e.g. 23")
    direction: list[Displacement] = Field(
        min_length=1,
        description="palatal/lingual or buccal, apical (high), mesial or distal; one or more",
    )

    @field_validator("tooth", mode="before")
    @classmethod
    def _fdi(cls, v: object) -> int:
        return _tooth(v)

    @model_validator(mode="after")
    def _directions(self) -> DisplacedTooth:
        d = set(self.direction)
        if len(d) != len(self.direction):
            raise FieldErrors.at("direction", "a direction is listed twice")
        for one, other in _OPPOSITE_DISPLACEMENT:
            if d & one and d & other:
                a, b = sorted(x.value for x in d & one)[0], sorted(x.value for x in d & other)[0]
                raise FieldErrors.at("direction", f"{a} and {b} are opposite: give one of them")
        jaw = fdi.arch(self.tooth)
        if Displacement.palatal in d and jaw == "mandible":
            raise FieldErrors.at(
                "direction", f"tooth {self.tooth} is in the mandible: use 'lingual'"
            )
        if Displacement.lingual in d and jaw == "maxilla":
            raise FieldErrors.at(
                "direction", f"tooth {self.tooth} is in the maxilla: use 'palatal'"
            )
        return self


class Findings(_Model):
    sagittal_class: SagittalClass | None = None
    overjet_mm: StrictFloat | None = Field(default=None, ge=-15, le=20)
    overbite_mm: StrictFloat | None = Field(default=None, ge=-15, le=15)
    vertical: VerticalPattern | None = None
    incisor_inclination: Inclination | None = Field(
        default=None, description="upper incisors; see lower_incisor_inclination"
    )
    lower_incisor_inclination: Inclination | None = None
    crossbites: list[Crossbite] = Field(default_factory=list)
    midline_deviation_mm: StrictFloat | None = Field(
        default=None, ge=-10, le=10, description="upper midline, + to the left"
    )
    crowding_mm: StrictFloat | None = Field(default=None, ge=-15, le=20)
    gummy_smile: StrictBool = False
    orthognathic_surgery_planned: StrictBool = Field(
        default=False, description="surgical orthodontics: decompensation, surgery first"
    )
    site_assessments: list[SiteAssessment] = Field(default_factory=list)
    displaced_teeth: list[DisplacedTooth] = Field(
        default_factory=list,
        description="teeth out of their place in the arch and in which direction, e.g. "
        "[{tooth: 23, direction: [palatal, apical]}]",
    )

    def displacement(self, tooth: int) -> tuple[Displacement, ...]:
        """Directions in which ``tooth`` is displaced (empty when it is not stated)."""
        for d in self.displaced_teeth:
            if d.tooth == tooth:
                return tuple(d.direction)
        return ()


# ----------------------------------------------------------------------------- goals


class MovementKind(StrEnum):
    intrusion = "intrusion"
    extrusion = "extrusion"
    retraction = "retraction"
    protraction = "protraction"
    mesialisation = "mesialisation"
    distalisation = "distalisation"
    uprighting = "uprighting"
    derotation = "derotation"
    crossbite_correction = "crossbite_correction"
    expansion = "expansion"
    anchorage_maintenance = "anchorage_maintenance"
    canine_alignment = "canine_alignment"  # integrating a displaced/impacted canine
    # surgical orthodontics: skeletal anchorage that moves no tooth itself
    intermaxillary_fixation = "intermaxillary_fixation"  # IMF during and after jaw surgery
    surgery_first = "surgery_first"  # post-surgical orthodontics and guiding elastics


SURGICAL_KINDS = frozenset({MovementKind.intermaxillary_fixation, MovementKind.surgery_first})
"""Goals of surgical orthodontics that ask for screws in both jaws (fixation, elastics), not
for a tooth movement; their teeth may be in both arches. A pre-surgical decompensation is a
movement (retraction, protraction, intrusion...) with ``findings.orthognathic_surgery_planned``."""

HOLDING_KINDS = frozenset({MovementKind.anchorage_maintenance}) | SURGICAL_KINDS
"""Goals that move no tooth: they take no amount and no force dose."""


ERUPTION_KINDS = frozenset({MovementKind.canine_alignment, MovementKind.extrusion})
"""Goal kinds that can target an unerupted or impacted tooth (guided eruption, traction)."""

ANGULAR_KINDS = frozenset({MovementKind.uprighting, MovementKind.derotation})
"""Kinds whose amount is an angle (``amount_deg``); all others take ``amount_mm``."""

MAX_AMOUNT: dict[MovementKind, float] = {
    MovementKind.intrusion: 8.0,
    MovementKind.extrusion: 10.0,
    MovementKind.retraction: 12.0,
    MovementKind.protraction: 15.0,
    MovementKind.mesialisation: 15.0,
    MovementKind.distalisation: 10.0,
    MovementKind.crossbite_correction: 12.0,
    MovementKind.expansion: 15.0,
    MovementKind.canine_alignment: 20.0,
    MovementKind.anchorage_maintenance: 0.0,
    MovementKind.intermaxillary_fixation: 0.0,
    MovementKind.surgery_first: 0.0,
    MovementKind.uprighting: 90.0,
    MovementKind.derotation: 120.0,
}
"""Plausibility ceilings for one goal (mm, or degrees for angular kinds). Not clinical
targets: they only catch typing errors such as 40 mm of intrusion. Intrusion beyond about
3 mm with TADs is already at the edge of what is reported."""

MIN_AMOUNT_MM = 0.5
MIN_AMOUNT_DEG = 1.0
"""Smallest movement a goal may ask for. [E] stated, not cited: below half a millimetre
(or one degree) a movement is within the error of measuring it on models or radiographs,
and no mini-implant is placed for it; smaller values are typing errors (0.05 for 5)."""

CONTRADICTORY: tuple[tuple[frozenset[MovementKind], frozenset[MovementKind]], ...] = (
    (frozenset({MovementKind.intrusion}), frozenset({MovementKind.extrusion})),
    (
        frozenset({MovementKind.retraction, MovementKind.distalisation}),
        frozenset({MovementKind.protraction, MovementKind.mesialisation}),
    ),
)


class Control(StrEnum):
    """How the moved teeth should go: the crown first (``tipping``), the whole tooth
    (``bodily``: translation, the force line through the centre of resistance) or the root
    first (``root``)."""

    tipping = "tipping"
    bodily = "bodily"
    root = "root"


DEFAULT_CONTROL: dict[MovementKind, Control] = {
    MovementKind.mesialisation: Control.bodily,
    MovementKind.protraction: Control.bodily,
    MovementKind.distalisation: Control.bodily,
}
"""Control of a goal that does not state one: molars slid along the arch are moved bodily
(a power hook near the centre of resistance against tipping, seed II.2 Fig. 22); every other
kind (retraction of proclined incisors, intrusion, ...) tips by default."""


class AnchorageDemand(StrEnum):
    minimum = "minimum"
    moderate = "moderate"
    maximum = "maximum"
    absolute = "absolute"


class Symmetry(StrEnum):
    symmetric = "symmetric"
    asymmetric = "asymmetric"


NAMED_SEGMENTS: dict[str, tuple[int, int]] = {
    "upper_anterior": (13, 23),
    "upper_incisors": (12, 22),
    "upper_centrals": (11, 21),
    "lower_anterior": (43, 33),
    "lower_incisors": (42, 32),
    "upper_right_buccal": (14, 17),
    "upper_left_buccal": (24, 27),
    "lower_right_buccal": (44, 47),
    "lower_left_buccal": (34, 37),
    "upper_arch": (17, 27),
    "lower_arch": (47, 37),
}
"""Named segments, as a span along the arch."""

NAMED_SEGMENT_GROUPS: dict[str, tuple[tuple[int, int], ...]] = {
    "upper_buccal_segments": ((17, 14), (24, 27)),
    "lower_buccal_segments": ((47, 44), (34, 37)),
}
"""Named segments of several spans: both buccal segments (premolars and first and second
molars of both sides), e.g. for a bilateral distalisation or intrusion of the buccal teeth."""


def parse_segment(text: str) -> tuple[int, ...]:
    """``"13-23"`` or a name from :data:`NAMED_SEGMENTS` or :data:`NAMED_SEGMENT_GROUPS`
    -> teeth along the arch."""
    key = text.strip().lower().replace(" ", "_")
    if key in NAMED_SEGMENTS:
        return fdi.span(*NAMED_SEGMENTS[key])
    if key in NAMED_SEGMENT_GROUPS:
        return tuple(t for a, b in NAMED_SEGMENT_GROUPS[key] for t in fdi.span(a, b))
    parts = text.replace(" ", "").split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        names = ", ".join(sorted([*NAMED_SEGMENTS, *NAMED_SEGMENT_GROUPS]))
        raise ValueError(
            f"{echo(text)} is not a segment: write 'A-B' (e.g. 13-23) or one of {names}"
        )
    a, b = (_tooth(p) for p in parts)
    try:
        return fdi.span(a, b)
    except fdi.ToothNumberError as exc:
        raise ValueError(str(exc)) from None


class Goal(_Model):
    """One tooth movement wanted (or an anchorage to hold)."""

    id: str | None = Field(
        default=None, max_length=80, description="short label; defaults to g1, g2 ..."
    )
    kind: MovementKind
    teeth: list[Tooth] | None = Field(default=None, description="explicit FDI teeth")
    segment: str | None = Field(default=None, description="'13-23' or a named segment")
    amount_mm: StrictFloat | None = Field(default=None, description="size of the movement, mm")
    amount_deg: StrictFloat | None = Field(
        default=None, description="angle, for uprighting/derotation"
    )
    side: Literal["right", "left", "bilateral"] | None = None
    symmetry: Symmetry = Symmetry.symmetric
    anchorage_demand: AnchorageDemand = AnchorageDemand.moderate
    control: Control | None = Field(
        default=None,
        description="tipping | bodily | root: how the teeth should move; default: bodily for "
        "mesialisation, protraction and distalisation, tipping otherwise. With bodily, the "
        "planner proposes the hook or power-arm length whose pull passes through the centre "
        "of resistance",
    )
    notes: str | None = None

    _vt = field_validator("teeth", mode="before")(_teeth_list)

    @field_validator("segment")
    @classmethod
    def _segment(cls, v: str | None) -> str | None:
        if v is not None:
            parse_segment(v)
        return v

    @model_validator(mode="after")
    def _shape(self) -> Goal:
        if (self.teeth is None) == (self.segment is None):
            raise ValueError("give exactly one of 'teeth' or 'segment'")
        if self.teeth is not None and not self.teeth:
            raise FieldErrors.at("teeth", "is empty")
        if self.teeth:
            arches = {fdi.arch(t) for t in self.teeth}
            if len(arches) > 1 and self.kind not in {
                MovementKind.crossbite_correction,
                *SURGICAL_KINDS,
            }:
                raise FieldErrors.at(
                    "teeth", f"{self.teeth} span both arches: make one goal per arch"
                )
        angular = self.kind in ANGULAR_KINDS
        amount = self.amount_deg if angular else self.amount_mm
        wrong = self.amount_mm if angular else self.amount_deg
        measure = "deg" if angular else "mm"
        unit = f"amount_{measure}"
        if wrong is not None:
            raise FieldErrors.at(
                "amount_mm" if angular else "amount_deg",
                f"{self.kind.value} is measured in {measure}: use {unit}",
            )
        if amount is not None:
            ceiling = MAX_AMOUNT[self.kind]
            floor = MIN_AMOUNT_DEG if angular else MIN_AMOUNT_MM
            if amount <= 0 and self.kind not in HOLDING_KINDS:
                raise FieldErrors.at(unit, f"must be positive, got {amount:g}")
            if 0 < amount < floor and self.kind not in HOLDING_KINDS:
                raise FieldErrors.at(
                    unit,
                    f"{amount:g} is too small to plan for (at least {floor:g}; "
                    f"below that the movement is within measurement error)",
                )
            if self.kind in HOLDING_KINDS and amount != 0:
                raise FieldErrors.at(unit, f"{self.kind.value} takes no amount")
            if amount > ceiling:
                raise FieldErrors.at(
                    unit, f"{amount:g} is not plausible for {self.kind.value} (at most {ceiling:g})"
                )
        return self

    @property
    def movement_control(self) -> Control:
        """The control asked for: ``control``, else the kind's default
        (:data:`DEFAULT_CONTROL`)."""
        return self.control or DEFAULT_CONTROL.get(self.kind, Control.tipping)

    def tooth_list(self) -> tuple[int, ...]:
        """The teeth named, along the arch (segments expanded; absent teeth not removed)."""
        if self.teeth is not None:
            return tuple(self.teeth)
        assert self.segment is not None
        return parse_segment(self.segment)


# ----------------------------------------------------------------------------- the case


class Patient(_Model):
    id: str | None = Field(default=None, description="pseudonymous id; no names")
    age_y: StrictFloat | None = Field(default=None, ge=5, le=100)
    sex: Literal["F", "M", "other"] | None = None
    smoker: StrictBool | None = None


class Constraints(_Model):
    no_palatal: StrictBool = Field(default=False, description="palatal insertion refused")
    max_implants: StrictInt | None = Field(default=None, ge=1, le=12)
    guided_insertion: StrictBool = Field(
        default=False, description="printed surgical guide available"
    )


class Case(_Model):
    """An orthodontic case as the clinician describes it."""

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str | None = None
    description: str | None = None
    patient: Patient = Field(default_factory=Patient)
    dentition: Dentition = Field(default_factory=Dentition)
    attachments: Attachments = Field(default_factory=Attachments)
    findings: Findings = Field(default_factory=Findings)
    constraints: Constraints = Field(default_factory=Constraints)
    goals: list[Goal] = Field(min_length=1)

    @model_validator(mode="after")
    def _semantics(self) -> Case:
        if self.patient.age_y is not None:
            ages = third_molar_eruption_age_y()
            dent = self.dentition
            # a third molar the case names as a goal tooth or bonds is in the mouth
            brackets = self.attachments.brackets
            named = {t for g in self.goals for t in (g.teeth or ())}
            named |= set(self.attachments.bands)
            named |= set(brackets) if isinstance(brackets, list) else set()
            young = frozenset(
                t
                for t in THIRD_MOLARS
                if self.patient.age_y < ages[fdi.arch(t)]
                and t not in dent.erupted
                and t not in named
                and dent.status(t) == ToothStatus.present
            )
            if young:
                dent = dent.model_copy()  # never change a Dentition another case may share
                dent._age_unerupted = young
                object.__setattr__(self, "dentition", dent)
        problems = semantic_problems(self)
        if problems:
            raise FieldErrors(problems)
        return self

    def goal_ids(self) -> list[str]:
        return [g.id or f"g{i + 1}" for i, g in enumerate(self.goals)]

    def goal_teeth(self, i: int) -> tuple[int, ...]:
        """Teeth that goal ``i`` moves: a segment's absent teeth and planned extractions
        dropped (explicit ``teeth`` naming them are refused by validation)."""
        return _moved_teeth(self.goals[i], self.dentition.retained_teeth())

    def site_assessment(self, site: SiteRef) -> SiteAssessment | None:
        for a in self.findings.site_assessments:
            if a.site == site:
                return a
        return None


def _moved_teeth(goal: Goal, retained: frozenset[int]) -> tuple[int, ...]:
    teeth = goal.tooth_list()
    if goal.segment is not None:
        teeth = tuple(t for t in teeth if t in retained)
    return teeth


def _absent_teeth_problems(case: Case) -> list[tuple[FieldPath, str]]:
    """Appliances and findings on teeth that are not in the mouth; goal sides that
    contradict the goal's teeth."""
    problems: list[tuple[FieldPath, str]] = []
    dent = case.dentition
    att = case.attachments
    gone = {t: dent.status(t) for t in fdi.ALL_TEETH if dent.status(t) in ABSENT}
    on_teeth: list[tuple[FieldPath, list[int]]] = [(("attachments", "bands"), att.bands)]
    if isinstance(att.brackets, list):
        on_teeth.append((("attachments", "brackets"), att.brackets))
    on_teeth += [
        (("findings", "crossbites", j, "teeth"), cb.teeth)
        for j, cb in enumerate(case.findings.crossbites)
    ]
    for where, teeth in on_teeth:
        for t in teeth:
            if t in gone:
                state = "not present" if fdi.is_primary(t) else gone[t].value
                problems.append((where, f"tooth {t} is {state}"))
                break
    for i, g in enumerate(case.goals):
        if g.side in ("right", "left"):
            other = [t for t in g.tooth_list() if fdi.side(t) != g.side]
            if other:
                problems.append(
                    (
                        ("goals", i, "side"),
                        f"{g.side}, but tooth {other[0]} is on the {fdi.side(other[0])} side",
                    )
                )
    return problems


def semantic_problems(case: Case) -> list[tuple[FieldPath, str]]:
    """Cross-field problems, each (the field's path, the reason): movements of absent teeth,
    appliances on them, contradictory goals, empty segments, duplicate goal ids.
    Linear in the number of goals."""
    problems = _duplicate_goal_ids(case)
    problems += _absent_teeth_problems(case)
    problems += _site_assessment_problems(case)
    problems += _displaced_teeth_problems(case)
    goal_problems, per_tooth = _goal_teeth_problems(case)
    return problems + goal_problems + _contradictions(per_tooth, case.goal_ids())


def _duplicate_goal_ids(case: Case) -> list[tuple[FieldPath, str]]:
    """A goal id used twice, reported once at its first use."""
    problems: list[tuple[FieldPath, str]] = []
    first: dict[str, int] = {}
    reported: set[str] = set()
    for i, gid in enumerate(case.goal_ids()):
        if gid in first and gid not in reported:
            reported.add(gid)
            problems.append(
                (("goals", first[gid], "id"), f"goal id {echo(gid)} is used more than once")
            )
        first.setdefault(gid, i)
    return problems


def _site_assessment_problems(case: Case) -> list[tuple[FieldPath, str]]:
    """A site assessment between a tooth not in the mouth, or between two non-neighbours."""
    problems: list[tuple[FieldPath, str]] = []
    present = case.dentition.present_teeth()
    for j, a in enumerate(case.findings.site_assessments):
        if a.site.between is not None:
            t1, t2 = a.site.between
            where: FieldPath = ("findings", "site_assessments", j, "site", "between")
            gone = [t for t in (t1, t2) if t not in present]
            if gone:
                problems.append((where, f"tooth {gone[0]} is not in the mouth"))
            elif t2 not in fdi.neighbours(t1, present):
                problems.append((where, f"teeth {t1} and {t2} are not neighbours along the arch"))
    return problems


def _displaced_teeth_problems(case: Case) -> list[tuple[FieldPath, str]]:
    """A displaced tooth listed twice, or absent."""
    problems: list[tuple[FieldPath, str]] = []
    dent = case.dentition
    seen_displaced: set[int] = set()
    for j, d in enumerate(case.findings.displaced_teeth):
        where: FieldPath = ("findings", "displaced_teeth", j, "tooth")
        st = dent.status(d.tooth)
        if d.tooth in seen_displaced:
            problems.append((where, f"tooth {d.tooth} is listed twice"))
        seen_displaced.add(d.tooth)
        if st in ABSENT:
            problems.append((where, f"tooth {d.tooth} is {st.value.replace('_', ' ')}"))
    return problems


def _goal_target_problem(g: Goal, t: int, st: ToothStatus) -> str | None:
    """Why tooth ``t`` (status ``st``) cannot be a target of goal ``g``, if it cannot."""
    if st in ABSENT:
        return f"tooth {t} is {st.value.replace('_', ' ')}: it cannot be moved ({g.kind.value})"
    if st in UNERUPTED and g.kind not in ERUPTION_KINDS:
        return (
            f"tooth {t} is {st.value}: only canine_alignment or "
            f"extrusion can bring it into the arch, not {g.kind.value}"
        )
    if st == ToothStatus.planned_extraction:
        return f"tooth {t} is a planned extraction: it cannot be a target of {g.kind.value}"
    return None


def _goal_teeth_problems(
    case: Case,
) -> tuple[list[tuple[FieldPath, str]], dict[int, list[tuple[int, MovementKind]]]]:
    """Goals on teeth that cannot be moved, empty segments; and the goals moving each tooth."""
    problems: list[tuple[FieldPath, str]] = []
    dent = case.dentition
    retained = dent.retained_teeth()
    per_tooth: dict[int, list[tuple[int, MovementKind]]] = {}
    for i, g in enumerate(case.goals):
        where: FieldPath = ("goals", i)
        for t in g.teeth or ():
            why = _goal_target_problem(g, t, dent.status(t))
            if why is not None:
                problems.append(((*where, "teeth"), why))
        teeth = _moved_teeth(g, retained)
        if g.segment is not None and not teeth:
            problems.append(
                ((*where, "segment"), f"no tooth of segment {echo(g.segment)} is retained")
            )
        for t in teeth:
            per_tooth.setdefault(t, []).append((i, g.kind))
    return problems, per_tooth


def _contradictions(
    per_tooth: dict[int, list[tuple[int, MovementKind]]], ids: list[str]
) -> list[tuple[FieldPath, str]]:
    """Goals asking opposite movements of one tooth, one problem per set of goals."""
    problems: list[tuple[FieldPath, str]] = []
    clashes: dict[tuple[tuple[int, ...], str, str], list[int]] = {}
    for tooth, uses in sorted(per_tooth.items()):
        kinds = {k for _, k in uses}
        for one, other in CONTRADICTORY:
            if kinds & one and kinds & other:
                ka = "/".join(sorted(k.value for k in kinds & one))
                kb = "/".join(sorted(k.value for k in kinds & other))
                idx = tuple(sorted({i for i, k in uses if k in one | other}))
                clashes.setdefault((idx, ka, kb), []).append(tooth)
    for (idx, ka, kb), teeth_hit in clashes.items():
        problems.append(
            (
                ("goals", idx[-1]),
                f"contradictory goals on tooth {', '.join(map(str, teeth_hit))}: {ka} and {kb} "
                f"(goals {', '.join(echo(ids[j]) for j in idx[:5])}"
                f"{', ...' if len(idx) > 5 else ''})",
            )
        )
    return problems
