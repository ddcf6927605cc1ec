"""No god functions (issue 12): every function of ``src/tadplan`` is at most
:data:`MAX_LINES` lines (``def`` to its last line, decorators not counted) unless a
``# long: <reason>`` comment says why, on the line before its ``def`` (or its decorators)
or on its first line."""

from __future__ import annotations

import ast
from pathlib import Path

import tadplan

SRC = Path(tadplan.__file__).resolve().parent
MAX_LINES = 80
MARK = "# long:"


def _has_reason(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A ``# long: reason`` (with a reason) before the function or on its ``def`` line."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    candidates = [lines[node.lineno - 1]]
    if first >= 2:
        candidates.append(lines[first - 2])
    for text in candidates:
        at = text.find(MARK)
        if at >= 0 and text[at + len(MARK) :].strip():
            return True
    return False


def long_functions(path: Path, root: Path = SRC.parent) -> list[str]:
    """``file:line name (n lines)`` (file relative to ``root``) of every function over the
    limit without a reason."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        assert node.end_lineno is not None
        n = node.end_lineno - node.lineno + 1
        if n > MAX_LINES and not _has_reason(lines, node):
            out.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({n} lines)")
    return out


def test_no_function_over_80_lines_without_a_reason() -> None:
    offenders = [f for path in sorted(SRC.rglob("*.py")) for f in long_functions(path)]
    assert not offenders, (
        f"functions over {MAX_LINES} lines: split them, or write '{MARK} <reason>' on the "
        "line before the def:\n  " + "\n  ".join(offenders)
    )


def test_the_scan_finds_a_long_function_and_honours_a_reason(tmp_path: Path) -> None:
    body = "".join(f"    x{k} = {k}\n" for k in range(MAX_LINES))
    plain = tmp_path / "tadplan_plain.py"
    plain.write_text(f"def big():\n{body}\n\ndef small():\n    return 1\n", encoding="utf-8")
    marked = tmp_path / "tadplan_marked.py"
    marked.write_text(
        f"# long: one numba kernel\n@decorator\ndef big():\n{body}"
        f"\n\n# long:\ndef big_without_reason():\n{body}",
        encoding="utf-8",
    )
    assert long_functions(plain, tmp_path) == ["tadplan_plain.py:1 big (81 lines)"]
    assert long_functions(marked, tmp_path) == [
        f"tadplan_marked.py:{MAX_LINES + 7} big_without_reason (81 lines)"
    ]
