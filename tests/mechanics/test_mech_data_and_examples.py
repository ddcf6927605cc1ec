"""Data files are sourced and validated; every bundled example's designs get a force system."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mech_helpers import assert_points_into_its_jaw

from tadplan.anatomy import average_landmarks
from tadplan.examples import example_paths, load_example
from tadplan.knowledge.sources import load_sources
from tadplan.mechanics import analyse_design, format_force_system
from tadplan.mechanics.data import MechanicsDataError, data_dir, mechanics_data
from tadplan.model import ForceSystem

REGISTRY = set(load_sources())


def test_every_source_in_the_data_files_is_in_the_registry():
    import yaml

    def sources(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "source":
                    yield v
                else:
                    yield from sources(v)
        elif isinstance(node, list):
            for v in node:
                yield from sources(v)

    for path in sorted(data_dir().glob("*.yaml")):
        keys = list(sources(yaml.safe_load(path.read_text())))
        assert keys, path
        assert set(keys) <= REGISTRY, (path, set(keys) - REGISTRY)


def _broken(tmp_path: Path, name: str, old: str, new: str) -> Path:
    d = tmp_path / "data"
    shutil.copytree(data_dir(), d)
    p = d / name
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new, 1))
    return d


def test_a_bad_value_names_the_file_and_the_field(tmp_path):
    d = _broken(tmp_path, "implant_loads.yaml", "value: 150", "value: lots")
    with pytest.raises(
        MechanicsDataError, match=r"implant_loads\.yaml: immediate_loading_limit_g\.value"
    ):
        mechanics_data(d)


def test_an_unknown_source_key_is_refused(tmp_path):
    d = _broken(tmp_path, "friction.yaml", "source: drescher1989", "source: nobody2099")
    with pytest.raises(
        MechanicsDataError,
        match=r"friction\.yaml: high_friction_loss_fraction\.source: 'nobody2099'",
    ):
        mechanics_data(d)


def test_a_missing_tag_is_refused(tmp_path):
    d = _broken(tmp_path, "geometry.yaml", "tag: R2", "tag: maybe")
    with pytest.raises(MechanicsDataError, match=r"geometry\.yaml: power_arm_max_mm\.tag"):
        mechanics_data(d)


@pytest.mark.parametrize("name", list(example_paths()))
def test_every_example_design_gets_a_sourced_force_system(name):
    from tadplan.planner import plan

    case = load_example(name)
    lm = average_landmarks(case)
    designs = [d for gp in plan(case).goals for d in gp.designs]
    assert designs
    assert_points_into_its_jaw(name, designs, lm)
    for d in designs:
        fs = analyse_design(case, d, lm)
        assert ForceSystem.model_validate_json(fs.model_dump_json()) == fs
        assert set(fs.sources) <= REGISTRY
        assert len(fs.implants) == len(d.implants)
        for u in fs.units + fs.anchorage:
            assert u.cr_basis.sources
            assert u.movement.value in u.movement.__class__.__members__
        for c in fs.connections:
            if c.dose is not None:
                assert c.dose.source.key in REGISTRY
        assert format_force_system(fs).startswith(f"design {d.id}")
