"""One error hierarchy (tadplan.errors): every error tadplan raises on purpose is a
TadplanError of one category, the CLI turns the categories into exit codes in one place,
and no module swallows every exception."""

from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import pkgutil
from pathlib import Path

import pytest

import tadplan
from tadplan import cli
from tadplan.case import CaseError, Problem
from tadplan.case.fdi import ToothNumberError
from tadplan.errors import ComputationError, DataError, InputError, TadplanError
from tadplan.mechanics.data import MechanicsDataError
from tadplan.mechanics.geometry import GeometryError

SRC = Path(tadplan.__file__).parent
CATEGORIES = (InputError, DataError, ComputationError)
INSIDE_VALIDATORS = frozenset({"tadplan.errors.FieldErrors"})
"""Raised only inside pydantic validators, which wrap it in a ValidationError that its
reader turns into a hierarchy error: never raised to a caller."""


def _error_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a tadplan module, by qualified name."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages([str(SRC)], "tadplan."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found[f"{module.__name__}.{name}"] = obj
    return found


def test_every_error_class_is_a_tadplan_error_of_one_category() -> None:
    classes = _error_classes()
    # the classes the hierarchy documents are all found (the walk is not vacuous)
    assert {
        "tadplan.case.io.CaseError",
        "tadplan.case.fdi.ToothNumberError",
        "tadplan._yaml.UserFileError",
        "tadplan.anatomy.cbct.CBCTError",
        "tadplan.anatomy.patient.PatientMeshError",
        "tadplan.knowledge.loader.KnowledgeError",
        "tadplan.mechanics.system.MechanicsError",
        "tadplan.mechanics.geometry.GeometryError",
    } <= set(classes)
    for name, cls in classes.items():
        if name in INSIDE_VALIDATORS:
            assert issubclass(cls, ValueError) and not issubclass(cls, TadplanError), name
            continue
        assert issubclass(cls, TadplanError), name
        if cls not in (TadplanError, *CATEGORIES):
            assert sum(issubclass(cls, c) for c in CATEGORIES) == 1, name
            # callers that caught ValueError before the hierarchy still do
            assert issubclass(cls, ValueError), name


def test_every_error_class_is_documented_in_the_hierarchy() -> None:
    import tadplan.errors

    doc = tadplan.errors.__doc__ or ""
    for name in _error_classes():
        short = name.rsplit(".", 1)[1]
        if not short.startswith("_"):
            assert short in doc, f"{name} is missing from the tree in tadplan/errors.py"


def test_input_error_names_source_and_fields() -> None:
    e = InputError.listing("case.yaml", [Problem("goals.0.kind", "unknown"), Problem("", "x")])
    assert e.source == "case.yaml" and len(e.problems) == 2
    assert str(e) == "case.yaml: 2 problem(s)\n  - goals.0.kind: unknown\n  - x"
    one = ToothNumberError("99 is not an FDI tooth number")
    assert one.source == "" and one.problems == [Problem("", "99 is not an FDI tooth number")]
    assert isinstance(CaseError.listing("c.yaml", []), InputError)


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    code: object = 0
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            cli.main(argv)
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), err.getvalue()


@pytest.mark.parametrize(
    ("error", "code", "expected"),
    [
        (
            CaseError.listing("case.yaml", [Problem("goals.0.amount_mm", "must be > 0")]),
            2,
            ["error in case.yaml:", "  - goals.0.amount_mm: must be > 0"],
        ),
        (ToothNumberError("19 is not an FDI tooth number"), 2, ["error: 19 is not an FDI"]),
        (
            MechanicsDataError("modules.yaml: chain.decay: missing"),
            1,
            ["internal error: MechanicsDataError: modules.yaml: chain.decay: missing", "--debug"],
        ),
        (
            GeometryError("zero-length direction"),
            1,
            ["internal error: GeometryError: zero-length direction", "--debug"],
        ),
        (KeyError("defect"), 1, ["internal error: KeyError: 'defect'"]),
    ],
)
def test_cli_maps_each_category_to_its_exit_code(
    monkeypatch: pytest.MonkeyPatch, error: Exception, code: int, expected: list[str]
) -> None:
    def fail(path: Path) -> None:
        raise error

    monkeypatch.setattr(cli, "load_case", fail)
    got, err = _run(["validate", "case.yaml"])
    assert got == code, err
    for fragment in expected:
        assert fragment in err, err
    assert "Traceback" not in err


def test_cli_debug_reraises_a_defect(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: Path) -> None:
        raise GeometryError("zero-length direction")

    monkeypatch.setattr(cli, "load_case", fail)
    with pytest.raises(GeometryError):
        cli.main(["--debug", "validate", "case.yaml"])


def test_a_bad_rules_directory_is_the_users_data_error_exit_2(tmp_path: Path) -> None:
    # a DataError is tadplan's defect unless the CLI knows the file is the user's (--rules)
    case = tmp_path / "case.yaml"
    case.write_text((SRC / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    got, err = _run(["plan", str(case), "--rules", str(tmp_path / "none")])
    assert got == 2, err
    assert f"error in {tmp_path / 'none'}:" in err and "not a directory of rule files" in err


def _catch_alls(tree: ast.AST) -> list[ast.ExceptHandler]:
    """Handlers of every exception (bare, ``Exception``, ``BaseException``) that do not end
    in a bare ``raise`` (cleaning up and re-raising is not swallowing)."""
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ExceptHandler):
            continue
        names = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
        broad = node.type is None or any(
            isinstance(n, ast.Name) and n.id in ("Exception", "BaseException") for n in names
        )
        reraises = isinstance(node.body[-1], ast.Raise) and node.body[-1].exc is None
        if broad and not reraises:
            out.append(node)
    return out


def test_no_catch_all_outside_the_cli_entry() -> None:
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        handlers = _catch_alls(tree)
        if path == SRC / "cli.py":
            main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
            allowed = _catch_alls(main)
            assert len(allowed) == 1, "cli.main has exactly one catch-all"
            handlers = [h for h in handlers if h not in allowed]
        offenders += [f"{path.relative_to(SRC)}:{h.lineno}" for h in handlers]
    assert not offenders, offenders


def test_the_catch_all_finder_finds_one() -> None:
    swallow = ast.parse("try:\n    f()\nexcept Exception:\n    pass\n")
    bare = ast.parse("try:\n    f()\nexcept:\n    g()\n")
    cleanup = ast.parse("try:\n    f()\nexcept BaseException:\n    g()\n    raise\n")
    narrow = ast.parse("try:\n    f()\nexcept (KeyError, OSError):\n    pass\n")
    assert [len(_catch_alls(t)) for t in (swallow, bare, cleanup, narrow)] == [1, 1, 0, 0]


def test_a_validator_names_its_field_as_a_path_not_in_its_message() -> None:
    """A validator's FieldErrors reaches the reader of the ValidationError as (path, reason)
    pairs: a reason that itself reads 'word: text' is not split into another field."""
    from pydantic import BaseModel, ValidationError, model_validator

    from tadplan.errors import FieldErrors, field_errors

    class M(BaseModel):
        a: int

        @model_validator(mode="after")
        def _check(self) -> M:
            raise FieldErrors([(("a",), "note: not 3"), (("b", 0), "twice")])

    with pytest.raises(ValidationError) as exc:
        M(a=1)
    (err,) = exc.value.errors(include_url=False)
    assert field_errors(err) == ((("a",), "note: not 3"), (("b", 0), "twice"))
    assert [str(Problem.at(p, r)) for p, r in field_errors(err)] == ["a: note: not 3", "b.0: twice"]
