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
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import map_coordinates

from tadplan.anatomy.search import site_value
from tadplan.planner.model import SiteSafety

if TYPE_CHECKING:
    from tadplan.anatomy.safety import Insertion

F64 = NDArray[np.float64]


class CBCTError(ValueError):
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


def read_dicom_series(directory: Path | str) -> Volume:
    """Read every DICOM slice of one series in ``directory`` (any file order)."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    d = Path(directory)
    if not d.is_dir():
        raise CBCTError(f"{d}: not a directory")
    slices = []
    for p in sorted(d.iterdir()):
        if not p.is_file():
            continue
        try:
            ds = pydicom.dcmread(p)
        except (InvalidDicomError, OSError):
            continue
        if "PixelData" not in ds:
            continue
        slices.append((p, ds))
    if not slices:
        raise CBCTError(f"{d}: no DICOM image files")
    uids = {str(ds.get("SeriesInstanceUID", "")) for _, ds in slices}
    if len(uids) > 1:
        raise CBCTError(f"{d}: {len(uids)} series mixed in one directory; give one series")
    for p, ds in slices:
        for tag in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
            if tag not in ds:
                raise CBCTError(f"{p.name}: missing {tag}; cannot place the slice")
    ori = np.array(slices[0][1].ImageOrientationPatient, dtype=np.float64)
    row_cos, col_cos = ori[:3], ori[3:]
    normal = np.cross(row_cos, col_cos)
    pos = np.array([np.array(ds.ImagePositionPatient, dtype=np.float64) for _, ds in slices])
    order = np.argsort(pos @ normal)
    pos = pos[order]
    gaps = np.diff(pos @ normal)
    if len(slices) > 1:
        if np.any(gaps <= 1e-6):
            raise CBCTError(f"{d}: two slices at the same position")
        if np.ptp(gaps) > 0.01 * np.median(gaps) + 1e-6:
            raise CBCTError(f"{d}: uneven slice spacing ({gaps.min():.3f}-{gaps.max():.3f} mm)")
        dz = float(np.median(gaps))
    else:
        dz = float(getattr(slices[0][1], "SliceThickness", 1.0))
    dr, dc = (float(v) for v in slices[0][1].PixelSpacing)
    arrays = []
    for k in order:
        ds = slices[int(k)][1]
        a = ds.pixel_array.astype(np.float32)
        a = a * float(getattr(ds, "RescaleSlope", 1.0)) + float(getattr(ds, "RescaleIntercept", 0))
        arrays.append(a)
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise CBCTError(f"{d}: slices of different sizes {sorted(shapes)}")
    axes = np.array([row_cos * dc, col_cos * dr, normal * dz])
    return Volume(np.stack(arrays), pos[0], axes)


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


def assess_with_cbct(
    volume: Volume,
    insertion: Insertion,
    to_volume: F64 | None = None,
) -> SiteSafety:
    """The insertion's :class:`SiteSafety` updated with what the patient's CBCT shows along
    the screw axis: measured bone depth (the screw is amber if longer than the bone it
    finds), cortical thickness and soft tissue, in the notes. Root clearance stays that of
    the dentition used for the plan (segment the roots to check it on the CBCT)."""
    m = measure_insertion(
        volume,
        np.asarray(insertion.head_position_mm),
        np.asarray(insertion.axis),
        insertion.length_mm + 5.0,
        to_volume,
    )
    s = insertion.safety
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
