"""The case editor's form and the case model, both ways: pure functions, no web framework.

A form is a flat mapping of field name -> text, the names being the case's own dotted paths
(``patient.age_y``, ``goals.0.kind``, ``findings.site_assessments.1.site.between``) with three
conveniences a clinician expects:

- tooth lists are typed as FDI numbers separated by spaces or commas (``14 24``), which the
  tooth chart writes for the clinician;
- a goal's ``goals.N.teeth`` takes either teeth (``11 21``) or a segment (``13-23``,
  ``upper_anterior``), and ``goals.N.amount`` is millimetres or degrees by the goal's kind;
- check boxes (``attachments.appliances.herbst``, ``findings.gummy_smile``) are ``on`` or
  absent, select boxes send ``""`` for "not stated".

:func:`form_to_case_data` builds the plain case data (what a case file holds) from a form,
keeping what the form does not show from ``base`` (the stored case); :func:`case_from_form`
validates it with the case model exactly as a case file is validated, and raises
:class:`~tadplan.case.CaseError` whose problems name the *form* field
(:func:`form_field`). :func:`case_to_form` fills the form from a case.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from tadplan.case import Case, CaseError, Problem, case_from_data
from tadplan.case.model import (
    ANGULAR_KINDS,
    NAMED_SEGMENT_GROUPS,
    NAMED_SEGMENTS,
    Appliance,
)
from tadplan.errors import FieldPath, dotted

Form = Mapping[str, str]

TEXT = ("id", "patient.id")
FREE_TEXT = ("title", "description")
NUMBERS = (
    "patient.age_y",
    "findings.overjet_mm",
    "findings.overbite_mm",
    "findings.crowding_mm",
    "findings.midline_deviation_mm",
)
INTEGERS = ("constraints.max_implants",)
CHOICES = (
    "patient.sex",
    "findings.sagittal_class",
    "findings.vertical",
    "findings.incisor_inclination",
    "findings.lower_incisor_inclination",
)
YES_NO = ("patient.smoker",)
"""Select boxes of ``""`` (not stated), ``yes`` and ``no``."""
FLAGS = (
    "findings.gummy_smile",
    "findings.orthognathic_surgery_planned",
    "constraints.no_palatal",
    "constraints.guided_insertion",
)
TOOTH_LISTS = (
    "dentition.missing",
    "dentition.extracted",
    "dentition.planned_extraction",
    "attachments.bands",
    "dentition.unerupted",
    "dentition.impacted",
    "dentition.erupted",
    "dentition.implants",
    "dentition.pontics",
    "dentition.primary_present",
)
"""Tooth lists (the chart edits the first four; a tooth is in at most one dentition list)."""
BRACKETS = "attachments.brackets"
APPLIANCES = "attachments.appliances"

GOAL_TEXT = ("id",)
GOAL_FREE = ("notes",)
GOAL_CHOICES = ("kind", "side", "symmetry", "anchorage_demand", "control")

SITE_NUMBERS = (
    "interradicular_width_mm",
    "cortical_thickness_mm",
    "gingiva_thickness_mm",
    "attached_gingiva_height_mm",
)
SITE_CHOICES = ("site.region", "site.surface", "site.side", "site.arch", "bone_quality")
SITE_FREE = ("reason",)

GROUPS = (
    "goals",
    "findings.site_assessments",
    "findings.crossbites",
    "findings.displaced_teeth",
)
"""Repeated rows of the form (``<group>.<row>.<key>``)."""
_ITEM = re.compile(
    r"^(goals|findings\.site_assessments|findings\.crossbites|findings\.displaced_teeth)"
    r"\.(\d+)\.(.+)$"
)
_SPAN = re.compile(r"^\s*\d{2}\s*-\s*\d{2}\s*$")
_MAX_ITEMS = 50


# ----------------------------------------------------------------------------- small parsers


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``data[a][b]... = value`` for ``path`` ``a.b...`` (``None`` deletes the key)."""
    *parents, last = path.split(".")
    node = data
    for p in parents:
        child = node.get(p)
        if not isinstance(child, dict):
            if value is None:
                return
            child = {}
            node[p] = child
        node = child
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for p in path.split("."):
        if not isinstance(node, Mapping) or p not in node:
            return None
        node = node[p]
    return node


def _text(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def _free(v: str | None) -> str | None:
    """Free text as typed (a description keeps its line breaks), ``None`` when blank."""
    return v if v and v.strip() else None


def _number(v: str | None) -> float | str | None:
    """A finite number, or the text unchanged (the case model then names the problem)."""
    t = _text(v)
    if t is None:
        return None
    try:
        x = float(t.replace(",", ".")) if t.count(",") == 1 and "." not in t else float(t)
    except ValueError:
        return t
    return x if math.isfinite(x) else t


def _integer(v: str | None) -> int | str | None:
    t = _text(v)
    if t is None:
        return None
    return int(t) if t.isascii() and t.isdigit() and len(t) < 6 else t


def _yes_no(v: str | None) -> bool | str | None:
    t = _text(v)
    return {"yes": True, "no": False, None: None}.get(t, t)


def teeth_of(text: str | None) -> list[int | str] | None:
    """``"14 24"`` / ``"14, 24"`` -> ``[14, 24]``; a token that is not a number is kept as
    text, so the case model names it (the same message as in a case file)."""
    t = _text(text)
    if t is None:
        return None
    return [int(x) if x.isascii() and x.isdigit() and len(x) < 4 else x for x in t.split()]


def _tokens(text: str) -> str:
    return re.sub(r"[,;]", " ", text)


def is_segment(text: str) -> bool:
    """A segment (``13-23`` or a named segment), not a list of teeth."""
    key = text.strip().lower().replace(" ", "_")
    return key in NAMED_SEGMENTS or key in NAMED_SEGMENT_GROUPS or bool(_SPAN.match(text))


def teeth_text(teeth: Iterable[int]) -> str:
    return " ".join(str(t) for t in teeth)


# ----------------------------------------------------------------------------- form -> data


def _items(form: Form, prefix: str) -> dict[int, dict[str, str]]:
    """The rows of a repeated group (``goals.N.*``), by row number."""
    out: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        m = _ITEM.match(key)
        if m and m.group(1) == prefix and len(m.group(2)) <= 3:
            n = int(m.group(2))
            if n < _MAX_ITEMS:
                out.setdefault(n, {})[m.group(3)] = value
    return out


def _goal(row: Mapping[str, str], base: Mapping[str, Any]) -> dict[str, Any]:
    goal = copy.deepcopy(dict(base))
    for key in GOAL_TEXT + GOAL_CHOICES:
        _set(goal, key, _text(row.get(key)))
    for key in GOAL_FREE:
        _set(goal, key, _free(row.get(key)))
    for key in ("teeth", "segment", "amount_mm", "amount_deg"):
        goal.pop(key, None)
    where = _text(row.get("teeth"))
    if where is not None:
        if is_segment(where):
            goal["segment"] = where.strip()
        else:
            goal["teeth"] = teeth_of(_tokens(where))
    amount = _number(row.get("amount"))
    if amount is not None:
        kind = goal.get("kind")
        angular = kind in {k.value for k in ANGULAR_KINDS}
        goal["amount_deg" if angular else "amount_mm"] = amount
    return goal


def _site_assessment(row: Mapping[str, str], base: Mapping[str, Any]) -> dict[str, Any]:
    item = copy.deepcopy(dict(base))
    for key in SITE_CHOICES:
        _set(item, key, _text(row.get(key)))
    for key in SITE_FREE:
        _set(item, key, _free(row.get(key)))
    for key in SITE_NUMBERS:
        _set(item, key, _number(row.get(key)))
    between = _text(row.get("site.between"))
    _set(item, "site.between", None)
    if between is not None:
        _set(item, "site.between", teeth_of(_tokens(between.replace("-", " "))))
    available = _yes_no(row.get("available"))
    _set(item, "available", available)
    if item.get("site") == {}:
        item.pop("site")
    return item


def _crossbite(row: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    _set(item, "kind", _text(row.get("kind")))
    _set(item, "teeth", teeth_of(_tokens(row.get("teeth", ""))))
    _set(item, "skeletal", True if row.get("skeletal") else None)
    return item


def _displaced(row: Mapping[str, str]) -> dict[str, Any]:
    item: dict[str, Any] = {}
    tooth = teeth_of(row.get("tooth"))
    _set(item, "tooth", tooth[0] if tooth and len(tooth) == 1 else _text(row.get("tooth")))
    words = _tokens(row.get("direction", "")).split()
    _set(item, "direction", words or None)
    return item


def form_to_case_data(form: Form, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The case data (as in a case file) that ``form`` describes. Keys the form does not
    show (a goal's or site assessment's other keys, a newer case field) are kept from
    ``base``, the stored case's data."""
    data: dict[str, Any] = copy.deepcopy(dict(base or {}))
    for key in TEXT:
        _set(data, key, _text(form.get(key)))
    for key in FREE_TEXT:
        _set(data, key, _free(form.get(key)))
    for key in NUMBERS:
        _set(data, key, _number(form.get(key)))
    for key in INTEGERS:
        _set(data, key, _integer(form.get(key)))
    for key in CHOICES:
        _set(data, key, _text(form.get(key)))
    for key in YES_NO:
        _set(data, key, _yes_no(form.get(key)))
    for key in FLAGS:
        _set(data, key, True if form.get(key) else None)
    for key in TOOTH_LISTS:
        teeth = teeth_of(_tokens(form.get(key, "")))
        _set(data, key, teeth or None)
    brackets = _text(form.get(BRACKETS))
    if brackets is not None and brackets.lower() != "all":
        _set(data, BRACKETS, teeth_of(_tokens(brackets)))
    else:
        _set(data, BRACKETS, "all" if brackets is not None else None)
    appliances = [a.value for a in Appliance if form.get(f"{APPLIANCES}.{a.value}")]
    _set(data, APPLIANCES, appliances or None)

    stored = data.get("goals")
    base_goals: list[Any] = stored if isinstance(stored, list) else []
    rows = _items(form, "goals")
    goals = [_goal(rows[n], base_goals[n] if n < len(base_goals) else {}) for n in sorted(rows)]
    data["goals"] = goals
    base_sites = _get(data, "findings.site_assessments")
    base_sites = base_sites if isinstance(base_sites, list) else []
    rows = _items(form, "findings.site_assessments")
    sites = [
        _site_assessment(rows[n], base_sites[n] if n < len(base_sites) else {})
        for n in sorted(rows)
    ]
    _set(data, "findings.site_assessments", sites or None)
    rows = _items(form, "findings.crossbites")
    crossbites = [_crossbite(rows[n]) for n in sorted(rows)]
    _set(data, "findings.crossbites", crossbites or None)
    rows = _items(form, "findings.displaced_teeth")
    displaced = [_displaced(rows[n]) for n in sorted(rows)]
    _set(data, "findings.displaced_teeth", displaced or None)
    for section in ("patient", "dentition", "attachments", "findings", "constraints"):
        if data.get(section) == {}:
            data.pop(section)
    return data


# ----------------------------------------------------------------------------- problems


_ALIASES: dict[tuple[str, ...], str] = {
    ("goals", "segment"): "teeth",
    ("goals", "amount_mm"): "amount",
    ("goals", "amount_deg"): "amount",
}
"""(list, the case's key under an item of it) -> the form's name of that field."""


def _form_path(path: FieldPath) -> FieldPath:
    """A case field's path with the form's names (``goals.0.segment`` -> ``goals.0.teeth``,
    ``goals.0.amount_mm`` -> ``goals.0.amount``; the form edits a site assessment's
    ``site.between`` as one field)."""
    if len(path) >= 3 and (name := _ALIASES.get((str(path[0]), str(path[2])))) is not None:
        return (*path[:2], name)
    if path[:2] == ("findings", "site_assessments") and path[3:5] == ("site", "between"):
        return path[:5]
    return path


def form_field(problem_path: FieldPath, fields: Iterable[str]) -> str:
    """The form field a case problem belongs to: its path with the form's aliases
    (:func:`_form_path`), cut to the longest prefix that is a field of the form
    (``dentition.missing.2`` -> ``dentition.missing``); ``""`` when no field of the form
    holds it."""
    names = set(fields)
    path = _form_path(problem_path)
    for n in range(len(path), 0, -1):
        if (candidate := dotted(path[:n])) in names:
            return candidate
    return ""


def case_from_form(
    form: Form, base: Mapping[str, Any] | None = None, fields: Iterable[str] | None = None
) -> Case:
    """The case of ``form`` (see :func:`form_to_case_data`), validated by the case model.
    Raises :class:`CaseError` whose problems name the form field (``fields``: the names the
    page shows, default the form's keys) with the case model's message."""
    data = form_to_case_data(form, base)
    try:
        return case_from_data(data, "form")
    except CaseError as exc:
        names = list(fields if fields is not None else form.keys())
        names += [f"{group}.{n}" for group in GROUPS for n in _items(form, group)]
        problems = [Problem(form_field(p.path, names), p.message) for p in exc.problems]
        raise CaseError.listing("form", problems) from None


# ----------------------------------------------------------------------------- case -> form


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def case_to_form(case: Case | Mapping[str, Any]) -> dict[str, str]:
    """The form that shows ``case`` (a model or its data)."""
    data: Mapping[str, Any] = (
        case.model_dump(mode="json", exclude_defaults=True) if isinstance(case, Case) else case
    )
    form: dict[str, str] = {}
    for key in TEXT + FREE_TEXT + NUMBERS + INTEGERS + CHOICES + YES_NO:
        value = _get(data, key)
        if value is not None:
            form[key] = _fmt(value)
    for key in FLAGS:
        if _get(data, key):
            form[key] = "on"
    for key in TOOTH_LISTS:
        form[key] = teeth_text(_get(data, key) or [])
    brackets = _get(data, BRACKETS)
    form[BRACKETS] = "all" if brackets == "all" else teeth_text(brackets or [])
    for a in _get(data, APPLIANCES) or []:
        form[f"{APPLIANCES}.{a}"] = "on"
    for n, goal in enumerate(data.get("goals") or []):
        p = f"goals.{n}."
        for key in GOAL_TEXT + GOAL_FREE + GOAL_CHOICES:
            form[p + key] = _fmt(goal.get(key))
        form[p + "teeth"] = goal.get("segment") or teeth_text(goal.get("teeth") or [])
        amount = goal.get("amount_deg", goal.get("amount_mm"))
        form[p + "amount"] = _fmt(amount)
    for n, item in enumerate(_get(data, "findings.site_assessments") or []):
        p = f"findings.site_assessments.{n}."
        for key in SITE_FREE + SITE_CHOICES + SITE_NUMBERS:
            form[p + key] = _fmt(_get(item, key))
        between = _get(item, "site.between")
        form[p + "site.between"] = "-".join(str(t) for t in between) if between else ""
        form[p + "available"] = _fmt(item.get("available", True))
    for n, item in enumerate(_get(data, "findings.crossbites") or []):
        p = f"findings.crossbites.{n}."
        form[p + "kind"] = _fmt(item.get("kind"))
        form[p + "teeth"] = teeth_text(item.get("teeth") or [])
        if item.get("skeletal"):
            form[p + "skeletal"] = "on"
    for n, item in enumerate(_get(data, "findings.displaced_teeth") or []):
        p = f"findings.displaced_teeth.{n}."
        form[p + "tooth"] = _fmt(item.get("tooth"))
        form[p + "direction"] = " ".join(item.get("direction") or [])
    return form
