"""Issue 11: user text is printed as plain text (never Rich markup, no raw control characters),
output files are written whole or not at all, and ordinary output-path mistakes are exit 2
with their own message. The console script runs as a subprocess (stdout piped)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tadplan import _files, cli
from tadplan.examples import example_path

EXE = Path(sys.executable).with_name("tadplan")
MARKUP = "[/bold] x [link=https://example.invalid]click[/link] [red]"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [str(EXE), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def demo_with(tmp_path: Path, name: str = "case.json", **changes: object) -> Path:
    """The demo case with top-level fields changed, written as JSON (control characters stay
    escaped in the file)."""
    data = yaml.safe_load(example_path("demo").read_text(encoding="utf-8"))
    data.update(changes)
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- markup


def test_markup_in_title_and_goal_id_is_shown_literally(tmp_path: Path) -> None:
    data = yaml.safe_load(example_path("demo").read_text(encoding="utf-8"))
    data["goals"][0]["id"] = "[/x]"
    case = demo_with(tmp_path, title=MARKUP, goals=data["goals"])
    r = run("validate", str(case))
    assert r.returncode == 0, r.stderr
    assert MARKUP in r.stdout and "goal [/x]:" in r.stdout
    r = run("plan", str(case))
    assert r.returncode == 0, r.stderr
    assert MARKUP in r.stdout and "Goal [/x]:" in r.stdout


def test_markup_on_a_terminal_table_is_shown_literally(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    case = cli.load_case(example_path("demo")).model_copy(update={"title": MARKUP})
    cli._print_summary(case)
    out = " ".join(capsys.readouterr().out.split())
    assert "[/bold] x [link=https://example.invalid]click[/link] [red]" in out
    assert "\x1b]8;" not in out  # no terminal hyperlink


def test_markup_in_a_refused_value_and_an_example_name(tmp_path: Path) -> None:
    r = run("validate", str(demo_with(tmp_path, id="[/x]")))
    assert r.returncode == 2, r.stdout + r.stderr
    assert "id" in r.stderr and "Traceback" not in r.stderr
    r = run("examples", "[/x]")
    assert r.returncode == 2 and "[/x]" in r.stderr and "Traceback" not in r.stderr


def test_markup_in_an_output_path(tmp_path: Path) -> None:
    r = run("plan", str(example_path("demo")), "-o", "[red]plan[bold].txt", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "wrote [red]plan[bold].txt" in r.stderr
    assert (tmp_path / "[red]plan[bold].txt").read_text().startswith("tadplan ")
    # "[/x].txt" is the file x].txt in the directory "[", which does not exist
    r = run("plan", str(example_path("demo")), "-o", "[/x].txt", cwd=tmp_path)
    assert r.returncode == 2 and "does not exist" in r.stderr and "Traceback" not in r.stderr


def test_internal_error_message_with_markup_and_escapes(monkeypatch, capsys) -> None:
    def boom(*_a: object) -> None:
        raise RuntimeError("[/bold] broken \x1b[2J\x07")

    monkeypatch.setattr(cli, "_make_plan", boom)
    with pytest.raises(SystemExit) as exc:
        cli.main(["plan", str(example_path("demo"))])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: [/bold] broken \\x1b[2J\\x07" in err
    assert "\x1b" not in err and "\x07" not in err


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    case = demo_with(tmp_path, title="bell\x07 esc\x1b[31mred cr\rline rtl\u202eevil")
    for cmd in ("validate", "plan"):
        r = run(cmd, str(case))
        assert r.returncode == 0, r.stderr
        assert not any(c in r.stdout for c in "\x07\x1b\r\u202e"), cmd
        assert "bell\\x07 esc\\x1b[31mred cr\\x0dline rtl\\u202eevil" in r.stdout, cmd


def test_plain_keeps_newlines_tabs_and_unicode() -> None:
    assert cli.plain("a\tb\nÜ ±2 mm → 16") == "a\tb\nÜ ±2 mm → 16"
    assert cli.plain("\x1b\x9b\x7f") == "\\x1b\\x9b\\x7f"


# ----------------------------------------------------------------------------- output files


def test_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"%PDF previous good report")

    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_files.os, "fsync", disk_full)
    with pytest.raises(OSError):
        _files.write_atomic(out, b"%PDF new" * 1000)
    assert out.read_bytes() == b"%PDF previous good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # no temporary file left


def test_write_reports_a_replaced_file_and_keeps_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "plan.txt"
    r = run("plan", str(example_path("demo")), "-o", str(out))
    assert r.returncode == 0 and "replaced the existing file" not in r.stderr, r.stderr
    out.chmod(0o640)
    r = run("plan", str(example_path("demo")), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "replaced the existing file" in r.stderr
    assert out.read_text().startswith("tadplan ") and (out.stat().st_mode & 0o777) == 0o640
    assert r.stdout == ""  # status lines go to stderr: stdout stays clean for pipes


def test_out_equal_to_the_input_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    text = example_path("demo").read_text(encoding="utf-8")
    case.write_text(text, encoding="utf-8")
    for fmt in ("text", "json"):
        r = run("plan", str(case), "-f", fmt, "-o", str(tmp_path / "." / "case.yaml"))
        assert r.returncode == 2, r.stdout + r.stderr
        assert "is the input file" in r.stderr
    assert case.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["plan", "{demo}", "-f", "html", "-o", "{tmp}/no/such/dir/r.html"], "does not exist"),
        (["plan", "{demo}", "-o", "{tmp}"], "is a directory"),
        (["plan", "{demo}", "-o", "{tmp}/file.txt/r.txt"], "is not a directory"),
        (["sites", "{demo}", "--search", "--out", "{tmp}/file.txt"], "is a file, not a directory"),
        (["demo", "--out", "{tmp}/file.txt"], "is a file, not a directory"),
        (["sites", "{demo}", "--out", "{tmp}/maps"], "add --search"),
    ],
)
def test_ordinary_output_path_mistakes_are_exit_2(
    tmp_path: Path, args: list[str], expected: str
) -> None:
    (tmp_path / "file.txt").write_text("keep")
    demo = str(example_path("demo"))
    r = run(*(a.format(demo=demo, tmp=tmp_path) for a in args))
    assert r.returncode == 2, r.stdout + r.stderr
    assert expected in r.stderr and "--out" in r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "file.txt").read_text() == "keep"


def test_json_on_stdout_stays_valid_and_exact_with_control_characters(tmp_path: Path) -> None:
    title = "del\x7f nel\x85 rtl\u202e esc\x1b bell\x07"
    r = run("plan", str(demo_with(tmp_path, title=title)), "-f", "json")
    assert r.returncode == 0, r.stderr
    assert not any(c in r.stdout for c in "\x7f\x85\u202e\x1b\x07")
    assert json.loads(r.stdout)["case"]["title"] == title
