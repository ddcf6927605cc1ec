"""The parts of knowledge-file models that rule conditions and designs share.

The strict base model (frozen, unknown keys refused, no inf/nan), where to insert relative to
the goal's teeth (:class:`SiteTemplate`: a design's implant sites and the ``site_available``
condition) and which other goals of the case match (:class:`OtherGoalFilter`: the
``other_goal`` condition, a design's ``also_serves``, a modifier's
``implant_next_to_teeth_of``). :mod:`tadplan.knowledge.schema` re-exports them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tadplan.case.fdi import ToothType
from tadplan.case.model import MovementKind, SiteRegion, Symmetry
from tadplan.errors import FieldErrors


class _Strict(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False
    )


class SiteTemplate(_Strict):
    """Where to insert, relative to the goal's teeth.

    - ``region``: the controlled vocabulary (:class:`~tadplan.case.SiteRegion`).
    - inter-radicular sites need ``surface`` (buccal, palatal, lingual, or ``oral`` =
      palatal in the maxilla / lingual in the mandible) and either ``between`` (tooth
      positions 1-8 on the implant's side, tried in order, e.g. ``[[5, 6], [4, 5]]``) or
      ``place`` (``mesial_of_most_mesial`` / ``distal_of_most_distal`` moved tooth,
      ``offset`` teeth further).
    - ``jaw``: ``goal`` (default), ``opposite``, ``maxilla`` or ``mandible``.
    """

    region: SiteRegion = SiteRegion.interradicular
    surface: Literal["buccal", "oral", "palatal", "lingual"] | None = None
    place: Literal["mesial_of_most_mesial", "distal_of_most_distal"] | None = None
    between: list[tuple[int, int]] | None = None
    offset: int = Field(default=0, ge=0, le=3)
    jaw: Literal["goal", "opposite", "maxilla", "mandible"] = "goal"
    apical: bool = Field(default=False, description="place as apically as possible")

    @field_validator("between", mode="before")
    @classmethod
    def _pairs(cls, v: object) -> object:
        if isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v):
            return [v]  # a single pair
        return v

    @model_validator(mode="after")
    def _shape(self) -> SiteTemplate:
        if self.region == SiteRegion.interradicular:
            if self.surface is None:
                raise FieldErrors.at("surface", "an inter-radicular site needs a surface")
            if (self.place is None) == (self.between is None):
                raise ValueError(
                    "give exactly one of 'place' or 'between' for an inter-radicular site"
                )
            for a, b in self.between or []:
                if not (1 <= a <= 8 and 1 <= b <= 8) or abs(a - b) != 1:
                    raise FieldErrors.at(
                        "between", f"[{a}, {b}] are not two neighbouring tooth positions (1-8)"
                    )
        elif self.place or self.between or self.surface:
            raise ValueError(
                f"place/between/surface are only for inter-radicular sites, not {self.region.value}"
            )
        return self


class OtherGoalFilter(_Strict):
    """Matches other goals of the same case."""

    kind_in: list[MovementKind] | None = None
    jaw: Literal["same", "maxilla", "mandible"] | None = "same"
    tooth_type_any: list[ToothType] | None = None
    symmetry: Symmetry | None = None
    coverage: Literal["bilateral", "unilateral"] | None = Field(
        default=None, description="sides covered by all matching goals together"
    )
