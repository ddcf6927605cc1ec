"""Bundled example cases, one per clinical application of the seed text, plus the demo."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from tadplan.case import Case, load_case


def _dir() -> Path:
    return Path(str(resources.files(__name__)))


def example_paths() -> dict[str, Path]:
    """Example name (file stem) -> path, sorted by name."""
    return {p.stem: p for p in sorted(_dir().glob("*.yaml"))}


def example_path(name: str) -> Path:
    paths = example_paths()
    key = name.removesuffix(".yaml")
    if key not in paths:
        # accept the case id too
        for p in paths.values():
            if load_case(p).id == key:
                return p
        raise KeyError(f"no example named {name!r}; known: {', '.join(paths)}")
    return paths[key]


def load_example(name: str) -> Case:
    return load_case(example_path(name))
