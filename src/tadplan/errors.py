"""The errors tadplan raises on purpose: one hierarchy, sorted by what has to change.

::

    TadplanError                 every error below; an adapter (the CLI, later the API)
    │                            catches this one class
    ├── InputError               the user's input is wrong; ``source`` and ``problems``
    │   │                        name what was read and each field (CLI: exit 2)
    │   ├── CaseError            a case file (tadplan.case)
    │   ├── UserFileError        a file that cannot be read as text (tadplan._yaml)
    │   ├── ToothNumberError     a tooth number or notation (tadplan.case.fdi)
    │   ├── PatientMeshError     patient meshes or their manifest (tadplan.anatomy.patient)
    │   ├── CBCTError            a DICOM series (tadplan.anatomy.cbct)
    │   └── NotFound             an id the user's clinic does not have (tadplan.service.store;
    │                            the API's 404)
    ├── DataError                a data file is malformed: the packaged data, or rule and
    │   │                        source files a rule author adds with --rules
    │   ├── KnowledgeError       a rule, table or source file (tadplan.knowledge)
    │   ├── ConditionError       a rule's ``when`` (tadplan.knowledge.conditions)
    │   ├── SourceRegistryError  the source registry (tadplan.knowledge.sources)
    │   ├── AnatomyDataError     anatomy reference data (tadplan.anatomy._data)
    │   ├── MechanicsDataError   mechanics reference data (tadplan.mechanics.data)
    │   └── RiskDataError        failure-risk data (tadplan.risk.data)
    └── ComputationError         valid input whose geometry or mechanics cannot be computed
        ├── GeometryError        e.g. a zero-length direction (tadplan.mechanics.geometry)
        ├── MechanicsError       a design that cannot be analysed (tadplan.mechanics.system)
        ├── ModuleError          an activation a module cannot take (tadplan.mechanics.modules)
        └── SiteUnavailable      a site that cannot be assessed (tadplan.anatomy.safety)

Outside the tree, ``FieldErrors`` is raised only inside pydantic validators (the field paths
and reasons a validator found, read back by the reader of the ``ValidationError``, which
raises one of the errors above); it never reaches a caller.

Every class is also a ``ValueError``, as the classes were before this hierarchy, so a
caller's ``except ValueError`` keeps working. Each subclass lives in the module that raises
it (and is imported from there); only the categories and :class:`Problem` live here. This
module imports nothing from tadplan, so every layer can use it.

Which category is the user's fault is decided where the input is known: a malformed rule file
given with ``--rules`` is a :class:`DataError` that the CLI reports as the user's (exit 2),
while the same error in the packaged knowledge base is a defect of tadplan.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Self

__all__ = [
    "DAMAGED_FILE_ERRORS",
    "ComputationError",
    "DataError",
    "FieldErrors",
    "FieldPath",
    "InputError",
    "Problem",
    "TadplanError",
    "dotted",
    "field_errors",
]


FieldPath = tuple[str | int, ...]
"""Where a value sits in a mapping read from a file: keys and list indices, e.g.
``("goals", 0, "teeth")``; ``()`` is the whole thing."""


def dotted(path: FieldPath) -> str:
    """``goals.0.teeth``: a path as the user reads it (each part cut to 40 characters, since
    a key may be the user's)."""
    return ".".join(str(p)[:40] for p in path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (a dotted field path, an option, a line) and why;
    ``path`` is the field's path as a tuple when the problem is a field's (``()`` otherwise)."""

    field: str
    message: str
    path: FieldPath = dataclass_field(default=(), compare=False)

    @classmethod
    def at(cls, path: FieldPath, message: str) -> Problem:
        """The problem of the field at ``path``."""
        return cls(dotted(path), message, tuple(path))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class FieldErrors(ValueError):
    """What a pydantic validator found wrong, each reason with the path of its field relative
    to the model validated (``()``: the model as a whole).

    Raised inside a validator, pydantic keeps it in the error's ``ctx["error"]``; readers of
    validation errors (:func:`field_errors`) take the paths and reasons from there, never
    from the message. :meth:`at` builds the error of one field."""

    def __init__(self, found: Sequence[tuple[FieldPath, str]]) -> None:
        self.found = tuple(found)
        super().__init__("\n".join(str(Problem.at(p, r)) for p, r in self.found))

    @classmethod
    def at(cls, field: str | int | FieldPath, reason: str) -> FieldErrors:
        """The error of one field: ``FieldErrors.at("teeth", "is empty")``."""
        return cls([(field if isinstance(field, tuple) else (field,), reason)])


def field_errors(err: Mapping[str, Any]) -> tuple[tuple[FieldPath, str], ...]:
    """The (path, reason) pairs of one of pydantic's error dicts (read with its context):
    those of a :class:`FieldErrors` raised by a validator, else ``()``."""
    raised = (err.get("ctx") or {}).get("error")
    return raised.found if isinstance(raised, FieldErrors) else ()


class TadplanError(Exception):
    """Base of every error tadplan raises on purpose; the message names the cause.

    Anything else escaping tadplan (``KeyError``, ``RuntimeError``...) is a defect."""


class InputError(TadplanError, ValueError):
    """The user's input is wrong (a case, an option, a file given on the command line);
    the fix is in the input.

    ``source`` names what was read (a file path, an option such as ``--cbct``), or is ``""``
    when the message names it; ``problems`` lists every problem found, each naming its
    field. An error raised with one message (``ToothNumberError("…")``) has that message as
    its one problem. :meth:`listing` builds the error of several problems in one source.
    """

    def __init__(self, message: str, *, source: str = "", problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.source = source
        self.problems = list(problems) or [Problem("", message)]

    @classmethod
    def listing(cls, source: str, problems: Sequence[Problem]) -> Self:
        """The error of ``problems`` found in ``source``; its message lists them all."""
        lines = "\n".join(f"  - {p}" for p in problems)
        return cls(
            f"{source}: {len(problems)} problem(s)\n{lines}", source=source, problems=problems
        )


class DataError(TadplanError, ValueError):
    """A data file is malformed (a missing value, an unknown source key, a bad tag): the
    packaged reference data or knowledge base, or a rule author's files. The message names
    the file and the field."""


class ComputationError(TadplanError, ValueError):
    """The input is valid but the geometry or mechanics asked for cannot be computed (a
    zero-length direction, a design with no implant to hold a connection, a site without
    its bounding teeth). The message names the tooth, site, connection or implant."""


DAMAGED_FILE_ERRORS: tuple[type[Exception], ...] = (
    ValueError,  # incl. UnicodeDecodeError
    LookupError,  # IndexError, KeyError
    TypeError,
    AttributeError,
    ArithmeticError,
    AssertionError,
    RuntimeError,  # incl. NotImplementedError (an unsupported encoding), RecursionError
    EOFError,
    OSError,
    struct.error,
    zlib.error,
)
"""What third-party readers (trimesh, pydicom, numpy) raise on a damaged or truncated file
(found by fuzzing the readers with cut and corrupted files): a reader catches these
and raises its :class:`InputError` naming the file. A library's own error classes (e.g.
pydicom's ``BytesLengthException``) are added where that library is called."""
