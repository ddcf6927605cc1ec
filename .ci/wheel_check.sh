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
trap 'exit 1' INT TERM

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
for name in $names; do
  "$tadplan" examples "$name" > "$name.yaml"
done
# every example: planned once, written in the four formats (in-process: a process per format
# would plan each example four times); the CLI itself is run on two of them below
"$py" "$src/.ci/wheel_examples.py" out $names

# the remaining commands a user meets first
"$tadplan" demo --out demo > /dev/null 2>&1
for f in case.json plan.txt plan.json mechanics.txt report.html report.pdf; do test -s "demo/$f"; done
for fmt in text json html pdf; do
  "$tadplan" plan 05_anterior_retraction_deep_bite.yaml --format "$fmt" --out "cli.$fmt" 2>/dev/null
  test -s "cli.$fmt"
done
"$tadplan" sites "demo.yaml" --search --json > sites.json
"$py" -c "import json; d = json.load(open('sites.json')); assert d['search']['best']"
"$tadplan" rules --json > rules.json
"$tadplan" validate demo.yaml > /dev/null
# the clinic service from the installed package: its migrations ship inside it
echo "wheel check secret" | "$tadplan" user add --clinic Wheel --email w@example.org \
  --role admin --password-stdin --db "sqlite:///$work/service.db" 2>/dev/null
"$py" - "$work/service.db" "$tadplan" <<'PY'
import json
import socket
import subprocess
import sys
import time
import urllib.request

with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
url = f"http://127.0.0.1:{port}"
server = subprocess.Popen(
    [sys.argv[2], "serve", "--db", f"sqlite:///{sys.argv[1]}", "--port", str(port)],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
)


def call(path, data=None, headers=None):
    req = urllib.request.Request(url + path, data=data, headers=headers or {})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, json.loads(r.read())


try:
    for _ in range(300):
        try:
            assert call("/health")[1]["status"] == "ok"
            break
        except OSError:
            time.sleep(0.2)
    login = json.dumps({"email": "w@example.org", "password": "wheel check secret"}).encode()
    token = call("/api/auth/token", login, {"content-type": "application/json"})[1]["token"]
    h = {"Authorization": f"Bearer {token}"}
    status, case = call("/api/cases/import", open("demo.yaml", "rb").read(), h)
    assert status == 201, case
    status, pv = call(f"/api/cases/{case['id']}/plans", b"", h)
    assert status == 201 and pv["number"] == 1, pv
finally:
    server.terminate()
    server.wait(60)
print("wheel check: clinic service migrated, case imported and planned")
PY
echo "wheel check: passed"
