"""The clinic web app's pages: server-rendered Jinja2 templates with htmx fragments, on the
service's store, actions and login (:mod:`tadplan.service.store`, :mod:`.actions`,
:mod:`.auth`). Every template is autoescaped; the report's SVG diagrams are the only markup
put in unescaped (the report draws them from the plan and escapes their text itself).

A page asks for login by redirecting to ``/login?next=...``; an id of another clinic is the
same "not found" page as an unknown one (the store reports both as :class:`NotFound`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup

from tadplan.case import Case, CaseError, fdi
from tadplan.case.model import (
    NAMED_SEGMENT_GROUPS,
    NAMED_SEGMENTS,
    AnchorageDemand,
    Appliance,
    BoneQuality,
    Control,
    CrossbiteKind,
    Inclination,
    MovementKind,
    SagittalClass,
    SiteRegion,
    Surface,
    VerticalPattern,
    parse_segment,
)
from tadplan.errors import Problem
from tadplan.planner.text import activation_steps
from tadplan.service import actions, store
from tadplan.service.auth import (
    CSRF_FIELD,
    authenticate,
    current_user,
    database,
    safe_next_url,
)
from tadplan.service.store import NotFound, Principal
from tadplan.service.web import compare as compare_mod
from tadplan.service.web import forms

APPLIANCES_PREFIX = forms.APPLIANCES + "."
WEB = Path(str(resources.files("tadplan.service.web")))
UPPER = fdi.arch_order("maxilla")
LOWER = fdi.arch_order("mandible")
"""Chart rows as the clinician faces the patient: the patient's right on the left."""


class PageRoute(APIRoute):
    """A page: login asked for by a redirect, a missing object (or another clinic's) as
    the HTML "not found" page, a refused action as an HTML page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound:
                return _page(
                    request,
                    "message.html",
                    404,
                    title="Not found",
                    message="There is no such case or plan in your clinic.",
                )
            except HTTPException as exc:
                if exc.status_code in (401, 403):
                    return _page(
                        request,
                        "message.html",
                        exc.status_code,
                        title="Not allowed",
                        message=str(exc.detail),
                    )
                raise

        return run


router = APIRouter(route_class=PageRoute, include_in_schema=False)


async def page_user(request: Request) -> Principal:
    """The logged-in user of a page (a redirect to the login page without a session; a
    form post must carry the session's CSRF token)."""
    if authenticate(request) is None:
        url = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise HTTPException(303, "log in first", {"Location": f"/login?next={quote(url)}"})
    return await current_user(request)


User = Annotated[Principal, Depends(page_user)]


def _clinician(who: Principal) -> None:
    if not who.can("clinician"):
        raise HTTPException(403, "Your account can read cases but not change or plan them.")


# ----------------------------------------------------------------------------- templates


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(tooth_name=fdi.name, json=json.dumps)  # escaped in attributes
    env.filters["css_id"] = css_id
    env.filters["activation_steps"] = activation_steps
    return env


def css_id(name: str) -> str:
    """An element id for a form field name (``goals.0.amount`` -> ``goals-0-amount``)."""
    return name.replace(".", "-").replace("/", "-")


def _page(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    auth = authenticate(request)
    ctx.setdefault("who", auth.principal if auth else None)
    ctx.setdefault("csrf", auth.csrf_token if auth else "")
    ctx.setdefault("csrf_field", CSRF_FIELD)
    body = _env().get_template(template).render(**ctx)
    return HTMLResponse(body, status_code=status)


def install(app: FastAPI) -> None:
    """Add the pages and ``/static`` to the service's app (the one hook in
    :func:`tadplan.service.app.create_app`)."""
    app.mount("/static", StaticFiles(directory=str(WEB / "static")), name="static")
    app.include_router(router)
    app.state.login_page = login_page  # the service's POST /login answers a wrong password with it


# ----------------------------------------------------------------------------- login


def login_page(message: str = "", next_url: str = "/", status: int = 200) -> HTMLResponse:
    """The login page (the signature of :func:`tadplan.service.auth.login_page`; the
    service's ``POST /login`` answers a wrong password with it once :func:`install` ran)."""
    body = (
        _env()
        .get_template("login.html")
        .render(
            who=None,
            csrf="",
            csrf_field=CSRF_FIELD,
            next=safe_next_url(next_url),
            message=message,
        )
    )
    return HTMLResponse(body, status_code=status)


@router.get("/login")
def login(next: Annotated[str, Query(max_length=2000)] = "/") -> HTMLResponse:
    return login_page(next_url=next)


@router.get("/")
def home(who: User) -> RedirectResponse:
    return RedirectResponse("/cases", status_code=303)


# ----------------------------------------------------------------------------- case list


def _case_rows(request: Request, who: Principal, q: str, archived: bool) -> list[dict[str, Any]]:
    needle = q.strip().lower()
    rows = []
    with database(request).session() as s:
        for c in store.list_cases(s, who.clinic_id, archived):
            doc: dict[str, Any] = store.get_revision(s, who.clinic_id, c.id).document
            patient = doc.get("patient") or {}
            title = doc.get("title") or ""
            row = {
                "id": c.id,
                "key": c.case_key,
                "title": title,
                "patient": patient.get("id") or "",
                "goals": ", ".join(str(g.get("kind", "")) for g in doc.get("goals") or []),
                "revision": c.revision_count,
                "plans": c.plan_count,
                "updated": c.updated_at.strftime("%Y-%m-%d %H:%M"),
            }
            text = " ".join(str(v) for v in row.values()).lower()
            if not needle or all(word in text for word in needle.split()):
                rows.append(row)
    return rows


@router.get("/cases")
def case_list(request: Request, who: User, archived: bool = False) -> HTMLResponse:
    return _case_list(request, who, "", archived)


@router.post("/cases/search")
async def case_search(request: Request, who: User) -> HTMLResponse:
    """The case list filtered by the words typed: posted, so that a pseudonym searched for
    never appears in a URL (nor in a server's access log)."""
    form = await _form(request)
    q = form.get("q", "")[:200]
    archived = form.get("archived") == "true"
    if request.headers.get("hx-request"):
        return _page(request, "_case_rows.html", rows=_case_rows(request, who, q, archived), q=q)
    return _case_list(request, who, q, archived)


def _case_list(request: Request, who: Principal, q: str, archived: bool) -> HTMLResponse:
    from tadplan.examples import example_paths

    rows = _case_rows(request, who, q, archived)
    examples = sorted(example_paths())
    return _page(request, "cases.html", rows=rows, q=q, archived=archived, examples=examples)


# ----------------------------------------------------------------------------- editor


def _choices() -> dict[str, list[tuple[str, str]]]:
    def opts(values: list[str]) -> list[tuple[str, str]]:
        return [(v, v.replace("_", " ")) for v in values]

    return {
        "sex": [("F", "female"), ("M", "male"), ("other", "other")],
        "sagittal_class": opts([c.value for c in SagittalClass]),
        "vertical": opts([c.value for c in VerticalPattern]),
        "inclination": opts([c.value for c in Inclination]),
        "kind": opts([k.value for k in MovementKind]),
        "side": opts(["right", "left", "bilateral"]),
        "symmetry": opts(["symmetric", "asymmetric"]),
        "anchorage_demand": opts([a.value for a in AnchorageDemand]),
        "control": opts([c.value for c in Control]),
        "region": opts([r.value for r in SiteRegion]),
        "surface": opts([s.value for s in Surface]),
        "site_side": opts(["right", "left", "midline"]),
        "arch": opts(["maxilla", "mandible"]),
        "bone_quality": opts([b.value for b in BoneQuality]),
        "appliances": opts([a.value for a in Appliance]),
        "crossbite": opts([c.value for c in CrossbiteKind]),
    }


def _segments() -> dict[str, list[int]]:
    return {name: list(parse_segment(name)) for name in [*NAMED_SEGMENTS, *NAMED_SEGMENT_GROUPS]}


def _rows(form: Mapping[str, str], prefix: str) -> list[int]:
    """Row numbers of a repeated group present in the form, in order."""
    out = set()
    for key in form:
        if key.startswith(prefix + "."):
            head = key[len(prefix) + 1 :].split(".", 1)[0]
            if head.isdigit() and len(head) <= 2:
                out.add(int(head))
    return sorted(out)


def _renumber(form: Mapping[str, str], prefix: str, drop: int | None = None) -> dict[str, str]:
    """The form with the rows of ``prefix`` numbered 0, 1, ... (row ``drop`` removed)."""
    rows = [n for n in _rows(form, prefix) if n != drop]
    new = {old: i for i, old in enumerate(rows)}
    out: dict[str, str] = {}
    for key, value in form.items():
        if key.startswith(prefix + "."):
            head, _, rest = key[len(prefix) + 1 :].partition(".")
            if head.isdigit() and int(head) in new:
                out[f"{prefix}.{new[int(head)]}.{rest}"] = value
            continue
        out[key] = value
    return out


def _editor(
    request: Request,
    form: Mapping[str, str],
    case_id: int | None,
    problems: list[Problem] | None = None,
    status: int = 200,
    title: str = "",
) -> HTMLResponse:
    goals = _rows(form, "goals") or [0]
    sites = _rows(form, "findings.site_assessments")
    crossbites = _rows(form, "findings.crossbites")
    displaced = _rows(form, "findings.displaced_teeth")
    return _page(
        request,
        "case_edit.html",
        status,
        form=form,
        case_id=case_id,
        goals=goals,
        sites=sites,
        crossbites=crossbites,
        displaced=displaced,
        problems=problems or [],
        errors=_errors_by_field(problems or []),
        case=None,
        oob=False,
        fields=[],
        choices=_choices(),
        upper=UPPER,
        lower=LOWER,
        segments=_segments(),
        page_title=title,
    )


def _errors_by_field(problems: list[Problem]) -> dict[str, str]:
    out: dict[str, str] = {}
    for p in problems:
        if p.field:
            out[p.field] = f"{out[p.field]} {p.message}" if p.field in out else p.message
    return out


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str) and k != CSRF_FIELD}


def _base(request: Request, who: Principal, case_id: int | None) -> dict[str, Any] | None:
    if case_id is None:
        return None
    with database(request).session() as s:
        case = store.case_of(store.get_revision(s, who.clinic_id, case_id))
    return case.model_dump(mode="json", exclude_defaults=True)


@router.get("/cases/new")
def new_case(
    request: Request, who: User, example: Annotated[str, Query(max_length=80)] = ""
) -> HTMLResponse:
    _clinician(who)
    form: dict[str, str] = {"goals.0.kind": ""}
    if example:
        from tadplan.examples import example_paths, load_example

        if example in example_paths():
            form = forms.case_to_form(load_example(example))
    return _editor(request, form, None, title="New case")


@router.get("/cases/{case_id}/edit")
def edit_case(case_id: int, request: Request, who: User) -> HTMLResponse:
    _clinician(who)
    with database(request).session() as s:
        case = store.case_of(store.get_revision(s, who.clinic_id, case_id))
    return _editor(request, forms.case_to_form(case), case_id, title=f"Edit case {case.id}")


REMOVE_ACTIONS = (
    ("goals", "remove-goal-"),
    ("findings.site_assessments", "remove-site-"),
    ("findings.crossbites", "remove-crossbite-"),
    ("findings.displaced_teeth", "remove-displaced-"),
)


async def _save(request: Request, who: Principal, case_id: int | None) -> Response:
    _clinician(who)
    form = await _form(request)
    action = form.pop("action", "save")
    form.pop("case_ref", None)
    form.pop("chart-tool", None)
    form.pop("chart-goal", None)
    title = "New case" if case_id is None else "Edit case"
    added = {
        "add-goal": ("goals", "kind", ""),
        "add-site": ("findings.site_assessments", "site.region", "interradicular"),
        "add-crossbite": ("findings.crossbites", "kind", ""),
        "add-displaced": ("findings.displaced_teeth", "tooth", ""),
    }
    if action in added:
        prefix, key, value = added[action]
        n = len(_rows(form, prefix))
        return _editor(request, {**form, f"{prefix}.{n}.{key}": value}, case_id, title=title)
    for prefix, word in REMOVE_ACTIONS:
        if action.startswith(word) and action[len(word) :].isdigit():
            kept = _renumber(form, prefix, int(action[len(word) :]))
            return _editor(request, kept, case_id, title=title)
    base = _base(request, who, case_id)
    try:
        case = forms.case_from_form(form, base)
    except CaseError as exc:
        return _editor(request, form, case_id, exc.problems, 422, title=title)
    db = database(request)
    with db.session() as s:
        if case_id is None:
            case_id = store.create_case(s, who, case).id
        else:
            store.revise_case(s, who, case_id, case)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/new")
async def create_case(request: Request, who: User) -> Response:
    return await _save(request, who, None)


@router.post("/cases/{case_id}/edit")
async def save_case(case_id: int, request: Request, who: User) -> Response:
    return await _save(request, who, case_id)


@router.post("/ui/validate")
async def validate(request: Request, who: User) -> HTMLResponse:
    """The editor's problems as you type: the case read as the API's validate endpoint
    reads it (the same messages), each problem at its form field."""
    form = await _form(request)
    ref = form.pop("case_ref", "")
    for key in ("action", "chart-tool", "chart-goal"):
        form.pop(key, None)
    case_id = int(ref) if ref.isdigit() and len(ref) < 10 else None
    base = _base(request, who, case_id)
    problems: list[Problem] = []
    case: Case | None = None
    try:
        case = forms.case_from_form(form, base)
    except CaseError as exc:
        problems = exc.problems
    rows = {f"{g}.{n}" for g in forms.GROUPS for n in _rows(form, g)}
    fields = sorted({*form, *rows} - {k for k in form if k.startswith(APPLIANCES_PREFIX)})
    return _page(
        request,
        "_problems.html",
        problems=problems,
        errors=_errors_by_field(problems),
        fields=fields,
        case=case,
        oob=True,
    )


# ----------------------------------------------------------------------------- case page


@router.get("/cases/{case_id}")
def case_page(case_id: int, request: Request, who: User) -> HTMLResponse:
    with database(request).session() as s:
        c = store.get_case(s, who.clinic_id, case_id)
        rev = store.get_revision(s, who.clinic_id, case_id)
        case = store.case_of(rev)
        plans = store.list_plan_versions(s, who.clinic_id, case_id)
        revisions = store.list_revisions(s, who.clinic_id, case_id)
    from tadplan.case.summary import case_summary

    return _page(
        request,
        "case.html",
        stored=c,
        case=case,
        summary=case_summary(case),
        plans=list(reversed(plans)),
        revisions=list(reversed(revisions)),
    )


@router.post("/cases/{case_id}/plan")
def plan_case(case_id: int, request: Request, who: User) -> Response:
    _clinician(who)
    pv = actions.plan_case(database(request), who, case_id)
    return RedirectResponse(f"/cases/{case_id}/plans/{pv.number}", status_code=303)


# ----------------------------------------------------------------------------- plan page


def _plan(request: Request, who: Principal, case_id: int, number: int) -> tuple[Any, Any, Any]:
    with database(request).session() as s:
        c = store.get_case(s, who.clinic_id, case_id)
        pv = store.get_plan_version(s, who.clinic_id, case_id, number)
    return c, pv, store.plan_of(pv)


@router.get("/cases/{case_id}/plans/{number}")
def plan_page(case_id: int, number: int, request: Request, who: User) -> HTMLResponse:
    from tadplan.mechanics import format_force_system
    from tadplan.report import plan_figures

    c, pv, plan = _plan(request, who, case_id, number)
    figures: dict[str, list[tuple[str, Markup]]] = {}
    for key, figs in plan_figures(plan).items():
        out = []
        for f in figs:
            try:
                out.append((f.title, Markup(f.svg())))  # the report's own SVG: escaped there
            finally:
                f.close()
        figures[key] = out
    mechanics = {
        d.id: format_force_system(d.mechanics)
        for g in plan.goals
        for d in g.designs
        if d.mechanics is not None
    }
    return _page(
        request,
        "plan.html",
        stored=c,
        pv=pv,
        plan=plan,
        figures=figures,
        mechanics=mechanics,
    )


@router.get("/cases/{case_id}/plans/{number}/view3d")
def view3d(
    case_id: int,
    number: int,
    request: Request,
    who: User,
    design: Annotated[str, Query(max_length=40)] = "",
) -> HTMLResponse:
    from tadplan.report.scene import SAFETY_RGBA, default_designs, find_design, scene_implants

    c, pv, plan = _plan(request, who, case_id, number)
    chosen = [d] if design and (d := find_design(plan, design)) is not None else None
    designs = chosen or default_designs(plan)
    return _page(
        request,
        "view3d.html",
        stored=c,
        pv=pv,
        plan=plan,
        design=design if chosen else "",
        designs=designs,
        implants=scene_implants(designs),
        colours={k: "#{:02x}{:02x}{:02x}".format(*v[:3]) for k, v in SAFETY_RGBA.items()},
    )


@router.get("/cases/{case_id}/plans/{number}/scene.glb")
def scene_glb(
    case_id: int,
    number: int,
    request: Request,
    who: User,
    design: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    from tadplan.anatomy import average_dentition
    from tadplan.report.scene import find_design, plan_glb

    _c, _pv, plan = _plan(request, who, case_id, number)
    chosen = [d] if design and (d := find_design(plan, design)) is not None else None
    glb = plan_glb(plan, average_dentition(plan.case), chosen)
    return Response(glb, media_type="model/gltf-binary")


# ----------------------------------------------------------------------------- downloads


@router.post("/cases/{case_id}/plans/{number}/pdf")
def request_pdf(case_id: int, number: int, request: Request, who: User) -> HTMLResponse:
    job = actions.request_pdf(database(request), request.app.state.jobs, who, case_id, number)
    return _page(request, "_job.html", job=job, case_id=case_id, number=number)


@router.get("/ui/jobs/{job_id}")
def job_status(
    job_id: int, request: Request, who: User, case_id: int = 0, number: int = 0
) -> HTMLResponse:
    with database(request).session() as s:
        job = store.get_job(s, who.clinic_id, job_id)
    return _page(request, "_job.html", job=job, case_id=case_id, number=number)


# ----------------------------------------------------------------------------- compare


@router.get("/cases/{case_id}/compare")
def compare(
    case_id: int,
    request: Request,
    who: User,
    a: Annotated[int, Query(ge=1, le=2**31 - 1)] = 0,
    b: Annotated[int, Query(ge=1, le=2**31 - 1)] = 0,
) -> HTMLResponse:
    with database(request).session() as s:
        c = store.get_case(s, who.clinic_id, case_id)
        numbers = [p.number for p in store.list_plan_versions(s, who.clinic_id, case_id)]
    if len(numbers) < 2:
        return _page(
            request,
            "message.html",
            200,
            title="Compare plans",
            message="This case has fewer than two plans: plan it again to compare.",
        )
    a = a or numbers[-2]
    b = b or numbers[-1]
    _, pva, plan_a = _plan(request, who, case_id, a)
    _, pvb, plan_b = _plan(request, who, case_id, b)
    return _page(
        request,
        "compare.html",
        stored=c,
        numbers=numbers,
        pva=pva,
        pvb=pvb,
        plan_a=plan_a,
        plan_b=plan_b,
        cmp=compare_mod.compare_plans(plan_a, plan_b),
    )
