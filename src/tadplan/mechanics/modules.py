"""Force modules: force for a given activation and time, decay fits, reactivation.

Forces are in grams-force (g; 1 g = 0.00980665 N), activations in mm (stretch for tension
modules, compression for open coils), times in days since the module was placed or last
reactivated. Parameters come from ``data/force_modules.yaml`` with their sources.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tadplan._cache import input_key, load_json, save_json, source_digest
from tadplan.errors import ComputationError
from tadplan.mechanics.data import G_TO_N as G_TO_N  # re-exported
from tadplan.mechanics.data import MechanicsData, mechanics_data
from tadplan.model import ModuleKind as ModuleKind  # re-exported

DAYS_PER_MONTH = 30.4375
"""Mean Gregorian month (calendar constant)."""


PASSIVE = frozenset({ModuleKind.ligature, ModuleKind.rigid})


class ModuleError(ComputationError):
    """An activation a module cannot take (names the module and the limit)."""


class ForceModule(BaseModel):
    """One force module as fitted to a connection.

    ``nominal_g``: the labelled force (NiTi closed coil class, open-coil label, latex rating).
    ``length_mm``: NiTi closed coil: extensible NiTi length; chain: passive length; latex:
    unstretched length (lumen); open coils: free length.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ModuleKind
    nominal_g: float | None = Field(default=None, gt=0)
    length_mm: float | None = Field(default=None, gt=0)

    def describe(self) -> str:
        name = self.kind.value.replace("_", " ").replace("niti", "NiTi").replace("ss ", "SS ")
        bits = [name]
        if self.nominal_g:
            bits.append(f"{self.nominal_g:.0f} g")
        if self.length_mm:
            bits.append(f"length {self.length_mm:.1f} mm")
        return ", ".join(bits)


# ----------------------------------------------------------------------------- decay


def decay_fraction(t_days: float | np.ndarray, a: float, tau_days: float) -> float | np.ndarray:
    """F(t)/F0 = a + (1 - a) exp(-t / tau)."""
    return a + (1.0 - a) * np.exp(-np.asarray(t_days, dtype=float) / tau_days)


@dataclass(frozen=True)
class DecayFit:
    """Elastomeric chain decay F(t) = F0 [a + (1 - a) exp(-t/tau)], ``a`` fitted by
    ``scipy.optimize.curve_fit`` to the published points (tau fixed, see the data file)."""

    a: float
    a_sd: float
    tau_days: float
    rms_residual: float
    """Root-mean-square of (model - published remaining fraction) over the points."""
    points: tuple[tuple[float, float, float, float], ...]
    """(t_days, remaining, low, high) of each published point."""

    def remaining(self, t_days: float) -> float:
        return float(decay_fraction(t_days, self.a, self.tau_days))


def _chain_fit(data: MechanicsData) -> DecayFit:
    chain = data.modules.elastomeric_chain
    pts = tuple((p.t_days, p.remaining, p.low, p.high) for p in chain.decay_points)
    return _fit_chain(chain.tau_days.value, pts)


@lru_cache(maxsize=8)
def _fit_chain(tau: float, pts: tuple[tuple[float, float, float, float], ...]) -> DecayFit:
    """Least-squares fit of the decay's ``a`` to the published points ``(t_days, remaining,
    low, high)`` at time constant ``tau`` (cached by value: the same data, the same fit; and
    on disk, ``chain_fit/``, so a process reading it does not load scipy's optimiser)."""
    key = input_key(source_digest(__name__), tau, pts)
    hit = load_json("chain_fit", key)
    if isinstance(hit, list) and len(hit) == 3 and all(isinstance(v, float) for v in hit):
        a, a_sd, rms = hit
    else:
        a, a_sd, rms = _solve_chain(tau, pts)
        save_json("chain_fit", key, [a, a_sd, rms])
    return DecayFit(a, a_sd, tau, rms, pts)


def _solve_chain(
    tau: float, pts: tuple[tuple[float, float, float, float], ...]
) -> tuple[float, float, float]:
    """``a``, its standard deviation and the RMS residual of :func:`_fit_chain`."""
    from scipy.optimize import curve_fit  # about 0.3 s to import: only when fitting

    t = np.array([p[0] for p in pts])
    y = np.array([p[1] for p in pts])
    sigma = np.array([(p[3] - p[2]) / 2 for p in pts])
    popt, pcov = curve_fit(
        lambda tt, a: decay_fraction(tt, a, tau),
        t,
        y,
        p0=[0.4],
        sigma=sigma,
        absolute_sigma=True,
        bounds=([0.0], [1.0]),
    )
    a = float(popt[0])
    resid = decay_fraction(t, a, tau) - y
    return a, float(np.sqrt(pcov[0, 0])), float(np.sqrt(np.mean(resid**2)))


def chain_decay_fit(data: MechanicsData | None = None) -> DecayFit:
    """The fitted elastomeric-chain decay (cached)."""
    return _chain_fit(data or mechanics_data())


# ----------------------------------------------------------------------------- force


def _chain_initial_g(strain: float, data: MechanicsData) -> float:
    pts = sorted(data.modules.elastomeric_chain.initial_force_n, key=lambda p: p.strain)
    xs = [0.0] + [p.strain for p in pts]
    ys = [0.0] + [p.value / G_TO_N for p in pts]
    return float(np.interp(strain, xs, ys))


def force_at(
    module: ForceModule,
    activation_mm: float,
    t_days: float = 0.0,
    data: MechanicsData | None = None,
) -> float:
    """Force (g) the module delivers at ``activation_mm``, ``t_days`` after placement."""
    data = data or mechanics_data()
    m = data.modules
    if activation_mm < 0:
        raise ModuleError(f"{module.kind.value}: activation must be >= 0 mm, got {activation_mm}")
    if t_days < 0:
        raise ModuleError(f"{module.kind.value}: t_days must be >= 0, got {t_days}")
    k = module.kind
    if k in PASSIVE:
        return 0.0
    if k == ModuleKind.niti_closed_coil:
        c = m.niti_closed_coil
        nominal = _need(module.nominal_g, module, "nominal_g")
        length = module.length_mm or c.default_niti_length_mm.value
        if activation_mm > c.max_activation_mm.value:
            raise ModuleError(
                f"NiTi closed coil: activation {activation_mm:g} mm is beyond "
                f"{c.max_activation_mm.value:g} mm "
                f"(permanent deformation; {c.max_activation_mm.source})"
            )
        onset = c.superelastic_onset_fraction_of_niti_length.value * length
        plateau = nominal * c.plateau_fraction_of_label.value
        return plateau if activation_mm >= onset else plateau * activation_mm / onset
    if k == ModuleKind.elastomeric_chain:
        ch = m.elastomeric_chain
        length = _need(module.length_mm, module, "length_mm")
        strain = activation_mm / length
        if strain > ch.max_strain.value + 1e-9:
            raise ModuleError(
                f"elastomeric chain: strain {strain:.0%} is beyond the {ch.max_strain.value:.0%} "
                f"that was measured ({ch.max_strain.source})"
            )
        return _chain_initial_g(strain, data) * chain_decay_fit(data).remaining(t_days)
    if k == ModuleKind.latex_elastic:
        lx = m.latex_elastic
        rated = _need(module.nominal_g, module, "nominal_g")
        lumen = _need(module.length_mm, module, "length_mm")
        factor = (lumen + activation_mm) / lumen
        f0 = rated * (factor - 1.0) / (lx.rated_extension_factor.value - 1.0)
        a = 1.0 - lx.relaxation_24h_fraction.value
        return f0 * float(decay_fraction(t_days, a, lx.tau_days.value))
    if k == ModuleKind.niti_open_coil:
        oc = m.niti_open_coil
        _check_compression(module, activation_mm, oc.max_compression_fraction.value)
        cap = _need(module.nominal_g, module, "nominal_g") * (1 - oc.label_shortfall_fraction.value)
        return min(oc.load_deflection_g_per_mm.value * activation_mm, cap)
    if k == ModuleKind.ss_open_coil:
        ss = m.ss_open_coil
        _check_compression(module, activation_mm, ss.max_compression_fraction.value)
        return ss_rate_g_per_mm(module, data) * activation_mm
    raise ModuleError(f"unknown module {k}")  # pragma: no cover


def ss_rate_g_per_mm(module: ForceModule, data: MechanicsData | None = None) -> float:
    ss = (data or mechanics_data()).modules.ss_open_coil
    length = module.length_mm or ss.reference_length_mm.value
    return ss.load_deflection_g_per_mm.value * ss.reference_length_mm.value / length


def _need(v: float | None, module: ForceModule, field: str) -> float:
    if v is None:
        raise ModuleError(f"{module.kind.value}: {field} is required")
    return v


def _check_compression(module: ForceModule, c_mm: float, frac: float) -> None:
    if module.length_mm is not None and c_mm > frac * module.length_mm:
        raise ModuleError(
            f"{module.kind.value}: compression {c_mm:g} mm is more than {frac:.0%} of the "
            f"{module.length_mm:g} mm spring"
        )


# ----------------------------------------------------------------------------- fitting a module


def fit_module(
    kind: ModuleKind,
    force_g: float,
    span_mm: float | None = None,
    activation_mm: float | None = None,
    data: MechanicsData | None = None,
) -> tuple[ForceModule, float]:
    """A module of ``kind`` and its activation (mm) that deliver ``force_g`` at placement.

    ``span_mm`` is the distance the module bridges (implant head to attachment), used to cut
    chains and choose elastics. NiTi closed coils take the nominal class = ``force_g``.
    """
    data = data or mechanics_data()
    m = data.modules
    if kind in PASSIVE:
        return ForceModule(kind=kind), 0.0
    if kind == ModuleKind.niti_closed_coil:
        act = (
            activation_mm
            if activation_mm is not None
            else m.niti_closed_coil.default_activation_mm.value
        )
        return ForceModule(kind=kind, nominal_g=force_g), act
    if kind == ModuleKind.elastomeric_chain:
        strain = _strain_for(force_g, data)
        span = _need(span_mm, ForceModule(kind=kind), "span_mm (the distance it bridges)")
        length = span / (1 + strain)
        return ForceModule(kind=kind, length_mm=length), strain * length
    if kind == ModuleKind.latex_elastic:
        f = m.latex_elastic.rated_extension_factor.value
        span = _need(span_mm, ForceModule(kind=kind), "span_mm (the distance it bridges)")
        lumen = span / f
        return ForceModule(kind=kind, nominal_g=force_g, length_mm=lumen), span - lumen
    if kind == ModuleKind.niti_open_coil:
        oc = m.niti_open_coil
        nominal = force_g / (1 - oc.label_shortfall_fraction.value)
        comp = (
            activation_mm
            if activation_mm is not None
            else force_g / oc.load_deflection_g_per_mm.value
        )
        length = comp / oc.max_compression_fraction.value
        if span_mm is not None and length > span_mm:
            raise ModuleError(
                f"NiTi open coil: {force_g:.0f} g needs {comp:.1f} mm of compression, a "
                f"{length:.0f} mm spring, but only {span_mm:.0f} mm is available "
                f"({oc.load_deflection_g_per_mm.source}); use stainless steel or less force"
            )
        length = max(span_mm or 0.0, length)
        return ForceModule(kind=kind, nominal_g=nominal, length_mm=length), comp
    if kind == ModuleKind.ss_open_coil:
        ss = m.ss_open_coil
        length = span_mm or ss.reference_length_mm.value
        mod = ForceModule(kind=kind, length_mm=length)
        comp = activation_mm if activation_mm is not None else force_g / ss_rate_g_per_mm(mod, data)
        return mod, comp
    raise ModuleError(f"unknown module {kind}")  # pragma: no cover


def _strain_for(force_g: float, data: MechanicsData) -> float:
    ch = data.modules.elastomeric_chain
    hi = ch.max_strain.value
    if force_g > _chain_initial_g(hi, data):
        raise ModuleError(
            f"elastomeric chain: {force_g:g} g needs more than {hi:.0%} strain; use a spring"
        )
    lo = 0.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if _chain_initial_g(mid, data) < force_g else (lo, mid)
    return (lo + hi) / 2


# ----------------------------------------------------------------------------- time


@dataclass(frozen=True)
class Curve:
    t_days: tuple[float, ...]
    force_g: tuple[float, ...]
    reactivation_days: tuple[float, ...]


def _force_since(
    module: ForceModule, activation_mm: float, t_days: float, per_day: float, data: MechanicsData
) -> float:
    """Force ``t_days`` after (re)activation while the teeth move ``per_day`` mm a day."""
    return force_at(module, max(activation_mm - per_day * t_days, 0.0), t_days, data)


def reactivation_interval_days(
    module: ForceModule,
    activation_mm: float,
    useful_min_g: float,
    movement_mm_per_day: float = 0.0,
    horizon_days: float = 120.0,
    step_days: float = 0.25,
    data: MechanicsData | None = None,
) -> float | None:
    """Days until the force falls below ``useful_min_g`` (decay plus deactivation by tooth
    movement at ``movement_mm_per_day``), to about a minute; 0 if it starts below; None if it
    stays in range over ``horizon_days``. Latex elastics are replaced at the cited interval
    at the latest."""
    data = data or mechanics_data()
    if module.kind in PASSIVE:
        return None
    cap = horizon_days
    if module.kind == ModuleKind.latex_elastic:
        cap = min(cap, data.modules.latex_elastic.replace_every_days.value)

    def below(t: float) -> bool:
        return _force_since(module, activation_mm, t, movement_mm_per_day, data) < useful_min_g

    if below(0.0):
        return 0.0
    t = 0.0
    while t < cap:
        nxt = min(t + step_days, cap)
        if below(nxt):
            lo, hi = t, nxt  # in range at lo, below at hi: bisect to ~1 minute
            while hi - lo > 1.0 / 1440:
                mid = (lo + hi) / 2
                lo, hi = (lo, mid) if below(mid) else (mid, hi)
            return hi
        t = nxt
    return cap if cap < horizon_days else None


def appointment_days(data: MechanicsData | None = None) -> float:
    """The cited interval between visits (days), at which modules are reactivated/replaced."""
    return (data or mechanics_data()).modules.appointment_interval_days.value


def sample_curve(
    module: ForceModule,
    activation_mm: float,
    useful_min_g: float,
    duration_days: float,
    movement_mm_per_day: float = 0.0,
    n: int = 120,
    data: MechanicsData | None = None,
    visit_every_days: float | None = None,
) -> Curve:
    """Force over ``duration_days`` as it happens clinically: the module is reactivated (reset
    to ``activation_mm``) only at a visit, every ``visit_every_days`` (default: the cited
    appointment interval), and only when its force would fall below ``useful_min_g`` (or below
    its own starting force, if that is lower) before the next visit. At most one reactivation
    per visit. Latex elastics are changed by the patient at their cited interval (not marked).
    """
    data = data or mechanics_data()
    visit = visit_every_days or appointment_days(data)
    if visit <= 0:
        raise ModuleError(f"visit_every_days must be > 0, got {visit}")
    per = movement_mm_per_day
    if module.kind == ModuleKind.latex_elastic:
        cycle = data.modules.latex_elastic.replace_every_days.value
        ts = np.linspace(0.0, duration_days, n)
        forces = [_force_since(module, activation_mm, float(t) % cycle, per, data) for t in ts]
        return Curve(tuple(float(t) for t in ts), tuple(float(f) for f in forces), ())
    f0 = _force_since(module, activation_mm, 0.0, per, data)
    floor = min(useful_min_g, f0) - 1e-6
    starts: list[float] = [0.0]
    k = 1
    while k * visit < duration_days:
        tv = k * visit
        nxt = min(tv + visit, duration_days)
        if _force_since(module, activation_mm, nxt - starts[-1], per, data) < floor:
            starts.append(tv)
        k += 1
    early = np.array([0.0, 1, 2, 4, 8, 12, 18]) / 24.0  # hours after (re)activation
    grid = [np.linspace(0.0, duration_days, n)]
    grid += [s + early for s in starts]
    grid += [np.array([s - 1e-3]) for s in starts[1:]]  # just before each reactivation
    ts = np.unique(np.clip(np.concatenate(grid), 0.0, duration_days))
    forces = []
    for t in ts:
        since = float(t) - max(s for s in starts if s <= t + 1e-12)
        forces.append(_force_since(module, activation_mm, since, per, data))
    return Curve(
        tuple(float(t) for t in ts),
        tuple(float(f) for f in forces),
        tuple(float(s) for s in starts[1:]),
    )


def months_to_days(months: float) -> float:
    return months * DAYS_PER_MONTH


def isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
