"""Structured data stays structured: no module splits or regex-matches text that tadplan
formatted (issue 12). Text is produced in the ``text`` modules and the report, and parsed
only where it comes from outside: the user's files and options, the data files, third-party
messages. Every other ``.split``/``.rsplit``/``.partition``/``.rpartition`` or regex call in
``src/tadplan`` must be on the allowlist below, with the reason it reads outside text."""

from __future__ import annotations

import ast
from pathlib import Path

import tadplan

SRC = Path(tadplan.__file__).resolve().parent

STR_METHODS = frozenset(
    {"split", "rsplit", "partition", "rpartition", "startswith", "endswith"}
    | {"removeprefix", "removesuffix"}
)
"""Calls that read text; ``replace`` too when it swaps a computed string (a formatted line),
not a literal character (``kind.value.replace("_", " ")`` formats an enum value)."""
REGEX_METHODS = frozenset({"match", "search", "findall", "finditer", "fullmatch", "sub", "subn"})

"""Mechanics that parse their own text today; the typed Connection fields replace them."""

ALLOWED: dict[tuple[str, str], str] = {
    ("tadplan._yaml", "construct_yaml_int"): "YAML reader: a plain scalar of a user's file",
    ("tadplan.case.model", "parse_segment"): "the user's segment span, e.g. '13-23'",
    ("tadplan.service.actions", "_mesh_file_name"): "the file name of a user's upload, made safe",
    ("tadplan.service.auth", "_bearer"): "the HTTP Authorization header 'Bearer TOKEN'",
    ("tadplan.service.app", "limit_body"): "the request's URL path (is it an upload?)",
    ("tadplan.service.auth", "_csrf_ok"): "the request's Content-Type header",
    ("tadplan.service.auth", "safe_next_url"): "the login form's next URL (kept on this site)",
    ("tadplan.service.db", "include_name"): "table names found in the database (procrastinate's)",
    ("tadplan.service.db", "make_engine"): "the database URL of --db / TADPLAN_DB",
    ("tadplan.service.settings", "normalise_db_url"): "the database URL of --db / TADPLAN_DB",
    ("tadplan.service.settings", "is_sqlite"): "the database URL of --db / TADPLAN_DB",
    ("tadplan.service.web.pages", "_save"): "the posted button's action ('add goal', ...)",
    ("tadplan.service.web.pages", "validate"): "posted form field names 'appliances.N'",
    ("tadplan.service.web.forms", "_set"): "a posted form field's name 'goals.0.kind'",
    ("tadplan.service.web.forms", "_get"): "a posted form field's name 'goals.0.kind'",
    ("tadplan.service.web.forms", "teeth_of"): "teeth the user typed in a form field",
    ("tadplan.service.web.forms", "_tokens"): "a list the user typed in a form field",
    ("tadplan.service.web.forms", "is_segment"): "a segment span the user typed, e.g. '13-23'",
    ("tadplan.service.web.forms", "_items"): "a posted form field's name 'goals.0.kind'",
    ("tadplan.service.web.forms", "_displaced"): "directions the user typed in a form field",
    ("tadplan.service.web.pages", "_case_rows"): "the words of the user's case search",
    ("tadplan.service.web.pages", "_rows"): "posted form field names 'goals.0.kind'",
    ("tadplan.service.web.pages", "_renumber"): "posted form field names 'goals.0.kind'",
    ("tadplan.anatomy.patient", "label_from_name"): "FDI number in the user's mesh file name",
    ("tadplan.cli", "plain"): "escapes control characters of user text before printing",
    ("tadplan.cli", "_listing"): "folds whitespace of a cell onto one output line (formatting)",
    ("tadplan.cli", "_write_stdout"): "ends the output it prints with a newline (formatting)",
    ("tadplan.cli", "_emit"): "ends the output it prints with a newline (formatting)",
    ("tadplan.anatomy.patient", "load_patient"): "the user's mesh file names (bone*, gingiva*)",
    ("tadplan.examples", "example_path"): "the example name the user typed",
    ("tadplan.case.io", "_found"): "pydantic's own message prefix 'Value error, '",
    ("tadplan.knowledge.conditions", "error_reason"): "pydantic's own message prefix",
    ("tadplan.model.citation", "read_tag"): (
        "a data or rule file's detail, which may end in its evidence tag (read once, on loading)"
    ),
}


def _exempt(module: str) -> bool:
    return module.endswith(".text") or module.startswith("tadplan.report")


def _parsing_calls(tree: ast.Module) -> list[tuple[str, int, str]]:
    """(enclosing function, line, call) of every split/partition/regex call."""
    out: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, func: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else func
            )
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                name, owner = child.func.attr, child.func.value
                is_re = isinstance(owner, ast.Name) and owner.id == "re"
                swaps_text = (
                    name == "replace"
                    and not (isinstance(owner, ast.Name) and owner.id == "os")
                    and bool(child.args)
                    and not isinstance(child.args[0], ast.Constant)
                )
                if (
                    name in STR_METHODS
                    or name in REGEX_METHODS
                    or (is_re and name == "split")
                    or swaps_text
                ):
                    out.append((func, child.lineno, ast.unparse(child)[:80]))
            visit(child, inner)

    visit(tree, "<module>")
    return out


def _found() -> dict[tuple[str, str], list[str]]:
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        module = ".".join(("tadplan", *path.relative_to(SRC).with_suffix("").parts))
        module = module.removesuffix(".__init__")
        if _exempt(module):
            continue
        for func, line, call in _parsing_calls(ast.parse(path.read_text(encoding="utf-8"))):
            found.setdefault((module, func), []).append(f"{path.name}:{line}: {call}")
    return found


def test_no_module_parses_text_that_tadplan_formatted() -> None:
    stray = {k: v for k, v in _found().items() if k not in ALLOWED}
    assert not stray, (
        "text parsed back outside the text/report modules (pass the value as a typed field, "
        "or add the function to ALLOWED with the outside input it reads): "
        + "; ".join(f"{m}.{f}: {calls}" for (m, f), calls in stray.items())
    )


def test_the_allowlist_has_no_stale_entries() -> None:
    """An entry whose function no longer parses anything is removed (e.g. after h-stages)."""
    stale = sorted(set(ALLOWED) - set(_found()))
    assert not stale, f"remove from ALLOWED: {stale}"


def test_the_scan_sees_a_split() -> None:
    calls = _parsing_calls(ast.parse("def f(s):\n    return s.split(' (')[0]\n"))
    assert calls == [("f", 2, "s.split(' (')")]


def test_the_scan_sees_a_formatted_line_replaced() -> None:
    src = "def f(lines, was, now):\n    return [x.replace(was, now) for x in lines]\n"
    assert [c[2] for c in _parsing_calls(ast.parse(src))] == ["x.replace(was, now)"]
    assert _parsing_calls(ast.parse("def f(k):\n    return k.replace('_', ' ')\n")) == []
    assert _parsing_calls(ast.parse("def f(s):\n    return s.startswith('a')\n")) != []
