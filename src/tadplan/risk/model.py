"""Failure risk of planned mini-implants: the probability that a screw loosens or is lost
before the end of its use, with the factors behind it and what would lower it.

The model (data and sources in ``risk/data/risk.yaml``):

    logit P(failure) = b_site + sum_j x_j * ln(OR_j)

- ``b_site`` is the log-odds of failure of the *reference* implant at that site (clear of the
  roots, cortex >= 1 mm, > 1.4 mm wide, >= 8 mm long, adult non-smoker, attached gingiva, no
  inflammation, delayed moderate load, no unresisted moment). The published site rates are
  pooled over cohorts that mix these factors, so ``b_site`` is *calibrated*: it is the value
  for which the mean probability over a synthetic cohort of the site (``population`` in the
  data: the share of implants with each factor in the cited cohorts) equals the published
  rate (:func:`reference_log_odds`).
- ``x_j`` is 1 when factor j is present, 0 when absent, and the cohort share when it is not
  known for this implant (age not given, cortex not measured, mechanics not computed):
  an unknown factor counts at the population average, never as favourable.
- ``OR_j`` are odds ratios from the literature (most magnitudes are engineering estimates
  [E] anchored on the published direction, see each ``detail``).

Uncertainty: Monte Carlo with a fixed seed over the log odds ratios (normal, standard error
from the 95 % CI) and the site's log-odds (normal, from the site rate's CI), common to all
implants of a plan (the draws are shared, so two screws of a design move together). The
interval is the 2.5-97.5 percentile of the draws.

What the model ignores, and the correlations it cannot separate:

- Factors are multiplied on the odds scale as if independent; the sources report them one at
  a time (univariate or pooled), so confounded pairs are counted twice or not at all:
  jaw and cortical thickness (the mandible's denser bone yet higher failure), age and bone
  maturity, screw size and site (wide long screws go to the palate and the extra-alveolar
  sites), root proximity and narrow inter-radicular width, mobile mucosa and height above the
  crest (aly2019_crest_distance: distance from the crest was the strongest predictor; the
  model has no crest-distance term).
- Not modelled: insertion torque, operator experience, self-drilling vs pre-drilling,
  screw material and surface, insertion angle, side (left/right findings conflict),
  vertical facial pattern, systemic disease and drugs, time in use (the sources' follow-up
  ranges from 4 months to the end of treatment), and migration without loss.
- The implants of one patient are treated as independent given the patient factors; failures
  cluster in patients (chang2015: 1.9 % of patients lost both screws), so the chance that
  *any* screw of a design fails is somewhat overstated for several screws.
- Root contact is judged on the planned clearance; the anatomy's expected insertion error is
  covered only by the proximity band (< 1 mm).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from tadplan._cache import cached_json, input_key, package_digest
from tadplan.case import fdi
from tadplan.case.model import SiteRef
from tadplan.model.citation import SourceRef
from tadplan.model.risk import (
    DesignRisk,
    ImplantRisk,
    Mitigation,
    MitigationCode,
    RiskFactor,
)
from tadplan.risk.data import FACTORS, GROUPS, Baseline, RiskData, SiteMatch, load_risk_data

_Z95 = 1.959964


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ImplantFacts(_Model):
    """What is known about one planned implant (plain data: the planner fills it from the
    implant, its placement, the design's mechanics and the case). ``None``: not known."""

    implant_id: str
    site: SiteRef
    diameter_mm: float = Field(gt=0)
    length_mm: float = Field(gt=0)
    min_root_clearance_mm: float | None = None
    bone_depth_mm: float | None = None
    interradicular_width_mm: float | None = None
    cortical_thickness_mm: float | None = None
    soft_tissue: str | None = Field(default=None, description="attached gingiva / mobile mucosa")
    age_y: float | None = None
    smoker: bool | None = None
    inflammation: bool | None = None
    immediate_loading: bool | None = None
    force_g: float | None = None
    mechanics_flags: tuple[str, ...] | None = Field(
        default=None, description="the mechanics' flags on this implant; None: not computed"
    )
    joined_screws: int = Field(
        default=1, ge=1, description="implants rigidly carrying its appliance, itself included"
    )


# ----------------------------------------------------------------------------- sites


def _matches(m: SiteMatch, site: SiteRef) -> bool:
    if m.region is not None and site.region != m.region:
        return False
    if m.jaw is not None and site.jaw != m.jaw:
        return False
    if m.surface is not None and site.surface != m.surface:
        return False
    if m.side is not None:
        if m.side == "midline" and site.side not in ("midline", None):
            return False
        if m.side != "midline" and site.side != m.side:
            return False
    positions = [fdi.position(t) for t in site.between] if site.between else []
    if m.max_position is not None and (not positions or max(positions) > m.max_position):
        return False
    return m.min_position is None or bool(positions and max(positions) >= m.min_position)


def site_baseline(site: SiteRef, data: RiskData | None = None) -> Baseline:
    """The first baseline of the data file whose match fits ``site``."""
    d = data or load_risk_data()
    return next(b for b in d.baselines if _matches(b.match, site))


def _distal_upper_molar(site: SiteRef, data: RiskData) -> bool:
    if site.jaw != "maxilla":
        return False
    if site.region == "tuberosity":
        return True
    return site.between is not None and (
        max(fdi.position(t) for t in site.between) >= data.distal_upper_molar_min_position
    )


# ----------------------------------------------------------------------------- calibration


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _sigmoid(x: NDArray[np.float64]) -> NDArray[np.float64]:
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(-x))
    return out


def _betas(data: RiskData, jaw: str) -> NDArray[np.float64]:
    return np.array([np.log(data.odds_ratio(f, jaw).odds_ratio) for f in FACTORS])


def _shares(data: RiskData, group: str) -> NDArray[np.float64]:
    return np.array([data.population.shares[f][group].value for f in FACTORS])  # type: ignore[index]


@cache
def _cohort(seed: int, n: int, group: str) -> NDArray[np.float64]:
    """n synthetic implants of a site group: 0/1 per factor, drawn with the group's shares
    (independently: the sources give no joint distribution)."""
    d = load_risk_data()
    rng = np.random.default_rng([seed, GROUPS.index(group)])
    return (rng.random((n, len(FACTORS))) < _shares(d, group)[None, :]).astype(np.float64)


def cohort(group: str, data: RiskData | None = None) -> NDArray[np.float64]:
    """The synthetic cohort of a site group (rows: implants, columns: :data:`FACTORS`)."""
    d = data or load_risk_data()
    return _cohort(d.population.seed, d.population.n_per_site, group)


def _solve_reference(rate: float, lin: NDArray[np.float64]) -> float:
    """b such that mean(sigmoid(b + lin)) == rate (bisection; the mean rises with b)."""
    lo, hi = -15.0, 5.0
    for _ in range(60):
        mid = (lo + hi) / 2
        if float(_sigmoid(mid + lin).mean()) < rate:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


@cache
def _reference_table() -> dict[str, float]:
    """Calibrated log-odds per baseline id; kept on disk (``risk/``, keyed by the code and
    data of :mod:`tadplan.risk` and numpy's version, which draws the cohorts)."""
    key = input_key(package_digest("tadplan.risk"), np.__version__)
    return cached_json("risk", key, _calibrate)


def _calibrate() -> dict[str, float]:
    d = load_risk_data()
    out = {}
    for b in d.baselines:
        jaw = b.match.jaw or ("mandible" if b.match.region in _MANDIBLE_REGIONS else "maxilla")
        lin = cohort(b.group, d) @ _betas(d, jaw)
        out[b.id] = _solve_reference(b.rate, lin)
    return out


_MANDIBLE_REGIONS = frozenset({"mandibular_buccal_shelf", "retromolar"})
"""Regions that lie in the mandible whatever the match says (as :attr:`SiteRef.jaw`)."""


def reference_log_odds(baseline_id: str) -> float:
    """Calibrated log-odds of failure of the reference implant at a site."""
    return _reference_table()[baseline_id]


# ----------------------------------------------------------------------------- Monte Carlo


@cache
def _draws() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Standard-normal draws for the coefficients (M x factors) and the site shift (M)."""
    d = load_risk_data()
    rng = np.random.default_rng(d.population.seed + 1)
    m = d.population.mc_draws
    return rng.standard_normal((m, len(FACTORS))), rng.standard_normal(m)


def _se(ci: tuple[float, float]) -> float:
    lo, hi = ci
    return float((np.log(hi) - np.log(lo)) / (2 * _Z95))


def _site_se(b: Baseline) -> float:
    lo, hi = b.ci
    return (_logit(hi) - _logit(lo)) / (2 * _Z95)


def _log_odds_draws(
    b: Baseline, jaw: str, x: NDArray[np.float64], data: RiskData
) -> NDArray[np.float64]:
    zb, zs = _draws()
    se = np.array([_se(data.odds_ratio(f, jaw).ci) for f in FACTORS])
    betas = _betas(data, jaw)[None, :] + zb * se[None, :]
    out: NDArray[np.float64] = reference_log_odds(b.id) + zs * _site_se(b) + betas @ x
    return out


# ----------------------------------------------------------------------------- exposures


def _exposures(
    f: ImplantFacts, b: Baseline, data: RiskData
) -> dict[str, tuple[float, bool, float | None]]:
    """Per factor: (x, known, measured value)."""
    share = {k: data.population.shares[k][b.group].value for k in FACTORS}
    jaw = f.site.jaw
    out: dict[str, tuple[float, bool, float | None]] = {}

    def flag(code: str, present: bool | None, value: float | None = None) -> None:
        out[code] = (
            (share[code], False, value) if present is None else (float(present), True, value)
        )

    c = f.min_root_clearance_mm
    contact_t = data.odds_ratio("root_contact", jaw).threshold or 0.0
    prox_t = data.factors["root_proximity"].threshold or 0.0
    if b.group == "palatal" or f.site.region in ("median_palatal_suture", "paramedian_palate"):
        flag("root_contact", False)
        flag("root_proximity", False)
    else:
        flag("root_contact", None if c is None else c < contact_t, c)
        flag("root_proximity", None if c is None else contact_t <= c < prox_t, c)
    t = f.cortical_thickness_mm
    flag("thin_cortex", None if t is None else t < (data.factors["thin_cortex"].threshold or 0), t)
    flag(
        "narrow_screw",
        f.diameter_mm <= (data.factors["narrow_screw"].threshold or 0),
        f.diameter_mm,
    )
    flag("short_screw", f.length_mm < (data.factors["short_screw"].threshold or 0), f.length_mm)
    a = f.age_y
    flag("adolescent", None if a is None else a < (data.factors["adolescent"].threshold or 0), a)
    flag("smoker", f.smoker)
    soft = (f.soft_tissue or "").lower()
    mobile = None if not soft else ("mobile" in soft or "movable" in soft)
    flag("mobile_mucosa", mobile)
    flag("inflammation", f.inflammation)
    flag("immediate_loading", f.immediate_loading)
    flags = f.mechanics_flags
    flag(
        "over_immediate_loading_limit",
        None if flags is None else "over_immediate_loading_limit" in flags,
        f.force_g,
    )
    flag("unresisted_moment", None if flags is None else "unresisted_moment" in flags)
    flag("distal_upper_molar", _distal_upper_molar(f.site, data))
    return out


def _probability(b: Baseline, jaw: str, x: NDArray[np.float64], data: RiskData) -> float:
    return float(_sigmoid(np.array(reference_log_odds(b.id) + _betas(data, jaw) @ x)))


# ----------------------------------------------------------------------------- public


def implant_risk(facts: ImplantFacts, data: RiskData | None = None) -> ImplantRisk:
    """The failure probability of one implant, its interval, its factors (largest effect
    first) and what would lower it."""
    d = data or load_risk_data()
    b = site_baseline(facts.site, d)
    jaw = facts.site.jaw
    ex = _exposures(facts, b, d)
    x = np.array([ex[k][0] for k in FACTORS])
    p = _probability(b, jaw, x, d)
    lo, hi = np.percentile(_sigmoid(_log_odds_draws(b, jaw, x, d)), [2.5, 97.5])
    factors = []
    for k in FACTORS:
        xk, known, value = ex[k]
        if xk <= 0:
            continue
        o = d.odds_ratio(k, jaw)
        factors.append(
            RiskFactor(
                code=k,
                odds_ratio=o.odds_ratio,
                ci=o.ci,
                exposure=round(xk, 4),
                known=known,
                value=value,
                threshold=o.threshold,
                source=SourceRef(key=o.source, detail=o.detail, tag=o.tag),
            )
        )
    factors.sort(key=lambda r: -abs(r.log_effect))
    return ImplantRisk(
        implant_id=facts.implant_id,
        site_baseline=b.id,
        site_rate=b.rate,
        site_rate_ci=b.ci,
        site_source=SourceRef(key=b.source, detail=b.detail, tag=b.tag),
        failure_probability=round(p, 4),
        interval=(round(float(lo), 4), round(float(hi), 4)),
        factors=factors,
        lower_it=_mitigations(facts, b, ex, p, d),
    )


def _without(
    b: Baseline,
    jaw: str,
    ex: dict[str, tuple[float, bool, float | None]],
    codes: set[str],
    d: RiskData,
) -> float:
    x = np.array([0.0 if k in codes else ex[k][0] for k in FACTORS])
    return _probability(b, jaw, x, d)


def _mitigations(
    f: ImplantFacts,
    b: Baseline,
    ex: dict[str, tuple[float, bool, float | None]],
    p: float,
    d: RiskData,
) -> list[Mitigation]:
    jaw = f.site.jaw
    m = d.mitigation
    present = {k for k, (x, known, _) in ex.items() if known and x >= 1}
    out: list[Mitigation] = []

    def add(
        code: MitigationCode, q: float, value: float | None = None, site: str | None = None
    ) -> None:
        if q < p - 1e-4:
            out.append(
                Mitigation(
                    code=code,
                    failure_probability=round(q, 4),
                    reduction=round(p - q, 4),
                    value=value,
                    site=site,
                )
            )

    root = present & {"root_contact", "root_proximity"}
    if root:
        prox_t = d.factors["root_proximity"].threshold
        add("keep_clear_of_root", _without(b, jaw, ex, root, d), prox_t)
    if "short_screw" in present and (
        f.bone_depth_mm is None or f.bone_depth_mm >= m.length_mm.value
    ):
        add("longer_screw", _without(b, jaw, ex, {"short_screw"}, d), m.length_mm.value)
    if "narrow_screw" in present:
        need = m.diameter_mm.value + 2 * m.bone_each_side_mm.value
        w = f.interradicular_width_mm
        if f.site.region != "interradicular" or w is None or w >= need:
            add("wider_screw", _without(b, jaw, ex, {"narrow_screw"}, d), m.diameter_mm.value)
    load = present & {"over_immediate_loading_limit", "immediate_loading"}
    if load:
        add("delayed_loading", _without(b, jaw, ex, load, d))
    if "unresisted_moment" in present and f.joined_screws == 1:
        add("second_screw", _without(b, jaw, ex, {"unresisted_moment"}, d))
    if "smoker" in present:
        add("stop_smoking", _without(b, jaw, ex, {"smoker"}, d))
    # another site of the same jaw: the same patient, a screw sized for that site, no roots
    site_only = {
        "root_contact",
        "root_proximity",
        "thin_cortex",
        "narrow_screw",
        "short_screw",
        "mobile_mucosa",
        "distal_upper_molar",
    }
    best: tuple[float, str] | None = None
    for sid in m.alternative_sites.get(jaw, []):
        if sid == b.id:
            continue
        alt = d.baseline(sid)
        x = np.array([0.0 if k in site_only else ex[k][0] for k in FACTORS])
        q = _probability(alt, jaw, x, d)
        if best is None or q < best[0]:
            best = (q, sid)
    if best is not None and p - best[0] >= m.another_site_min_gain.value:
        add("another_site", best[0], site=best[1])
    out.sort(key=lambda r: -r.reduction)
    return out


def design_risk(risks: Sequence[ImplantRisk], facts: Sequence[ImplantFacts]) -> DesignRisk:
    """P(any of the implants fails) = 1 - prod(1 - p_i), with its interval from the same
    Monte Carlo draws (coefficients shared between the implants). ``facts`` are the same
    implants' inputs, in the same order."""
    if not risks:
        return DesignRisk(failure_probability=0.0, interval=(0.0, 0.0), implant_ids=[])
    d = load_risk_data()
    survive = np.ones(d.population.mc_draws)
    point = 1.0
    for r, f in zip(risks, facts, strict=True):
        b = d.baseline(r.site_baseline)
        ex = _exposures(f, b, d)
        x = np.array([ex[k][0] for k in FACTORS])
        survive = survive * (1.0 - _sigmoid(_log_odds_draws(b, f.site.jaw, x, d)))
        point *= 1.0 - r.failure_probability
    lo, hi = np.percentile(1.0 - survive, [2.5, 97.5])
    return DesignRisk(
        failure_probability=round(1.0 - point, 4),
        interval=(round(float(lo), 4), round(float(hi), 4)),
        implant_ids=[r.implant_id for r in risks],
    )
