"""A rule's connection names its module, activation and attachment site as typed values
(issue 12); the rule loader refuses a module its kind is not made of."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tadplan.knowledge import load_knowledge
from tadplan.knowledge.schema import ConnectionTemplate


def test_a_module_of_another_kind_is_refused() -> None:
    with pytest.raises(ValidationError, match="module: elastic_chain takes elastomeric_chain"):
        ConnectionTemplate.model_validate({"kind": "elastic_chain", "module": "niti_open_coil"})
    with pytest.raises(ValidationError, match="attachment_site"):
        ConnectionTemplate.model_validate({"kind": "elastic_chain", "attachment_site": "cheek"})
    t = ConnectionTemplate.model_validate(
        {"kind": "compression_spring", "module": "ss_open_coil", "activation_mm": 2}
    )
    assert t.module == "ss_open_coil" and t.activation_mm == 2


def test_the_posterior_intrusion_chains_act_on_both_surfaces() -> None:
    """Seed II.2 (Intrusion of posterior teeth, Fig. 18-19): force on the palatal and the
    buccal surfaces; the buccal chains act at the buccal tube, the palatal one palatally."""
    kb = load_knowledge()
    rule = next(r for r in kb.rules if r.id == "posterior-intrusion-two-buccal-one-palatal")
    assert rule.spec.design is not None
    sites = {c.from_: c.attachment_site for c in rule.spec.design.connections}
    assert sites == {"buccal_mesial": "bracket", "buccal_distal": "bracket", "oral": "lingual"}
