"""Hand-built plans for the report tests (independent of the planner), plus the planner's
plans of every bundled example once :func:`tadplan.planner.plan` exists."""

from __future__ import annotations

from typing import Any

import pytest

from tadplan.case import SiteRef
from tadplan.examples import load_example
from tadplan.model import (
    AnchorageType,
    Connection,
    ConnectionKind,
    Design,
    GoalPlan,
    GoalSummary,
    Implant,
    Plan,
    SiteSafety,
    SourceRef,
    Warning,
)

SEED = SourceRef(key="seed", detail="II.1 Anterior teeth retraction, Fig. 12")


def _implant(iid: str, **site: Any) -> Implant:
    return Implant(
        id=iid, site=SiteRef(**site), diameter_mm=1.6, length_mm=8.0, purpose="anchorage"
    )


def demo_plan() -> Plan:
    """The demo case with three hand-made designs touching most connection kinds."""
    case = load_example("demo")
    i1 = _implant("i1", between=(15, 16), surface="buccal").model_copy(
        update={
            "safety": SiteSafety(
                status="green",
                min_root_clearance_mm=0.9,
                teeth_at_risk=[15],
                interradicular_width_mm=3.4,
                insertion_height_mm=6.0,
                vertical_angle_deg=60,
                soft_tissue="attached gingiva",
                sources=[SourceRef(key="seed")],
            )
        }
    )
    i2 = _implant("i2", between=(25, 26), surface="buccal")
    d1 = Design(
        id="retract-a",
        rule_id="retraction.direct_chain",
        title="Direct en-masse retraction",
        goal_ids=["retract"],
        anchorage=AnchorageType.direct,
        implants=[i1, i2],
        connections=[
            Connection(
                id="c1",
                kind=ConnectionKind.niti_tension_spring,
                from_implant="i1",
                teeth=[13],
                attachment="power hook",
                attachment_site="power_arm",
                force_g=150,
            ),
            Connection(
                id="c2",
                kind=ConnectionKind.elastic_chain,
                from_implant="i2",
                teeth=[23],
                attachment="power hook",
                attachment_site="power_arm",
                force_g=150,
            ),
            Connection(id="c3", kind=ConnectionKind.power_hook, teeth=[13]),
        ],
        activation=["Activate the spring to 150 g per side"],
        reactivation="every 4 weeks",
        prerequisites=["levelled arch, 0.019 x 0.025 in steel archwire"],
        warnings=[
            Warning(severity="caution", text="deep bite: place implants apically", sources=[SEED])
        ],
        sources=[SEED],
        rank=1,
        score=0.8,
    )
    i3 = Implant(
        id="i3",
        site=SiteRef(region="anterior_palate", side="midline"),
        diameter_mm=2.0,
        length_mm=9.0,
        head="wide_slot",
    )
    d2 = Design(
        id="retract-b",
        rule_id="retraction.indirect_tpa",
        title="Indirect anchorage: TPA to palatal implant",
        goal_ids=["retract", "hold-molars"],
        anchorage=AnchorageType.indirect,
        implants=[i3],
        connections=[
            Connection(
                id="c4", kind=ConnectionKind.tpa, from_implant="i3", teeth=[16, 26], passive=True
            ),
            Connection(
                id="c5", kind=ConnectionKind.ligature_tie_back, from_implant="i3", teeth=[16]
            ),
        ],
        rank=2,
        score=0.6,
        sources=[SourceRef(key="seed", detail="I.6, Fig. 6")],
    )
    i4 = Implant(
        id="i4", site=SiteRef(region="median_palatal_suture"), diameter_mm=2.0, length_mm=9.0
    )
    d3 = Design(
        id="hold-a",
        rule_id="anchorage.horseshoe",
        title="Horseshoe arch to an anterior palatal implant",
        goal_ids=["hold-molars"],
        anchorage=AnchorageType.indirect,
        implants=[i4],
        connections=[
            Connection(
                id="c6",
                kind=ConnectionKind.horseshoe_arch,
                from_implant="i4",
                teeth=[16, 26],
                passive=True,
            ),
            Connection(
                id="c7",
                kind=ConnectionKind.quadhelix,
                from_implant="i4",
                teeth=[17, 27],
                passive=True,
            ),
            Connection(
                id="c8",
                kind=ConnectionKind.compression_spring,
                from_implant="i4",
                teeth=[15],
                force_g=100,
            ),
            Connection(
                id="c9", kind=ConnectionKind.segmental_arch, from_implant="i4", teeth=[11, 21]
            ),
            Connection(id="c10", kind=ConnectionKind.cross_tube, from_implant="i4", teeth=[24]),
        ],
        rank=1,
        score=0.7,
        sources=[SourceRef(key="seed", detail="II.2, Fig. 15-16")],
    )
    goals = [
        GoalPlan(
            goal=GoalSummary(
                id="retract",
                kind="retraction",
                teeth=[13, 12, 11, 21, 22, 23],
                amount="5 mm",
                anchorage_demand="absolute",
            ),
            designs=[d1, d2],
        ),
        GoalPlan(
            goal=GoalSummary(
                id="hold-molars",
                kind="anchorage_maintenance",
                teeth=[16, 26],
                amount="",
                anchorage_demand="absolute",
            ),
            designs=[d3],
        ),
    ]
    return Plan(
        tadplan_version="0.1.0",
        case=case,
        goals=goals,
        sources=[SourceRef(key="seed")],
        warnings=[Warning(severity="info", text="hand-built plan for tests")],
    )


@pytest.fixture(scope="session")
def plan_fixture() -> Plan:
    return demo_plan()


def with_mechanics(plan: Plan) -> Plan:
    """``plan`` with every design's force system from :func:`tadplan.mechanics.analyse_design`
    (what the planner attaches)."""
    from tadplan.anatomy import average_landmarks
    from tadplan.mechanics import analyse_design

    landmarks = average_landmarks(plan.case)
    goals = []
    for gp in plan.goals:
        designs = [
            d.model_copy(update={"mechanics": analyse_design(plan.case, d, landmarks)})
            for d in gp.designs
        ]
        goals.append(gp.model_copy(update={"designs": designs}))
    return plan.model_copy(update={"goals": goals})


@pytest.fixture(scope="session")
def mech_plan() -> Plan:
    return with_mechanics(demo_plan())
