"""A pull on one bracketed tooth moves the goal's whole unit on the archwire (en-masse)."""

from tadplan.anatomy import average_landmarks
from tadplan.case.model import Attachments
from tadplan.examples import load_example
from tadplan.mechanics import analyse_design
from tadplan.planner import plan


def _retraction(case_name: str, bracketed: bool) -> tuple[list[int], float, float]:
    case = load_example(case_name)
    if not bracketed:
        case = case.model_copy(update={"attachments": Attachments()})
    d = plan(load_example(case_name)).goals[0].designs[0]
    fs = analyse_design(case, d, average_landmarks(case))
    active = next(c for c in fs.connections if c.role == "active")
    assert active.dose is not None
    return fs.units[0].teeth, active.dose.low_g, active.dose.high_g


def test_en_masse_retraction_moves_the_segment_with_the_en_masse_dose() -> None:
    teeth, low, high = _retraction("demo", bracketed=True)
    assert sorted(teeth) == [11, 12, 13, 21, 22, 23]
    assert (low, high) == (200, 250)  # joi2015_enmasse, per side


def test_without_an_archwire_the_pull_moves_the_canine_alone() -> None:
    teeth, low, high = _retraction("demo", bracketed=False)
    assert len(teeth) == 1 and teeth[0] in (13, 23)
    assert (low, high) == (100, 150)  # canine retraction range
