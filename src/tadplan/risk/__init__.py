"""Failure risk of planned mini-implants (see :mod:`tadplan.risk.model` for the model, its
sources, and what it ignores)."""

from tadplan.risk.data import FACTORS, RiskData, RiskDataError, load_risk_data, parse_risk_data
from tadplan.risk.model import (
    ImplantFacts,
    cohort,
    design_risk,
    implant_risk,
    reference_log_odds,
    site_baseline,
)

__all__ = [
    "FACTORS",
    "ImplantFacts",
    "RiskData",
    "RiskDataError",
    "cohort",
    "design_risk",
    "implant_risk",
    "load_risk_data",
    "parse_risk_data",
    "reference_log_odds",
    "site_baseline",
]
