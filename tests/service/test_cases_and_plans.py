"""Issue 14: stored cases with revisions, immutable plan versions, import and export
byte-compatible with the CLI, and the API's errors (422 with the CLI's problems, 404, 413)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from tests.service.conftest import Service

from tadplan.case import dump_case, load_case
from tadplan.case.io import CaseError
from tadplan.examples import example_path, example_paths, load_example
from tadplan.planner import plan


def _demo_json() -> dict:
    return load_example("demo").model_dump(mode="json")


def test_case_crud_and_revisions(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    doc = _demo_json()
    r = service.client.post("/api/cases", content=json.dumps(doc), headers=h)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["revision"] == 1 and r.json()["document"] == doc

    changed = {**doc, "title": "after the CBCT"}
    r = service.client.put(f"/api/cases/{cid}", content=json.dumps(changed), headers=h)
    assert r.status_code == 200 and r.json()["number"] == 2
    # the edit is a new revision; revision 1 is kept as it was
    assert service.client.get(f"/api/cases/{cid}", headers=h).json()["document"] == changed
    r1 = service.client.get(f"/api/cases/{cid}/revisions/1", headers=h).json()
    assert r1["document"] == doc
    revs = service.client.get(f"/api/cases/{cid}/revisions", headers=h).json()
    assert [x["number"] for x in revs] == [1, 2]

    listed = service.client.get("/api/cases", headers=h).json()
    assert [c["id"] for c in listed] == [cid]
    assert service.client.post(f"/api/cases/{cid}/archive", headers=h).json()["archived"]
    assert service.client.get("/api/cases", headers=h).json() == []
    archived = service.client.get("/api/cases?archived=true", headers=h).json()
    assert [c["id"] for c in archived] == [cid]
    assert not service.client.post(f"/api/cases/{cid}/restore", headers=h).json()["archived"]


def test_plan_versions_are_immutable_and_numbered(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    c = service.client
    first = c.post(f"/api/cases/{cid}/plans", headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["number"] == 1 and first.json()["revision_number"] == 1
    plan1 = c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=h).text
    # the stored plan is the planner's own plan of the case, as the CLI writes it
    assert plan1 == plan(load_example("demo")).model_dump_json(indent=2)

    doc = _demo_json()
    doc["goals"][0]["amount_mm"] = 3
    c.put(f"/api/cases/{cid}", content=json.dumps(doc), headers=h)
    second = c.post(f"/api/cases/{cid}/plans", headers=h).json()
    assert second["number"] == 2 and second["revision_number"] == 2
    # a new plan never overwrites an old one
    assert c.get(f"/api/cases/{cid}/plans/1/plan.json", headers=h).text == plan1
    assert c.get(f"/api/cases/{cid}/plans/2/plan.json", headers=h).text != plan1
    # planning an earlier revision is a new version too
    third = c.post(f"/api/cases/{cid}/plans", json={"revision": 1}, headers=h).json()
    assert third["number"] == 3 and third["plan_sha256"] == first.json()["plan_sha256"]
    assert [p["number"] for p in c.get(f"/api/cases/{cid}/plans", headers=h).json()] == [1, 2, 3]
    # no route changes or deletes a plan version
    doc_paths = c.get("/openapi.json", headers=h).json()["paths"]
    for path, ops in doc_paths.items():
        if "/plans/{number}" in path:
            assert set(ops) <= {"get", "post"}, (path, set(ops))
            if "post" in ops:
                assert path.endswith("/pdf")


def test_every_example_file_exports_byte_for_byte(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    names = sorted(example_paths())
    assert len(names) >= 30
    for name in names:
        text = example_path(name).read_text(encoding="utf-8")
        cid = service.import_example(h, name)
        r = service.client.get(f"/api/cases/{cid}/export?format=yaml", headers=h)
        assert r.status_code == 200 and r.content == text.encode("utf-8"), name
        assert r.headers["content-type"].startswith("application/yaml")


def test_export_is_what_the_cli_reads_and_writes(service: Service, tmp_path: Path) -> None:
    h = service.user("Clinic A", "a@a.org")
    case = load_example("05_anterior_retraction_deep_bite")
    c = service.client
    # JSON made through the API exports as `tadplan demo` writes case.json
    r = c.post("/api/cases", content=json.dumps(case.model_dump(mode="json")), headers=h)
    cid = r.json()["id"]
    js = c.get(f"/api/cases/{cid}/export?format=json", headers=h).content
    assert js == (case.model_dump_json(indent=2) + "\n").encode()
    ym = c.get(f"/api/cases/{cid}/export?format=yaml", headers=h).content
    assert ym == dump_case(case).encode()
    # both files are read by the CLI's reader as the same case
    (tmp_path / "c.json").write_bytes(js)
    (tmp_path / "c.yaml").write_bytes(ym)
    assert load_case(tmp_path / "c.json") == case == load_case(tmp_path / "c.yaml")
    # a JSON file imported is exported byte for byte, and as a revision too
    r = c.post("/api/cases/import?format=json", content=js, headers=h)
    assert c.get(f"/api/cases/{r.json()['id']}/export?format=json", headers=h).content == js
    r = c.post(f"/api/cases/{cid}/import?format=yaml", content=ym, headers=h)
    assert r.status_code == 201 and r.json()["number"] == 2
    assert c.get(f"/api/cases/{cid}/export?format=yaml&revision=2", headers=h).content == ym


def _cli_problems(text: str, suffix: str, tmp_path: Path) -> list[dict[str, str]]:
    p = tmp_path / f"case{suffix}"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(CaseError) as err:
        load_case(p)
    return [{"field": q.field, "message": q.message} for q in err.value.problems]


BAD_CASES = {
    "implausible amount": {
        "id": "x",
        "goals": [{"kind": "intrusion", "segment": "upper_incisors", "amount_mm": 40}],
    },
    "unknown key": {"id": "x", "findngs": {}, "goals": [{"kind": "intrusion", "teeth": [11]}]},
    "bad tooth": {"id": "x", "goals": [{"kind": "intrusion", "teeth": [19]}]},
    "no goals": {"id": "x", "goals": []},
    "not a mapping": [1, 2],
}


@pytest.mark.parametrize("what", sorted(BAD_CASES))
def test_an_invalid_case_is_422_with_the_cli_problems(
    what: str, service: Service, tmp_path: Path
) -> None:
    h = service.user("Clinic A", "a@a.org")
    text = json.dumps(BAD_CASES[what])
    expected = _cli_problems(text, ".json", tmp_path)
    for path in ("/api/cases/validate", "/api/cases"):
        r = service.client.post(path, content=text, headers=h)
        assert r.status_code == 422, r.text
        assert r.json()["problems"] == expected
    # as a YAML import: the same problems as `tadplan validate case.yaml`
    ytext = yaml.safe_dump(BAD_CASES[what])
    r = service.client.post("/api/cases/import?format=yaml", content=ytext, headers=h)
    assert r.status_code == 422 and r.json()["problems"] == _cli_problems(ytext, ".yaml", tmp_path)


@pytest.mark.parametrize(
    "body",
    [b"{", b"", b"\xff\xfe", b'{"id": "a", "id": "b"}', b"[" * 5000, b"null", b"1e999"],
)
def test_malformed_json_is_422_not_500(body: bytes, service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    r = service.client.post("/api/cases", content=body, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["problems"] and all("field" in p for p in r.json()["problems"])


def test_unknown_ids_are_404(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    c = service.client
    for path in (
        "/api/cases/999",
        f"/api/cases/{cid}/revisions/7",
        f"/api/cases/{cid}/plans/1",
        f"/api/cases/{cid}/plans/1/report.html",
        f"/api/cases/{cid}/uploads/5",
        "/api/jobs/3",
    ):
        r = c.get(path, headers=h)
        assert r.status_code == 404, (path, r.text)
    assert c.post("/api/cases/999/plans", headers=h).status_code == 404
    assert c.get("/api/cases/99999999999999999999", headers=h).status_code == 422


def test_a_too_large_body_is_413(service: Service) -> None:
    h = service.user("Clinic A", "a@a.org")
    cid = service.import_example(h)
    big = b"solid x\n" + b" " * 2_100_000
    r = service.client.post(
        f"/api/cases/{cid}/uploads?kind=mesh", files={"file": ("16.stl", big)}, headers=h
    )
    assert r.status_code == 413
    r = service.client.post("/api/cases", content=b" " * 1_200_000, headers=h)
    assert r.status_code == 413
    assert service.client.get(f"/api/cases/{cid}/uploads", headers=h).json() == []
