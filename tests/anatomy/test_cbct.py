"""CBCT: synthetic DICOM series built in the test (a layered phantom with known
soft-tissue, cortex and bone thickness) read back and measured along screw axes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from tadplan.anatomy.cbct import CBCTError, measure_axis, read_dicom_series

H = 0.25  # mm voxels
N = 48
# layers along the patient x axis (mm): air, mucosa 2.0, cortex 1.5, trabecular 4.5, soft
LAYERS = ((0.0, 2.5, -1000), (2.5, 4.5, 40), (4.5, 6.0, 1300), (6.0, 10.5, 450), (10.5, 99.0, 40))


def _phantom() -> np.ndarray:
    x = (np.arange(N) * H)[None, None, :]
    vol = np.zeros((N, N, N), dtype=np.int16)
    for lo, hi, hu in LAYERS:
        vol[..., :] = np.where((x >= lo) & (x < hi), hu, vol)
    return vol


def write_series(
    d: Path,
    vol: np.ndarray,
    *,
    origin=(0.0, 0.0, 0.0),
    row=(1.0, 0.0, 0.0),
    col=(0.0, 1.0, 0.0),
    reverse_files: bool = True,
) -> None:
    d.mkdir(parents=True, exist_ok=True)
    series = generate_uid()
    normal = np.cross(row, col)
    for k in range(vol.shape[0]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        name = f"slice_{(vol.shape[0] - k if reverse_files else k):03d}.dcm"
        ds = FileDataset(str(d / name), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.SeriesInstanceUID = series
        ds.Modality = "CT"
        ds.Rows, ds.Columns = vol.shape[1], vol.shape[2]
        ds.PixelSpacing = [H, H]
        ds.SliceThickness = H
        ds.ImageOrientationPatient = [*row, *col]
        ds.ImagePositionPatient = list(np.asarray(origin) + normal * k * H)
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 0
        ds.RescaleSlope = 1
        ds.RescaleIntercept = -1024
        ds.PixelData = (vol[k].astype(np.int32) + 1024).astype(np.uint16).tobytes()
        ds.save_as(d / name, enforce_file_format=True)


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    d = tmp_path_factory.mktemp("cbct")
    write_series(d, _phantom())
    return read_dicom_series(d)


def test_series_geometry_is_read(series):
    assert series.hu.shape == (N, N, N)
    np.testing.assert_allclose(series.spacing_mm, [H, H, H])
    # files were written in reverse order: slices are sorted by position
    assert series.sample(np.array([[7.0, 3.0, 0.5]]))[0] == pytest.approx(450, abs=1)


def test_perpendicular_axis_recovers_the_layers(series):
    m = measure_axis(series, np.array([0.5, 6.0, 6.0]), np.array([1.0, 0.0, 0.0]), 11.5)
    assert m.soft_tissue_mm == pytest.approx(2.0, abs=0.15)
    assert m.cortical_mm == pytest.approx(1.5, abs=0.15)
    assert m.bone_depth_mm == pytest.approx(6.0, abs=0.15)


def test_oblique_axis_lengthens_by_the_secant(series):
    a = np.radians(30.0)
    d = np.array([np.cos(a), 0.0, np.sin(a)])
    m = measure_axis(series, np.array([0.5, 6.0, 2.0]), d, 11.5)
    assert m.cortical_mm == pytest.approx(1.5 / np.cos(a), abs=0.2)  # Deguchi 2006: ~1.5x at 30
    assert m.soft_tissue_mm == pytest.approx(2.0 / np.cos(a), abs=0.2)


def test_rotated_series_orientation_is_honoured(tmp_path):
    """Rows along patient -y, columns along +x: the same phantom must be found along -y."""
    write_series(
        tmp_path, _phantom(), row=(0.0, -1.0, 0.0), col=(1.0, 0.0, 0.0), origin=(0.0, 0.0, 0.0)
    )
    vol = read_dicom_series(tmp_path)
    m = measure_axis(vol, np.array([3.0, -0.5, 3.0]), np.array([0.0, -1.0, 0.0]), 11.5)
    assert m.cortical_mm == pytest.approx(1.5, abs=0.15)


def test_not_dicom_is_refused(tmp_path):
    (tmp_path / "a.txt").write_text("not dicom")
    with pytest.raises(CBCTError, match="no DICOM image files"):
        read_dicom_series(tmp_path)


def test_planned_insertion_is_measured_through_a_registration(series):
    from tadplan.anatomy.cbct import measure_insertion

    # the patient frame is the volume shifted by 10 mm in y
    to_volume = np.eye(4)
    to_volume[1, 3] = 10.0
    m = measure_insertion(
        series, np.array([2.0, -4.0, 6.0]), np.array([1.0, 0.0, 0.0]), 8.0, to_volume
    )
    assert m.soft_tissue_mm == pytest.approx(2.0, abs=0.15)
    assert m.cortical_mm == pytest.approx(1.5, abs=0.15)


def test_cbct_bone_depth_makes_a_long_screw_amber(series):
    from tadplan.anatomy.cbct import assess_with_cbct
    from tadplan.anatomy.safety import Insertion
    from tadplan.case.model import SiteRef
    from tadplan.model import SiteSafety

    def insertion(length):
        return Insertion(
            site=SiteRef(between=(15, 16), surface="buccal"),
            head_position_mm=(2.5, 6.0, 6.0),
            entry_mm=(4.5, 6.0, 6.0),
            axis=(1.0, 0.0, 0.0),
            diameter_mm=1.6,
            length_mm=length,
            height_mm=4.0,
            mesiodistal_mm=0.0,
            vertical_deg=0.0,
            horizontal_deg=0.0,
            safety=SiteSafety(status="green"),
        )

    short = assess_with_cbct(series, insertion(6.0))  # 4 mm in bone of 6 mm found
    assert short.status == "green"
    assert short.bone_depth_mm == pytest.approx(6.0, abs=0.15)
    long = assess_with_cbct(series, insertion(12.0))  # 10 mm in bone: too long
    assert long.status == "amber"
    assert any("exceeds" in n for n in long.notes)


# ----------------------------------------------------------------------------- refused series


def _small_series(d: Path) -> list[Path]:
    write_series(d, _phantom()[:4, :8, :8])
    return sorted(d.iterdir())


def _edit(path: Path, **attrs: object) -> None:
    import pydicom

    ds = pydicom.dcmread(path)
    for k, v in attrs.items():
        setattr(ds, k, v)
    ds.save_as(path)


@pytest.mark.parametrize(
    ("attrs", "fragment"),
    [
        ({"PixelSpacing": [0.0, 0.25]}, "PixelSpacing 0 mm is outside"),
        ({"PixelSpacing": [-0.25, 0.25]}, "PixelSpacing -0.25 mm is outside"),
        ({"PixelSpacing": ["NaN", 0.25]}, "PixelSpacing is not finite"),
        ({"PixelSpacing": [250.0, 250.0]}, "PixelSpacing 250 mm is outside"),
        ({"RescaleSlope": "NaN"}, "RescaleSlope is not finite"),
        ({"RescaleIntercept": "inf"}, "RescaleIntercept is not finite"),
        ({"RescaleSlope": 0}, "RescaleSlope is 0"),
    ],
)
@pytest.mark.filterwarnings("ignore:Invalid value for VR DS")
def test_bad_header_of_every_slice_refused(tmp_path: Path, attrs: dict, fragment: str) -> None:
    for f in _small_series(tmp_path):
        _edit(f, **attrs)
    with pytest.raises(CBCTError, match=fragment.replace("(", r"\(")):
        read_dicom_series(tmp_path)


def test_rows_larger_than_the_pixel_data_refused(tmp_path: Path) -> None:
    for f in _small_series(tmp_path):
        _edit(f, Rows=64)
    with pytest.raises(CBCTError, match=r"slice_\d+\.dcm: PixelData unreadable"):
        read_dicom_series(tmp_path)


def test_mixed_spacing_refused(tmp_path: Path) -> None:
    files = _small_series(tmp_path)
    _edit(files[2], PixelSpacing=[0.3, 0.3])
    with pytest.raises(CBCTError, match=rf"{files[2].name}: PixelSpacing differs"):
        read_dicom_series(tmp_path)


def test_uneven_and_huge_slice_gaps_refused(tmp_path: Path) -> None:
    files = _small_series(tmp_path)
    for k, f in enumerate(files):
        _edit(f, ImagePositionPatient=[0.0, 0.0, 50.0 * k])
    with pytest.raises(CBCTError, match="slice spacing"):
        read_dicom_series(tmp_path)


@pytest.mark.parametrize("keep", [0.5, 0.97])
def test_truncated_slice_refused(tmp_path: Path, keep: float) -> None:
    files = _small_series(tmp_path)
    raw = files[1].read_bytes()
    files[1].write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(CBCTError, match=files[1].name):
        read_dicom_series(tmp_path)


def test_intact_small_series_still_reads(tmp_path: Path) -> None:
    _small_series(tmp_path)
    v = read_dicom_series(tmp_path)
    assert v.hu.shape == (4, 8, 8) and np.all(np.isfinite(v.hu))
