"""FDI notation: validity, helpers, and conversions to Universal and Palmer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tadplan.case import fdi


def test_counts() -> None:
    assert len(fdi.PERMANENT) == 32
    assert len(fdi.PRIMARY) == 20


@pytest.mark.parametrize("bad", [0, 10, 19, 20, 29, 30, 39, 49, 50, 56, 66, 76, 86, 91, 100, -11])
def test_invalid_numbers_rejected(bad: int) -> None:
    assert not fdi.is_tooth(bad)
    with pytest.raises(fdi.ToothNumberError, match="not an FDI tooth number"):
        fdi.check(bad)


@given(st.integers(min_value=-1000, max_value=1000))
def test_every_integer_is_valid_iff_quadrant_and_position_fit(n: int) -> None:
    q, p = divmod(n, 10)
    expected = (1 <= q <= 4 and 1 <= p <= 8) or (5 <= q <= 8 and 1 <= p <= 5)
    assert fdi.is_tooth(n) == (expected and n > 0)


def test_bool_is_not_a_tooth() -> None:
    assert not fdi.is_tooth(True)


@pytest.mark.parametrize(
    ("tooth", "arch", "side", "kind"),
    [
        (11, "maxilla", "right", fdi.ToothType.incisor),
        (23, "maxilla", "left", fdi.ToothType.canine),
        (35, "mandible", "left", fdi.ToothType.premolar),
        (46, "mandible", "right", fdi.ToothType.molar),
        (55, "maxilla", "right", fdi.ToothType.molar),
        (73, "mandible", "left", fdi.ToothType.canine),
    ],
)
def test_helpers(tooth: int, arch: str, side: str, kind: fdi.ToothType) -> None:
    assert fdi.arch(tooth) == arch
    assert fdi.side(tooth) == side
    assert fdi.tooth_type(tooth) == kind


def test_names() -> None:
    assert fdi.name(16) == "upper right first molar"
    assert fdi.name(31) == "lower left central incisor"
    assert fdi.name(85) == "lower right primary second molar"


def test_arch_order_runs_right_to_left_across_midline() -> None:
    up = fdi.arch_order("maxilla")
    assert up[:2] == (18, 17) and up[7:9] == (11, 21) and up[-1] == 28
    low = fdi.arch_order("mandible")
    assert low[7:9] == (41, 31)


def test_neighbours_cross_midline_and_skip_gaps() -> None:
    assert set(fdi.neighbours(11)) == {12, 21}
    assert fdi.neighbours(18) == (17,)
    present = set(fdi.PERMANENT) - {35}
    assert set(fdi.neighbours(36, present)) == {34, 37}
    assert fdi.mesial_neighbour(41) == 31
    assert fdi.distal_neighbour(48) is None


def test_span() -> None:
    assert fdi.span(13, 23) == (13, 12, 11, 21, 22, 23)
    assert fdi.span(23, 13) == (13, 12, 11, 21, 22, 23)
    assert fdi.span(44, 47) == (47, 46, 45, 44)
    with pytest.raises(fdi.ToothNumberError, match="crosses arches"):
        fdi.span(13, 43)


@pytest.mark.parametrize(
    ("universal", "tooth"),
    [
        ("1", 18),
        ("8", 11),
        ("9", 21),
        ("16", 28),
        ("17", 38),
        ("24", 31),
        ("25", 41),
        ("32", 48),
        ("A", 55),
        ("E", 51),
        ("F", 61),
        ("J", 65),
        ("K", 75),
        ("T", 85),
    ],
)
def test_universal_known_values(universal: str, tooth: int) -> None:
    assert fdi.from_universal(universal) == tooth
    assert fdi.to_universal(tooth) == universal


@pytest.mark.parametrize(
    ("palmer", "tooth"),
    [("UR6", 16), ("UL1", 21), ("LL8", 38), ("LR3", 43), ("URE", 55), ("lla", 71)],
)
def test_palmer_known_values(palmer: str, tooth: int) -> None:
    assert fdi.from_palmer(palmer) == tooth
    assert fdi.to_palmer(tooth) == palmer.upper()


@given(st.sampled_from(sorted(fdi.ALL_TEETH)))
def test_round_trips(tooth: int) -> None:
    assert fdi.from_universal(fdi.to_universal(tooth)) == tooth
    assert fdi.from_palmer(fdi.to_palmer(tooth)) == tooth


@given(st.text(max_size=4))
def test_garbage_notation_rejected_or_valid(text: str) -> None:
    for conv in (fdi.from_universal, fdi.from_palmer):
        try:
            t = conv(text)
        except fdi.ToothNumberError:
            continue
        assert fdi.is_tooth(t)


@pytest.mark.parametrize("bad", ["0", "33", "U", "UR9", "XR1", "URF", ""])
def test_bad_notation(bad: str) -> None:
    with pytest.raises(fdi.ToothNumberError):
        fdi.from_universal(bad) if not bad.startswith(("U", "X")) else fdi.from_palmer(bad)
