"""Citations as values: a registry key, the section/figure/table, the evidence tag.

:class:`SourceRef` is what the plan carries (and the report prints); :class:`Cited` is one
sourced number as the data files hold it (``{value, source, detail, tag}``), read by the
anatomy, mechanics and risk data readers alike. Keys name entries of the source registry
(:mod:`tadplan.knowledge.sources`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Tag = Literal["R", "R2", "U", "E"]
"""Evidence tag: [R] read in the source, [R2] secondary, [U] unconfirmed, [E] engineering
estimate."""

TAGS: frozenset[str] = frozenset(("R", "R2", "U", "E"))


class FrozenModel(BaseModel):
    """Base of the plan's value types: immutable, unknown keys refused. Their validators are
    built on first use (``defer_build``), so that importing the vocabulary stays cheap."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class SourceRef(FrozenModel):
    """A citation: ``key`` names an entry of the knowledge base's source registry
    (e.g. ``seed``, ``papageorgiou2012``); ``detail`` the section, figure or table; ``tag``
    the evidence tag of the value cited."""

    key: str
    detail: str | None = None
    tag: Tag | None = None
    text: str | None = Field(default=None, description="the full citation, filled by the planner")


class Cited(FrozenModel):
    """One sourced number of a data file: ``source`` is a registry key, ``detail`` the
    table/figure, ``tag`` the evidence tag."""

    value: float
    source: str
    detail: str
    tag: Tag

    def ref(self) -> SourceRef:
        """The citation of this number, as the plan carries it (the tag with the detail)."""
        tag = f"[{self.tag}]"
        detail = self.detail if self.detail.endswith(tag) else f"{self.detail} {tag}"
        return SourceRef(key=self.source, detail=detail.strip())
