"""CBCT: read a DICOM series into a volume and measure tissue along a planned screw axis.

Coordinates are the DICOM patient coordinates of the series (mm, LPS); register the
patient frame of :mod:`tadplan.anatomy.frame` to them before passing planned axes (a
rigid transform; note LPS has +y posterior where the patient frame has +y anterior).

Along an axis starting in the oral cavity (air) or on the mucosa, the intensity profile
gives (thresholds in ``data/sites.yaml`` ``cbct``): soft-tissue thickness (first tissue
sample to the first bone sample), cortical thickness (the first run above the cortical
threshold) and bone depth (from the bone surface until the axis has been below the bone
threshold for ``min_exit_mm``, or to the end of the axis). Threshold crossings are
interpolated between samples.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import map_coordinates

from tadplan.anatomy.search import site_value
from tadplan.errors import DAMAGED_FILE_ERRORS, InputError
from tadplan.model import Plan, SiteSafety, Warning

if TYPE_CHECKING:
    from pydicom.dataset import FileDataset

    from tadplan.anatomy.safety import Insertion

F64 = NDArray[np.float64]


class CBCTError(InputError):
    """A DICOM series that cannot be used, with the reason."""


@dataclass(frozen=True, eq=False)
class Volume:
    hu: NDArray[np.float32]
    """(n_slices, n_rows, n_columns) intensities after rescale."""
    origin_mm: F64
    """Centre of the first voxel of the first slice (ImagePositionPatient)."""
    axes: F64
    """(3, 3): rows are the world steps of one voxel along columns, rows and slices (mm)."""

    @property
    def spacing_mm(self) -> F64:
        return np.asarray(np.linalg.norm(self.axes, axis=1), dtype=np.float64)

    def to_index(self, points_mm: F64) -> F64:
        """(n, 3) world points -> (n, 3) continuous (slice, row, column) indices."""
        m = self.axes.T  # columns: column step, row step, slice step
        cr_k = np.linalg.solve(m, (np.atleast_2d(points_mm) - self.origin_mm).T).T
        return np.asarray(cr_k[:, [2, 1, 0]], dtype=np.float64)

    def sample(self, points_mm: F64) -> F64:
        """Trilinear intensity at world points (edge values outside)."""
        idx = self.to_index(points_mm)
        return map_coordinates(self.hu, idx.T, order=1, mode="nearest").astype(np.float64)


SPACING_RANGE_MM = (0.01, 5.0)
"""Voxel spacings accepted, mm. [E] stated: dental CBCT voxels are 0.075-0.4 mm and
medical CT slices at most a few mm; outside this range the header is wrong (or in other
units) and bone would be measured at the wrong scale."""

MAX_VOXELS = 1024**3
"""Largest volume read (4 GB of float32): larger series are cropped before planning."""


def _numbers(ds: object, tag: str, n: int, name: str) -> F64:
    """``n`` finite numbers of DICOM attribute ``tag`` of a slice, or :class:`CBCTError`."""
    try:
        raw = getattr(ds, tag)
        values = np.array([float(v) for v in (raw if n > 1 else [raw])], dtype=np.float64)
    except (TypeError, ValueError, AttributeError):
        raise CBCTError(f"{name}: {tag} is not numeric") from None
    if values.shape != (n,):
        raise CBCTError(f"{name}: {tag} has {values.size} values, expected {n}")
    if not np.all(np.isfinite(values)):
        raise CBCTError(f"{name}: {tag} is not finite ({', '.join(f'{v:g}' for v in values)})")
    return values


def _spacing(values: F64, tag: str, name: str) -> None:
    lo, hi = SPACING_RANGE_MM
    bad = [v for v in values if not lo <= v <= hi]
    if bad:
        raise CBCTError(
            f"{name}: {tag} {bad[0]:g} mm is outside {lo:g}-{hi:g} mm (voxel size of a CBCT)"
        )


def read_dicom_series(directory: Path | str) -> Volume:
    """Read every DICOM slice of one series in ``directory`` (any file order).

    Refused, each with a :class:`CBCTError` naming the file and the DICOM attribute:
    truncated slices, pixel data shorter than Rows x Columns, missing, non-finite, zero,
    negative or implausible spacing (:data:`SPACING_RANGE_MM`), non-finite or zero
    rescale, slices of different spacing, orientation or size, uneven slice gaps."""
    from pydicom.errors import BytesLengthException

    damaged: tuple[type[Exception], ...] = (*DAMAGED_FILE_ERRORS, BytesLengthException)
    d = Path(directory)
    if not d.is_dir():
        raise CBCTError(f"{d}: not a directory")
    slices = _image_slices(d, damaged)
    row_cos, col_cos, spacing = _slice_plane(slices)
    normal = np.cross(row_cos, col_cos)
    pos, order, dz = _slice_stack(slices, normal, d)
    dr, dc = (float(v) for v in spacing)
    hu = _intensities(slices, order, d, damaged)
    axes = np.array([row_cos * dc, col_cos * dr, normal * dz])
    return Volume(hu, pos[0], axes)


_Slice = tuple[Path, "FileDataset"]
"""A slice's file and its DICOM dataset."""


def _image_slices(d: Path, damaged: tuple[type[Exception], ...]) -> list[_Slice]:
    """The image slices of the one series in ``d``, each placed in space (position,
    orientation, spacing present); files that are not DICOM are skipped."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    slices: list[_Slice] = []
    without_pixels: list[_Slice] = []
    for p in sorted(d.iterdir()):
        if not p.is_file():
            continue
        try:
            ds = pydicom.dcmread(p)
        except (InvalidDicomError, OSError):
            continue
        except damaged as exc:
            raise CBCTError(f"{p.name}: unreadable DICOM ({type(exc).__name__})") from None
        if "PixelData" not in ds:
            without_pixels.append((p, ds))
            continue
        slices.append((p, ds))
    if not slices:
        raise CBCTError(f"{d}: no DICOM image files")
    image_classes = {str(ds.get("SOPClassUID", "")) for _, ds in slices}
    for p, ds in without_pixels:
        if "ImagePositionPatient" in ds or str(ds.get("SOPClassUID", "-")) in image_classes:
            raise CBCTError(f"{p.name}: an image slice without pixel data (truncated?)")
    uids = {str(ds.get("SeriesInstanceUID", "")) for _, ds in slices}
    if len(uids) > 1:
        raise CBCTError(f"{d}: {len(uids)} series mixed in one directory; give one series")
    for p, ds in slices:
        for tag in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
            if tag not in ds:
                raise CBCTError(f"{p.name}: missing {tag}; cannot place the slice")
    return slices


def _slice_plane(slices: list[_Slice]) -> tuple[F64, F64, F64]:
    """Row and column direction cosines and the pixel spacing (mm), the same on every slice."""
    first_name = slices[0][0].name
    ori = _numbers(slices[0][1], "ImageOrientationPatient", 6, first_name)
    row_cos, col_cos = ori[:3], ori[3:]
    if (
        abs(np.linalg.norm(row_cos) - 1) > 1e-3
        or abs(np.linalg.norm(col_cos) - 1) > 1e-3
        or abs(row_cos @ col_cos) > 1e-3
    ):
        raise CBCTError(f"{first_name}: ImageOrientationPatient is not two orthogonal unit vectors")
    spacing = _numbers(slices[0][1], "PixelSpacing", 2, first_name)
    _spacing(spacing, "PixelSpacing", first_name)
    for p, ds in slices[1:]:
        if not np.allclose(_numbers(ds, "PixelSpacing", 2, p.name), spacing, rtol=1e-4):
            raise CBCTError(f"{p.name}: PixelSpacing differs from {first_name}'s (mixed series)")
        if not np.allclose(_numbers(ds, "ImageOrientationPatient", 6, p.name), ori, atol=1e-4):
            raise CBCTError(f"{p.name}: ImageOrientationPatient differs from {first_name}'s")
    return row_cos, col_cos, spacing


def _slice_stack(slices: list[_Slice], normal: F64, d: Path) -> tuple[F64, NDArray[np.intp], float]:
    """The slices' positions in stack order, that order, and the slice spacing (mm): the
    even gap between positions, or a single slice's SliceThickness (1 mm if absent)."""
    pos = np.array([_numbers(ds, "ImagePositionPatient", 3, p.name) for p, ds in slices])
    order = np.argsort(pos @ normal)
    pos = pos[order]
    gaps = np.diff(pos @ normal)
    if len(slices) > 1:
        if np.any(gaps <= 1e-6):
            raise CBCTError(f"{d}: two slices at the same position")
        if np.ptp(gaps) > 0.01 * np.median(gaps) + 1e-6:
            raise CBCTError(f"{d}: uneven slice spacing ({gaps.min():.3f}-{gaps.max():.3f} mm)")
        dz = float(np.median(gaps))
        _spacing(np.array([dz]), "slice spacing (ImagePositionPatient)", str(d))
    else:
        first_name = slices[0][0].name
        thickness = getattr(slices[0][1], "SliceThickness", None)
        dz = (
            1.0
            if thickness is None
            else float(_numbers(slices[0][1], "SliceThickness", 1, first_name)[0])
        )
        _spacing(np.array([dz]), "SliceThickness", first_name)
    return pos, order, dz


def _intensities(
    slices: list[_Slice], order: NDArray[np.intp], d: Path, damaged: tuple[type[Exception], ...]
) -> NDArray[np.float32]:
    """(n_slices, n_rows, n_columns) intensities in stack order, rescaled
    (RescaleSlope, RescaleIntercept)."""
    sizes = {(int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0)) for _, ds in slices}
    if len(sizes) > 1:
        raise CBCTError(f"{d}: slices of different sizes {sorted(sizes)}")
    rows, cols = sizes.pop()
    if rows * cols * len(slices) > MAX_VOXELS:
        raise CBCTError(f"{d}: {rows} x {cols} x {len(slices)} voxels is too large to read")
    arrays = []
    for k in order:
        p, ds = slices[int(k)]
        try:
            a = ds.pixel_array.astype(np.float32)
        except damaged as exc:  # short pixel data, Rows larger than the data, bad syntax
            raise CBCTError(f"{p.name}: PixelData unreadable: {str(exc)[:120]}") from None
        slope = float(_numbers(ds, "RescaleSlope", 1, p.name)[0]) if "RescaleSlope" in ds else 1.0
        icpt = (
            float(_numbers(ds, "RescaleIntercept", 1, p.name)[0])
            if "RescaleIntercept" in ds
            else 0.0
        )
        if slope == 0:
            raise CBCTError(f"{p.name}: RescaleSlope is 0")
        if a.shape != (rows, cols):
            raise CBCTError(f"{p.name}: pixel data of shape {a.shape}, not Rows x Columns")
        arrays.append(a * slope + icpt)
    return np.stack(arrays)


@dataclass(frozen=True, eq=False)
class AxisMeasurement:
    soft_tissue_mm: float | None
    cortical_mm: float | None
    bone_depth_mm: float | None
    t_mm: F64
    hu: F64


def _crossing(t: F64, v: F64, i: int, level: float) -> float:
    """Interpolated position where v crosses ``level`` between samples i-1 and i."""
    if i == 0:
        return float(t[0])
    a, b = v[i - 1], v[i]
    if b == a:
        return float(t[i])
    return float(t[i - 1] + (level - a) / (b - a) * (t[i] - t[i - 1]))


def measure_axis(
    volume: Volume, start_mm: F64, direction: F64, length_mm: float, step_mm: float = 0.05
) -> AxisMeasurement:
    """Soft tissue, cortex and bone depth along ``start + t * direction``, 0 <= t <= length."""
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    t = np.arange(0.0, length_mm + 1e-9, step_mm)
    v = volume.sample(np.asarray(start_mm, dtype=np.float64) + t[:, None] * d)
    air = site_value("cbct", "air_below_hu").value
    bone = site_value("cbct", "bone_above_hu").value
    cortex = site_value("cbct", "cortical_above_hu").value
    exit_run = site_value("cbct", "min_exit_mm").value
    tissue = np.flatnonzero(v >= air)
    osseous = np.flatnonzero(v >= bone)
    if len(osseous) == 0:
        return AxisMeasurement(None, None, None, t, v)
    i_bone = int(osseous[0])
    t_bone = _crossing(t, v, i_bone, bone)
    t_tissue = _crossing(t, v, int(tissue[0]), air) if len(tissue) else t_bone
    soft = t_bone - t_tissue
    cort = None
    hi = np.flatnonzero(v[i_bone:] >= cortex)
    if len(hi):
        i0 = i_bone + int(hi[0])
        below = np.flatnonzero(v[i0:] < cortex)
        t_end = _crossing(t, v, i0 + int(below[0]), cortex) if len(below) else float(t[-1])
        cort = t_end - _crossing(t, v, i0, cortex)
    run = max(1, round(exit_run / step_mm))
    low = v[i_bone:] < bone
    depth = float(t[-1]) - t_bone
    for k in range(len(low) - run + 1):
        if low[k : k + run].all():
            depth = _crossing(t, v, i_bone + k, bone) - t_bone
            break
    return AxisMeasurement(soft, cort, depth, t, v)


def measure_insertion(
    volume: Volume,
    head_mm: F64,
    axis: F64,
    length_mm: float,
    to_volume: F64 | None = None,
    lead_in_mm: float = 3.0,
) -> AxisMeasurement:
    """Tissue along a planned insertion (e.g. an :class:`~tadplan.anatomy.safety.Insertion`'s
    ``head_position_mm`` and ``axis``), starting ``lead_in_mm`` before the head so the
    profile begins in the oral cavity. ``to_volume`` (4 x 4) maps the patient frame to the
    volume's coordinates; identity if None."""
    m = np.eye(4) if to_volume is None else np.asarray(to_volume, dtype=np.float64)
    head = m[:3, :3] @ np.asarray(head_mm, dtype=np.float64) + m[:3, 3]
    d = m[:3, :3] @ np.asarray(axis, dtype=np.float64)
    d = d / np.linalg.norm(d)
    return measure_axis(volume, head - lead_in_mm * d, d, length_mm + lead_in_mm)


class Placed(Protocol):
    """A placed screw: an :class:`~tadplan.anatomy.safety.Insertion` or a plan's implant."""

    @property
    def head_position_mm(self) -> tuple[float, float, float] | None: ...
    @property
    def axis(self) -> tuple[float, float, float] | None: ...
    @property
    def length_mm(self) -> float: ...
    @property
    def safety(self) -> SiteSafety | None: ...


def assess_with_cbct(
    volume: Volume,
    insertion: Insertion | Placed,
    to_volume: F64 | None = None,
) -> SiteSafety:
    """The insertion's :class:`SiteSafety` updated with what the patient's CBCT shows along
    the screw axis: measured bone depth (the screw is amber if longer than the bone it
    finds), cortical thickness and soft tissue, in the notes. Root clearance stays that of
    the dentition used for the plan (segment the roots to check it on the CBCT)."""
    s = insertion.safety
    if insertion.head_position_mm is None or insertion.axis is None or s is None:
        raise ValueError("the screw is not placed (no head position, axis or safety)")
    m = measure_insertion(
        volume,
        np.asarray(insertion.head_position_mm),
        np.asarray(insertion.axis),
        insertion.length_mm + 5.0,
        to_volume,
    )
    notes = list(s.notes)
    status = s.status
    if m.bone_depth_mm is None:
        notes.append("CBCT: no bone found along the axis")
        status = "red"
    else:
        in_bone = insertion.length_mm - (m.soft_tissue_mm or 0.0)
        notes.append(
            f"CBCT: soft tissue {m.soft_tissue_mm:.1f} mm, cortex "
            f"{'-' if m.cortical_mm is None else f'{m.cortical_mm:.1f}'} mm, bone depth "
            f"{m.bone_depth_mm:.1f} mm along the axis"
        )
        if in_bone > m.bone_depth_mm and status == "green":
            status = "amber"
            notes.append(
                f"CBCT: {in_bone:.1f} mm in bone exceeds the {m.bone_depth_mm:.1f} mm found"
            )
    return s.model_copy(update={"status": status, "bone_depth_mm": m.bone_depth_mm, "notes": notes})


def assess_plan_with_cbct(plan: Plan, volume: Volume, to_volume: F64 | None = None) -> Plan:
    """``plan`` with the safety of every placed implant re-assessed along its axis in the
    patient's CBCT (:func:`assess_with_cbct`); the ranking is left as planned."""
    goals = []
    for gp in plan.goals:
        designs = []
        for d in gp.designs:
            implants = [
                i.model_copy(update={"safety": assess_with_cbct(volume, i, to_volume)})
                if i.head_position_mm is not None and i.axis is not None and i.safety
                else i
                for i in d.implants
            ]
            designs.append(d.model_copy(update={"implants": implants}))
        goals.append(gp.model_copy(update={"designs": designs}))
    frame = "mapped by the given transform" if to_volume is not None else "taken as registered"
    note = Warning(
        severity="info",
        text=f"CBCT: bone, cortex and soft tissue measured along every placed implant's axis "
        f"(the series {frame} to the patient frame); the ranking is that of the plan",
    )
    return plan.model_copy(update={"goals": goals, "warnings": [*plan.warnings, note]})
