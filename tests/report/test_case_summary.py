"""One case summary for the CLI's case table and the report (issue: it was written twice)."""

from __future__ import annotations

from tadplan.case.summary import case_summary
from tadplan.cli import summarise
from tadplan.examples import load_example


def test_demo_summary_names_the_findings_the_case_gives() -> None:
    rows = dict(case_summary(load_example("demo")))
    assert rows["planned extraction"] == "14, 24"
    assert rows["bands"] == "17, 27"
    assert "Class II/1" in rows["findings"]
    assert "overjet 7 mm" in rows["findings"]


def test_cli_table_shows_the_shared_rows_then_the_goals() -> None:
    case = load_example("demo")
    table = summarise(case)
    labels = list(table.columns[0].cells)
    texts = list(table.columns[1].cells)
    shared = case_summary(case)
    assert [(str(a), str(b)) for a, b in zip(labels, texts, strict=False)][: len(shared)] == shared
    assert [str(x) for x in labels[len(shared) :]] == [f"goal {g}" for g in case.goal_ids()]
