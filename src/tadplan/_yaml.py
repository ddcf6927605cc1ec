"""Reading YAML: the package's own data files (:func:`load_data`, libyaml's C parser when
PyYAML has it) and files a user gives (:func:`read_user_file`, :func:`load_user`), which
are read defensively: a regular file of bounded size, no anchors or aliases, no duplicate
keys, no YAML 1.1 octal/hex/base-60 numbers, bounded nesting."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError

from tadplan.errors import InputError

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_USER_FILE_BYTES = 1_000_000
"""Largest case, rule or manifest file read (the bundled cases are under 3 kB)."""

MAX_DEPTH = 20
"""Deepest nesting of mappings and lists accepted in a user file (a case nests 6 deep,
the deepest bundled rule file 11)."""

_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")


def load_data(text: str) -> Any:
    """The YAML document in ``text`` (safe types only), kept on disk as JSON by a hash of
    the text (``yaml/``): JSON reads far faster than YAML, on every start of the program."""
    from tadplan._cache import cached_json, input_key, source_digest

    return cached_json(
        "yaml",
        input_key("load_data", source_digest(__name__), text),
        lambda: yaml.load(text, Loader=_Loader),
    )


class UserFileError(InputError):
    """A user's file that cannot be read as text; the message says why."""


def read_user_file(path: Path, max_bytes: int = MAX_USER_FILE_BYTES) -> str:
    """The UTF-8 text of ``path``, refusing anything but a regular file of at most
    ``max_bytes`` (a FIFO or ``/dev/zero`` would block or never end)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UserFileError("file not found") from None
    except OSError as exc:
        raise UserFileError(f"cannot read file: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserFileError("is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise UserFileError("not a regular file (a device, pipe or socket)")
    if st.st_size > max_bytes:
        raise UserFileError(f"too large ({st.st_size:,} bytes; at most {max_bytes:,})")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as exc:
        raise UserFileError(f"cannot read file: {exc.strerror}") from None
    if len(raw) > max_bytes:
        raise UserFileError(f"too large (more than {max_bytes:,} bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserFileError(f"not a text file (not UTF-8 at byte {exc.start})") from None


class _UserLoader(yaml.SafeLoader):
    """SafeLoader that refuses what a hand-written case never needs and an attack does."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ComposerError(
                None,
                None,
                "anchors and aliases (& and *) are not accepted: write each value out",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ConstructorError(
                        None, None, "merge keys (<<) are not accepted", key_node.start_mark
                    )
                key = self.construct_object(key_node, deep=True)
                if isinstance(key, list | dict):
                    raise ConstructorError(
                        None, None, "a key must be a plain name", key_node.start_mark
                    )
                if key in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"duplicate key {str(key)[:40]!r} (a second one would replace the first)",
                        key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> int:
        value = str(self.construct_scalar(node))
        if not _DECIMAL_INT.fullmatch(value):
            raise ConstructorError(
                None,
                None,
                f"{value[:20]!r} is not a plain decimal number (YAML 1.1 reads leading zeros "
                "as octal, 0x as hex, a:b as base 60): write it without them, or quote it",
                node.start_mark,
            )
        return int(value)

    def construct_yaml_float(self, node: Any) -> float:
        value = str(self.construct_scalar(node))
        if ":" in value:
            raise ConstructorError(
                None, None, f"{value[:20]!r} is a base-60 number: quote it", node.start_mark
            )
        return float(super().construct_yaml_float(node))


_UserLoader.add_constructor("tag:yaml.org,2002:int", _UserLoader.construct_yaml_int)
_UserLoader.add_constructor("tag:yaml.org,2002:float", _UserLoader.construct_yaml_float)


def load_user(text: str) -> Any:
    """The YAML document in a user's ``text``; a :class:`yaml.YAMLError` (with a
    ``problem_mark``) for anything :class:`_UserLoader` refuses."""
    return yaml.load(text, Loader=_UserLoader)


def yaml_problem(exc: yaml.YAMLError) -> tuple[str, str]:
    """(where, reason) of a YAML error: ``line L, column C`` and the parser's reason."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return where, str(reason)[:200]
