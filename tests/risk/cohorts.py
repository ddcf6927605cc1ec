"""Synthetic cohorts of planned implants for the calibration check (fixed seeds).

Each implant is drawn as *data* (site, age, screw size, root clearance, cortex, soft tissue,
smoking, loading, mechanics flags) and goes through the public :func:`implant_risk`, so the
check covers the thresholds and the exposures, not only the coefficient algebra.

Cohort profiles (all [E], documented here; the model's own ``population.shares`` are the
binary summaries of the same profiles):

- inter-radicular cohorts of the site meta-analysis (mohammed2018, 2017 search): age
  N(18, 7) y clipped to 11-60 (park2006 mean 15.5 y; adults more common later); diameters
  1.2/1.4/1.6/2.0 mm with shares 0.1/0.2/0.5/0.2; lengths 6/8/10 mm with 0.4/0.5/0.1;
  root contact 15 %, proximity (< 1 mm) 20 % (rootcontact2019, kuroda2007);
  cortex N(1.2, 0.38) mm (failed vs successful 0.99 vs 1.34 mm, motoyoshi2007_cortical);
- palatal cohorts: 1.4 mm 10 %, else 1.6-2.0 mm; 6 mm 30 %, else 8-10 mm; no roots;
  cortex N(1.3, 0.36) mm;
- extra-alveolar cohorts (chang2015, uribe2015): 2 x 12 mm, age N(16, 5) y, half in mobile
  mucosa, loads 227-397 g (over the 150 g immediate-loading limit 80 %), cortex N(2, 0.6) mm;
- the older cohorts of papageorgiou2012 (studies to 2011: 1.2-1.3 mm screws were common,
  e.g. park2006 1.2 mm, kuroda2007 1.3 mm, miyawaki2003 1.0-2.3 mm): inter-radicular
  buccal, maxilla 60 % / mandible 40 %, 1.2 mm 30 %, 1.4 mm 30 %, 1.6 mm 40 %, 6 mm 60 %,
  root contact 20 %, proximity 25 %, age N(17, 6) y.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tadplan.case.model import SiteRef
from tadplan.risk import ImplantFacts, implant_risk


@dataclass(frozen=True)
class Profile:
    ages: tuple[float, float]
    diameters: tuple[tuple[float, ...], tuple[float, ...]]
    lengths: tuple[tuple[float, ...], tuple[float, ...]]
    contact: float
    proximity: float
    cortex: tuple[float, float]
    mobile: float
    smoker: float
    inflammation: float
    immediate: float
    overload: float
    moment: float


INTERRADICULAR = Profile(
    ages=(18, 7),
    diameters=((1.2, 1.4, 1.6, 2.0), (0.1, 0.2, 0.5, 0.2)),
    lengths=((6, 8, 10), (0.4, 0.5, 0.1)),
    contact=0.15,
    proximity=0.2,
    cortex=(1.2, 0.38),
    mobile=0.2,
    smoker=0.1,
    inflammation=0.05,
    immediate=0.5,
    overload=0.05,
    moment=0.02,
)
PALATAL = Profile(
    ages=(18, 7),
    diameters=((1.4, 1.6, 2.0), (0.1, 0.5, 0.4)),
    lengths=((6, 8, 10), (0.3, 0.4, 0.3)),
    contact=0.0,
    proximity=0.0,
    cortex=(1.3, 0.36),
    mobile=0.0,
    smoker=0.1,
    inflammation=0.05,
    immediate=0.5,
    overload=0.1,
    moment=0.02,
)
EXTRA_ALVEOLAR = Profile(
    ages=(16, 5),
    diameters=((2.0,), (1.0,)),
    lengths=((12,), (1.0,)),
    contact=0.02,
    proximity=0.05,
    cortex=(2.0, 0.6),
    mobile=0.5,
    smoker=0.05,
    inflammation=0.05,
    immediate=0.5,
    overload=0.8,
    moment=0.02,
)
OLDER_BUCCAL = Profile(
    ages=(17, 6),
    diameters=((1.2, 1.4, 1.6), (0.3, 0.3, 0.4)),
    lengths=((6, 8), (0.6, 0.4)),
    contact=0.2,
    proximity=0.25,
    cortex=(1.2, 0.38),
    mobile=0.2,
    smoker=0.1,
    inflammation=0.05,
    immediate=0.5,
    overload=0.05,
    moment=0.02,
)

SITES: dict[str, tuple[SiteRef, Profile]] = {
    "midpalatal": (SiteRef(region="median_palatal_suture", side="midline"), PALATAL),
    "paramedian": (SiteRef(region="paramedian_palate", side="right"), PALATAL),
    "parapalatal": (
        SiteRef(region="interradicular", between=(15, 16), surface="palatal"),
        INTERRADICULAR,
    ),
    "maxillary_buccal_posterior": (
        SiteRef(region="interradicular", between=(15, 16), surface="buccal"),
        INTERRADICULAR,
    ),
    "maxillary_buccal_anterior": (
        SiteRef(region="interradicular", between=(12, 13), surface="buccal"),
        INTERRADICULAR,
    ),
    "mandibular_interradicular": (
        SiteRef(region="interradicular", between=(35, 36), surface="buccal"),
        INTERRADICULAR,
    ),
    "infrazygomatic_crest": (SiteRef(region="infrazygomatic_crest", side="right"), EXTRA_ALVEOLAR),
    "mandibular_buccal_shelf": (
        SiteRef(region="mandibular_buccal_shelf", side="right"),
        EXTRA_ALVEOLAR,
    ),
}


def draw(site: SiteRef, prof: Profile, n: int, seed: int) -> list[ImplantFacts]:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        u = rng.random()
        if u < prof.contact:
            clearance = rng.uniform(-0.3, 0.19)
        elif u < prof.contact + prof.proximity:
            clearance = rng.uniform(0.2, 0.99)
        else:
            clearance = rng.uniform(1.0, 3.0)
        flags = tuple(
            f
            for f, share in (
                ("over_immediate_loading_limit", prof.overload),
                ("unresisted_moment", prof.moment),
            )
            if rng.random() < share
        )
        out.append(
            ImplantFacts(
                implant_id=f"c{k}",
                site=site,
                diameter_mm=float(rng.choice(prof.diameters[0], p=prof.diameters[1])),
                length_mm=float(rng.choice(prof.lengths[0], p=prof.lengths[1])),
                min_root_clearance_mm=float(clearance),
                cortical_thickness_mm=float(max(0.2, rng.normal(*prof.cortex))),
                soft_tissue="mobile mucosa" if rng.random() < prof.mobile else "attached gingiva",
                age_y=float(np.clip(rng.normal(*prof.ages), 11, 60)),
                smoker=bool(rng.random() < prof.smoker),
                inflammation=bool(rng.random() < prof.inflammation),
                immediate_loading=bool(rng.random() < prof.immediate),
                mechanics_flags=flags,
            )
        )
    return out


def mean_risk(facts: list[ImplantFacts]) -> float:
    return float(np.mean([implant_risk(f).failure_probability for f in facts]))
