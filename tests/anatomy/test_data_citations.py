"""Every number in the anatomy data files carries a registered source and a provenance tag."""

from __future__ import annotations

import pytest

from tadplan.anatomy._data import TAGS, load, registry_keys


def _walk(node, path=()):
    if isinstance(node, dict):
        if "source" in node:
            yield path, node
        for k, v in node.items():
            if k != "source":
                yield from _walk(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, str(i)))


@pytest.mark.parametrize("name", ["teeth", "arch", "sites"])
def test_every_cited_entry_names_a_registered_source_and_a_tag(name):
    entries = list(_walk(load(name)))
    assert len(entries) > 10
    for path, e in entries:
        assert e["source"] in registry_keys(), (name, path, e["source"])
        assert str(e.get("tag")) in TAGS, (name, path)
        assert e.get("detail"), (name, path)


def test_every_tooth_dimension_is_cited():
    teeth = load("teeth")["teeth"]
    for jaw in ("maxilla", "mandible"):
        for pos in range(1, 9):
            for field, entry in teeth[jaw][pos].items():
                assert {"value", "source", "tag"} <= set(entry), (jaw, pos, field)
