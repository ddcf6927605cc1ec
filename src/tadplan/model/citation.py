"""Citations as values: a registry key, the section/figure/table, the evidence tag.

:class:`SourceRef` is what the plan carries (and the report prints); :class:`Cited` is one
sourced number as the data files hold it (``{value, source, detail, tag}``), read by the
anatomy, mechanics and risk data readers alike. Keys name entries of the source registry
(:mod:`tadplan.knowledge.sources`).
"""

from __future__ import annotations

from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

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

    @model_validator(mode="before")
    @classmethod
    def _tag_out_of_detail(cls, data: Any) -> Any:
        """A data file may end the detail with the entry's own tag ("... [E]"): kept once, in
        ``tag``."""
        if isinstance(data, dict) and isinstance(data.get("detail"), str) and data.get("tag"):
            detail, _ = read_tag(data["detail"], data["tag"])
            return {**data, "detail": detail}
        return data

    def ref(self) -> SourceRef:
        """The citation of this number, as the plan carries it."""
        return SourceRef(key=self.source, detail=self.detail or None, tag=self.tag)


def read_tag(detail: str, tag: Tag | None = None) -> tuple[str, Tag | None]:
    """A data or rule file's ``detail`` with its trailing evidence tag (``"... [R]"``) read
    out: ``(detail without the tag, tag)``. With ``tag`` given (the file's own ``tag`` field),
    only that tag is read out of the detail; a detail without a trailing tag keeps ``tag``.
    Called once, by the readers of the data files."""
    head, _, last = detail.rstrip().rpartition(" [")
    found = last[:-1] if last.endswith("]") else None
    if head and found in TAGS and (tag is None or found == tag):
        return head.rstrip(), cast(Tag, found)
    return detail, tag
