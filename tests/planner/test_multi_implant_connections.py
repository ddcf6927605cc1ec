"""Connections carried by several implants (``Connection.from_implants``): every implant of a
rule's ref on a side carries the connection from that ref; a ``one_piece`` appliance (MARPE:
one expander on four paramedian screws) is one connection on all of them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from planner_helpers import by_rule, plan_of
from pydantic import ValidationError

from tadplan.knowledge.schema import ConnectionTemplate
from tadplan.mechanics.modules import G_TO_N
from tadplan.model import Connection, Plan
from tadplan.planner.text import design_text


def test_marpe_is_one_expander_carried_by_all_four_palatal_implants() -> None:
    """Skeletal crossbite (12): the MARPE expander joins four paramedian screws and both
    first molars (kapetanovic2021; rule crossbite-marpe, one_piece)."""
    d = by_rule(plan_of("12_crossbite_correction"), "expand", "crossbite-marpe")
    assert len(d.implants) == 4
    assert {i.site.region for i in d.implants} == {"paramedian_palate"}
    assert sorted(i.site.side for i in d.implants) == ["left", "left", "right", "right"]
    (c,) = d.connections
    assert c.kind == "expander"
    assert set(c.from_implants) == {i.id for i in d.implants}
    assert len(c.from_implants) == 4
    assert c.from_implant == c.from_implants[0]
    assert sorted(c.teeth) == [16, 26]
    # every implant appears in the implant loads
    assert d.mechanics is not None
    assert {ld.implant_id for ld in d.mechanics.implants} == set(c.from_implants)
    # the text names all carriers
    assert any(f"{'+'.join(c.from_implants)} -> 16 26" in line for line in design_text(d))


def test_both_sides_screws_reaching_the_same_molar_are_one_distaliser() -> None:
    """One-sided distalisation (11b) on the palatal rule with a screw on each side: one
    distaliser plate on both screws, pushing 16 once (not once per screw)."""
    d = by_rule(
        plan_of("11b_buccal_segment_distalisation"),
        "distalise-right",
        "molar-distalisation-palatal",
    )
    (c,) = d.connections
    assert c.teeth == [16]
    assert set(c.from_implants) == {i.id for i in d.implants} and len(c.from_implants) == 2
    fs = d.mechanics
    assert fs is not None
    active = [r for r in fs.connections if r.role == "active"]
    assert len(active) == 1  # the force acts on the tooth once
    (r,) = active
    assert set(r.implant_ids) == set(c.from_implants)
    # the implants' shares add up to the reaction of the one push
    total = np.sum([ld.force_n for ld in fs.implants], axis=0)
    push = np.asarray(r.direction) * r.applied_g * G_TO_N
    assert total == pytest.approx(-push, abs=1e-6)
    assert all(ld.force_g > 0 for ld in fs.implants)


@pytest.mark.parametrize(
    ("example", "goal", "rule"),
    [
        ("07a_posterior_anchorage", None, "posterior-anchorage-tpa"),
        ("05_anterior_retraction_deep_bite", "retract", None),
    ],
)
def test_a_single_implant_connection_is_unchanged(
    example: str, goal: str | None, rule: str | None
) -> None:
    """Rules with one implant per side keep one connection per implant."""
    p = plan_of(example)
    designs = [d for gp in p.goals if goal in (None, gp.goal.id) for d in gp.designs]
    designs = [d for d in designs if rule in (None, d.rule_id)]
    assert designs
    for d in designs:
        for c in d.connections:
            if c.from_implant is not None:
                assert c.from_implants == [c.from_implant], (d.rule_id, c.id)
            else:
                assert c.from_implants == []


def test_from_implants_and_from_implant_are_kept_consistent() -> None:
    assert Connection(id="c", kind="tpa", from_implant="i1").from_implants == ["i1"]
    c = Connection(id="c", kind="expander", from_implants=["i2", "i1"])
    assert c.from_implant == "i2"
    assert Connection(id="c", kind="elastic").from_implants == []
    with pytest.raises(ValidationError, match="from_implant: 'i1' must be the first"):
        Connection(id="c", kind="expander", from_implant="i1", from_implants=["i2", "i1"])
    with pytest.raises(ValidationError, match="from_implants: an implant is listed twice"):
        Connection(id="c", kind="expander", from_implants=["i1", "i1"])
    assert Connection.model_validate_json(c.model_dump_json()) == c


def test_plan_json_and_schema_carry_from_implants() -> None:
    p = plan_of("12_crossbite_correction")
    again = Plan.model_validate(json.loads(p.model_dump_json()))
    assert again == p
    conn = Plan.model_json_schema()["$defs"]["Connection"]["properties"]
    assert conn["from_implants"]["type"] == "array"
    assert "from_implant" in conn


def test_one_piece_needs_the_implants_that_carry_it() -> None:
    with pytest.raises(ValidationError, match="one_piece: needs `from`"):
        ConnectionTemplate.model_validate({"kind": "expander", "one_piece": True})
