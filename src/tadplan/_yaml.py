"""Reading the package's own YAML data files: libyaml's C parser when PyYAML has it
(several times faster on the source registry and data tables), else the Python one."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_data(text: str) -> Any:
    """The YAML document in ``text`` (safe types only)."""
    return yaml.load(text, Loader=_Loader)
