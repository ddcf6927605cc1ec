"""Accounts and who a request acts for.

- Passwords: argon2id hashes (argon2-cffi); a hash made with older parameters is replaced at
  the next login.
- Browser: ``POST /login`` (a form) sets the session cookie (HttpOnly, SameSite=Lax, Secure
  when configured); the session holds a CSRF token that every state-changing request made
  with the cookie must carry (form field ``csrf_token`` or header ``X-CSRF-Token``).
- API: ``POST /api/auth/token`` gives a bearer token (``Authorization: Bearer ...``).
- Only the SHA-256 of a session or token secret is stored.
- Failed logins: after :attr:`Settings.free_login_failures` failures of one account, each
  further attempt must wait twice as long as the one before (429 with ``Retry-After``).
- Roles within a clinic: ``viewer`` reads, ``clinician`` also plans and edits, ``admin``
  also reads the audit log and manages accounts.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tadplan.service import store
from tadplan.service.db import Database
from tadplan.service.orm import Credential, LoginFailure, User, utcnow
from tadplan.service.settings import Settings
from tadplan.service.store import Principal, Role

SESSION_COOKIE = "tadplan_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=UTC)


# ----------------------------------------------------------------------------- login


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    retry_after_s: float = 0.0
    """> 0: too many failed attempts; try again after this many seconds."""


def login_wait_s(failures: int, settings: Settings) -> float:
    """How long after the last failure the next attempt must wait."""
    extra = failures - settings.free_login_failures
    return 0.0 if extra < 0 else min(2.0**extra, settings.max_login_wait_s)


def _wait_left(failures: int, last_failed_at: datetime | None, settings: Settings) -> float:
    """Seconds the next attempt must still wait after ``failures`` failures."""
    if last_failed_at is None:
        return 0.0
    ready = _aware(last_failed_at) + timedelta(seconds=login_wait_s(failures, settings))
    return (ready - utcnow()).total_seconds()


def _unknown_email_failed(s: Session, email: str, password: str, settings: Settings) -> LoginResult:
    """A login to an email without an active account: the same work, the same answers and
    the same slowing as a wrong password of a real account."""
    key = hashlib.sha256(store.normalise_email(email).encode("utf-8")).hexdigest()
    row = s.get(LoginFailure, key)
    if row is not None:
        wait = _wait_left(row.failures, row.last_failed_at, settings)
        if wait > 0:
            return LoginResult(None, wait)
    with contextlib.suppress(VerificationError):  # the same work as for a real account
        _hasher.verify(_DUMMY_HASH, password)
    now = utcnow()
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    s.execute(  # one row per email even when two attempts arrive at once
        insert(LoginFailure)
        .values(email_sha256=key, failures=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[LoginFailure.email_sha256],
            set_={"failures": LoginFailure.failures + 1, "last_failed_at": now},
        )
    )
    return LoginResult(None)


def check_login(s: Session, email: str, password: str, settings: Settings) -> LoginResult:
    """The user whose ``email`` and ``password`` these are, or why not."""
    u = store.user_by_email(s, email)
    if u is None or not u.active:
        return _unknown_email_failed(s, email, password, settings)
    wait = _wait_left(u.failed_logins, u.last_failed_login_at, settings)
    if wait > 0:
        return LoginResult(None, wait)
    try:
        _hasher.verify(u.password_hash, password)
    except (VerificationError, InvalidHashError):
        u.failed_logins += 1
        u.last_failed_login_at = utcnow()
        return LoginResult(None)
    u.failed_logins = 0
    u.last_failed_login_at = None
    if _hasher.check_needs_rehash(u.password_hash):
        u.password_hash = _hasher.hash(password)
    return LoginResult(u)


def new_credential(s: Session, user: User, kind: str, settings: Settings) -> tuple[str, str]:
    """A new session (``kind='session'``) or API token (``'token'``) of ``user``: its
    secret and its CSRF token."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = utcnow() + timedelta(hours=settings.session_hours) if kind == "session" else None
    s.add(
        Credential(
            user_id=user.id,
            kind=kind,
            secret_sha256=_sha(secret),
            csrf_token=csrf if kind == "session" else None,
            expires_at=expires,
        )
    )
    return secret, csrf


def revoke(s: Session, secret: str) -> None:
    s.execute(delete(Credential).where(Credential.secret_sha256 == _sha(secret)))


# ----------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Authenticated:
    principal: Principal
    via: str
    """``session`` (cookie) or ``token`` (bearer)."""
    csrf_token: str | None


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _bearer(request: Request) -> str | None:
    h = request.headers.get("authorization", "")
    scheme, _, value = h.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def authenticate(request: Request) -> Authenticated | None:
    """Who the request's bearer token or session cookie belongs to, or None."""
    if hasattr(request.state, "auth"):
        known: Authenticated | None = request.state.auth
        return known
    result = None
    token = _bearer(request)
    secret, via = (token, "token") if token else (request.cookies.get(SESSION_COOKIE), "session")
    if secret and len(secret) < 200:
        with database(request).read() as s:
            row = s.execute(
                select(Credential, User)
                .join(User, User.id == Credential.user_id)
                .where(Credential.secret_sha256 == _sha(secret), Credential.kind == via)
            ).first()
            if row is not None:
                cred, user = row
                fresh = cred.expires_at is None or _aware(cred.expires_at) > utcnow()
                if fresh and user.active:
                    result = Authenticated(store.principal_of(user), via, cred.csrf_token)
    request.state.auth = result
    return result


async def _csrf_ok(request: Request, auth: Authenticated) -> bool:
    if auth.via != "session" or request.method in _SAFE_METHODS:
        return True
    sent = request.headers.get(CSRF_HEADER)
    ctype = request.headers.get("content-type", "")
    if sent is None and ctype.startswith(("application/x-www-form-urlencoded", "multipart/")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return (
        sent is not None
        and auth.csrf_token is not None
        and secrets.compare_digest(sent, auth.csrf_token)
    )


async def current_user(request: Request) -> Principal:
    """The acting user: 401 without a valid session or token, 403 for a cookie request
    that changes something without the session's CSRF token."""
    auth = authenticate(request)
    if auth is None:
        raise HTTPException(
            401, "log in first (session cookie or bearer token)", {"WWW-Authenticate": "Bearer"}
        )
    if not await _csrf_ok(request, auth):
        raise HTTPException(403, "missing or wrong CSRF token")
    return auth.principal


def require(role: Role) -> Any:
    """A dependency: the acting user, who must have at least ``role`` (else 403)."""

    async def dep(who: Annotated[Principal, Depends(current_user)]) -> Principal:
        if not who.can(role):
            raise HTTPException(403, f"needs the {role} role")
        return who

    return dep


Viewer = Annotated[Principal, Depends(current_user)]
Clinician = Annotated[Principal, Depends(require("clinician"))]
Admin = Annotated[Principal, Depends(require("admin"))]


def csrf_token(request: Request) -> str | None:
    """The session's CSRF token, for a page's forms (``<input name="csrf_token">``)."""
    auth = authenticate(request)
    return auth.csrf_token if auth is not None else None


# ----------------------------------------------------------------------------- routes

router = APIRouter()

_LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tadplan: log in</title></head>
<body><h1>tadplan</h1>{message}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password"
 required></label>
<button type="submit">Log in</button></form></body></html>
"""


def safe_next_url(next_url: str | None) -> str:
    """Only a path on this site (not ``//host`` or a scheme) is followed after login."""
    if next_url and next_url.startswith("/") and not next_url.startswith(("//", "/\\")):
        return next_url
    return "/"


def login_page(message: str = "", next_url: str = "/", status: int = 200) -> HTMLResponse:
    body = _LOGIN_PAGE.format(
        message=f"<p role='alert'>{html.escape(message)}</p>" if message else "",
        next=html.escape(safe_next_url(next_url)),
    )
    return HTMLResponse(body, status_code=status)


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def get_login(next: str = "/") -> HTMLResponse:
    return login_page(next_url=next)


def throttled(wait_s: float) -> HTTPException:
    return HTTPException(
        429,
        "too many failed logins; try again later",
        {"Retry-After": str(max(1, round(wait_s)))},
    )


@router.post("/login", include_in_schema=False)
def post_login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    db = database(request)
    with db.session() as s:
        result = check_login(s, email, password, db.settings)
        if result.user is not None:
            secret, _ = new_credential(s, result.user, "session", db.settings)
            store.audit(s, store.principal_of(result.user), "logged in", "user", result.user.id)
    if result.retry_after_s > 0:
        raise throttled(result.retry_after_s)
    if result.user is None:  # the web app's page when it is installed (app.state.login_page)
        page = getattr(request.app.state, "login_page", login_page)
        return page("Wrong email or password.", next, status=401)
    resp = RedirectResponse(safe_next_url(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(db.settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=db.settings.secure_cookies,
        path="/",
    )
    return resp


@router.post("/logout", include_in_schema=False)
async def post_logout(request: Request, who: Viewer) -> Response:
    secret = request.cookies.get(SESSION_COOKIE) or _bearer(request)
    with database(request).session() as s:
        if secret:
            revoke(s, secret)
        store.audit(s, who, "logged out", "user", who.user_id)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp
