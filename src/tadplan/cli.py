"""The ``tadplan`` command line: a thin adapter over the core packages.

Exit codes: 0 success, 2 bad input (every problem listed, no traceback),
1 an internal error (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from tadplan import __version__
from tadplan.case import Case, CaseError, Problem, fdi, load_case
from tadplan.case.model import Case as CaseModel
from tadplan.case.summary import case_summary

if TYPE_CHECKING:
    from tadplan.knowledge import Knowledge
    from tadplan.mechanics import ForceSystem
    from tadplan.planner.model import Plan

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(
    name="tadplan",
    help="Plan orthodontic mini-implant (TAD) anchorage. Decision support, not a device.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

_state: dict[str, bool] = {"debug": False}


class InputError(Exception):
    """Bad input from the user: exit code 2 with the listed problems."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        super().__init__(source)
        self.source = source
        self.problems = problems


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


# ----------------------------------------------------------------------------- helpers


def summarise(case: Case) -> Table:
    """A one-screen summary of a case."""
    t = Table(
        title=f"case {case.id}" + (f": {case.title}" if case.title else ""),
        show_header=False,
        title_justify="left",
    )
    t.add_column("what", style="bold")
    t.add_column("value")
    for label, text in case_summary(case):
        t.add_row(label, text)
    for gid, (i, g) in zip(case.goal_ids(), enumerate(case.goals), strict=True):
        amount = (f" {g.amount_mm:g} mm" if g.amount_mm is not None else "") + (
            f" {g.amount_deg:g} deg" if g.amount_deg is not None else ""
        )
        moved = " ".join(map(str, case.goal_teeth(i)))
        side = f", {g.side}" if g.side else ""
        t.add_row(
            f"goal {gid}",
            f"{g.kind.value}{amount} of {moved}{side}; "
            f"{g.symmetry.value}; anchorage demand {g.anchorage_demand.value}",
        )
    return t


def _load(path: Path) -> Case:
    try:
        return load_case(path)
    except CaseError as exc:
        raise InputError(exc.source, exc.problems) from None


# ----------------------------------------------------------------------------- commands


@app.command()
def validate(case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")]) -> None:
    """Check a case file: exit 0 with a summary, or exit 2 listing every problem."""
    c = _load(case)
    console.print(summarise(c))
    console.print("[green]valid[/green]")


@app.command()
def schema(
    plan: Annotated[bool, typer.Option("--plan", help="Schema of the plan JSON instead.")] = False,
) -> None:
    """Print the JSON Schema of a case file (or, with --plan, of the plan output)."""
    if plan:
        from tadplan.planner.model import Plan

        console.print_json(json.dumps(Plan.model_json_schema()))
    else:
        console.print_json(json.dumps(CaseModel.model_json_schema()))


@app.command()
def examples(
    name: Annotated[str | None, typer.Argument(help="Example to print.")] = None,
) -> None:
    """List the bundled example cases, or print one."""
    from tadplan.examples import example_path, example_paths

    if name is None:
        t = Table("name", "case id", "title", title="bundled examples", title_justify="left")
        for stem, p in example_paths().items():
            c = load_case(p)
            t.add_row(stem, c.id, c.title or "")
        console.print(t)
        return
    try:
        p = example_path(name)
    except KeyError as exc:
        raise InputError("examples", [Problem("NAME", str(exc.args[0]))]) from None
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
        raise InputError(str(rules or "knowledge base"), [Problem(exc.where, exc.reason)]) from None


def _make_plan(c: Case, rules: Path | None) -> Plan:
    from tadplan.planner import plan as make_plan

    return make_plan(c, knowledge=_knowledge(rules))


def _write_plan(result: Plan, fmt: Format, out: Path | None) -> None:
    """Write ``result`` as ``fmt``; html and pdf need ``out`` (checked by the callers)."""
    if fmt == Format.json:
        _emit(result.model_dump_json(indent=2), out)
    elif fmt == Format.text:
        from tadplan.planner.text import plan_text

        _emit(plan_text(result), out)
    else:
        from tadplan.report import render_html, render_pdf

        assert out is not None, "html/pdf output needs a path"
        if fmt == Format.html:
            out.write_text(render_html(result), encoding="utf-8")
        else:
            out.write_bytes(render_pdf(result))
        console.print(f"wrote {out}")


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@app.command()
def plan(
    case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    rules: RulesOption = None,
) -> None:
    """Propose ranked anchorage designs for every goal of a case."""
    c = _load(case)
    if format in (Format.html, Format.pdf) and out is None:
        raise InputError("--out", [Problem("--out", f"--format {format.value} needs --out PATH")])
    _write_plan(_make_plan(c, rules), format, out)


@app.command()
def rules(
    rules: RulesOption = None,
) -> None:
    """List the loaded knowledge-base rules: id, application, kind and source."""
    kb = _knowledge(rules)
    t = Table(title=f"{len(kb.rules)} rules", title_justify="left")
    t.add_column("id", no_wrap=True)
    for col in ("application", "kind", "source"):
        t.add_column(col)
    for r in kb.rules:
        src = "; ".join(s.key + (f" {s.detail}" if s.detail else "") for s in r.spec.sources)
        t.add_row(r.id, r.application, "design" if r.is_design else "modifier", src)
    console.print(t)


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
        _emit(format_modules(), None)
    if case is None:
        if not modules:
            raise InputError("mechanics", [Problem("CASE", "give a case file (or --modules)")])
        return
    systems = _force_systems(_make_plan(_load(case), None))
    if as_json:
        _emit(json.dumps([s.model_dump(mode="json") for s in systems], indent=2), None)
    else:
        _emit("\n\n".join(format_force_system(s) for s in systems), None)


@app.command()
def risk(
    case: Annotated[Path, typer.Argument(help="Case file (.yaml/.yml/.json).")],
    as_json: Annotated[bool, typer.Option("--json", help="Risks as JSON.")] = False,
) -> None:
    """Failure risk of every planned implant and design: factors and what would lower it."""
    from tadplan.report.risk_text import risk_table

    result = _make_plan(_load(case), None)
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
    out.mkdir(parents=True, exist_ok=True)
    console.print(summarise(c))
    (out / "case.json").write_text(c.model_dump_json(indent=2), encoding="utf-8")
    result = _make_plan(c, None)
    text = plan_text(result)
    console.print(text)
    _emit(text, out / "plan.txt")
    _write_plan(result, Format.json, out / "plan.json")
    mech = [format_force_system(fs) for fs in _force_systems(result)]
    _emit("\n\n".join(mech), out / "mechanics.txt")
    _write_plan(result, Format.html, out / "report.html")
    _write_plan(result, Format.pdf, out / "report.pdf")


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
    meshes: Annotated[
        Path | None,
        typer.Option(
            "--meshes",
            help="Patient tooth meshes: a directory (FDI labels in file names) or a manifest.",
        ),
    ] = None,
) -> None:
    """Inter-radicular distances of the case's dentition (the average one, or the patient's
    meshes with --meshes); with --search, the best insertion per site (ranked) and clearance
    maps."""
    from tadplan.anatomy.meshes import average_dentition
    from tadplan.anatomy.patient import PatientMeshError, load_patient
    from tadplan.anatomy.sites import DEFAULT_HEIGHTS_MM, interradicular_table

    c = _load(case)
    wide = Console(highlight=False, width=max(console.width, 150))
    if meshes is None:
        model = average_dentition(c)
    else:
        try:
            model = load_patient(meshes).model
        except (PatientMeshError, OSError) as exc:
            raise InputError(str(meshes), [Problem("--meshes", str(exc))]) from None
    rows = interradicular_table(model)
    heights = list(DEFAULT_HEIGHTS_MM)
    t = Table(title=f"{c.id}: inter-radicular distance (mm) by height from the alveolar crest")
    t.add_column("site", no_wrap=True)
    for h in heights:
        t.add_column(f"{h:g}", justify="right")
    by_site: dict[str, dict[float, float]] = {}
    for r in rows:
        by_site.setdefault(r.site, {})[r.height_mm] = r.ird_mm
    for label, vals in by_site.items():
        t.add_row(label, *[("-" if vals[h] == float("inf") else f"{vals[h]:.2f}") for h in heights])
    wide.print(t)
    wide.print("'-' = above the apex of a root (no root there); root-to-root minimum distance.")
    if not search:
        return
    from tadplan.anatomy.survey import search_all_sites

    sv = search_all_sites(c, "guided" if guided else "freehand", model=model)
    best = Table(
        title=f"best insertion per site ({sv.n_candidates:,} candidates, "
        f"{'guided' if guided else 'freehand'})"
    )
    for col in (
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
    ):
        best.add_column(col, no_wrap=True)
    for k, ins in enumerate(sv.best, 1):
        s = ins.safety
        best.add_row(
            str(k),
            ins.site.label(),
            s.status,
            f"{s.min_root_clearance_mm:.2f}",
            f"{ins.diameter_mm:g}x{ins.length_mm:g}",
            f"{ins.height_mm:g}",
            f"{ins.mesiodistal_mm:+g}",
            f"{ins.vertical_deg:g}/{ins.horizontal_deg:+g}",
            "-" if s.bone_depth_mm is None else f"{s.bone_depth_mm:.1f}",
            s.soft_tissue or "",
            ",".join(map(str, s.teeth_at_risk)) or "-",
        )
    wide.print(best)
    if out is not None:
        from tadplan.report.site_maps import write_clearance_maps

        paths = write_clearance_maps(sv, out)
        console.print(f"wrote {len(paths)} clearance maps to {out}")


# ----------------------------------------------------------------------------- entry


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: map input errors to exit 2, never print a traceback."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        raise SystemExit(code) from None
    except InputError as exc:
        err_console.print(f"[red]error[/red] in {exc.source}:")
        for p in exc.problems:
            err_console.print(f"  - {p}")
        raise SystemExit(2) from None
    except fdi.ToothNumberError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise SystemExit(2) from None
    except Exception as exc:
        if debug:
            raise
        err_console.print(f"[red]internal error[/red]: {type(exc).__name__}: {exc}")
        err_console.print("run again with --debug for the traceback, and please report it")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
