"""What a clinician does through the service, shared by the API and the web pages: read a
case file, plan a stored case, render its reports, check an upload. Each function composes
:mod:`tadplan.service.store` with the core (case reading, planner, report); none holds a
database transaction while planning or rendering."""

from __future__ import annotations

import re
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tadplan.case import Case, Problem, case_from_data
from tadplan.case.io import CaseError, parse_json, parse_text
from tadplan.errors import InputError
from tadplan.service import store
from tadplan.service.db import Database
from tadplan.service.orm import Job, PlanVersion
from tadplan.service.store import CaseFormat, Principal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tadplan.anatomy.cbct import Volume
    from tadplan.anatomy.meshes import DentitionModel
    from tadplan.model import Plan
    from tadplan.service.jobs import JobRunner

MESH_SUFFIXES = (".stl", ".ply", ".obj")


def read_case_text(text: str, fmt: CaseFormat, source: str = "case") -> Case:
    """A case from the text of a case file, read as the CLI reads it (the same problems)."""
    data = parse_json(text, source) if fmt == "json" else parse_text(text, source)
    return case_from_data(data, source)


def read_case_bytes(raw: bytes, fmt: CaseFormat, max_bytes: int, source: str = "case") -> Case:
    if len(raw) > max_bytes:
        raise CaseError.listing(source, [Problem("", f"larger than {max_bytes} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError.listing(
            source, [Problem("", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    return read_case_text(text, fmt, source)


# ----------------------------------------------------------------------------- planning


class FairSlots:
    """At most ``n`` holders at a time, admitted in the order they asked (first come, first
    served). Planning is CPU-bound and holds the GIL: requests of one process plan one after
    the other, so each waits for the ones before it instead of all slowing each other down
    (a steady latency under load, and no time lost switching between them)."""

    def __init__(self, n: int) -> None:
        self._n = max(1, n)
        self._cond = threading.Condition()
        self._issued = 0
        self._finished = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._cond:
            ticket = self._issued
            self._issued += 1
            self._cond.wait_for(lambda: ticket < self._finished + self._n)
        try:
            yield
        finally:
            with self._cond:
                self._finished += 1
                self._cond.notify_all()


_slots: dict[int, FairSlots] = {}
_slots_lock = threading.Lock()


def planning_slot(db: Database) -> FairSlots:
    """The planning slots of this process for ``db`` (``Settings.planning_slots``)."""
    with _slots_lock:
        return _slots.setdefault(id(db), FairSlots(db.settings.planning_slots))


def plan_case(
    db: Database,
    who: Principal,
    case_id: int,
    revision: int | None = None,
    cbct_upload_id: int | None = None,
    mesh_upload_id: int | None = None,
) -> PlanVersion:
    """Plan a revision of a stored case (default: the newest) and store the plan as the
    case's next plan version; with ``mesh_upload_id``, the screws' root clearance is
    measured again on that patient tooth mesh (the other teeth average) and the designs
    re-ranked; with ``cbct_upload_id``, the plan's implants are assessed on that CBCT."""
    from tadplan.planner import plan

    with db.read() as s:
        rev = store.get_revision(s, who.clinic_id, case_id, revision)
        case = store.case_of(rev)
        rev_number = rev.number
        cbct = _upload(s, who, case_id, cbct_upload_id, "cbct", "cbct_upload_id")
        mesh = _upload(s, who, case_id, mesh_upload_id, "mesh", "mesh_upload_id")
    with planning_slot(db)():
        result = plan(case)
        if mesh is not None:
            from tadplan.planner.meshes import assess_on_meshes

            result = assess_on_meshes(result, _patient_tooth(*mesh, case))
        if cbct is not None:
            from tadplan.anatomy.cbct import assess_plan_with_cbct

            with tempfile.TemporaryDirectory(prefix="tadplan-cbct-") as d:
                volume = read_cbct_zip(cbct[1], Path(d), db.settings.max_cbct_unpacked_bytes)
            result = assess_plan_with_cbct(result, volume)
        text = result.model_dump_json(indent=2)
    with db.session() as s:
        return store.add_plan_version(s, who, case_id, rev_number, text, cbct_upload_id)


def _upload(
    s: Session, who: Principal, case_id: int, upload_id: int | None, kind: str, field: str
) -> tuple[str, bytes] | None:
    """The file name and content of the case's upload ``upload_id`` (None: not asked for);
    an upload of another kind is an input error naming ``field``."""
    if upload_id is None:
        return None
    up = store.get_upload(s, who.clinic_id, case_id, upload_id)
    if up.kind != kind:
        what = "a CBCT" if kind == "cbct" else "a tooth mesh"
        raise InputError.listing("plan", [Problem(field, f"upload {up.id} is not {what}")])
    return up.filename, up.content


def _patient_tooth(filename: str, content: bytes, case: Case) -> DentitionModel:
    """The patient dentition of one uploaded tooth mesh, read as ``--meshes`` reads it."""
    from tadplan.anatomy.patient import PatientMeshError, load_patient

    name = _mesh_file_name(filename)
    try:
        with tempfile.TemporaryDirectory(prefix="tadplan-mesh-") as d:
            (Path(d) / name).write_bytes(content)
            return load_patient(Path(d), case).model
    except PatientMeshError as exc:
        raise InputError.listing("plan", [Problem("mesh_upload_id", str(exc))]) from None


def html_report(db: Database, who: Principal, case_id: int, number: int) -> str:
    """The plan version's HTML report (rendered once, then kept)."""
    from tadplan.report import render_html

    with db.session() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
        cached = store.cached_report(s, pv.id, "html")
        store.audit(s, who, "downloaded", "plan", pv.id, "html report")
    if cached is not None:
        return cached.decode("utf-8")
    html = render_html(store.plan_of(pv))
    with db.session() as s:
        store.store_report(s, pv.id, "html", html.encode("utf-8"))
    return html


def request_pdf(db: Database, runner: JobRunner, who: Principal, case_id: int, number: int) -> Job:
    """The job rendering a plan version's PDF: the one under way, or a new one (already
    ``done`` when the PDF is kept)."""
    with db.session() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
        job = store.open_job(s, pv.id)
        if job is not None:
            return job
        job = store.create_job(s, who, pv.id)
        if store.cached_report(s, pv.id, "pdf") is not None:
            store.set_job_status(s, job.id, "done")
            return job
    runner.submit(job.id)
    return job


def diagrams(plan: Plan) -> list[tuple[str, str, str]]:
    """Every design's figures as (design key, figure title, SVG text), in plan order."""
    from tadplan.report import plan_figures

    out = []
    for key, figures in plan_figures(plan).items():
        for f in figures:
            try:
                out.append((key, f.title, f.svg()))
            finally:
                f.close()
    return out


# ----------------------------------------------------------------------------- uploads


def _mesh_file_name(filename: str) -> str:
    """An uploaded mesh's file name made safe to write in a temporary directory."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", PurePosixPath(filename.replace("\\", "/")).name)
    return name.lstrip(".")[-100:] or "mesh"


def check_mesh(filename: str, content: bytes, case: Case) -> int:
    """The FDI tooth an uploaded tooth mesh is of, after reading it as the CLI's
    ``--meshes`` reads patient meshes (label in the file name, checked against the case)."""
    from tadplan.anatomy.patient import PatientMeshError, label_from_name, load_patient

    name = _mesh_file_name(filename)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise InputError.listing(
            "upload", [Problem("file", f"{name}: a tooth mesh is .stl, .ply or .obj")]
        )
    try:
        tooth = label_from_name(Path(name))
        with tempfile.TemporaryDirectory(prefix="tadplan-mesh-") as d:
            (Path(d) / name).write_bytes(content)
            load_patient(Path(d), case)
    except PatientMeshError as exc:
        raise InputError.listing("upload", [Problem("file", str(exc))]) from None
    return tooth


def read_cbct_zip(content: bytes, into: Path, max_unpacked: int) -> Volume:
    """The CBCT volume of a zip holding one DICOM series (folders inside are flattened;
    a zip unpacking to more than ``max_unpacked`` bytes is refused)."""
    import io

    from tadplan.anatomy.cbct import CBCTError, read_dicom_series

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            members = [i for i in z.infolist() if not i.is_dir()]
            if sum(i.file_size for i in members) > max_unpacked:
                raise InputError.listing(
                    "upload", [Problem("file", f"unpacks to more than {max_unpacked} bytes")]
                )
            for k, info in enumerate(members):
                (into / f"{k:05d}.dcm").write_bytes(z.read(info))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise InputError.listing(
            "upload", [Problem("file", f"not a readable zip file ({exc})")]
        ) from None
    if not members:
        raise InputError.listing("upload", [Problem("file", "the zip file is empty")])
    try:
        return read_dicom_series(into)
    except CBCTError as exc:
        raise InputError.listing("upload", [Problem("file", str(exc))]) from None


def check_cbct(content: bytes, max_unpacked: int) -> None:
    with tempfile.TemporaryDirectory(prefix="tadplan-cbct-") as d:
        read_cbct_zip(content, Path(d), max_unpacked)
