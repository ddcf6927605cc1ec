"""The API's request and response bodies (what the OpenAPI document shows)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProblemOut(BaseModel):
    field: str = Field(description="dotted path of the field ('' for the whole input)")
    message: str


class ErrorOut(BaseModel):
    detail: str
    problems: list[ProblemOut] = Field(default_factory=list)


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class TokenIn(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1000)


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"


class UserOut(_Out):
    id: int
    email: str
    role: str
    clinic_id: int


class UserIn(BaseModel):
    email: str = Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    password: str = Field(min_length=8, max_length=1000)
    role: Literal["viewer", "clinician", "admin"]


class ValidationOut(BaseModel):
    valid: Literal[True]
    case_id: str
    goals: int


class CaseOut(_Out):
    id: int
    case_key: str = Field(description="the case file's own id")
    archived: bool
    revision: int = Field(description="number of the newest revision")
    plans: int = Field(description="number of plan versions")
    created_at: datetime
    updated_at: datetime


class RevisionOut(_Out):
    case_id: int
    number: int
    created_by: int
    created_at: datetime
    imported_as: str | None = Field(description="yaml or json: the file it was imported from")
    document: dict[str, Any] = Field(description="the case (see the Case schema)")


class CaseDetail(CaseOut):
    document: dict[str, Any] = Field(description="the newest revision (see the Case schema)")


class PlanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    revision: int | None = Field(default=None, ge=1, le=2**31 - 1)
    cbct_upload_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    mesh_upload_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="a tooth mesh uploaded for this case: the screws' root clearance is "
        "measured again on it and the designs re-ranked",
    )


class PlanVersionOut(_Out):
    case_id: int
    number: int
    revision_number: int
    cbct_upload_id: int | None
    tadplan_version: str
    plan_sha256: str
    created_by: int
    created_at: datetime


class DiagramOut(BaseModel):
    index: int
    design: str
    title: str


class UploadOut(_Out):
    id: int
    case_id: int
    kind: str
    filename: str
    tooth: int | None
    size_bytes: int
    sha256: str
    created_at: datetime


class JobOut(_Out):
    id: int
    kind: str
    status: Literal["queued", "running", "done", "failed"]
    plan_version_id: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class AuditOut(_Out):
    id: int
    user_id: int | None
    action: str
    object_type: str
    object_id: int | None
    detail: str | None
    at: datetime
