"""The ``/api`` routes. Ids in paths are the service's (a case's ``id``, a plan version's
``number`` within its case); an id of another clinic answers 404 like an unknown one."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Query, Request, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from tadplan.errors import InputError, Problem
from tadplan.service import actions, store
from tadplan.service.auth import (
    Admin,
    Clinician,
    Viewer,
    check_login,
    database,
    new_credential,
    throttled,
)
from tadplan.service.db import Database
from tadplan.service.orm import CaseRevision, StoredCase
from tadplan.service.schemas import (
    AuditOut,
    CaseDetail,
    CaseOut,
    DiagramOut,
    ErrorOut,
    JobOut,
    PlanRequest,
    PlanVersionOut,
    RevisionOut,
    TokenIn,
    TokenOut,
    UploadOut,
    UserIn,
    UserOut,
    ValidationOut,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "not logged in"},
    403: {"model": ErrorOut, "description": "the role does not allow it, or no CSRF token"},
    404: {"model": ErrorOut, "description": "no such object in the user's clinic"},
    422: {"model": ErrorOut, "description": "invalid input: every problem with its field"},
}
router = APIRouter(prefix="/api", responses=_ERRORS)

MAX_ID = 2**31 - 1
CaseId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
Number = Annotated[int, PathParam(ge=1, le=MAX_ID)]
Fmt = Annotated[Literal["yaml", "json"], Query(description="case file format")]

_CASE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}},
    }
}
_CASE_FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}


def _case_out(c: StoredCase) -> CaseOut:
    return CaseOut(
        id=c.id,
        case_key=c.case_key,
        archived=c.archived,
        revision=c.revision_count,
        plans=c.plan_count,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _revision_out(r: CaseRevision) -> RevisionOut:
    return RevisionOut(
        case_id=r.case_id,
        number=r.number,
        created_by=r.created_by,
        created_at=r.created_at,
        imported_as=r.source_format,
        document=r.document,
    )


async def _body(request: Request, db: Database) -> bytes:
    raw = await request.body()
    if len(raw) > db.settings.max_case_bytes:
        raise HTTPException(413, f"larger than {db.settings.max_case_bytes} bytes")
    return raw


# ----------------------------------------------------------------------------- auth


@router.post("/auth/token", response_model=TokenOut, responses={429: {"model": ErrorOut}})
def create_token(body: TokenIn, request: Request) -> TokenOut:
    """Log in for the API: a bearer token for ``Authorization: Bearer <token>``."""
    db = database(request)
    with db.session() as s:
        result = check_login(s, body.email, body.password, db.settings)
        if result.user is not None:
            token, _ = new_credential(s, result.user, "token", db.settings)
            store.audit(s, store.principal_of(result.user), "token issued", "user", result.user.id)
    if result.retry_after_s > 0:
        raise throttled(result.retry_after_s)
    if result.user is None:
        raise HTTPException(401, "wrong email or password")
    return TokenOut(token=token)


@router.delete("/auth/token", status_code=204)
def revoke_token(request: Request, who: Viewer) -> Response:
    """Revoke the bearer token (or session) this request was made with."""
    from tadplan.service.auth import SESSION_COOKIE, _bearer, revoke

    secret = _bearer(request) or request.cookies.get(SESSION_COOKIE)
    with database(request).session() as s:
        if secret:
            revoke(s, secret)
        store.audit(s, who, "logged out", "user", who.user_id)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
def me(who: Viewer) -> UserOut:
    return UserOut(id=who.user_id, email=who.email, role=who.role, clinic_id=who.clinic_id)


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, who: Admin) -> list[UserOut]:
    """The clinic's accounts (admin)."""
    with database(request).read() as s:
        return [UserOut.model_validate(u) for u in store.list_users(s, who.clinic_id)]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, request: Request, who: Admin) -> UserOut:
    """A new account in the admin's clinic."""
    from tadplan.service.auth import hash_password

    with database(request).session() as s:
        clinic = s.get(store.Clinic, who.clinic_id)
        assert clinic is not None
        u = store.add_user(s, clinic.name, body.email, hash_password(body.password), body.role)
        store.audit(s, who, "created", "user", u.id)
        return UserOut.model_validate(u)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    request: Request,
    who: Admin,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[AuditOut]:
    """The clinic's audit log, newest first (admin)."""
    with database(request).read() as s:
        return [
            AuditOut.model_validate(e) for e in store.list_audit(s, who.clinic_id, limit, offset)
        ]


# ----------------------------------------------------------------------------- cases


@router.post("/cases/validate", response_model=ValidationOut, openapi_extra=_CASE_BODY)
async def validate_case(request: Request, who: Viewer) -> ValidationOut:
    """Check a case (JSON): the same problems as ``tadplan validate``."""
    db = database(request)
    case = actions.read_case_bytes(await _body(request, db), "json", db.settings.max_case_bytes)
    return ValidationOut(valid=True, case_id=case.id, goals=len(case.goals))


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    request: Request, who: Viewer, archived: Annotated[bool | None, Query()] = False
) -> list[CaseOut]:
    """The clinic's cases: the active ones (``archived=false``, the default) or the
    archived ones (``archived=true``)."""
    with database(request).read() as s:
        return [_case_out(c) for c in store.list_cases(s, who.clinic_id, archived)]


def _create(db: Database, who: store.Principal, raw: bytes, fmt: str, imported: bool) -> CaseDetail:
    case = actions.read_case_bytes(raw, fmt, db.settings.max_case_bytes)  # type: ignore[arg-type]
    text = raw.decode("utf-8") if imported else None
    with db.session() as s:
        c = store.create_case(s, who, case, text, fmt if imported else None)  # type: ignore[arg-type]
        return CaseDetail(**_case_out(c).model_dump(), document=case.model_dump(mode="json"))


@router.post("/cases", response_model=CaseDetail, status_code=201, openapi_extra=_CASE_BODY)
async def create_case(request: Request, who: Clinician) -> CaseDetail:
    """Store a new case (JSON) as its revision 1."""
    db = database(request)
    raw = await _body(request, db)
    return await run_in_threadpool(_create, db, who, raw, "json", False)


@router.post(
    "/cases/import", response_model=CaseDetail, status_code=201, openapi_extra=_CASE_FILE_BODY
)
async def import_case(request: Request, who: Clinician, format: Fmt = "yaml") -> CaseDetail:
    """Store a case file (the CLI's YAML or JSON) as a new case; exported again byte for
    byte."""
    db = database(request)
    raw = await _body(request, db)
    return await run_in_threadpool(_create, db, who, raw, format, True)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def read_case(case_id: CaseId, request: Request, who: Viewer) -> CaseDetail:
    with database(request).read() as s:
        c = store.get_case(s, who.clinic_id, case_id)
        r = store.get_revision(s, who.clinic_id, case_id)
        return CaseDetail(**_case_out(c).model_dump(), document=r.document)


def _revise(
    db: Database, who: store.Principal, case_id: int, raw: bytes, fmt: str, imported: bool
) -> RevisionOut:
    with db.read() as s:
        store.get_case(s, who.clinic_id, case_id)  # 404 before reading the body's problems
    case = actions.read_case_bytes(raw, fmt, db.settings.max_case_bytes)  # type: ignore[arg-type]
    text = raw.decode("utf-8") if imported else None
    with db.session() as s:
        r = store.revise_case(s, who, case_id, case, text, fmt if imported else None)  # type: ignore[arg-type]
        return _revision_out(r)


@router.put("/cases/{case_id}", response_model=RevisionOut, openapi_extra=_CASE_BODY)
async def update_case(case_id: CaseId, request: Request, who: Clinician) -> RevisionOut:
    """Change a case: the new text becomes its next revision (earlier ones are kept)."""
    db = database(request)
    raw = await _body(request, db)
    return await run_in_threadpool(_revise, db, who, case_id, raw, "json", False)


@router.post(
    "/cases/{case_id}/import",
    response_model=RevisionOut,
    status_code=201,
    openapi_extra=_CASE_FILE_BODY,
)
async def import_revision(
    case_id: CaseId, request: Request, who: Clinician, format: Fmt = "yaml"
) -> RevisionOut:
    """A case file (YAML or JSON) as the case's next revision."""
    db = database(request)
    raw = await _body(request, db)
    return await run_in_threadpool(_revise, db, who, case_id, raw, format, True)


@router.post("/cases/{case_id}/archive", response_model=CaseOut)
def archive_case(case_id: CaseId, request: Request, who: Clinician) -> CaseOut:
    with database(request).session() as s:
        return _case_out(store.set_archived(s, who, case_id, True))


@router.post("/cases/{case_id}/restore", response_model=CaseOut)
def restore_case(case_id: CaseId, request: Request, who: Clinician) -> CaseOut:
    with database(request).session() as s:
        return _case_out(store.set_archived(s, who, case_id, False))


@router.get("/cases/{case_id}/revisions", response_model=list[RevisionOut])
def list_revisions(case_id: CaseId, request: Request, who: Viewer) -> list[RevisionOut]:
    with database(request).read() as s:
        return [_revision_out(r) for r in store.list_revisions(s, who.clinic_id, case_id)]


@router.get("/cases/{case_id}/revisions/{number}", response_model=RevisionOut)
def read_revision(case_id: CaseId, number: Number, request: Request, who: Viewer) -> RevisionOut:
    with database(request).read() as s:
        return _revision_out(store.get_revision(s, who.clinic_id, case_id, number))


@router.get(
    "/cases/{case_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}, "application/json": {}}}},
)
def export_case(
    case_id: CaseId,
    request: Request,
    who: Viewer,
    format: Fmt = "yaml",
    revision: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Response:
    """The case file for ``tadplan`` (YAML or JSON), byte-compatible with the CLI's."""
    with database(request).session() as s:
        text = store.export_case(s, who, case_id, format, revision)
        key = store.get_case(s, who.clinic_id, case_id).case_key
    media = "application/yaml" if format == "yaml" else "application/json"
    return Response(
        text.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{key}.{format}"'},
    )


# ----------------------------------------------------------------------------- plans


def _pv_out(pv: Any) -> PlanVersionOut:
    return PlanVersionOut.model_validate(pv)


@router.post("/cases/{case_id}/plans", response_model=PlanVersionOut, status_code=201)
def create_plan(
    case_id: CaseId, request: Request, who: Clinician, body: PlanRequest | None = None
) -> PlanVersionOut:
    """Plan the case (its newest revision, or ``revision``) and keep the plan as a new
    version; with ``mesh_upload_id``, the screws' root clearance is measured again on that
    patient tooth mesh and the designs re-ranked; with ``cbct_upload_id``, the implants are
    assessed on that CBCT."""
    body = body or PlanRequest()
    pv = actions.plan_case(
        database(request), who, case_id, body.revision, body.cbct_upload_id, body.mesh_upload_id
    )
    return _pv_out(pv)


@router.get("/cases/{case_id}/plans", response_model=list[PlanVersionOut])
def list_plans(case_id: CaseId, request: Request, who: Viewer) -> list[PlanVersionOut]:
    with database(request).read() as s:
        return [_pv_out(p) for p in store.list_plan_versions(s, who.clinic_id, case_id)]


@router.get("/cases/{case_id}/plans/{number}", response_model=PlanVersionOut)
def read_plan(case_id: CaseId, number: Number, request: Request, who: Viewer) -> PlanVersionOut:
    with database(request).read() as s:
        return _pv_out(store.get_plan_version(s, who.clinic_id, case_id, number))


@router.get(
    "/cases/{case_id}/plans/{number}/plan.json",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def plan_json(case_id: CaseId, number: Number, request: Request, who: Viewer) -> Response:
    """The plan as ``tadplan plan --format json`` writes it."""
    with database(request).session() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
        store.audit(s, who, "downloaded", "plan", pv.id, "json")
    return Response(pv.plan_json.encode("utf-8"), media_type="application/json")


@router.get(
    "/cases/{case_id}/plans/{number}/report.html",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
def report_html(case_id: CaseId, number: Number, request: Request, who: Viewer) -> HTMLResponse:
    """The HTML report (rendered once per plan version, then kept)."""
    return HTMLResponse(actions.html_report(database(request), who, case_id, number))


@router.post("/cases/{case_id}/plans/{number}/pdf", response_model=JobOut, status_code=202)
def request_pdf(case_id: CaseId, number: Number, request: Request, who: Viewer) -> JobOut:
    """Render the PDF report in the background: the job (see ``/api/jobs/{job_id}``);
    ``done`` at once when it was rendered before."""
    job = actions.request_pdf(database(request), request.app.state.jobs, who, case_id, number)
    return JobOut.model_validate(job)


@router.get(
    "/cases/{case_id}/plans/{number}/report.pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}},
        409: {"model": ErrorOut, "description": "not rendered yet: POST .../pdf"},
    },
)
def report_pdf(case_id: CaseId, number: Number, request: Request, who: Viewer) -> Response:
    with database(request).session() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
        pdf = store.cached_report(s, pv.id, "pdf")
        if pdf is not None:
            store.audit(s, who, "downloaded", "plan", pv.id, "pdf report")
    if pdf is None:
        raise HTTPException(409, "the PDF is not rendered yet: POST .../pdf and wait for the job")
    return Response(pdf, media_type="application/pdf")


@router.get("/cases/{case_id}/plans/{number}/diagrams", response_model=list[DiagramOut])
def list_diagrams(
    case_id: CaseId, number: Number, request: Request, who: Viewer
) -> list[DiagramOut]:
    with database(request).read() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
    figs = actions.diagrams(store.plan_of(pv))
    return [DiagramOut(index=i, design=k, title=t) for i, (k, t, _) in enumerate(figs)]


@router.get(
    "/cases/{case_id}/plans/{number}/diagrams/{index}",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def diagram(
    case_id: CaseId,
    number: Number,
    index: Annotated[int, PathParam(ge=0, le=10_000)],
    request: Request,
    who: Viewer,
) -> Response:
    with database(request).read() as s:
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
    figs = actions.diagrams(store.plan_of(pv))
    if index >= len(figs):
        raise HTTPException(404, f"plan {number} has {len(figs)} diagrams")
    return Response(figs[index][2], media_type="image/svg+xml")


@router.get("/jobs/{job_id}", response_model=JobOut)
def read_job(
    job_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], request: Request, who: Viewer
) -> JobOut:
    with database(request).read() as s:
        return JobOut.model_validate(store.get_job(s, who.clinic_id, job_id))


# ----------------------------------------------------------------------------- uploads


async def _read_limited(f: UploadFile, limit: int) -> bytes:
    chunks, size = [], 0
    while chunk := await f.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/cases/{case_id}/uploads",
    response_model=UploadOut,
    status_code=201,
    responses={413: {"model": ErrorOut, "description": "larger than the limit"}},
)
async def upload(
    case_id: CaseId,
    request: Request,
    who: Clinician,
    file: Annotated[UploadFile, File(description="a tooth mesh or a zipped DICOM series")],
    kind: Annotated[Literal["mesh", "cbct"], Query()] = "mesh",
) -> UploadOut:
    """Upload a patient tooth mesh (STL/PLY/OBJ, the FDI number in the file name) or a CBCT
    (one DICOM series as a zip); each is read as the CLI reads it before it is kept."""
    db = database(request)
    limit = db.settings.max_mesh_bytes if kind == "mesh" else db.settings.max_cbct_bytes
    content = await _read_limited(file, limit)
    name = file.filename or ("mesh" if kind == "mesh" else "cbct.zip")

    def work() -> UploadOut:
        with db.read() as s:
            case = store.case_of(store.get_revision(s, who.clinic_id, case_id))
        tooth = None
        if kind == "mesh":
            tooth = actions.check_mesh(name, content, case)
        else:
            actions.check_cbct(content, db.settings.max_cbct_unpacked_bytes)
        with db.session() as s:
            u = store.add_upload(s, who, case_id, kind, name, content, tooth)
            return UploadOut.model_validate(u)

    return await run_in_threadpool(work)


@router.get("/cases/{case_id}/uploads", response_model=list[UploadOut])
def list_uploads(case_id: CaseId, request: Request, who: Viewer) -> list[UploadOut]:
    with database(request).read() as s:
        return [UploadOut.model_validate(u) for u in store.list_uploads(s, who.clinic_id, case_id)]


@router.get(
    "/cases/{case_id}/uploads/{upload_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download_upload(
    case_id: CaseId,
    upload_id: Annotated[int, PathParam(ge=1, le=MAX_ID)],
    request: Request,
    who: Viewer,
) -> Response:
    with database(request).session() as s:
        u = store.get_upload(s, who.clinic_id, case_id, upload_id)
        store.audit(s, who, "downloaded", u.kind, u.id)
        content = u.content
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="upload-{upload_id}"'},
    )


def input_error_body(exc: InputError) -> dict[str, Any]:
    return {
        "detail": f"invalid {exc.source or 'input'}",
        "problems": [{"field": p.field, "message": p.message} for p in exc.problems],
    }


def problem_list(errors: Any) -> list[Problem]:
    """FastAPI's validation errors as field-named problems (``body.``/``query.`` kept)."""
    out = []
    for e in errors:
        loc = ".".join(str(p)[:40] for p in e.get("loc", ()))
        out.append(Problem(loc, str(e.get("msg", "invalid"))))
    return out
