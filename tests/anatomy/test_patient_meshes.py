"""Patient tooth meshes: loading, landmarks, and every class of bad input refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh
import yaml

from tadplan.anatomy.meshes import average_dentition
from tadplan.anatomy.patient import PatientMeshError, load_patient
from tadplan.anatomy.safety import rank_site
from tadplan.anatomy.search import build_root_fields, default_grid, scan_sites
from tadplan.anatomy.sites import interradicular_distance, site_frame

TEETH = [14, 15, 16, 17]


def _write_teeth(d: Path, scale: float = 1.0, name: str = "tooth_{t}.stl") -> dict[int, str]:
    model = average_dentition(resolution="coarse", teeth=TEETH)
    out = {}
    for t, m in model.meshes.items():
        # one file per tooth: its closed shells (crown-and-trunk body, roots) together
        body = trimesh.Trimesh(m.vertices, m.faces)
        body.apply_scale(scale)
        fn = name.format(t=t)
        body.export(d / fn)
        out[t] = fn
    return out


def test_loads_teeth_from_file_names_and_measures_like_the_average(tmp_path):
    _write_teeth(tmp_path)
    geo = load_patient(tmp_path)
    assert sorted(geo.model.meshes) == TEETH
    avg = average_dentition(resolution="coarse", teeth=TEETH)
    for t in TEETH:
        a, p = avg.landmarks[t], geo.model.landmarks[t]
        assert abs(a.axis @ p.axis) > 0.97  # same long axis within ~14 deg
        assert p.buccal @ a.buccal > 0.8 and p.mesial @ a.mesial > 0.8
    # the same measurements run on patient geometry
    f = site_frame(geo.model, 16, 15, "buccal")
    assert 1.0 < interradicular_distance(geo.model, f, 4.0)[0] < 6.0
    fields = build_root_fields(geo.model, threads=1)
    scan = scan_sites(geo.model, fields, [f])[0]
    ranked = rank_site(scan, default_grid())
    assert np.isfinite(ranked.score).any()


def test_manifest_with_metres_is_scaled(tmp_path):
    files = _write_teeth(tmp_path, scale=0.001)
    (tmp_path / "case.yaml").write_text(yaml.safe_dump({"units": "m", "teeth": files}))
    geo = load_patient(tmp_path / "case.yaml")
    assert geo.model.landmarks[16].root_length_mm > 8


def test_metres_without_a_manifest_are_refused(tmp_path):
    _write_teeth(tmp_path, scale=0.001)
    with pytest.raises(PatientMeshError, match="metres"):
        load_patient(tmp_path)


def test_unknown_tooth_label_is_refused(tmp_path):
    files = _write_teeth(tmp_path)
    files[19] = files.pop(17)  # 19 is not an FDI tooth
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"teeth": files}))
    with pytest.raises(PatientMeshError, match="19 is not an FDI"):
        load_patient(tmp_path / "m.yaml")


def test_duplicated_tooth_is_refused(tmp_path):
    _write_teeth(tmp_path)
    (tmp_path / "copy_of_16.stl").write_bytes((tmp_path / "tooth_16.stl").read_bytes())
    with pytest.raises(PatientMeshError, match="tooth 16 is given twice"):
        load_patient(tmp_path)


def test_open_surface_is_refused(tmp_path):
    _write_teeth(tmp_path)
    m = trimesh.load(tmp_path / "tooth_15.stl")
    m.update_faces(np.arange(len(m.faces)) > 10)  # punch a hole
    m.export(tmp_path / "tooth_15.stl")
    with pytest.raises(PatientMeshError, match=r"tooth_15\.stl: not a closed manifold"):
        load_patient(tmp_path)


def test_empty_and_garbage_files_are_refused(tmp_path):
    _write_teeth(tmp_path)
    (tmp_path / "tooth_14.stl").write_text("solid empty\nendsolid empty\n")
    with pytest.raises(PatientMeshError, match=r"tooth_14\.stl"):
        load_patient(tmp_path)
    (tmp_path / "tooth_14.stl").write_bytes(b"\x00\x01 this is not a mesh at all" * 3)
    with pytest.raises(PatientMeshError, match=r"tooth_14\.stl"):
        load_patient(tmp_path)


def test_non_mesh_file_in_a_manifest_is_refused(tmp_path):
    files = _write_teeth(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    files[15] = "notes.txt"
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"teeth": files}))
    with pytest.raises(PatientMeshError, match=r"notes\.txt: not a mesh file"):
        load_patient(tmp_path / "m.yaml")


def test_file_name_without_a_label_is_refused(tmp_path):
    _write_teeth(tmp_path)
    (tmp_path / "molar.stl").write_bytes((tmp_path / "tooth_16.stl").read_bytes())
    with pytest.raises(PatientMeshError, match=r"molar\.stl: no FDI tooth number"):
        load_patient(tmp_path)


def test_bone_surface_gives_entry_points_and_bone_depth(tmp_path):
    from tadplan.anatomy.search import SearchGrid, site_geometry

    _write_teeth(tmp_path)
    # a slab of bone around the right posterior teeth: buccal face x = -30, palatal x = -16
    box = trimesh.creation.box(bounds=[[-30.0, -50.0, 0.0], [-16.0, -5.0, 30.0]])
    box.export(tmp_path / "bone.stl")
    geo = load_patient(tmp_path)
    assert geo.bone is not None and geo.model.bone_vertices is not None
    g = SearchGrid(
        np.array([4.0, 6.0]),
        np.array([-0.5, 0.0, 0.5]),
        np.array([0.0, 30.0]),
        np.array([0.0]),
        np.array([1.6]),
        np.array([8.0]),
    )
    sg = site_geometry(geo.model, site_frame(geo.model, 16, 15, "buccal"), g)
    out = sg.frame.out
    # entries on the slab's buccal face (the face is x = -30; out is nearly -x)
    for e in sg.entries.reshape(-1, 3):
        assert e[0] == pytest.approx(-30.0, abs=1e-6)
    # horizontal axis: leaves the slab at its palatal face, 14 mm across along -out
    assert sg.bone_depth_mm[0, 0, 0] == pytest.approx(14.0 / abs(out[0]), abs=0.05)


# ----------------------------------------------------------------------------- identity


def _rename(d: Path, mapping: dict[int, int]) -> None:
    """Rename tooth_{a}.stl to tooth_{b}.stl for every a -> b (through temporary names)."""
    for a in mapping:
        (d / f"tooth_{a}.stl").rename(d / f"tmp_{a}.mesh")
    for a, b in mapping.items():
        (d / f"tmp_{a}.mesh").rename(d / f"tooth_{b}.stl")


def test_swapped_files_are_refused(tmp_path):
    _write_teeth(tmp_path)
    _rename(tmp_path, {14: 16, 16: 14})
    with pytest.raises(PatientMeshError, match=r"lies mesial of .* are the labels swapped"):
        load_patient(tmp_path)


def test_right_side_teeth_named_as_left_are_refused(tmp_path):
    _write_teeth(tmp_path)
    _rename(tmp_path, {14: 24, 15: 25, 16: 26, 17: 27})
    with pytest.raises(PatientMeshError, match=r"tooth_24\.stl: lies on the patient's right"):
        load_patient(tmp_path)


def test_universal_numbers_read_as_fdi_are_refused(tmp_path):
    # the upper left 24-27 are Universal 12-15: files named so read as FDI 12-15 (right)
    model = average_dentition(resolution="coarse", teeth=[24, 25, 26, 27])
    for fdi_tooth, universal in ((24, 12), (25, 13), (26, 14), (27, 15)):
        m = model.meshes[fdi_tooth]
        trimesh.Trimesh(m.vertices, m.faces).export(tmp_path / f"{universal}.stl")
    with pytest.raises(PatientMeshError, match=r"12\.stl: lies on the patient.s left .* Universal"):
        load_patient(tmp_path)


def test_four_copies_of_one_tooth_are_refused(tmp_path):
    _write_teeth(tmp_path)
    for t in (14, 15, 17):
        (tmp_path / f"tooth_{t}.stl").write_bytes((tmp_path / "tooth_16.stl").read_bytes())
    with pytest.raises(PatientMeshError, match="one tooth in the same place"):
        load_patient(tmp_path)


def test_flat_zero_volume_tooth_is_refused(tmp_path):
    _write_teeth(tmp_path)
    centre = trimesh.load(tmp_path / "tooth_15.stl").center_mass
    flat = trimesh.creation.box(extents=[8.0, 1e-3, 21.0])
    flat.apply_translation(centre)
    flat.export(tmp_path / "tooth_15.stl")
    with pytest.raises(PatientMeshError, match=r"tooth_15\.stl: a volume of 0 mm3 cannot be"):
        load_patient(tmp_path)


def test_mesh_of_a_tooth_the_case_lists_as_missing_is_refused(tmp_path):
    from tadplan.case import case_from_data

    _write_teeth(tmp_path)
    case = case_from_data(
        {
            "id": "t",
            "dentition": {"missing": [17]},
            "goals": [{"kind": "intrusion", "teeth": [16], "amount_mm": 2}],
        }
    )
    with pytest.raises(PatientMeshError, match=r"tooth_17\.stl: tooth 17 is missing in the case"):
        load_patient(tmp_path, case)
    assert sorted(load_patient(tmp_path).model.meshes) == TEETH  # without the case: accepted


def test_a_tooth_far_from_its_place_is_refused(tmp_path):
    _write_teeth(tmp_path)
    m = trimesh.load(tmp_path / "tooth_17.stl")
    m.apply_translation([0.0, -20.0, 0.0])  # 20 mm distal: where no 17 can be
    m.export(tmp_path / "tooth_17.stl")
    with pytest.raises(PatientMeshError, match=r"tooth_17\.stl: 20 mm from where tooth 17"):
        load_patient(tmp_path)


def test_manifest_is_read_like_a_case_file(tmp_path):
    files = _write_teeth(tmp_path)
    text = yaml.safe_dump({"teeth": files}) + "units: mm\nunits: m\n"
    (tmp_path / "m.yaml").write_text(text)
    with pytest.raises(PatientMeshError, match=r"m\.yaml: line \d+, column 1: .*duplicate key"):
        load_patient(tmp_path / "m.yaml")
