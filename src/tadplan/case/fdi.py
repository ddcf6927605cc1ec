"""FDI two-digit tooth notation (ISO 3950) and conversions.

An FDI number is ``quadrant * 10 + position``. Permanent quadrants 1-4 run
upper right, upper left, lower left, lower right (the patient's sides);
positions 1-8 run from the central incisor to the third molar. Primary
quadrants are 5-8 with positions 1-5.

Also converts from and to the Universal (ADA) numbering (1-32, A-T) and
Palmer notation written as ``UR6``, ``LLE`` (upper/lower, right/left,
position digit for permanent teeth or letter A-E for primary teeth).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from tadplan.errors import InputError

Arch = Literal["maxilla", "mandible"]
Side = Literal["right", "left"]


class ToothType(StrEnum):
    """Tooth class as clinicians name it."""

    incisor = "incisor"
    canine = "canine"
    premolar = "premolar"
    molar = "molar"


PERMANENT: tuple[int, ...] = tuple(q * 10 + p for q in (1, 2, 3, 4) for p in range(1, 9))
PRIMARY: tuple[int, ...] = tuple(q * 10 + p for q in (5, 6, 7, 8) for p in range(1, 6))
ALL_TEETH: frozenset[int] = frozenset(PERMANENT + PRIMARY)

_PERMANENT_TYPES = {
    1: ToothType.incisor,
    2: ToothType.incisor,
    3: ToothType.canine,
    4: ToothType.premolar,
    5: ToothType.premolar,
    6: ToothType.molar,
    7: ToothType.molar,
    8: ToothType.molar,
}
_PRIMARY_TYPES = {
    1: ToothType.incisor,
    2: ToothType.incisor,
    3: ToothType.canine,
    4: ToothType.molar,
    5: ToothType.molar,
}
_NAMES = {
    1: "central incisor",
    2: "lateral incisor",
    3: "canine",
    4: "first premolar",
    5: "second premolar",
    6: "first molar",
    7: "second molar",
    8: "third molar",
}
_PRIMARY_NAMES = {
    1: "primary central incisor",
    2: "primary lateral incisor",
    3: "primary canine",
    4: "primary first molar",
    5: "primary second molar",
}


class ToothNumberError(InputError):
    """A tooth number or notation that does not name a tooth."""


def check(fdi: int) -> int:
    """Return ``fdi`` if it names a tooth, else raise :class:`ToothNumberError`."""
    if isinstance(fdi, bool) or not isinstance(fdi, int) or fdi not in ALL_TEETH:
        raise ToothNumberError(
            f"{fdi!r} is not an FDI tooth number (permanent 11-18, 21-28, 31-38, 41-48; "
            "primary 51-55, 61-65, 71-75, 81-85)"
        )
    return fdi


def is_tooth(fdi: object) -> bool:
    """True when ``fdi`` is a valid FDI tooth number."""
    return isinstance(fdi, int) and not isinstance(fdi, bool) and fdi in ALL_TEETH


def quadrant(fdi: int) -> int:
    return check(fdi) // 10


def position(fdi: int) -> int:
    """Position from the midline: 1 = central incisor ... 8 = third molar."""
    return check(fdi) % 10


def is_primary(fdi: int) -> bool:
    return quadrant(fdi) >= 5


def arch(fdi: int) -> Arch:
    """``"maxilla"`` for quadrants 1, 2, 5, 6; ``"mandible"`` otherwise."""
    return "maxilla" if quadrant(fdi) in (1, 2, 5, 6) else "mandible"


def side(fdi: int) -> Side:
    """The patient's side: quadrants 1, 4, 5, 8 are right."""
    return "right" if quadrant(fdi) in (1, 4, 5, 8) else "left"


def tooth_type(fdi: int) -> ToothType:
    p = position(fdi)
    return _PRIMARY_TYPES[p] if is_primary(fdi) else _PERMANENT_TYPES[p]


def name(fdi: int) -> str:
    """Clinical name, e.g. ``16`` -> ``"upper right first molar"``."""
    p = position(fdi)
    jaw = "upper" if arch(fdi) == "maxilla" else "lower"
    base = _PRIMARY_NAMES[p] if is_primary(fdi) else _NAMES[p]
    return f"{jaw} {side(fdi)} {base}"


def is_anterior(fdi: int) -> bool:
    return tooth_type(fdi) in (ToothType.incisor, ToothType.canine)


def arch_order(which: Arch, *, primary: bool = False) -> tuple[int, ...]:
    """Teeth of one arch in order along the arch, from the patient's right to left.

    Maxilla: 18 ... 11, 21 ... 28. Mandible: 48 ... 41, 31 ... 38.
    """
    n = 5 if primary else 8
    right_q, left_q = {
        ("maxilla", False): (1, 2),
        ("mandible", False): (4, 3),
        ("maxilla", True): (5, 6),
        ("mandible", True): (8, 7),
    }[(which, primary)]
    right = [right_q * 10 + p for p in range(n, 0, -1)]
    left = [left_q * 10 + p for p in range(1, n + 1)]
    return tuple(right + left)


def arch_index(fdi: int) -> int:
    """Index of the tooth in :func:`arch_order` of its arch (0 = most distal right)."""
    return arch_order(arch(fdi), primary=is_primary(fdi)).index(fdi)


def neighbours(fdi: int, present: frozenset[int] | set[int] | None = None) -> tuple[int, ...]:
    """Teeth next to ``fdi`` along the arch (mesial and distal, across the midline).

    With ``present``, gaps are skipped: the neighbour is the nearest present tooth.
    """
    order = arch_order(arch(fdi), primary=is_primary(fdi))
    i = order.index(fdi)
    out: list[int] = []
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(order):
            if present is None or order[j] in present:
                out.append(order[j])
                break
            j += step
    return tuple(out)


def mesial_neighbour(fdi: int) -> int | None:
    """The next tooth towards the midline (for a central incisor: the other central)."""
    q, p = divmod(check(fdi), 10)
    if p == 1:
        partner = {1: 2, 2: 1, 3: 4, 4: 3, 5: 6, 6: 5, 7: 8, 8: 7}[q]
        return partner * 10 + 1
    return q * 10 + p - 1


def distal_neighbour(fdi: int) -> int | None:
    q, p = divmod(check(fdi), 10)
    last = 5 if q >= 5 else 8
    return None if p == last else q * 10 + p + 1


def span(a: int, b: int) -> tuple[int, ...]:
    """Teeth along the arch from ``a`` to ``b`` inclusive (e.g. 13-23: 13 12 11 21 22 23).

    Raises :class:`ToothNumberError` when the two teeth are in different arches
    or dentitions.
    """
    check(a)
    check(b)
    if arch(a) != arch(b) or is_primary(a) != is_primary(b):
        raise ToothNumberError(
            f"segment {a}-{b} crosses arches: {a} is in the {arch(a)}, {b} in the {arch(b)}"
        )
    order = arch_order(arch(a), primary=is_primary(a))
    i, j = sorted((order.index(a), order.index(b)))
    return order[i : j + 1]


# --- Universal (ADA) numbering -------------------------------------------------------

_UNIVERSAL_PERM: tuple[int, ...] = (
    arch_order("maxilla")  # 1..16: 18 -> 28
    + tuple(reversed(arch_order("mandible")))  # 17..32: 38 -> 48
)
_UNIVERSAL_PRIM: tuple[int, ...] = arch_order("maxilla", primary=True) + tuple(
    reversed(arch_order("mandible", primary=True))
)
_PRIM_LETTERS = "ABCDEFGHIJKLMNOPQRST"


def from_universal(code: str | int) -> int:
    """Universal number (``1``-``32``) or letter (``A``-``T``) to FDI."""
    text = str(code).strip().upper()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= 32:
        return _UNIVERSAL_PERM[int(text) - 1]
    if len(text) == 1 and text in _PRIM_LETTERS:
        return _UNIVERSAL_PRIM[_PRIM_LETTERS.index(text)]
    raise ToothNumberError(f"{code!r} is not a Universal tooth number (1-32 or A-T)")


def to_universal(fdi: int) -> str:
    check(fdi)
    if is_primary(fdi):
        return _PRIM_LETTERS[_UNIVERSAL_PRIM.index(fdi)]
    return str(_UNIVERSAL_PERM.index(fdi) + 1)


# --- Palmer notation --------------------------------------------------------------

_PALMER_QUAD = {"UR": 1, "UL": 2, "LL": 3, "LR": 4}
_PALMER_PRIMARY = "ABCDE"


def from_palmer(code: str) -> int:
    """Palmer notation written as text, e.g. ``UR6`` -> 16, ``LLE`` -> 75."""
    text = code.strip().upper().replace(" ", "")
    quad, pos = text[:2], text[2:]
    if quad in _PALMER_QUAD and len(pos) == 1:
        q = _PALMER_QUAD[quad]
        if pos.isascii() and pos.isdigit() and 1 <= int(pos) <= 8:
            return q * 10 + int(pos)
        if pos in _PALMER_PRIMARY:
            return (q + 4) * 10 + _PALMER_PRIMARY.index(pos) + 1
    raise ToothNumberError(
        f"{code!r} is not Palmer notation (UR/UL/LL/LR followed by 1-8 or A-E, e.g. UR6)"
    )


def to_palmer(fdi: int) -> str:
    q, p = divmod(check(fdi), 10)
    if q >= 5:
        quad = {5: "UR", 6: "UL", 7: "LL", 8: "LR"}[q]
        return quad + _PALMER_PRIMARY[p - 1]
    quad = {1: "UR", 2: "UL", 3: "LL", 4: "LR"}[q]
    return f"{quad}{p}"
