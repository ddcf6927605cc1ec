"""The caches: values derived from a frozen object built once under threads; arrays on disk
keyed by version and inputs, written atomically, a corrupt file rebuilt."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import tadplan._cache as cache
from tadplan._cache import Derived, cached_arrays, input_key, load_arrays, save_arrays


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "cache"
    monkeypatch.setenv("TADPLAN_CACHE_DIR", str(d))
    return d


def test_tests_never_write_the_real_user_cache() -> None:
    real = Path.home() / ".cache" / "tadplan"
    assert cache.user_cache_dir() != real
    assert Path(os.environ["TADPLAN_CACHE_DIR"]) == cache.user_cache_dir()


def test_user_cache_dir_follows_xdg_without_the_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TADPLAN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert cache.user_cache_dir() == tmp_path / "tadplan"


# ----------------------------------------------------------------------------- in memory


def test_a_derived_value_is_built_once_by_eight_threads_at_once() -> None:
    d = Derived()
    calls = []
    start = threading.Barrier(8)

    def build() -> object:
        calls.append(1)
        time.sleep(0.05)  # long enough for the other threads to arrive meanwhile
        return object()

    def get(_: int) -> object:
        start.wait()
        return d.get("k", build)

    with ThreadPoolExecutor(8) as pool:
        values = list(pool.map(get, range(8)))
    assert len(calls) == 1
    assert all(v is values[0] for v in values)


def test_a_slow_key_does_not_hold_up_another() -> None:
    d = Derived()
    started = threading.Event()
    release = threading.Event()

    def slow() -> int:
        started.set()
        release.wait(5)
        return 1

    with ThreadPoolExecutor(2) as pool:
        fut = pool.submit(d.get, "slow", slow)
        started.wait(5)
        assert d.get("fast", lambda: 2) == 2  # not blocked by the build of "slow"
        release.set()
        assert fut.result() == 1


def test_a_failed_build_is_not_kept_and_is_tried_again() -> None:
    d = Derived()

    def boom() -> int:
        raise ValueError("no")

    with pytest.raises(ValueError):
        d.get("k", boom)
    assert d.get("k", lambda: 3) == 3


def test_the_least_recently_used_value_goes_first() -> None:
    d = Derived(maxsize=2)
    d.get("a", lambda: 1)
    d.get("b", lambda: 2)
    d.get("a", lambda: -1)  # a is used again: b is now the oldest
    d.get("c", lambda: 3)
    assert len(d) == 2
    assert d.get("a", lambda: -1) == 1
    assert d.get("b", lambda: 20) == 20  # rebuilt


def test_the_dentition_model_keeps_its_derived_geometry() -> None:
    from tadplan.anatomy import safety
    from tadplan.anatomy.search import _fcl_tooth
    from tadplan.anatomy.sites import _trimesh

    model = safety.dentition_model(None)
    assert safety.dentition_model(None) is model  # one model per tooth set
    mesh = model.meshes[16]
    assert _trimesh(mesh) is _trimesh(mesh)
    assert _fcl_tooth(model, 16) is _fcl_tooth(model, 16)
    assert safety._fields_for(model, (15, 16)) is safety._fields_for(model, (15, 16))


# ----------------------------------------------------------------------------- on disk


def test_the_key_changes_with_the_version_and_with_every_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a = np.arange(6.0).reshape(2, 3)
    k = input_key("grid", a, 0.35)
    assert input_key("grid", a.copy(), 0.35) == k  # by value, not by object
    assert input_key("grid", a + 1e-9, 0.35) != k
    assert input_key("grid", a.reshape(3, 2), 0.35) != k
    assert input_key("grid", a.astype(np.float32), 0.35) != k
    assert input_key("grid", a, 0.3) != k
    monkeypatch.setattr(cache, "__version__", "999.0")
    assert input_key("grid", a, 0.35) != k


def test_arrays_round_trip_and_leave_no_temporary_file(cache_dir: Path) -> None:
    arrays = {"flat": np.linspace(0, 1, 7, dtype=np.float32), "h": np.asarray(0.35)}
    assert save_arrays("t", "k1", arrays)
    got = load_arrays("t", "k1", ("flat", "h"))
    assert got is not None
    assert got["flat"].dtype == np.float32 and np.array_equal(got["flat"], arrays["flat"])
    assert float(got["h"]) == 0.35
    assert [p.name for p in (cache_dir / "t").iterdir()] == ["k1.npz"]


def test_an_interrupted_write_keeps_the_previous_file_and_no_temporary_one(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_arrays("t", "k", {"a": np.arange(3)})

    def killed(src: str, dst: str) -> None:
        raise KeyboardInterrupt  # the process dies between writing and renaming

    with monkeypatch.context() as m, pytest.raises(KeyboardInterrupt):
        m.setattr(os, "replace", killed)
        save_arrays("t", "k", {"a": np.arange(5)})
    got = load_arrays("t", "k", ("a",))
    assert got is not None and np.array_equal(got["a"], np.arange(3))
    assert [p.name for p in (cache_dir / "t").iterdir()] == ["k.npz"]


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TADPLAN_CACHE_DIR", str(blocker))
    assert not save_arrays("t", "k", {"a": np.arange(3)})
    got = cached_arrays("t", "k", ("a",), lambda: {"a": np.arange(4)})
    assert np.array_equal(got["a"], np.arange(4))


def test_processes_writing_the_same_key_at_once_leave_one_whole_file(cache_dir: Path) -> None:
    script = (
        "import numpy as np, sys\n"
        "from tadplan._cache import save_arrays\n"
        "a = np.full(400_000, float(sys.argv[1]))\n"
        "for _ in range(5):\n"
        "    assert save_arrays('t', 'same', {'a': a})\n"
    )
    env = {**os.environ, "TADPLAN_CACHE_DIR": str(cache_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", script, str(i)], env=env) for i in range(4)]
    assert all(p.wait(120) == 0 for p in procs)
    got = load_arrays("t", "same", ("a",))
    assert got is not None and len(got["a"]) == 400_000
    assert len(set(got["a"].tolist())) == 1  # one writer's whole array, not a mix
    assert [p.name for p in (cache_dir / "t").iterdir()] == ["same.npz"]


@pytest.mark.parametrize(
    "damage",
    [b"", b"garbage, not a zip file", b"PK\x03\x04\x14\x00 truncated"],
    ids=["empty", "garbage", "truncated"],
)
def test_a_corrupt_file_is_ignored_and_rebuilt(cache_dir: Path, damage: bytes) -> None:
    save_arrays("t", "k", {"a": np.arange(3)})
    path = cache_dir / "t" / "k.npz"
    path.write_bytes(damage)
    assert load_arrays("t", "k", ("a",)) is None
    got = cached_arrays("t", "k", ("a",), lambda: {"a": np.arange(3)})
    assert np.array_equal(got["a"], np.arange(3))
    again = load_arrays("t", "k", ("a",))  # the rebuilt arrays were saved over it
    assert again is not None and np.array_equal(again["a"], np.arange(3))


def test_a_file_without_the_expected_arrays_is_rebuilt(cache_dir: Path) -> None:
    save_arrays("t", "k", {"other": np.arange(3)})
    assert load_arrays("t", "k", ("a",)) is None


def test_root_distance_grids_are_read_back_from_disk_equal_to_a_fresh_build(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tadplan.anatomy import safety, search
    from tadplan.anatomy.meshes import average_dentition

    model = average_dentition(teeth=(14, 15, 16), resolution="coarse")
    built = safety.root_fields_cached(model, (15, 16))
    files = list((cache_dir / "root_fields").iterdir())
    assert len(files) == 1

    def no_build(*a: object, **k: object) -> None:
        raise AssertionError("rebuilt although the grids are on disk")

    with monkeypatch.context() as m:
        m.setattr(search, "build_root_fields", no_build)
        m.setattr(safety, "build_root_fields", no_build)
        read = safety.root_fields_cached(model, (15, 16))
    for name in ("flat", "offset", "shape", "lo", "hi", "owner"):
        assert np.array_equal(getattr(read, name), getattr(built, name)), name
    assert (read.h, read.band_mm) == (built.h, built.band_mm)
    pts = np.array([[x, 0.0, 8.0] for x in np.linspace(-30, 30, 13)])
    assert np.array_equal(
        read.distance(pts, read.parts_of([15, 16])), built.distance(pts, built.parts_of([15, 16]))
    )
    # another tooth set, another version: other files
    safety.root_fields_cached(model, (14, 15))
    monkeypatch.setattr(cache, "__version__", "999.0")
    safety.root_fields_cached(model, (15, 16))
    assert len(list((cache_dir / "root_fields").iterdir())) == 3


def test_numba_kernels_are_cached_in_the_tadplan_cache_dir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    env["TADPLAN_CACHE_DIR"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", "import os, tadplan.anatomy; print(os.environ['NUMBA_CACHE_DIR'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(out) == tmp_path / "numba"
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "mine")  # the user's own setting wins
    out = subprocess.run(
        [sys.executable, "-c", "import os, tadplan.anatomy; print(os.environ['NUMBA_CACHE_DIR'])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(out) == tmp_path / "mine"


def test_the_source_digest_follows_the_code() -> None:
    d = cache.source_digest("tadplan.anatomy.distance_grid")
    assert d == cache.source_digest("tadplan.anatomy.distance_grid")
    assert d != cache.source_digest("tadplan.anatomy.search")
    assert d != cache.source_digest("tadplan.anatomy.distance_grid", "tadplan.anatomy.search")


def test_a_plan_from_the_disk_cache_is_the_plan_computed(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tadplan.anatomy import safety
    from tadplan.examples import load_example
    from tadplan.planner import plan

    def fresh_process() -> None:
        monkeypatch.setattr(safety, "_MODELS", Derived(maxsize=16))
        safety._best_cached.cache_clear()

    case = load_example("demo")
    fresh_process()
    computed = plan(case).model_dump_json()
    saved = sorted(p.name for p in (cache_dir / "insertion").iterdir())
    assert saved, "no insertion was kept on disk"
    fresh_process()

    def no_search(*a: object, **k: object) -> None:
        raise AssertionError("searched although the insertions are on disk")

    with monkeypatch.context() as m:
        m.setattr(safety, "best_insertion", no_search)
        assert plan(case).model_dump_json() == computed
    # a damaged insertion file is searched again and saved whole over it
    (cache_dir / "insertion" / saved[0]).write_text('{"site": ')
    fresh_process()
    assert plan(case).model_dump_json() == computed
    assert sorted(p.name for p in (cache_dir / "insertion").iterdir()) == saved
    assert cache.load_json("insertion", saved[0].removesuffix(".json")) is not None


# ----------------------------------------------------------------------------- cold start


def test_json_values_are_kept_only_when_they_read_back_equal(cache_dir: Path) -> None:
    import datetime

    calls: list[int] = []

    def build(value: object) -> Callable[[], object]:
        def run() -> object:
            calls.append(1)
            return value

        return run

    plain = {"a": [1, 2.5, None, True], "b": "x"}
    assert cache.cached_json("t", "plain", build(plain)) == plain
    assert cache.cached_json("t", "plain", build("other")) == plain  # read back, not built
    assert len(calls) == 1
    for key, odd in (("date", {"d": datetime.date(2026, 1, 1)}), ("int_keys", {1: "x"})):
        assert cache.cached_json("t", key, build(odd)) == odd
        assert cache.load_json("t", key) is None  # JSON would change it: not kept


def test_fits_and_calibrations_are_read_back_from_disk_equal(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tadplan.anatomy import dentition
    from tadplan.mechanics import modules
    from tadplan.risk import model as risk

    arch = dentition.fit_arch(60.0, ((20.0, 17.0), (38.0, 25.0)))
    modules._fit_chain.cache_clear()
    chain = modules.chain_decay_fit()
    risk._reference_table.cache_clear()
    reference = risk._reference_table()
    assert {p.parent.name for p in cache_dir.rglob("*.json")} >= {"arch_fit", "chain_fit", "risk"}

    def solved_again(*a: object) -> None:
        raise AssertionError("solved again although the result is on disk")

    monkeypatch.setattr(dentition, "_solve_arch", solved_again)
    monkeypatch.setattr(modules, "_solve_chain", solved_again)
    monkeypatch.setattr(risk, "_calibrate", solved_again)
    again = dentition.fit_arch(60.0, ((20.0, 17.0), (38.0, 25.0)))
    assert (again.width_mm, again.depth_mm) == (arch.width_mm, arch.depth_mm)
    assert np.array_equal(again.xy, arch.xy)
    modules._fit_chain.cache_clear()
    assert modules.chain_decay_fit() == chain
    risk._reference_table.cache_clear()
    assert risk._reference_table() == reference


def test_kernels_load_numba_on_their_first_call() -> None:
    code = """
import sys
import numpy as np
from tadplan.anatomy import distance_grid as dg, search
assert "numba" not in sys.modules
g = np.arange(8, dtype=np.float32).reshape(2, 2, 2)
v = dg._gather_many(g, np.zeros(3), 1.0, -1.0, np.array([[0.5, 0.5, 0.5], [5.0, 0.0, 0.0]]))
import numba
from numba.core.dispatcher import Dispatcher
assert all(isinstance(getattr(dg, k), Dispatcher) for k in ("_gather_many", "trilinear"))
search._scan.compiled()
assert search.min_parts is dg.min_parts and isinstance(search._scan, Dispatcher)
assert search.prange is numba.prange
print(v.tolist())
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=600
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[3.5,", "-1.0]"]  # the cube's centre: the mean corner


def test_a_plan_from_the_disk_cache_loads_no_heavy_module(tmp_path: Path) -> None:
    """numba, scipy's optimiser, trimesh and fcl are loaded only to build what the disk
    cache keeps: a second `tadplan plan` of the demo loads none of them."""
    from tadplan.examples import example_path

    code = f"""
import sys
from tadplan.cli import main
sys.argv = ["tadplan", "plan", {str(example_path("demo"))!r}, "-f", "json", "-o",
            {str(tmp_path / "plan.json")!r}]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
heavy = ("numba", "scipy.optimize", "scipy.spatial", "trimesh", "fcl")
print(" ".join(m for m in heavy if m in sys.modules) or "none")
"""
    env = {**os.environ, "TADPLAN_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[-1].stderr
    assert runs[0].stdout.split() != ["none"]  # the first run built the cache
    assert runs[1].stdout.split() == ["none"]
