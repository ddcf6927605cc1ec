"""Cold-start times of ``tadplan plan`` per bundled example (not a test: run by hand).

    .venv/bin/python benchmarks/cold_start.py [--only NAME ...]

For every example, three fresh processes and one warm call:

- ``cold``: ``tadplan plan`` in a fresh process with an empty cache directory
  (``TADPLAN_CACHE_DIR`` and ``NUMBA_CACHE_DIR`` new and empty): numba compiles its kernels
  and the average dentition's distance grids are built. This is the no-disk-cache baseline:
  what every run cost before the caches were kept on disk.
- ``cached``: ``tadplan plan`` in a fresh process again, with the cache the cold run left
  (best of two runs).
- ``numba only``: the no-disk-cache baseline: a fresh process with numba's kernels cached
  but tadplan's own disk cache (distance grids, insertions) deleted: what every run cost
  before, numba's kernels being cached next to the sources then.
- ``warm``: planning the example a second time inside one process.

Python may write bytecode (``PYTHONDONTWRITEBYTECODE`` is dropped for the runs): after
``pip install`` tadplan's modules are compiled, and compiling them from source on every
start would time the compiler.

Times are wall-clock seconds of the whole command (interpreter start, imports, reading the
case, planning, writing the JSON) and, in brackets, its CPU seconds (user + system, which a
loaded machine disturbs less). ``ratios`` are cold / cached and numba only / cached.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _warm(name: str) -> None:
    """Worker: plan ``name`` twice in this process; print the second time (JSON)."""
    from tadplan.examples import load_example
    from tadplan.planner import plan

    case = load_example(name)
    plan(case)
    t0 = time.perf_counter()
    c0 = time.process_time()
    plan(case)
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", help="examples to time (default: all)")
    ap.add_argument(
        "--cached-only",
        action="store_true",
        help="one cache shared by all examples (as a user's): time each example's first run "
        "and its runs after it, not the empty-cache baselines (a few minutes for all examples)",
    )
    ap.add_argument("--warm-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.warm_worker:
        _warm(args.warm_worker)
        return

    from tadplan.examples import example_paths

    paths = example_paths()
    names = args.only or sorted(paths)
    if args.cached_only:
        _cached_only(paths, names)
        _import_model()
        return
    print(
        f"{'example':<36} {'cold s':>13} {'numba only s':>13} {'cached s':>13} {'warm s':>13}"
        f" {'ratios':>10}",
        flush=True,
    )
    worst = 0.0
    cold_all, cached_all, nogrid_all = [], [], []
    for name in names:
        with tempfile.TemporaryDirectory(prefix="tadplan-cold-") as tmp:
            env = {
                **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
                "TADPLAN_CACHE_DIR": str(Path(tmp) / "cache"),
                "NUMBA_CACHE_DIR": str(Path(tmp) / "cache" / "numba"),
            }
            out = str(Path(tmp) / "plan.json")
            cmd = [sys.executable, "-m", "tadplan.cli", "plan", str(paths[name]), "-f", "json"]
            cmd += ["-o", out]
            cold = _run(cmd, env)
            cached = min(_run(cmd, env), _run(cmd, env))
            for kind in ("root_fields", "insertion"):
                shutil.rmtree(Path(tmp) / "cache" / kind, ignore_errors=True)
            no_grids = _run(cmd, env)
            w = subprocess.run(
                [sys.executable, __file__, "--warm-worker", name],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            warm = json.loads(w.stdout.strip().splitlines()[-1])
        worst = max(worst, cached[0])
        cold_all.append(cold[0])
        cached_all.append(cached[0])
        nogrid_all.append(no_grids[0])
        print(
            f"{name[:36]:<36} {cold[0]:6.2f} ({cold[1]:4.1f})"
            f" {no_grids[0]:6.2f} ({no_grids[1]:4.1f}) {cached[0]:6.2f} ({cached[1]:4.1f})"
            f" {warm['wall']:6.3f} ({warm['cpu']:4.2f})"
            f" {cold[0] / cached[0]:4.1f} {no_grids[0] / cached[0]:4.1f}",
            flush=True,
        )
    n = len(names)
    print(
        f"mean cold {sum(cold_all) / n:.2f} s, numba only {sum(nogrid_all) / n:.2f} s, "
        f"cached {sum(cached_all) / n:.2f} s; "
        f"slowest cached {worst:.2f} s ({'under' if worst < 1.0 else 'NOT under'} 1 s)"
    )
    _import_model()


def _cached_only(paths: dict[str, Path], names: list[str]) -> None:
    """Every example in one user cache: its first run, then the best of two runs after it."""
    print(f"{'example':<36} {'first s':>13} {'after s':>13} {'ratio':>6}", flush=True)
    firsts, afters = [], []
    with tempfile.TemporaryDirectory(prefix="tadplan-cold-") as tmp:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "TADPLAN_CACHE_DIR": str(Path(tmp) / "cache"),
            "NUMBA_CACHE_DIR": str(Path(tmp) / "cache" / "numba"),
        }
        for name in names:
            cmd = [sys.executable, "-m", "tadplan.cli", "plan", str(paths[name]), "-f", "json"]
            cmd += ["-o", str(Path(tmp) / "plan.json")]
            first = _run(cmd, env)
            after = min(_run(cmd, env), _run(cmd, env))
            firsts.append(first[0])
            afters.append(after)
            print(
                f"{name[:36]:<36} {first[0]:6.2f} ({first[1]:4.1f})"
                f" {after[0]:6.2f} ({after[1]:4.1f}) {first[0] / after[0]:6.1f}",
                flush=True,
            )
    walls = sorted(a[0] for a in afters)
    worst = walls[-1]
    print(
        f"after the first run: median {walls[len(walls) // 2]:.2f} s, slowest {worst:.2f} s "
        f"({'under' if worst < 1.0 else 'NOT under'} 1 s), max CPU "
        f"{max(a[1] for a in afters):.2f} s"
    )


def _import_model() -> None:
    """``import tadplan.model`` in a fresh process (best of five; the goal is under 0.2 s)."""
    probe = (
        "import time; t = time.perf_counter(); import tadplan.model; print(time.perf_counter() - t)"
    )
    runs = []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            [sys.executable, "-c", probe], check=True, capture_output=True, text=True
        ).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append((float(out), cpu))
    wall, cpu = min(runs)
    print(f"import tadplan.model: {wall:.3f} s ({cpu:.2f} s CPU of the whole process), best of 5")


if __name__ == "__main__":
    main()
