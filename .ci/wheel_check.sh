#!/usr/bin/env bash
# The install a user makes: build the wheel, install it WITHOUT extras into a fresh venv, and
# from that install (outside the source tree) plan and render every bundled example as text,
# JSON, HTML and PDF. Fails on any missing runtime dependency or package file.
#   .ci/wheel_check.sh            (PYTHON=python3.12 .ci/wheel_check.sh for another interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
PYTHON=${PYTHON:-python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/tadplan-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "wheel check: building the wheel"
"$PYTHON" -m pip wheel --no-deps --quiet --wheel-dir "$work/dist" "$src"
wheel=$(ls "$work"/dist/tadplan-*.whl)
echo "wheel check: installing $(basename "$wheel") into a fresh venv (no extras)"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --upgrade pip
"$work/venv/bin/python" -m pip install --quiet "$wheel"

# only the installed package may be importable: no PYTHONPATH, not in the source tree
unset PYTHONPATH
cd "$work"
py=$work/venv/bin/python
tadplan=$work/venv/bin/tadplan
"$py" - "$src" <<'PY'
import sys
from pathlib import Path

import tadplan
from tadplan.report.canvas import font_paths

where = Path(tadplan.__file__).resolve()
assert Path(sys.argv[1]).resolve() not in where.parents, f"imported from the source tree: {where}"
for f in font_paths():
    assert Path(f).is_file(), f"font not installed: {f}"
assert (Path(font_paths()[0]).parent / "LICENSE").is_file(), "font licence not installed"
print(f"wheel check: tadplan {tadplan.__version__} from {where.parent}")
PY

mkdir -p out
names=$("$tadplan" examples)
n=0
for name in $names; do
  "$tadplan" examples "$name" > "$name.yaml"
  "$tadplan" plan "$name.yaml" --format text --out "out/$name.txt" 2>/dev/null
  "$tadplan" plan "$name.yaml" --format json --out "out/$name.json" 2>/dev/null
  "$tadplan" plan "$name.yaml" --format html --out "out/$name.html" 2>/dev/null
  "$tadplan" plan "$name.yaml" --format pdf --out "out/$name.pdf" 2>/dev/null
  n=$((n + 1))
done
"$py" - out $names <<'PY'
import json
import sys
from pathlib import Path

from tadplan.planner.model import Plan

out, names = Path(sys.argv[1]), sys.argv[2:]
for name in names:
    text = (out / f"{name}.txt").read_text(encoding="utf-8")
    assert text.startswith("tadplan ") and "Sources:" in text, f"{name}: text plan"
    Plan.model_validate(json.loads((out / f"{name}.json").read_text(encoding="utf-8")))
    html = (out / f"{name}.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "</html>" in html, f"{name}: html"
    pdf = (out / f"{name}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-1024:], f"{name}: pdf"
print(f"wheel check: {len(names)} examples planned and rendered (text, json, html, pdf)")
PY
test "$n" -ge 20 || { echo "wheel check: only $n examples listed" >&2; exit 1; }

# the remaining commands a user meets first
"$tadplan" demo --out demo > /dev/null 2>&1
test -s demo/report.pdf
"$tadplan" sites "demo.yaml" --search --json > sites.json
"$py" -c "import json; d = json.load(open('sites.json')); assert d['search']['best']"
"$tadplan" rules --json > rules.json
"$tadplan" validate demo.yaml > /dev/null
echo "wheel check: passed"
