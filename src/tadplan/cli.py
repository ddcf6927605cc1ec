"""The ``tadplan`` command line: a thin adapter over the core packages.

Exit codes: 0 success, 2 bad input (every problem listed, no traceback),
1 an internal error (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tadplan import __version__
from tadplan._files import write_atomic
from tadplan.case import Case, Problem, load_case
from tadplan.case.model import Case as CaseModel
from tadplan.case.summary import case_summary
from tadplan.errors import InputError

if TYPE_CHECKING:
    from tadplan.anatomy.cbct import Volume
    from tadplan.anatomy.meshes import DentitionModel
    from tadplan.anatomy.survey import Survey
    from tadplan.knowledge import Knowledge
    from tadplan.model import ForceSystem, Plan

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="tadplan",
    help="Plan orthodontic mini-implant (TAD) anchorage. Decision support, not a device.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state: dict[str, bool] = {"debug": False}


def _version(value: bool) -> None:
    if value:
        console.print(f"tadplan {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


# ----------------------------------------------------------------------------- output

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters a terminal acts on instead of showing (ESC, BEL, CR, bidi overrides ...)."""


def plain(text: object, json_safe: bool = False) -> str:
    """``text`` safe to show on a terminal: control characters (other than newline and tab)
    shown as ``\\xNN`` / ``\\uNNNN`` escapes instead of reaching the terminal. ``json_safe``:
    always ``\\uNNNN``, which keeps JSON text valid (such characters can only be in its
    strings)."""
    return _CONTROL.sub(
        lambda m: (
            f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 and not json_safe else f"\\u{ord(m[0]):04x}"
        ),
        str(text),
    )


def _cell(text: object) -> Text:
    """A table cell or title from user text: never read as Rich markup."""
    return Text(plain(text))


def _say(message: str) -> None:
    """A status line (``wrote ...``) on stderr, so that stdout carries only the output."""
    err_console.print(_cell(message))


def _is_terminal() -> bool:
    return sys.stdout.isatty()


def _write_stdout(text: str, json_safe: bool = False) -> None:
    safe = plain(text, json_safe)
    sys.stdout.write(safe if safe.endswith("\n") else safe + "\n")


def _listing(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[object]], wide: bool = False
) -> None:
    """A table on a terminal (``wide``: at least 150 columns), long cells folded, never cut;
    piped, plain lines: ``# title``, ``# column<TAB>column``, then one tab-separated line per
    row (nothing cut, nothing re-wrapped)."""
    if _is_terminal():
        t = Table(title=_cell(title), title_justify="left")
        t.add_column(columns[0], no_wrap=True)
        for c in columns[1:]:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*(_cell(v) for v in r))
        (Console(highlight=False, width=max(console.width, 150)) if wide else console).print(t)
        return
    lines = [f"# {title}", "# " + "\t".join(columns)]
    lines += ["\t".join(" ".join(str(v).split()) for v in r) for r in rows]
    _write_stdout("\n".join(lines))


def _print_json(data: Any) -> None:
    _write_stdout(json.dumps(data, indent=2, ensure_ascii=False), json_safe=True)


def _bad_option(option: str, reason: str) -> InputError:
    """Exit 2: ``option`` (e.g. ``--out``) cannot be used, for ``reason``."""
    return InputError.listing(option, [Problem(option, reason)])


def _check_out_file(out: Path, inputs: Sequence[Path] = ()) -> None:
    """Refuse (exit 2, reason named) an output path that cannot become a file: a directory,
    a path in a directory that does not exist, or one of the input files."""
    where = "--out"
    if out.is_dir():
        raise _bad_option(where, f"{out} is a directory; give a file name")
    parent = out.absolute().parent
    if not parent.exists():
        raise _bad_option(where, f"directory {parent} does not exist")
    if not parent.is_dir():
        raise _bad_option(where, f"{parent} is not a directory")
    for i in inputs:
        same = out.resolve() == i.resolve() or (
            out.exists() and i.exists() and os.path.samefile(out, i)
        )
        if same:
            raise _bad_option(where, f"{out} is the input file {i}; choose another path")


def _check_out_dir(out: Path, option: str = "--out") -> None:
    """Refuse (exit 2) an output directory path that names an existing file."""
    if out.exists() and not out.is_dir():
        raise _bad_option(option, f"{out} is a file, not a directory")
    for p in out.absolute().parents:
        if p.exists():
            if not p.is_dir():
                raise _bad_option(option, f"{p} is a file, not a directory")
            break


def _write_file(out: Path, data: bytes) -> None:
    """Write ``data`` to ``out`` whole or not at all, and say so (and if a file was replaced)."""
    try:
        replaced = write_atomic(out, data)
    except OSError as exc:
        raise _bad_option("--out", f"cannot write {out}: {exc.strerror or exc}") from None
    _say(f"wrote {out}" + (" (replaced the existing file)" if replaced else ""))


# ----------------------------------------------------------------------------- helpers


def summarise(case: Case) -> Table:
    """A one-screen summary of a case."""
    t = Table(
        title=_cell(f"case {case.id}" + (f": {case.title}" if case.title else "")),
        show_header=False,
        title_justify="left",
    )
    t.add_column("what", style="bold")
    t.add_column("value")
    for label, text in _summary_rows(case):
        t.add_row(_cell(label), _cell(text))
    return t


def _summary_rows(case: Case) -> list[tuple[str, str]]:
    """The case summary's rows, then one row per goal (with its notes)."""
    rows = list(case_summary(case))
    for gid, (i, g) in zip(case.goal_ids(), enumerate(case.goals), strict=True):
        amount = (f" {g.amount_mm:g} mm" if g.amount_mm is not None else "") + (
            f" {g.amount_deg:g} deg" if g.amount_deg is not None else ""
        )
        moved = " ".join(map(str, case.goal_teeth(i)))
        side = f", {g.side}" if g.side else ""
        rows.append(
            (
                f"goal {gid}",
                f"{g.kind.value}{amount} of {moved}{side}; "
                f"{g.symmetry.value}; anchorage demand {g.anchorage_demand.value}"
                + (f"; notes: {g.notes}" if g.notes else ""),
            )
        )
    return rows


def _print_summary(case: Case) -> None:
    if _is_terminal():
        console.print(summarise(case))
    else:
        title = f"case {case.id}" + (f": {case.title}" if case.title else "")
        _write_stdout("\n".join([title, *(f"{k}: {v}" for k, v in _summary_rows(case))]))


# ----------------------------------------------------------------------------- commands


@app.command()
def validate(case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")]) -> None:
    """Check a case file: exit 0 with a summary, or exit 2 listing every problem."""
    c = load_case(case)
    _print_summary(c)
    if _is_terminal():
        console.print(Text("valid", style="green"))
    else:
        _write_stdout("valid")


@app.command()
def schema(
    plan: Annotated[bool, typer.Option("--plan", help="Schema of the plan JSON instead.")] = False,
) -> None:
    """Print the JSON Schema of a case file (or, with --plan, of the plan output)."""
    if plan:
        from tadplan.model import Plan

        _print_json(Plan.model_json_schema())
    else:
        _print_json(CaseModel.model_json_schema())


@app.command()
def examples(
    name: Annotated[str | None, typer.Argument(help="Example to print.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="The list as JSON (name, case id, title).")
    ] = False,
) -> None:
    """List the bundled example cases (piped: one name per line), or print one."""
    from tadplan.examples import example_path, example_paths

    if name is None:
        listed = [(stem, load_case(p)) for stem, p in example_paths().items()]
        if as_json:
            _print_json([{"name": n, "case_id": c.id, "title": c.title} for n, c in listed])
        elif _is_terminal():
            _listing(
                "bundled examples",
                ("name", "case id", "title"),
                [(n, c.id, c.title or "") for n, c in listed],
            )
        else:
            _write_stdout("\n".join(n for n, _ in listed))
        return
    try:
        p = example_path(name)
    except KeyError as exc:
        raise InputError.listing("examples", [Problem("NAME", str(exc.args[0]))]) from None
    sys.stdout.write(p.read_text(encoding="utf-8"))


RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", envvar="TADPLAN_RULES", help="Directory of extra rule files (YAML)."),
]


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    pdf = "pdf"


def _knowledge(rules: Path | None) -> Knowledge:
    """The built-in knowledge base plus the rule files of ``rules``; a bad file is exit 2."""
    from tadplan.knowledge import KnowledgeError, load_knowledge

    try:
        return load_knowledge(extra_dirs=[rules] if rules is not None else [])
    except KnowledgeError as exc:
        raise InputError.listing(
            str(rules or "knowledge base"), [Problem(exc.where, exc.reason)]
        ) from None


CbctOption = Annotated[
    Path | None,
    typer.Option(
        "--cbct",
        help="The patient's CBCT: a directory of one DICOM series, "
        "in the patient frame; bone is measured along each screw axis.",
    ),
]


def _volume(cbct: Path | None) -> Volume | None:
    """The CBCT volume of ``--cbct``, or None; an unusable series is exit 2."""
    if cbct is None:
        return None
    from tadplan.anatomy.cbct import CBCTError, read_dicom_series  # pydicom, scipy.ndimage

    try:
        return read_dicom_series(cbct)
    except CBCTError as exc:
        raise InputError.listing(str(cbct), [Problem("--cbct", str(exc))]) from None


MeshesOption = Annotated[
    Path | None,
    typer.Option(
        "--meshes",
        help="Patient tooth meshes: a directory (FDI labels in file names) or a manifest, "
        "in the patient frame.",
    ),
]


def _make_plan(c: Case, rules: Path | None, patient: DentitionModel | None = None) -> Plan:
    """The plan of ``c``; with ``patient``, judged again on the patient's tooth meshes."""
    from tadplan.planner import plan as make_plan

    kb = _knowledge(rules)
    result = make_plan(c, knowledge=kb)
    if patient is None:
        return result
    from tadplan.planner.meshes import assess_on_meshes

    return assess_on_meshes(result, patient, kb)


def _write_plan(result: Plan, fmt: Format, out: Path | None) -> None:
    """Write ``result`` as ``fmt``; html and pdf need ``out`` (checked by the callers)."""
    if fmt == Format.json:
        _emit(result.model_dump_json(indent=2), out, json_safe=True)
    elif fmt == Format.text:
        from tadplan.planner.text import plan_text

        _emit(plan_text(result), out)
    else:
        from tadplan.report import render_html, render_pdf

        assert out is not None, "html/pdf output needs a path"
        if fmt == Format.html:
            _write_file(out, render_html(result).encode("utf-8"))
        else:
            _write_file(out, render_pdf(result))


def _emit(text: str, out: Path | None, json_safe: bool = False) -> None:
    """Text to stdout (control characters shown as escapes), or to the file ``out``."""
    if out is None:
        _write_stdout(text, json_safe)
    else:
        _write_file(out, (text if text.endswith("\n") else text + "\n").encode("utf-8"))


@app.command()
def plan(
    case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    rules: RulesOption = None,
    cbct: CbctOption = None,
    meshes: MeshesOption = None,
) -> None:
    """Propose ranked anchorage designs for every goal of a case (with --meshes, the
    screws' root clearance measured again on the patient's teeth and the designs re-ranked)."""
    c = load_case(case)
    if format in (Format.html, Format.pdf) and out is None:
        raise _bad_option("--out", f"--format {format.value} needs --out PATH")
    if out is not None:
        _check_out_file(out, [case])
    volume = _volume(cbct)
    patient = None if meshes is None else _patient_model(c, meshes)
    result = _make_plan(c, rules, patient)
    if volume is not None:
        from tadplan.anatomy.cbct import assess_plan_with_cbct

        result = assess_plan_with_cbct(result, volume)
    _write_plan(result, format, out)


@app.command()
def rules(
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The rules as JSON.")] = False,
    schema: Annotated[
        bool, typer.Option("--schema", help="The JSON Schema of a rule file (conditions too).")
    ] = False,
) -> None:
    """List the loaded knowledge-base rules: id, application, kind and source."""
    from tadplan.knowledge.sources import cited_detail, display_key

    if schema:
        from tadplan.knowledge.schema import RuleFile

        _print_json(RuleFile.model_json_schema())
        return
    kb = _knowledge(rules)
    if as_json:
        _print_json(
            [
                {
                    "id": r.id,
                    "application": r.application,
                    "kind": "design" if r.is_design else "modifier",
                    "sources": [
                        s.model_dump(include={"key", "detail", "tag"}) for s in r.spec.sources
                    ],
                }
                for r in kb.rules
            ]
        )
        return
    rows = [
        (
            r.id,
            r.application,
            "design" if r.is_design else "modifier",
            "; ".join(
                display_key(s.key) + (f" {d}" if (d := cited_detail(s)) else "")
                for s in r.spec.sources
            ),
        )
        for r in kb.rules
    ]
    _listing(f"{len(kb.rules)} rules", ("id", "application", "kind", "source"), rows, wide=True)


def _force_systems(result: Plan) -> list[ForceSystem]:
    """The force system of every design of the plan, once per design."""
    seen: dict[str, ForceSystem] = {}
    for gp in result.goals:
        for d in gp.designs:
            if d.mechanics is not None:
                seen.setdefault(d.id, d.mechanics)
    return list(seen.values())


@app.command()
def mechanics(
    case: Annotated[Path | None, typer.Argument(help="Case file (.yaml/.yml/.json).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Force systems as JSON.")] = False,
    modules: Annotated[
        bool, typer.Option("--modules", help="Force-module parameters and the chain decay fit.")
    ] = False,
) -> None:
    """Print the force system of every design of the case's plan (on the average dentition)."""
    from tadplan.mechanics import format_force_system
    from tadplan.mechanics.text import format_modules

    if modules:
        _write_stdout(format_modules())
    if case is None:
        if not modules:
            raise InputError.listing(
                "mechanics", [Problem("CASE", "give a case file (or --modules)")]
            )
        return
    systems = _force_systems(_make_plan(load_case(case), None))
    if as_json:
        _print_json([s.model_dump(mode="json") for s in systems])
    else:
        _write_stdout("\n\n".join(format_force_system(s) for s in systems))


@app.command()
def risk(
    case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")],
    as_json: Annotated[bool, typer.Option("--json", help="Risks as JSON.")] = False,
) -> None:
    """Failure risk of every planned implant and design: factors and what would lower it."""
    from tadplan.report.risk_text import risk_table

    result = _make_plan(load_case(case), None)
    if as_json:
        rows = [
            {
                "goal": gp.goal.id,
                "design": d.id,
                "rank": d.rank,
                "risk": d.risk.model_dump(mode="json") if d.risk else None,
                "implants": [
                    {"id": i.id, "site": i.site.label(), "risk": i.risk.model_dump(mode="json")}
                    for i in d.implants
                    if i.risk is not None
                ],
            }
            for gp in result.goals
            for d in gp.designs
        ]
        _emit(json.dumps(rows, indent=2), None)
    else:
        _emit(risk_table(result), None)


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Output directory.")] = Path("tadplan-demo"),
) -> None:
    """What `make demo` runs: plan the bundled demo case and write the case, the plan (text,
    JSON), the force systems, the HTML and PDF reports into the output directory."""
    from tadplan.examples import example_path
    from tadplan.mechanics import format_force_system
    from tadplan.planner.text import plan_text

    c = load_case(example_path("demo"))
    _check_out_dir(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _bad_option("--out", f"cannot create {out}: {exc.strerror or exc}") from None
    _print_summary(c)
    _emit(c.model_dump_json(indent=2), out / "case.json")
    result = _make_plan(c, None)
    text = plan_text(result)
    _write_stdout(text)
    _emit(text, out / "plan.txt")
    _write_plan(result, Format.json, out / "plan.json")
    mech = [format_force_system(fs) for fs in _force_systems(result)]
    _emit("\n\n".join(mech), out / "mechanics.txt")
    _write_plan(result, Format.html, out / "report.html")
    _write_plan(result, Format.pdf, out / "report.pdf")


def _best_insertions(sv: Any, volume: Any) -> list[dict[str, Any]]:
    """The search's best insertion per site as plain rows, judged on the CBCT when given."""
    if sv is None:
        return []
    if volume is not None:
        from tadplan.anatomy.cbct import assess_with_cbct
    rows = []
    for k, ins in enumerate(sv.best, 1):
        s = ins.safety if volume is None else assess_with_cbct(volume, ins)
        rows.append(
            {
                "rank": k,
                "site": ins.site.label(),
                "status": s.status,
                "min_root_clearance_mm": s.min_root_clearance_mm,
                "root_contact": s.root_contact,
                "diameter_mm": ins.diameter_mm,
                "length_mm": ins.length_mm,
                "height_mm": ins.height_mm,
                "mesiodistal_mm": ins.mesiodistal_mm,
                "vertical_deg": ins.vertical_deg,
                "horizontal_deg": ins.horizontal_deg,
                "bone_depth_mm": s.bone_depth_mm,
                "soft_tissue": s.soft_tissue,
                "teeth_at_risk": list(s.teeth_at_risk),
            }
        )
    return rows


@app.command()
def sites(
    case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")],
    search: Annotated[
        bool, typer.Option("--search", help="Rank the best insertion of every site.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for clearance-map PNGs (--search).")
    ] = None,
    guided: Annotated[
        bool, typer.Option("--guided", help="Printed-guide insertion accuracy (default freehand).")
    ] = False,
    meshes: MeshesOption = None,
    cbct: CbctOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="The tables as JSON.")] = False,
) -> None:
    """Inter-radicular distances of the case's dentition (the average one, or the patient's
    meshes with --meshes); with --search, the best insertion per site (ranked) and clearance
    maps."""
    from tadplan.anatomy.sites import DEFAULT_HEIGHTS_MM

    c = load_case(case)
    if out is not None and not search:
        raise _bad_option("--out", "clearance maps are drawn for --search: add --search")
    if out is not None:
        _check_out_dir(out)
    volume = _volume(cbct)
    model = _sites_dentition(c, meshes)
    heights = list(DEFAULT_HEIGHTS_MM)
    by_site = _ird_by_site(model, heights)
    sv = None
    if search:
        from tadplan.anatomy.survey import search_all_sites

        sv = search_all_sites(c, "guided" if guided else "freehand", model=model)
    best = _best_insertions(sv, volume)
    if as_json:
        _print_json(_sites_json(c.id, heights, by_site, volume, sv, best))
    else:
        _print_sites(c.id, heights, by_site, volume, cbct, sv, best)
    if sv is not None and out is not None:
        from tadplan.report.site_maps import write_clearance_maps

        try:
            paths = write_clearance_maps(sv.best_maps(), out)
        except OSError as exc:
            raise _bad_option("--out", f"cannot write to {out}: {exc.strerror or exc}") from None
        _say(f"wrote {len(paths)} clearance maps to {out}")


def _sites_dentition(c: Case, meshes: Path | None) -> DentitionModel:
    """The dentition `tadplan sites` measures: the case's average one, or the patient's
    meshes (a mesh that cannot be read is an input error naming --meshes)."""
    from tadplan.anatomy.meshes import average_dentition

    if meshes is None:
        return average_dentition(c)
    return _patient_model(c, meshes)


def _patient_model(c: Case, meshes: Path) -> DentitionModel:
    """The patient's tooth meshes of ``--meshes``; one that cannot be read is exit 2."""
    from tadplan.anatomy.patient import PatientMeshError, load_patient

    try:
        return load_patient(meshes, c).model
    except (PatientMeshError, OSError) as exc:
        raise InputError.listing(str(meshes), [Problem("--meshes", str(exc))]) from None


def _ird_by_site(
    model: DentitionModel, heights: list[float]
) -> dict[str, dict[float, float | None]]:
    """Inter-radicular distance (mm) by site and height; None above the apex of a root."""
    from tadplan.anatomy.sites import interradicular_table

    by_site: dict[str, dict[float, float | None]] = {}
    for r in interradicular_table(model, heights):
        by_site.setdefault(r.site, {})[r.height_mm] = None if r.ird_mm == float("inf") else r.ird_mm
    return by_site


def _sites_json(
    case_id: str,
    heights: list[float],
    by_site: dict[str, dict[float, float | None]],
    volume: Volume | None,
    sv: Survey | None,
    best: list[dict[str, Any]],
) -> dict[str, Any]:
    """`tadplan sites --json`: the distances, the CBCT volume and the search's best insertions."""
    data: dict[str, Any] = {
        "case_id": case_id,
        "heights_mm": heights,
        "interradicular_mm": [
            {"site": s, "ird_mm": [vals[h] for h in heights]} for s, vals in by_site.items()
        ],
    }
    if volume is not None:
        data["cbct"] = {
            "voxels": list(volume.hu.shape),
            "spacing_mm": [float(v) for v in volume.spacing_mm],
        }
    if sv is not None:
        data["search"] = {
            "workflow": sv.workflow,
            "n_candidates": sv.n_candidates,
            "best": best,
        }
    return data


def _print_sites(
    case_id: str,
    heights: list[float],
    by_site: dict[str, dict[float, float | None]],
    volume: Volume | None,
    cbct: Path | None,
    sv: Survey | None,
    best: list[dict[str, Any]],
) -> None:
    """`tadplan sites` as listings: the distances, the CBCT volume, the best insertions."""
    _listing(
        f"{case_id}: inter-radicular distance (mm) by height from the alveolar crest "
        "('-' = above the apex of a root; root-to-root minimum distance)",
        ["site", *(f"{h:g}" for h in heights)],
        [
            (s, *("-" if vals[h] is None else f"{vals[h]:.2f}" for h in heights))
            for s, vals in by_site.items()
        ],
        wide=True,
    )
    if volume is not None:
        n, r, k = volume.hu.shape
        spacing = " x ".join(f"{v:.3g}" for v in volume.spacing_mm)
        _listing(f"CBCT {cbct}", ["volume"], [(f"{n} x {r} x {k} voxels, spacing {spacing} mm",)])
    if sv is not None:
        _listing(
            f"best insertion per site ({sv.n_candidates:,} candidates, {sv.workflow})",
            (
                "rank",
                "site",
                "status",
                "clearance",
                "size",
                "height",
                "md",
                "angles",
                "bone",
                "soft tissue",
                "at risk",
            ),
            [_best_insertion_row(b) for b in best],
            wide=True,
        )


def _best_insertion_row(b: dict[str, Any]) -> tuple[Any, ...]:
    """One row of the best-insertion listing, from its JSON record."""
    return (
        b["rank"],
        b["site"],
        b["status"],
        "contact" if b["root_contact"] else f"{b['min_root_clearance_mm']:.2f}",
        f"{b['diameter_mm']:g}x{b['length_mm']:g}",
        f"{b['height_mm']:g}",
        f"{b['mesiodistal_mm']:+g}",
        f"{b['vertical_deg']:g}/{b['horizontal_deg']:+g}",
        "-" if b["bone_depth_mm"] is None else f"{b['bone_depth_mm']:.1f}",
        b["soft_tissue"] or "",
        ",".join(map(str, b["teeth_at_risk"])) or "-",
    )


# ----------------------------------------------------------------------------- service
# The clinic service (tadplan.service) is imported inside each command: `tadplan plan` does
# not pay for FastAPI and SQLAlchemy.

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///PATH or postgresql://...); default TADPLAN_DB, "
        "else a SQLite file in the user's data directory.",
    ),
]

user_app = typer.Typer(help="Accounts of the clinic service.", no_args_is_help=True)
db_app = typer.Typer(help="The clinic service's database.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(db_app, name="db")


@app.command()
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Processes.")] = 1,
) -> None:
    """Run the clinic service (REST API, OpenAPI at /docs) on the database."""
    from tadplan.service import commands

    commands.serve(commands.settings_for(db), host, port, workers)


@app.command()
def worker(db: DbOption = None) -> None:
    """Run a PDF worker for a service on PostgreSQL (procrastinate)."""
    from tadplan.service import commands

    commands.worker(commands.settings_for(db))


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """Bring the database to the newest migration."""
    from tadplan.service import commands

    _say(f"database at revision {commands.upgrade(commands.settings_for(db))}")


@user_app.command("add")
def user_add(
    clinic: Annotated[str, typer.Option("--clinic", help="Clinic name (created if new).")],
    email: Annotated[str, typer.Option("--email")],
    role: Annotated[str, typer.Option("--role", help="viewer, clinician or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Create an account (the first one: `--role admin`)."""
    from tadplan.service import commands

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    uid = commands.add_user(commands.settings_for(db), clinic, email, role, password)
    _say(f"created user {uid} ({role}) in clinic {clinic}")


# ----------------------------------------------------------------------------- entry


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: the one place errors become exit codes, never a traceback.

    An :class:`~tadplan.errors.InputError` (bad input: a case, an option, a tooth number,
    a mesh or CBCT series) is exit 2 listing every problem by field. Any other error,
    a :class:`~tadplan.errors.TadplanError` (malformed packaged data, geometry that cannot
    be computed) or not, is a defect of tadplan: exit 1, ``--debug`` shows the traceback.
    The commands turn the errors they can blame on the user's options (a ``--rules``
    file, ``--cbct``, ``--meshes``, ``--out``) into input errors naming the option."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        raise SystemExit(code) from None
    except InputError as exc:
        if exc.source:
            _error("error", f" in {exc.source}:", [f"  - {p}" for p in exc.problems])
        else:
            _error("error", f": {exc}")
        raise SystemExit(2) from None
    except Exception as exc:  # the one catch-all: anything else is a defect (exit 1)
        if debug:
            raise
        _error(
            "internal error",
            f": {type(exc).__name__}: {exc}",
            ["run again with --debug for the traceback, and please report it"],
        )
        raise SystemExit(1) from None


def _error(label: str, message: str, lines: Sequence[str] = ()) -> None:
    """An error on stderr: ``label`` in red, the user-derived text never read as markup."""
    err_console.print(Text.assemble((label, "red"), plain(message)))
    for line in lines:
        err_console.print(_cell(line))


if __name__ == "__main__":
    main()
