"""Numbers as the report writes them."""

from __future__ import annotations

from tadplan.report.text import fmt_force, fmt_num


def test_numbers_drop_trailing_zeros_and_never_read_minus_zero() -> None:
    assert fmt_num(1.50) == "1.5"
    assert fmt_num(8.0) == "8"
    assert fmt_num(-2.34) == "-2.3"
    # an M/F of -0.004 mm is written 0, not "-0"
    assert fmt_num(-0.004) == "0"
    assert fmt_num(-0.04, 1) == "0"


def test_forces_in_grams_and_orthopaedic_loads_in_kilograms() -> None:
    assert fmt_force(200.4) == "200 g"
    assert fmt_force(18000) == "18 kg"
    assert fmt_force(1500) == "1.5 kg"
