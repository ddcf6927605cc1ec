"""The source registry: every citation key used by rules and data files.

The registry is the union of ``data/sources/*.yaml``. Each entry needs at least
``authors``, ``year`` and ``title``; a key defined twice is an error.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tadplan._yaml import load_data
from tadplan.errors import DataError
from tadplan.model import SourceRef


class Source(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    authors: str
    year: int = Field(ge=1800, le=2100)
    title: str
    journal: str | None = None
    where: str | None = None
    url: str | None = None
    label: str | None = Field(
        default=None, description="short name shown to readers instead of the registry key"
    )
    note: str | None = Field(default=None, description="maintainers' note, never displayed")

    def citation(self) -> str:
        parts = [f"{self.authors} ({self.year}). {self.title}."]
        if self.journal:
            parts.append(f"{self.journal}.")
        if self.where:
            parts.append(f"{self.where}.")
        return " ".join(parts)


class SourceRegistryError(DataError):
    """A source registry file is malformed or defines a key twice (names the file)."""


def _data_dir() -> Path:
    return Path(str(resources.files("tadplan.knowledge"))) / "data" / "sources"


def load_sources(dirs: tuple[Path, ...] = ()) -> dict[str, Source]:
    """Read every ``*.yaml`` in the built-in registry and in ``dirs``."""
    out: dict[str, Source] = {}
    where: dict[str, Path] = {}
    for d in (_data_dir(), *dirs):
        for path in sorted(Path(d).glob("*.yaml")):
            data = load_data(path.read_text(encoding="utf-8")) or {}
            if not isinstance(data, dict):
                raise SourceRegistryError(f"{path}: a source file is a mapping of keys")
            for key, entry in data.items():
                if key in out:
                    raise SourceRegistryError(
                        f"{path}: source {key!r} is already defined in {where[key]}"
                    )
                try:
                    out[key] = Source.model_validate(entry)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    loc = ".".join(str(p) for p in first["loc"])
                    raise SourceRegistryError(f"{path}: {key}.{loc}: {first['msg']}") from None
                where[key] = path
    return out


@cache
def sources() -> dict[str, Source]:
    """The built-in registry (cached)."""
    return load_sources()


def display_key(key: str) -> str:
    """What readers see for the source ``key``: its ``label`` if it has one (the clinical
    chapter is "IIP 2024 chapter", not the registry key ``seed``), else the key."""
    src = sources().get(key)
    return src.label if src is not None and src.label else key


def cited_detail(ref: SourceRef) -> str | None:
    """Where in the source a citation points, as readers see it: "detail [tag]" (or the tag
    alone, or the detail alone); None when the citation gives neither."""
    tag = f"[{ref.tag}]" if ref.tag else ""
    words = " ".join(w for w in (ref.detail or "", tag) if w)
    return words or None


def cite(key: str) -> str:
    """Full citation text for ``key``; KeyError if unknown."""
    return sources()[key].citation()
