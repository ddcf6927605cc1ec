"""Biomechanics: centres of resistance, force modules, the force system of a design and the
load on its implants. Units: mm (patient frame of :mod:`tadplan.anatomy.frame`), N and g
(1 g = 0.00980665 N), N*mm, days. Every clinical number comes from ``data/*.yaml`` with its
source (see :mod:`tadplan.mechanics.data`).
"""

from tadplan.mechanics.data import MechanicsDataError, mechanics_data
from tadplan.mechanics.geometry import (
    Unit,
    default_head_position,
    default_implant_axis,
    make_unit,
    power_arm_for_translation,
    segment_cr,
    tooth_cr,
)
from tadplan.mechanics.modules import (
    ForceModule,
    ModuleKind,
    chain_decay_fit,
    fit_module,
    force_at,
    reactivation_interval_days,
    sample_curve,
)
from tadplan.mechanics.system import (
    ApplianceLoad,
    MechanicsError,
    analyse_design,
    appliance_loads,
    held_balance,
    share_load,
    suggest_module,
    unit_force_system,
)
from tadplan.mechanics.text import format_force_system

__all__ = [
    "ApplianceLoad",
    "ForceModule",
    "MechanicsDataError",
    "MechanicsError",
    "ModuleKind",
    "Unit",
    "analyse_design",
    "appliance_loads",
    "chain_decay_fit",
    "default_head_position",
    "default_implant_axis",
    "fit_module",
    "force_at",
    "format_force_system",
    "held_balance",
    "make_unit",
    "mechanics_data",
    "power_arm_for_translation",
    "reactivation_interval_days",
    "sample_curve",
    "segment_cr",
    "share_load",
    "suggest_module",
    "tooth_cr",
    "unit_force_system",
]
