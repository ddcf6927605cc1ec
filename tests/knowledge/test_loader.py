"""Loading and validating the knowledge base: sources, schema errors, extra rule dirs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tadplan.examples import load_example
from tadplan.knowledge import KnowledgeError, load_knowledge
from tadplan.knowledge.loader import data_dir
from tadplan.planner import plan

GOOD_RULE = """\
version: 1
application: "Clinic extras"
sources:
  clinic2026:
    authors: Our clinic
    year: 2026
    title: House protocol for asymmetric intrusion
rules:
  - id: clinic-asymmetric-intrusion-chain
    when: {all: [{goal_kind_in: [intrusion]}, {symmetry: asymmetric}]}
    design:
      title: House design - elastic chain from one implant between 1 and 2
      anchorage: direct
      provides: absolute
      implants:
        - ref: a
          site: {surface: buccal, between: [1, 2]}
      connections:
        - {kind: elastic_chain, from: a, to: goal_teeth}
    sources: [{key: clinic2026, detail: "p. 1"}]
"""


def write(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    d = tmp_path / "rules"
    d.mkdir(exist_ok=True)
    (d / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return d


def test_builtin_rules_load_and_every_rule_is_sourced() -> None:
    kb = load_knowledge()
    assert len(kb.rules) >= 40
    for r in kb.rules:
        assert r.spec.sources, r.id
        for s in r.spec.sources:
            assert s.key in kb.sources, (r.id, s.key)
        assert r.application
    ids = [r.id for r in kb.rules]
    assert len(ids) == len(set(ids))


def test_every_table_number_is_sourced() -> None:
    kb = load_knowledge()
    t = kb.tables
    assert t.screws and t.site_risks and t.min_interradicular_width_mm is not None
    for row in [*t.screws, *t.site_risks, t.min_interradicular_width_mm]:
        assert row.sources and all(s.key in kb.sources for s in row.sources)
        # every cited number carries the literature tag or a seed section
        assert all(s.key == "seed" or s.tag is not None for s in row.sources), row


def test_table_values_match_literature() -> None:
    """Spot checks against literature.md §9 (site failure rates: tests/risk)."""
    from tadplan.case.model import SiteRef, SiteRegion
    from tadplan.planner.propose import site_matches

    kb = load_knowledge()

    def screw(site: SiteRef) -> tuple[float, float]:
        row = next(r for r in kb.tables.screws if site_matches(r.match, site))
        return row.diameter_mm, row.length_mm

    mid = SiteRef(region=SiteRegion.median_palatal_suture, side="midline")
    assert screw(mid) == (2.0, 9)  # Nienkemper 2020 2 x 9 mm
    mand = SiteRef(between=(45, 46), surface="buccal")
    assert screw(mand) == (1.5, 6)  # Monnerat 2009
    shelf = SiteRef(region=SiteRegion.mandibular_buccal_shelf, side="left")
    assert screw(shelf) == (2.0, 12)  # Chang 2015


def test_extra_rule_dir_adds_a_rule_that_plans(tmp_path: Path) -> None:
    d = write(tmp_path, GOOD_RULE)
    kb = load_knowledge([d])
    assert "clinic-asymmetric-intrusion-chain" in {r.id for r in kb.rules}
    assert len(kb.rules) == len(load_knowledge().rules) + 1
    p = plan(load_example("04b_asymmetric_intrusion"), kb)
    designs = p.goals[0].designs
    mine = [x for x in designs if x.rule_id == "clinic-asymmetric-intrusion-chain"]
    assert len(mine) == 1
    assert mine[0].implants[0].site.between == (12, 11)
    assert any(s.key == "clinic2026" and "Our clinic" in (s.text or "") for s in p.sources)


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        (
            "{goal_kind_in: [intrusion]}",
            "{goal_kind_in: [intrusionn]}",
            "when.all.0.goal_kind_in.0",
            "Input should be",
        ),
        (
            "{symmetry: asymmetric}",
            "{symetry: asymmetric}",
            "when.all.1.symetry",
            "unknown condition",
        ),
        ("between: [1, 2]", "between: [1, 3]", "design.implants.0.site.0.between", "neighbouring"),
        ("anchorage: direct", "anchorage: sideways", "design.anchorage", "Input should be"),
        (
            "key: clinic2026, detail",
            "key: nobody1999, detail",
            "sources",
            "unknown source key 'nobody1999'",
        ),
        (
            "{kind: elastic_chain, from: a,",
            "{kind: elastic_chain, from: b,",
            "design.connections.0.from",
            "no implant with ref 'b'",
        ),
        ("      provides: absolute\n", "", "design.provides", "required field is missing"),
    ],
)
def test_malformed_rule_names_file_rule_and_field(
    tmp_path: Path, old: str, new: str, field: str, reason: str
) -> None:
    assert old in GOOD_RULE
    d = write(tmp_path, GOOD_RULE.replace(old, new), name="broken.yaml")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    err = exc.value
    assert "broken.yaml" in err.where
    assert "clinic-asymmetric-intrusion-chain" in err.where
    assert err.where.endswith(field), err.where
    assert reason in err.reason, err.reason


def test_duplicate_rule_id_is_an_error(tmp_path: Path) -> None:
    builtin = load_knowledge().rules[0].id
    d = write(tmp_path, GOOD_RULE.replace("clinic-asymmetric-intrusion-chain", builtin))
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert exc.value.where.endswith(": id") and "already used" in exc.value.reason


def test_not_yaml_and_not_a_directory(tmp_path: Path) -> None:
    d = write(tmp_path, "rules: [unclosed\n", name="bad.yaml")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert "bad.yaml" in exc.value.where and "YAML" in exc.value.reason
    with pytest.raises(KnowledgeError, match="not a directory"):
        load_knowledge([tmp_path / "missing"])


def test_builtin_rule_files_are_package_data() -> None:
    files = sorted(p.name for p in (data_dir() / "rules").glob("*.yaml"))
    assert files and all(f.endswith(".yaml") for f in files)


@pytest.mark.parametrize(
    ("to", "reason"),
    [
        ("[0, 99]", "0 is not a tooth position"),
        ("[6, 9]", "9 is not a tooth position"),
        ("[]", "empty list"),
        ("[6, 6]", "listed twice"),
        ("[true]", "Input should be"),
    ],
)
def test_connection_to_positions_must_be_teeth(tmp_path: Path, to: str, reason: str) -> None:
    d = write(tmp_path, GOOD_RULE.replace("to: goal_teeth", f"to: {to}"), name="to.yaml")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert exc.value.where.endswith("design.connections.0.to"), exc.value.where
    assert reason in exc.value.reason


def test_connection_to_absent_teeth_is_not_proposed(tmp_path: Path) -> None:
    d = write(tmp_path, GOOD_RULE.replace("to: goal_teeth", "to: [8]"))
    case = load_example("04b_asymmetric_intrusion")
    data = case.model_dump(mode="json", exclude_defaults=True)
    data["dentition"] = {"missing": [18, 28, 38, 48]}
    from tadplan.case import case_from_data

    p = plan(case_from_data(data), load_knowledge([d]))
    gp = p.goals[0]
    assert all(x.rule_id != "clinic-asymmetric-intrusion-chain" for x in gp.designs)
    assert any(
        "[clinic-asymmetric-intrusion-chain] is not possible: its elastic chain reaches no tooth"
        in n
        for n in gp.notes
    )
    # with the third molars there, the same rule is proposed and reaches them
    data["dentition"] = {}
    p = plan(case_from_data(data), load_knowledge([d]))
    (mine,) = [x for x in p.goals[0].designs if x.rule_id == "clinic-asymmetric-intrusion-chain"]
    assert all(fdi_pos % 10 == 8 for c in mine.connections for fdi_pos in c.teeth)


def test_rule_file_not_utf8_names_the_file(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    d.mkdir()
    (d / "latin1.yaml").write_bytes(
        GOOD_RULE.replace("Our clinic", "Klinik Zürich").encode("latin-1")
    )
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert exc.value.where.endswith("latin1.yaml") and "not UTF-8" in exc.value.reason


def test_deeply_nested_condition_is_a_clear_error(tmp_path: Path) -> None:
    cond = "{goal_kind_in: [intrusion]}"
    for _ in range(500):
        cond = "{not: " + cond + "}"
    d = write(
        tmp_path,
        GOOD_RULE.replace("{all: [{goal_kind_in: [intrusion]}, {symmetry: asymmetric}]}", cond),
        name="deep.yaml",
    )
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert "deep.yaml: line" in exc.value.where and "nested more than" in exc.value.reason


def test_rule_file_anchors_and_duplicate_keys_refused(tmp_path: Path) -> None:
    d = write(
        tmp_path, GOOD_RULE.replace("version: 1\n", "version: 1\nversion: 2\n"), name="dup.yaml"
    )
    with pytest.raises(KnowledgeError, match="duplicate key 'version'"):
        load_knowledge([d])


@pytest.mark.parametrize("value", [".nan", ".inf"])
def test_rule_numbers_must_be_finite(tmp_path: Path, value: str) -> None:
    text = GOOD_RULE.replace(
        "{kind: elastic_chain, from: a, to: goal_teeth}",
        "{kind: elastic_chain, from: a, to: goal_teeth, force_g: " + value + ", "
        "force_source: {key: clinic2026}}",
    )
    d = write(tmp_path, text, name="nan.yaml")
    with pytest.raises(KnowledgeError) as exc:
        load_knowledge([d])
    assert exc.value.where.endswith("design.connections.0.force_g"), exc.value.where


def test_a_rule_files_evidence_tag_is_read_once_into_the_citation() -> None:
    """ "detail [R]" in a rule file becomes SourceRef(detail, tag="R"); readers see the same
    words again ("detail [R]"); a tag inside the detail's words stays words."""
    from pydantic import TypeAdapter

    from tadplan.knowledge.schema import SourceSpec
    from tadplan.knowledge.sources import cited_detail
    from tadplan.model import Cited

    read = TypeAdapter(SourceSpec).validate_python
    s = read({"key": "vela2020", "detail": "chain from anterior miniscrews [R2]"})
    assert (s.detail, s.tag) == ("chain from anterior miniscrews", "R2")
    assert cited_detail(s) == "chain from anterior miniscrews [R2]"
    mixed = read({"key": "kim_sh2009", "detail": "1.4-1.8 mm [R]; midpoint [E]"})
    assert (mixed.detail, mixed.tag) == ("1.4-1.8 mm [R]; midpoint", "E")
    assert read({"key": "seed", "detail": "II.1 Fig. 12"}).tag is None
    assert read({"key": "x", "detail": "a [Q]"}).detail == "a [Q]"
    # a data file's value: only its own tag is read out of the detail
    assert Cited(value=1, source="k", detail="midpoint [E]", tag="E").ref().detail == "midpoint"
    other = Cited(value=1, source="k", detail="applied here [E]", tag="R").ref()
    assert cited_detail(other) == "applied here [E] [R]"
