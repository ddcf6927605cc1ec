"""Case validation time against the number of goals (issue 11: was quadratic, 40k goals
took 20 s). Run: PYTHONPATH=src python benchmarks/case_validation.py

Prints the seconds per 1,000 goals at each size; a linear validator keeps it flat."""

from __future__ import annotations

import time
from typing import Any

from tadplan.case import case_from_data

KINDS = ("intrusion", "extrusion", "retraction", "protraction")


def case_data(n_goals: int) -> dict[str, Any]:
    teeth = [11, 12, 13, 21, 22, 23, 31, 32, 41, 42]
    goals = [
        {"kind": KINDS[i % 2 * 2], "teeth": [teeth[i % len(teeth)]], "amount_mm": 1 + i % 3}
        for i in range(n_goals)
    ]
    return {"id": "bench", "goals": goals}


def main() -> None:
    for n in (2_500, 5_000, 10_000, 20_000, 40_000):
        data = case_data(n)
        t0 = time.perf_counter()
        case_from_data(data)
        dt = time.perf_counter() - t0
        print(f"{n:>6} goals: {dt:6.2f} s  ({dt / n * 1000:.3f} s per 1,000 goals)")


if __name__ == "__main__":
    main()
