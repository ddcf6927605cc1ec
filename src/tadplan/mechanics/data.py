"""The mechanics data files (``tadplan/mechanics/data/*.yaml``), loaded and validated.

Every clinical number there is a :class:`~tadplan.model.Cited` mapping
``{value, source, detail, tag}``: ``source`` is a key of the source registry
(:mod:`tadplan.knowledge.sources`), ``detail`` the table/figure, ``tag`` the evidence tag
(R, R2, U, E). A bad file raises :class:`MechanicsDataError` naming the file and the field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tadplan._yaml import load_data
from tadplan.case.model import MovementKind
from tadplan.errors import DataError
from tadplan.knowledge.sources import sources
from tadplan.model import Cited, Tag

Jaw = Literal["maxilla", "mandible"]


class MechanicsDataError(DataError):
    """A mechanics data file is malformed; the message names the file and the field."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CitedNote(_Model):
    """A sourced statement without a number (e.g. a seed rule)."""

    detail: str
    source: str
    tag: Tag
    section: str | None = None


class CitedList(_Model):
    values: list[float] = Field(min_length=1)
    source: str
    detail: str
    tag: Tag


Basis = Literal["applied", "delivered"]


class CitedRange(_Model):
    """A force range in grams-force, with its source.

    ``basis``: ``applied`` - the force a module applied in a clinical study of the same
    mechanics (in sliding mechanics it already met the study's ordinary sliding friction);
    ``delivered`` - the force that should reach the teeth. ``basis_detail`` says why.
    """

    low_g: float = Field(ge=0)
    high_g: float = Field(gt=0)
    source: str
    detail: str
    tag: Tag
    basis: Basis
    basis_detail: str

    @model_validator(mode="after")
    def _ordered(self) -> CitedRange:
        if self.high_g < self.low_g:
            raise ValueError(f"high_g ({self.high_g}) is below low_g ({self.low_g})")
        return self


class _Selector(_Model):
    """Which goals an entry applies to."""

    kind: MovementKind
    min_teeth: int | None = Field(default=None, ge=1)
    max_teeth: int | None = Field(default=None, ge=1)
    tooth_types: list[Literal["incisor", "canine", "premolar", "molar"]] | None = None
    jaw: Literal["maxilla", "mandible"] | None = None

    def matches(self, kind: MovementKind, n_teeth: int, types: set[str], jaw: str) -> bool:
        return (
            self.kind == kind
            and (self.min_teeth is None or n_teeth >= self.min_teeth)
            and (self.max_teeth is None or n_teeth <= self.max_teeth)
            and (self.tooth_types is None or types <= set(self.tooth_types))
            and (self.jaw is None or self.jaw == jaw)
        )


class GoalRange(_Selector, CitedRange):
    pass


class Rate(_Selector):
    value: float = Field(gt=0, description="mm per month")
    source: str
    detail: str
    tag: Tag

    def cited(self) -> Cited:
        return Cited(value=self.value, source=self.source, detail=self.detail, tag=self.tag)


# ----------------------------------------------------------------------------- files


class SingleRooted(_Model):
    fraction_of_embedded_root_from_crest: Cited
    crest_below_cej_mm: Cited

    @field_validator("fraction_of_embedded_root_from_crest")
    @classmethod
    def _fraction(cls, v: Cited) -> Cited:
        if not 0 < v.value < 1:
            raise ValueError(f"value must be between 0 and 1, got {v.value}")
        return v


MOLAR_KEYS = tuple(f"{jaw}_{pos}" for jaw in ("maxilla", "mandible") for pos in (6, 7, 8))


class MultiRooted(_Model):
    furcation_depth_mm: dict[str, Cited]
    """CEJ to furcation along the long axis, per ``<jaw>_<position>`` (molars 6-8)."""
    cr_apical_to_furcation_mm: Cited

    @field_validator("furcation_depth_mm")
    @classmethod
    def _every_molar(cls, v: dict[str, Cited]) -> dict[str, Cited]:
        missing = [k for k in MOLAR_KEYS if k not in v]
        extra = [k for k in v if k not in MOLAR_KEYS]
        if missing or extra:
            raise ValueError(f"keys must be {list(MOLAR_KEYS)}; missing {missing}, unknown {extra}")
        return v


class Combination(_Model):
    rule: Literal["pdl_area_weighted_mean"]
    detail: str
    source: str
    tag: Tag
    root_surface_area_mm2: dict[Jaw, dict[int, Cited]]
    """Root (PDL) surface area per jaw and tooth position 1-8, mm2: the segment CR's weights."""

    @field_validator("root_surface_area_mm2")
    @classmethod
    def _every_tooth(cls, v: dict[Jaw, dict[int, Cited]]) -> dict[Jaw, dict[int, Cited]]:
        jaws: tuple[Jaw, Jaw] = ("maxilla", "mandible")
        for jaw in jaws:
            rows = v.get(jaw)
            if rows is None:
                raise ValueError(f"{jaw}: missing")
            missing = [p for p in range(1, 9) if p not in rows]
            if missing:
                raise ValueError(f"{jaw}: positions {missing} missing")
            bad = [p for p, c in rows.items() if c.value <= 0]
            if bad:
                raise ValueError(f"{jaw}: positions {bad} must have a positive area")
        return v

    def pdl_area_mm2(self, jaw: Jaw, position: int) -> Cited:
        return self.root_surface_area_mm2[jaw][position]


class PublishedCR(_Model):
    """A published CR position the model is checked against (``held_out``: not used to set
    any parameter)."""

    id: str
    teeth: list[int] = Field(min_length=1)
    reference: Literal["lower_incisal_point", "buccal_crown_centre", "alveolar_crest"]
    quantity: Literal[
        "apical_mm",
        "posterior_mm",
        "gingival_mm",
        "lingual_mm",
        "distal_mm",
        "fraction_of_embedded_root",
    ]
    value: float
    low: float
    high: float
    source: str
    detail: str
    tag: Tag
    held_out: bool

    @model_validator(mode="after")
    def _brackets_value(self) -> PublishedCR:
        if not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value} is outside low-high {self.low}-{self.high}")
        return self


class CentresFile(_Model):
    version: Literal[1]
    single_rooted: SingleRooted
    multi_rooted: MultiRooted
    combination: Combination
    published: list[PublishedCR]


class PublishedPowerArm(_Model):
    """A published power-arm length and the movement it gave (all held out)."""

    id: str
    source: str
    method: Literal["finite_element", "in_vivo", "experimental"]
    segment: list[int] = Field(min_length=2)
    hook_between: tuple[int, int]
    force_line: Literal["parallel", "implant"]
    implant_site: tuple[int, int] | None = None
    length_mm: float = Field(ge=0)
    low_mm: float | None = None
    high_mm: float | None = None
    movement: Literal["translation", "controlled_tipping", "uncontrolled_tipping"]
    archwire: str
    detail: str
    tag: Tag
    held_out: bool

    @model_validator(mode="after")
    def _implant_given(self) -> PublishedPowerArm:
        if (self.force_line == "implant") != (self.implant_site is not None):
            raise ValueError("implant_site is given exactly when force_line is 'implant'")
        return self


class PowerArmsFile(_Model):
    version: Literal[1]
    studies: list[PublishedPowerArm] = Field(min_length=1)


class StrainForce(_Model):
    strain: float = Field(gt=0)
    value: float = Field(gt=0, description="N")
    low: float
    high: float
    source: str
    detail: str
    tag: Tag


class DecayPoint(_Model):
    t_days: float = Field(ge=0)
    remaining: float = Field(gt=0, le=1)
    low: float = Field(gt=0, le=1)
    high: float = Field(gt=0, le=1)
    source: str
    detail: str
    tag: Tag


class NitiClosedCoil(_Model):
    nominal_classes_g: CitedList
    plateau_fraction_of_label: Cited
    superelastic_onset_fraction_of_niti_length: Cited
    default_niti_length_mm: Cited
    max_activation_mm: Cited
    default_activation_mm: Cited


class ElastomericChain(_Model):
    initial_force_n: list[StrainForce] = Field(min_length=1)
    max_strain: Cited
    decay_points: list[DecayPoint] = Field(min_length=2)
    tau_days: Cited


class LatexElastic(_Model):
    relaxation_24h_fraction: Cited
    tau_days: Cited
    rated_extension_factor: Cited
    replace_every_days: Cited


class NitiOpenCoil(_Model):
    load_deflection_g_per_mm: Cited
    label_shortfall_fraction: Cited
    max_compression_fraction: Cited


class SsOpenCoil(_Model):
    reference_length_mm: Cited
    load_deflection_g_per_mm: Cited
    max_compression_fraction: Cited


class ModulesFile(_Model):
    version: Literal[1]
    appointment_interval_days: Cited
    niti_closed_coil: NitiClosedCoil
    elastomeric_chain: ElastomericChain
    latex_elastic: LatexElastic
    niti_open_coil: NitiOpenCoil
    ss_open_coil: SsOpenCoil


class PerToothByMovement(_Model):
    uncontrolled_tipping: CitedRange
    controlled_tipping: CitedRange
    translation: CitedRange
    root_movement: CitedRange
    rotation: CitedRange
    extrusion: CitedRange
    intrusion: CitedRange


class RangesFile(_Model):
    version: Literal[1]
    goal_ranges: list[GoalRange]
    per_tooth_by_movement: PerToothByMovement


class RatesFile(_Model):
    version: Literal[1]
    rates: list[Rate]


class FrictionFile(_Model):
    version: Literal[1]
    sliding_loss_fraction: Cited
    high_friction_loss_fraction: Cited
    high_friction_when: CitedNote


class ImplantLoadsFile(_Model):
    version: Literal[1]
    immediate_loading_limit_g: Cited
    torsion_resistance_nmm: Cited
    two_implants_for_moments: CitedNote


G_TO_N = 0.00980665
"""Newtons per gram-force (definition of the gram-force, not a clinical number)."""
ForceUnit = Literal["N", "kg"]
_G_PER = {"N": 1 / G_TO_N, "kg": 1000.0}
"""grams-force per unit (definitions of the newton and the kilogram-force)."""


class LoadRange(_Model):
    """An orthopaedic force range as its source gives it (``unit`` N or kg)."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)
    unit: ForceUnit
    source: str
    detail: str
    tag: Tag

    @model_validator(mode="after")
    def _ordered(self) -> LoadRange:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    @property
    def low_g(self) -> float:
        return self.low * _G_PER[self.unit]

    @property
    def high_g(self) -> float:
        return self.high * _G_PER[self.unit]

    def words(self) -> str:
        """``"16-20 kg (camporesi2013)"``."""
        return f"{self.low:g}-{self.high:g} {self.unit} ({self.source})"


class Load(_Model):
    """One orthopaedic load value as its source gives it."""

    value: float = Field(gt=0)
    unit: ForceUnit
    source: str
    detail: str
    tag: Tag

    @property
    def g(self) -> float:
        return self.value * _G_PER[self.unit]


class ExpansionForce(_Model):
    per_activation: LoadRange
    after_five_activations: LoadRange
    accumulated: LoadRange


class OrthopaedicFile(_Model):
    version: Literal[1]
    expansion_force: ExpansionForce
    screw_load_limit: Load
    screw_load_limit_use: CitedNote


class ApplianceForce(_Model):
    """A force range per side as its source gives it (``unit`` g or N); the design value is its
    middle (the mean of a mean +/- SD range)."""

    low: float = Field(gt=0)
    high: float = Field(gt=0)
    unit: Literal["g", "N"]
    source: str
    detail: str
    tag: Tag

    @model_validator(mode="after")
    def _ordered(self) -> ApplianceForce:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    @property
    def g(self) -> float:
        """The force used, g (the middle of the range)."""
        return (self.low + self.high) / 2 * (1.0 if self.unit == "g" else 1 / G_TO_N)

    def words(self) -> str:
        """``"1-5 N per side (key [U])"``."""
        return f"{self.low:g}-{self.high:g} {self.unit} per side ({self.source} [{self.tag}])"


class ApplianceAttach(_Model):
    """FDI position (1-8) of the tooth each jaw's attachment is on, on each side."""

    maxilla: int = Field(ge=1, le=8)
    mandible: int = Field(ge=1, le=8)
    source: str
    detail: str
    tag: Tag


class ApplianceSpec(_Model):
    force_per_side: ApplianceForce
    action: Literal["push", "pull"]
    attach: ApplianceAttach


class AppliancesFile(_Model):
    version: Literal[1]
    appliances: dict[str, ApplianceSpec]


class ClassificationFile(_Model):
    version: Literal[1]
    uncontrolled_below: Cited
    translation_from: Cited
    root_movement_from: Cited
    negligible_moment_arm_mm: Cited
    mention_fraction: Cited
    crown_led_from: Cited


class AnglesByJaw(_Model):
    maxilla: Cited
    mandible: Cited


class GeometryFile(_Model):
    version: Literal[1]
    insertion_height_from_cej_mm: Cited
    insertion_angle_to_long_axis_deg: AnglesByJaw
    head_clearance_mm: Cited
    power_arm_height_mm: Cited
    power_arm_max_mm: Cited
    paramedian_offset_mm: Cited
    palatal_height_fraction_of_root: Cited


class MechanicsData(_Model):
    """All mechanics data files."""

    centres: CentresFile
    modules: ModulesFile
    ranges: RangesFile
    rates: RatesFile
    friction: FrictionFile
    implant_loads: ImplantLoadsFile
    orthopaedic: OrthopaedicFile
    classification: ClassificationFile
    geometry: GeometryFile
    appliances: AppliancesFile
    power_arms: PowerArmsFile


_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "centres": ("centres_of_resistance.yaml", CentresFile),
    "modules": ("force_modules.yaml", ModulesFile),
    "ranges": ("force_ranges.yaml", RangesFile),
    "rates": ("movement_rates.yaml", RatesFile),
    "friction": ("friction.yaml", FrictionFile),
    "implant_loads": ("implant_loads.yaml", ImplantLoadsFile),
    "orthopaedic": ("orthopaedic.yaml", OrthopaedicFile),
    "classification": ("movement_classification.yaml", ClassificationFile),
    "geometry": ("geometry.yaml", GeometryFile),
    "appliances": ("appliances.yaml", AppliancesFile),
    "power_arms": ("power_arms.yaml", PowerArmsFile),
}

M = TypeVar("M", bound=BaseModel)


def data_dir() -> Path:
    return Path(str(resources.files("tadplan.mechanics"))) / "data"


def _registry_keys() -> frozenset[str]:
    """Keys of the built-in source registry."""
    return frozenset(sources())


def _source_fields(node: object, path: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            where = f"{path}.{k}" if path else str(k)
            if k == "source" and isinstance(v, str):
                out.append((where, v))
            else:
                out.extend(_source_fields(v, where))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_source_fields(v, f"{path}.{i}"))
    return out


def load_file(path: Path, model: type[M], keys: frozenset[str] | None = None) -> M:
    """Read and validate one data file; errors name the file and the field."""
    try:
        raw = load_data(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MechanicsDataError(f"{path}: cannot read: {exc}") from None
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise MechanicsDataError(f"{path}: {loc}: {first['msg']}") from None
    keys = _registry_keys() if keys is None else keys
    for where, key in _source_fields(raw, ""):
        if key not in keys:
            raise MechanicsDataError(f"{path}: {where}: {key!r} is not in the source registry")
    return parsed


@cache
def mechanics_data(directory: Path | None = None) -> MechanicsData:
    """All data files of ``directory`` (default: the bundled ones), validated (cached)."""
    d = data_dir() if directory is None else directory
    keys = _registry_keys()
    parts = {name: load_file(d / fname, model, keys) for name, (fname, model) in _FILES.items()}
    return MechanicsData.model_validate(parts)
