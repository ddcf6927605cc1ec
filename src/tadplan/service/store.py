"""Every read and write of the service's data, used by the API and the web pages alike.

Each function takes an open :class:`~sqlalchemy.orm.Session` (its transaction is the
caller's: :meth:`tadplan.service.db.Database.session`) and, for data of a clinic, the
clinic's id or the acting :class:`Principal`: a row of another clinic is reported as not
found (:class:`NotFound`), exactly as a row that does not exist, so ids do not leak.

Case revisions and plan versions are numbered per case (1, 2, ...) under a lock on the
case row, and never changed once written; the audit log is only appended to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tadplan import __version__
from tadplan.case import Case, case_from_data, dump_case
from tadplan.errors import InputError, Problem
from tadplan.service.orm import (
    AuditEntry,
    CaseRevision,
    Clinic,
    Job,
    PlanVersion,
    Report,
    StoredCase,
    Upload,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from tadplan.model import Plan

Role = Literal["viewer", "clinician", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "clinician", "admin")
CaseFormat = Literal["yaml", "json"]


class NotFound(InputError):
    """No such object in the acting user's clinic (it may exist in another clinic): the
    API's 404."""


@dataclass(frozen=True)
class Principal:
    """The user a request acts for."""

    user_id: int
    clinic_id: int
    role: Role
    email: str

    def can(self, needed: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(needed)


# ----------------------------------------------------------------------------- audit


def audit(
    s: Session,
    who: Principal,
    action: str,
    object_type: str,
    object_id: int | None = None,
    detail: str | None = None,
) -> None:
    """Append one audit entry (ids and the action only: no patient data)."""
    s.add(
        AuditEntry(
            clinic_id=who.clinic_id,
            user_id=who.user_id,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )


def list_audit(s: Session, clinic_id: int, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    q = (
        select(AuditEntry)
        .where(AuditEntry.clinic_id == clinic_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(s.scalars(q))


# ----------------------------------------------------------------------------- clinics, users


def clinic_named(s: Session, name: str, create: bool = False) -> Clinic:
    c = s.scalar(select(Clinic).where(Clinic.name == name))
    if c is None:
        if not create:
            raise NotFound(f"no clinic {name!r}")
        c = Clinic(name=name)
        s.add(c)
        s.flush()
    return c


def add_user(s: Session, clinic: str, email: str, password_hash: str, role: Role) -> User:
    """A new account in ``clinic`` (created if new); an email already used is refused."""
    email = normalise_email(email)
    problems = []
    if role not in ROLES:
        problems.append(Problem("role", f"{role!r} is not one of {', '.join(ROLES)}"))
    if "@" not in email or len(email) > 320:
        problems.append(Problem("email", "not an email address"))
    elif s.scalar(select(User.id).where(User.email == email)) is not None:
        problems.append(Problem("email", "an account with this email exists"))
    if not clinic.strip():
        problems.append(Problem("clinic", "give the clinic's name"))
    if problems:
        raise InputError.listing("user", problems)
    c = clinic_named(s, clinic.strip(), create=True)
    u = User(clinic_id=c.id, email=email, password_hash=password_hash, role=role)
    s.add(u)
    s.flush()
    return u


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(s: Session, email: str) -> User | None:
    return s.scalar(select(User).where(User.email == normalise_email(email)))


def list_users(s: Session, clinic_id: int) -> list[User]:
    return list(s.scalars(select(User).where(User.clinic_id == clinic_id).order_by(User.id)))


def principal_of(u: User) -> Principal:
    return Principal(u.id, u.clinic_id, u.role, u.email)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- cases


def _document(case: Case) -> dict[str, object]:
    return case.model_dump(mode="json")


def case_of(rev: CaseRevision) -> Case:
    """The case model of a stored revision."""
    return case_from_data(rev.document, f"revision {rev.number}")


def create_case(
    s: Session,
    who: Principal,
    case: Case,
    source_text: str | None = None,
    source_format: CaseFormat | None = None,
) -> StoredCase:
    """A new case with ``case`` as its revision 1."""
    sc = StoredCase(
        clinic_id=who.clinic_id, case_key=case.id, created_by=who.user_id, revision_count=1
    )
    s.add(sc)
    s.flush()
    s.add(
        CaseRevision(
            case_id=sc.id,
            number=1,
            document=_document(case),
            source_text=source_text,
            source_format=source_format,
            created_by=who.user_id,
        )
    )
    audit(s, who, "imported" if source_text is not None else "created", "case", sc.id)
    s.flush()
    return sc


def get_case(s: Session, clinic_id: int, case_id: int, lock: bool = False) -> StoredCase:
    q = select(StoredCase).where(StoredCase.id == case_id, StoredCase.clinic_id == clinic_id)
    if lock:
        q = q.with_for_update()
    c = s.scalar(q)
    if c is None:
        raise NotFound(f"case {case_id} not found")
    return c


def list_cases(s: Session, clinic_id: int, archived: bool | None = False) -> list[StoredCase]:
    q = select(StoredCase).where(StoredCase.clinic_id == clinic_id)
    if archived is not None:
        q = q.where(StoredCase.archived == archived)
    return list(s.scalars(q.order_by(StoredCase.id)))


def get_revision(
    s: Session, clinic_id: int, case_id: int, number: int | None = None
) -> CaseRevision:
    """Revision ``number`` of a case (default: the newest)."""
    c = get_case(s, clinic_id, case_id)
    n = c.revision_count if number is None else number
    r = s.scalar(select(CaseRevision).where(CaseRevision.case_id == c.id, CaseRevision.number == n))
    if r is None:
        raise NotFound(f"case {case_id} has no revision {n}")
    return r


def list_revisions(s: Session, clinic_id: int, case_id: int) -> list[CaseRevision]:
    c = get_case(s, clinic_id, case_id)
    q = select(CaseRevision).where(CaseRevision.case_id == c.id).order_by(CaseRevision.number)
    return list(s.scalars(q))


def revise_case(
    s: Session,
    who: Principal,
    case_id: int,
    case: Case,
    source_text: str | None = None,
    source_format: CaseFormat | None = None,
) -> CaseRevision:
    """A new revision of a case (the earlier ones are kept as they were)."""
    c = get_case(s, who.clinic_id, case_id, lock=True)
    c.revision_count += 1
    c.case_key = case.id
    c.updated_at = utcnow()
    r = CaseRevision(
        case_id=c.id,
        number=c.revision_count,
        document=_document(case),
        source_text=source_text,
        source_format=source_format,
        created_by=who.user_id,
    )
    s.add(r)
    audit(s, who, "changed", "case", c.id, f"revision {r.number}")
    s.flush()
    return r


def set_archived(s: Session, who: Principal, case_id: int, archived: bool) -> StoredCase:
    c = get_case(s, who.clinic_id, case_id, lock=True)
    if c.archived != archived:
        c.archived = archived
        c.updated_at = utcnow()
        audit(s, who, "archived" if archived else "restored", "case", c.id)
    return c


def export_case(
    s: Session, who: Principal, case_id: int, fmt: CaseFormat, number: int | None = None
) -> str:
    """The case file as the CLI reads and writes it: an imported file in its own format
    byte for byte; otherwise YAML as :func:`tadplan.case.dump_case` writes it, JSON as
    ``tadplan demo`` writes ``case.json``."""
    r = get_revision(s, who.clinic_id, case_id, number)
    audit(s, who, "exported", "case", case_id, f"revision {r.number} as {fmt}")
    if r.source_text is not None and r.source_format == fmt:
        return r.source_text
    case = case_of(r)
    return dump_case(case) if fmt == "yaml" else case.model_dump_json(indent=2) + "\n"


# ----------------------------------------------------------------------------- plans


def add_plan_version(
    s: Session,
    who: Principal,
    case_id: int,
    revision_number: int,
    plan: Plan | str,
    cbct_upload_id: int | None = None,
) -> PlanVersion:
    """Store ``plan`` (or its JSON text, as ``Plan.model_dump_json(indent=2)`` writes it)
    as the case's next plan version (numbered under the case row's lock: concurrent writers
    never share or skip a number)."""
    text = plan if isinstance(plan, str) else plan.model_dump_json(indent=2)
    c = get_case(s, who.clinic_id, case_id, lock=True)
    c.plan_count += 1
    c.updated_at = utcnow()
    pv = PlanVersion(
        case_id=c.id,
        number=c.plan_count,
        revision_number=revision_number,
        cbct_upload_id=cbct_upload_id,
        plan_json=text,
        plan_sha256=hashlib.sha256(text.encode()).hexdigest(),
        tadplan_version=__version__,
        created_by=who.user_id,
    )
    s.add(pv)
    s.flush()
    audit(s, who, "planned", "plan", pv.id, f"case {c.id} plan {pv.number}")
    return pv


def get_plan_version(s: Session, clinic_id: int, case_id: int, number: int) -> PlanVersion:
    c = get_case(s, clinic_id, case_id)
    pv = s.scalar(
        select(PlanVersion).where(PlanVersion.case_id == c.id, PlanVersion.number == number)
    )
    if pv is None:
        raise NotFound(f"case {case_id} has no plan {number}")
    return pv


def list_plan_versions(s: Session, clinic_id: int, case_id: int) -> list[PlanVersion]:
    c = get_case(s, clinic_id, case_id)
    q = select(PlanVersion).where(PlanVersion.case_id == c.id).order_by(PlanVersion.number)
    return list(s.scalars(q))


def plan_of(pv: PlanVersion) -> Plan:
    from tadplan.model import Plan

    return Plan.model_validate_json(pv.plan_json)


def count_plan_versions(s: Session, case_id: int) -> tuple[int, int]:
    """(rows, distinct numbers) of a case's plan versions (for checks after load)."""
    rows = s.scalar(select(func.count()).where(PlanVersion.case_id == case_id)) or 0
    distinct = (
        s.scalar(
            select(func.count(func.distinct(PlanVersion.number))).where(
                PlanVersion.case_id == case_id
            )
        )
        or 0
    )
    return rows, distinct


# ----------------------------------------------------------------------------- reports


def cached_report(s: Session, plan_version_id: int, kind: str) -> bytes | None:
    return s.scalar(
        select(Report.content).where(Report.plan_version_id == plan_version_id, Report.kind == kind)
    )


def store_report(s: Session, plan_version_id: int, kind: str, content: bytes) -> None:
    """Keep a rendered report (a report rendered twice at once is kept once)."""
    if cached_report(s, plan_version_id, kind) is None:
        s.add(Report(plan_version_id=plan_version_id, kind=kind, content=content))
        s.flush()


# ----------------------------------------------------------------------------- uploads


def add_upload(
    s: Session,
    who: Principal,
    case_id: int,
    kind: Literal["mesh", "cbct"],
    filename: str,
    content: bytes,
    tooth: int | None = None,
) -> Upload:
    c = get_case(s, who.clinic_id, case_id)
    u = Upload(
        case_id=c.id,
        kind=kind,
        filename=filename[:255],
        tooth=tooth,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_by=who.user_id,
    )
    s.add(u)
    s.flush()
    audit(s, who, "uploaded", kind, u.id, f"case {c.id}")
    return u


def get_upload(s: Session, clinic_id: int, case_id: int, upload_id: int) -> Upload:
    c = get_case(s, clinic_id, case_id)
    u = s.scalar(select(Upload).where(Upload.id == upload_id, Upload.case_id == c.id))
    if u is None:
        raise NotFound(f"case {case_id} has no upload {upload_id}")
    return u


def list_uploads(s: Session, clinic_id: int, case_id: int) -> list[Upload]:
    """A case's uploads (their content is not loaded)."""
    from sqlalchemy.orm import defer

    c = get_case(s, clinic_id, case_id)
    q = (
        select(Upload)
        .where(Upload.case_id == c.id)
        .options(defer(Upload.content))
        .order_by(Upload.id)
    )
    return list(s.scalars(q))


# ----------------------------------------------------------------------------- jobs


def create_job(s: Session, who: Principal, plan_version_id: int, kind: str = "pdf") -> Job:
    j = Job(
        clinic_id=who.clinic_id,
        plan_version_id=plan_version_id,
        kind=kind,
        status="queued",
        created_by=who.user_id,
    )
    s.add(j)
    s.flush()
    return j


def get_job(s: Session, clinic_id: int, job_id: int) -> Job:
    j = s.scalar(select(Job).where(Job.id == job_id, Job.clinic_id == clinic_id))
    if j is None:
        raise NotFound(f"job {job_id} not found")
    return j


def open_job(s: Session, plan_version_id: int, kind: str = "pdf") -> Job | None:
    """The queued or running job of a plan version, if any."""
    return s.scalar(
        select(Job)
        .where(
            Job.plan_version_id == plan_version_id,
            Job.kind == kind,
            Job.status.in_(("queued", "running")),
        )
        .order_by(Job.id.desc())
    )


def claim_job(s: Session, job_id: int) -> Job | None:
    """Mark a queued job running and return it, or None when another worker has it (or it
    is finished): each job runs once even when several processes look for work."""
    j = s.get(Job, job_id, with_for_update=True)
    if j is None or j.status != "queued":
        return None
    j.status = "running"
    j.started_at = utcnow()
    return j


def stale_jobs(s: Session, older_than_s: float) -> list[int]:
    """Jobs queued, or running since longer than ``older_than_s`` (their process died):
    to run (again)."""
    from datetime import timedelta

    cutoff = utcnow() - timedelta(seconds=older_than_s)
    rows = s.scalars(
        select(Job).where(Job.status.in_(("queued", "running"))).with_for_update()
    ).all()
    out = []
    for j in rows:
        started = j.started_at
        if started is not None and started.tzinfo is None:
            started = started.replace(tzinfo=cutoff.tzinfo)
        if j.status == "running" and started is not None and started > cutoff:
            continue
        j.status = "queued"
        out.append(j.id)
    return out


def set_job_status(s: Session, job_id: int, status: str, error: str | None = None) -> Job:
    j = s.get(Job, job_id, with_for_update=True)
    if j is None:
        raise NotFound(f"job {job_id} not found")
    j.status = status
    now: datetime = utcnow()
    if status == "running":
        j.started_at = now
    if status in ("done", "failed"):
        j.finished_at = now
        j.error = error
    return j
