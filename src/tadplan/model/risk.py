"""The failure risk of planned implants as the plan carries it (computed by
:mod:`tadplan.risk`, which documents the model, its sources and what it ignores)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from tadplan.model.citation import FrozenModel as _Model
from tadplan.model.citation import SourceRef


class RiskFactor(_Model):
    """One factor applied to an implant."""

    code: str
    odds_ratio: float
    ci: tuple[float, float]
    exposure: float = Field(description="1 present; between 0 and 1: unknown, cohort share")
    known: bool
    value: float | None = Field(default=None, description="the measured value, if any")
    threshold: float | None = None
    source: SourceRef = Field(description="the odds ratio's citation, with its evidence tag")

    @property
    def log_effect(self) -> float:
        return self.exposure * math.log(self.odds_ratio)


MitigationCode = Literal[
    "keep_clear_of_root",
    "longer_screw",
    "wider_screw",
    "delayed_loading",
    "second_screw",
    "another_site",
    "stop_smoking",
]


class Mitigation(_Model):
    """A change that would lower the failure probability, with the probability after it."""

    code: MitigationCode
    failure_probability: float
    reduction: float
    value: float | None = Field(default=None, description="target: mm for size/clearance")
    site: str | None = Field(default=None, description="baseline id of another site")


class ImplantRisk(_Model):
    implant_id: str
    site_baseline: str
    site_rate: float
    site_rate_ci: tuple[float, float]
    site_source: SourceRef = Field(description="the site rate's citation")
    failure_probability: float
    interval: tuple[float, float]
    factors: list[RiskFactor] = Field(description="applied factors, largest effect first")
    lower_it: list[Mitigation] = Field(description="largest reduction first")


class DesignRisk(_Model):
    """The chance that any of the design's new implants fails."""

    failure_probability: float
    interval: tuple[float, float]
    implant_ids: list[str]
