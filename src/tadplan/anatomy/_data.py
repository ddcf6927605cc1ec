"""Reading the anatomy data files (``tadplan/anatomy/data/*.yaml``).

Every clinical number there is a mapping ``{value, source, detail, tag}``;
:class:`tadplan.model.Cited` keeps the value together with its provenance so callers can
report it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tadplan._yaml import load_data
from tadplan.errors import DataError
from tadplan.knowledge.sources import sources
from tadplan.model import TAGS, Cited


class AnatomyDataError(DataError):
    """A data file is malformed (missing value, unknown source key, bad tag)."""


def data_dir() -> Path:
    return Path(str(resources.files("tadplan.anatomy"))) / "data"


@cache
def load(name: str) -> dict[str, Any]:
    """Parsed ``data/<name>.yaml`` (cached; treat as read-only)."""
    path = data_dir() / f"{name}.yaml"
    data = load_data(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise AnatomyDataError(f"{path}: expected a mapping")
    return data


@cache
def registry_keys() -> frozenset[str]:
    """Keys of the built-in source registry."""
    return frozenset(sources())


def cited(entry: object, where: str) -> Cited:
    """Check and wrap one ``{value, source, detail, tag}`` entry; ``where`` names it in errors."""
    if not isinstance(entry, dict) or "value" not in entry:
        raise AnatomyDataError(f"{where}: expected {{value, source, detail, tag}}, got {entry!r}")
    src = entry.get("source")
    if src not in registry_keys():
        raise AnatomyDataError(f"{where}: source {src!r} is not in the source registry")
    tag = str(entry.get("tag", ""))
    if tag not in TAGS:
        raise AnatomyDataError(f"{where}: tag {tag!r} is not one of {sorted(TAGS)}")
    try:
        value = float(entry["value"])
    except (TypeError, ValueError):
        raise AnatomyDataError(f"{where}: value {entry['value']!r} is not a number") from None
    return Cited(value=value, source=str(src), detail=str(entry.get("detail", "")), tag=tag)
