"""Planning a stored case on an uploaded patient tooth mesh (`mesh_upload_id`)."""

from __future__ import annotations

import json

from tests.planner.patient_meshes import screw_between, tooth_stl, touching
from tests.service.conftest import Service
from tests.service.helpers import cbct_zip

from tadplan.examples import load_example
from tadplan.planner import plan


def test_a_plan_on_an_uploaded_tooth_mesh_turns_the_screw_at_its_root_red(
    service: Service,
) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    c = service.client
    case = load_example("demo")
    screw = screw_between(plan(case), (16, 15))
    stl = tooth_stl(case, 16, touching(case, screw, 16))
    up = c.post(
        f"/api/cases/{cid}/uploads?kind=mesh", files={"file": ("tooth_16.stl", stl)}, headers=h
    )
    assert up.status_code == 201, up.text
    r = c.post(f"/api/cases/{cid}/plans", json={"mesh_upload_id": up.json()["id"]}, headers=h)
    assert r.status_code == 201, r.text
    out = json.loads(c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=h).text)
    statuses = {
        i["safety"]["status"]
        for gp in out["goals"]
        for d in gp["designs"]
        for i in d["implants"]
        if i["id"] == screw.id
    }
    assert statuses == {"red"}
    assert any(
        w["code"] == "root_contact_on_patient_meshes"
        for gp in out["goals"]
        for d in gp["designs"]
        for w in d["warnings"]
    )
    # a CBCT upload is not a tooth mesh (422); an unknown upload is 404
    series = c.post(
        f"/api/cases/{cid}/uploads?kind=cbct", files={"file": ("s.zip", cbct_zip())}, headers=h
    )
    assert series.status_code == 201, series.text
    r = c.post(f"/api/cases/{cid}/plans", json={"mesh_upload_id": series.json()["id"]}, headers=h)
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "mesh_upload_id"
    r = c.post(f"/api/cases/{cid}/plans", json={"mesh_upload_id": 99999}, headers=h)
    assert r.status_code == 404
    # another case's mesh is unknown to this one
    other = service.import_example(h)
    r = c.post(f"/api/cases/{other}/plans", json={"mesh_upload_id": up.json()["id"]}, headers=h)
    assert r.status_code == 404
