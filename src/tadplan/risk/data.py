"""The risk model's data file (``tadplan/risk/data/risk.yaml``), loaded and validated.

A bad file raises :class:`RiskDataError` naming the file and the field; every ``source`` must
be a key of the source registry (:mod:`tadplan.knowledge.sources`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tadplan._yaml import load_data
from tadplan.errors import DataError
from tadplan.knowledge.sources import sources
from tadplan.model import Cited, Tag

Group = Literal["interradicular", "palatal", "extra_alveolar"]
GROUPS: tuple[Group, ...] = ("interradicular", "palatal", "extra_alveolar")

FACTORS = (
    "root_contact",
    "root_proximity",
    "thin_cortex",
    "narrow_screw",
    "short_screw",
    "adolescent",
    "smoker",
    "mobile_mucosa",
    "inflammation",
    "immediate_loading",
    "over_immediate_loading_limit",
    "unresisted_moment",
    "distal_upper_molar",
)
"""Factor codes, in the order of the model's coefficient vector. ``root_contact`` takes the
odds ratio of its jaw (``root_contact_maxilla`` / ``root_contact_mandible`` in the file)."""


class RiskDataError(DataError):
    """The risk data file is malformed; the message names the file and the field."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SiteMatch(_Model):
    region: str | None = None
    jaw: Literal["maxilla", "mandible"] | None = None
    surface: str | None = None
    side: str | None = None
    max_position: int | None = Field(default=None, ge=1, le=8)
    min_position: int | None = Field(default=None, ge=1, le=8)


class Baseline(_Model):
    """The pooled failure rate of one insertion site."""

    id: str
    match: SiteMatch
    group: Group
    rate: float = Field(gt=0, lt=1)
    ci: tuple[float, float]
    source: str
    detail: str
    tag: Tag

    @model_validator(mode="after")
    def _ci(self) -> Baseline:
        lo, hi = self.ci
        if not 0 < lo <= self.rate <= hi < 1:
            raise ValueError(f"ci: {self.ci} must bracket rate {self.rate} within (0, 1)")
        return self


class OddsRatio(_Model):
    """One risk factor: odds ratio for failure against the reference implant."""

    odds_ratio: float = Field(gt=0)
    ci: tuple[float, float]
    threshold: float | None = None
    source: str
    detail: str
    tag: Tag

    @model_validator(mode="after")
    def _ci(self) -> OddsRatio:
        lo, hi = self.ci
        if not 0 < lo <= self.odds_ratio <= hi:
            raise ValueError(f"ci: {self.ci} must bracket odds_ratio {self.odds_ratio}")
        return self


class Mitigation(_Model):
    length_mm: Cited
    diameter_mm: Cited
    bone_each_side_mm: Cited
    another_site_min_gain: Cited
    alternative_sites: dict[Literal["maxilla", "mandible"], list[str]]


class Population(_Model):
    seed: int
    n_per_site: int = Field(ge=1000)
    mc_draws: int = Field(ge=200)
    shares: dict[str, dict[Group, Cited]]

    @model_validator(mode="after")
    def _complete(self) -> Population:
        for f in FACTORS:
            if f not in self.shares:
                raise ValueError(f"shares: factor {f!r} has no population share")
            for g in GROUPS:
                if g not in self.shares[f]:
                    raise ValueError(f"shares.{f}: group {g!r} missing")
                if not 0 <= self.shares[f][g].value <= 1:
                    raise ValueError(f"shares.{f}.{g}: a share lies in [0, 1]")
        extra = set(self.shares) - set(FACTORS)
        if extra:
            raise ValueError(f"shares: unknown factor(s) {sorted(extra)}")
        return self


class RiskData(_Model):
    version: Literal[1]
    baselines: list[Baseline] = Field(min_length=1)
    factors: dict[str, OddsRatio]
    distal_upper_molar_min_position: int = Field(ge=1, le=8)
    mitigation: Mitigation
    population: Population

    @model_validator(mode="after")
    def _factors(self) -> RiskData:
        need = {f for f in FACTORS if f != "root_contact"} | {
            "root_contact_maxilla",
            "root_contact_mandible",
        }
        missing, extra = need - set(self.factors), set(self.factors) - need
        if missing or extra:
            raise ValueError(f"factors: missing {sorted(missing)}, unknown {sorted(extra)}")
        ids = [b.id for b in self.baselines]
        if len(set(ids)) != len(ids):
            raise ValueError("baselines: an id is listed twice")
        for jaw, sites in self.mitigation.alternative_sites.items():
            for s in sites:
                if s not in ids:
                    raise ValueError(f"mitigation.alternative_sites.{jaw}: no baseline {s!r}")
        return self

    def baseline(self, baseline_id: str) -> Baseline:
        return next(b for b in self.baselines if b.id == baseline_id)

    def odds_ratio(self, factor: str, jaw: str) -> OddsRatio:
        if factor == "root_contact":
            return self.factors[f"root_contact_{jaw}"]
        return self.factors[factor]

    def source_keys(self) -> set[str]:
        keys = {b.source for b in self.baselines} | {f.source for f in self.factors.values()}
        m = self.mitigation
        keys |= {c.source for c in (m.length_mm, m.diameter_mm, m.bone_each_side_mm)}
        keys.add(m.another_site_min_gain.source)
        keys |= {c.source for by in self.population.shares.values() for c in by.values()}
        return keys


def _data_path() -> Path:
    return Path(str(resources.files("tadplan.risk"))) / "data" / "risk.yaml"


def parse_risk_data(text: str, where: str = "risk.yaml") -> RiskData:
    """Validate the text of a risk data file; errors name ``where`` and the field."""
    raw = load_data(text)
    try:
        data = RiskData.model_validate(raw)
    except ValidationError as exc:
        e = exc.errors()[0]
        field = ".".join(str(p) for p in e["loc"]) or "(top level)"
        raise RiskDataError(f"{where}: {field}: {e['msg']}") from None
    known = sources()
    unknown = sorted(data.source_keys() - set(known))
    if unknown:
        raise RiskDataError(f"{where}: source key(s) not in the registry: {', '.join(unknown)}")
    return data


@cache
def load_risk_data() -> RiskData:
    path = _data_path()
    return parse_risk_data(path.read_text(encoding="utf-8"), str(path))
