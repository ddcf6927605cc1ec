"""Load benchmark of the clinic service (issue 14; not a test: run by hand).

    .venv/bin/python benchmarks/api_load.py [--db URL] [--workers N] [--seconds S]
                                            [--clients C] [--write-seconds S]

Starts ``tadplan serve`` on loopback (a new SQLite file in a temporary directory, or the
PostgreSQL database ``--db`` names, which should be empty), creates a user and imports every
bundled example, then:

1. **single-request CPU time**: each example planned through the API one request at a
   time (one warm-up, then ``--repeat`` requests); the server processes' CPU time
   (user + system, from /proc) per request, averaged over the examples. ``ideal_rps`` =
   cores / that time: what the machine could serve if nothing but planning used the CPU.
2. **load**: ``--clients`` concurrent clients (32) plan the examples in turn for
   ``--seconds``; latency percentiles, throughput, errors (any status but 201, or a failed
   connection).
3. **concurrent writes**: 32 clients save plan versions of the same two cases for
   ``--write-seconds``; afterwards every acknowledged version must be stored once, and the
   versions of each case numbered 1..n: ``lost_writes`` (acknowledged but missing or
   different) and ``duplicate_writes`` (a number given twice, or more rows than numbers).
4. **SIGKILL**: writers again, the server (all its processes) killed with SIGKILL in the
   middle; the database is then read directly: ``after_kill_lost`` counts acknowledged
   versions missing or changed plus stored versions half-written (hash or JSON wrong).

The last line printed is one JSON object: ``clients``, ``requests``, ``errors``, ``p50_ms``,
``p95_ms``, ``p99_ms``, ``throughput_rps``, ``ideal_rps``, ``lost_writes``,
``duplicate_writes``, ``after_kill_lost`` (plus ``cpu_per_request_ms``, ``cores``,
``workers``, ``db``, and for a machine shared with other jobs: ``server_cpu_share``, the
server's CPU time during the load over elapsed x cores, ``server_cpu_efficiency``, requests
x single-request CPU over the server's CPU time during the load, and ``client_cpu_s``, the
benchmark's own clients' CPU time). Targets on 2 cores: throughput >= 0.7 x ideal,
p99 <= 3 x p50, zero errors, zero lost or duplicated writes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tadplan.service.web.live import free_port

PASSWORD = "benchmark password"
TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's worker processes)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                kids = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                todo.extend(int(k) for k in kids)
        except OSError:
            pass
    return out


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of the server's processes."""
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


class Server:
    def __init__(self, db: str, workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "tadplan.cli", "serve", "--db", db,
               "--port", str(self.port), "--workers", str(workers)]  # fmt: skip
        self.log = log.open("ab")
        env = {**os.environ, "TADPLAN_LOG_LEVEL": "warning"}
        self.proc = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        end = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"server exited; see {log}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > end:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        # every worker process answers once it is up; give them time to import
        time.sleep(2.0)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def _percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def single_request_cpu(server: Server, h: dict[str, str], cases: dict[str, int], repeat: int):  # type: ignore[no-untyped-def]
    per_example = {}
    with httpx.Client(base_url=server.url, timeout=300, headers=h) as c:
        for name, cid in cases.items():
            c.post(f"/api/cases/{cid}/plans").raise_for_status()  # warm-up
            cpus = []
            for _ in range(repeat):
                before = _cpu_s(server.proc.pid)
                c.post(f"/api/cases/{cid}/plans").raise_for_status()
                time.sleep(0.05)  # let the process finish its bookkeeping
                cpus.append(_cpu_s(server.proc.pid) - before)
            per_example[name] = statistics.median(cpus)
    return per_example


def load(server: Server, h: dict[str, str], case_ids: list[int], clients: int, seconds: float):  # type: ignore[no-untyped-def]
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.monotonic() + 0.5
    stop_at = start + seconds

    def client(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=300, headers=h) as c:
            i = k
            while time.monotonic() < start:
                time.sleep(0.01)
            while time.monotonic() < stop_at:
                cid = case_ids[i % len(case_ids)]
                i += clients
                t0 = time.perf_counter()
                try:
                    ok = c.post(f"/api/cases/{cid}/plans").status_code == 201
                except httpx.HTTPError:
                    ok = False
                dt = time.perf_counter() - t0
                with lock:
                    if ok:
                        latencies.append(dt)
                    else:
                        errors[0] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return latencies, errors[0], elapsed


def writers(
    server: Server,
    h: dict[str, str],
    case_ids: list[int],
    clients: int,
    stop: threading.Event,
    acked: list[tuple[int, int, str]],
) -> list[threading.Thread]:
    def client(k: int) -> None:
        with httpx.Client(base_url=server.url, timeout=300, headers=h) as c:
            i = k
            while not stop.is_set():
                cid = case_ids[i % len(case_ids)]
                i += 1
                try:
                    r = c.post(f"/api/cases/{cid}/plans")
                except httpx.HTTPError:
                    if stop.is_set():
                        return
                    continue
                if r.status_code == 201:
                    acked.append((cid, r.json()["number"], r.json()["plan_sha256"]))

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    return threads


def stored_versions(db: str, case_ids: list[int]) -> dict[int, list[tuple[int, str, bool]]]:
    """Per case: (number, stored hash, whole?) of every stored plan version, read directly."""
    from tadplan.model import Plan
    from tadplan.service.db import Database
    from tadplan.service.orm import PlanVersion
    from tadplan.service.settings import Settings

    out: dict[int, list[tuple[int, str, bool]]] = {}
    database = Database(Settings(db_url=db, migrate=False))
    try:
        with database.session() as s:
            for cid in case_ids:
                rows = s.query(PlanVersion).filter_by(case_id=cid).all()
                entries = []
                for pv in rows:
                    whole = hashlib.sha256(pv.plan_json.encode()).hexdigest() == pv.plan_sha256
                    if whole:
                        try:
                            Plan.model_validate_json(pv.plan_json)
                        except ValueError:
                            whole = False
                    entries.append((pv.number, pv.plan_sha256, whole))
                out[cid] = entries
    finally:
        database.dispose()
    return out


def check_writes(
    db: str, case_ids: list[int], acked: list[tuple[int, int, str]]
) -> tuple[int, int, int]:
    """(lost, duplicated, half-written) versions of the cases after the writers."""
    stored = stored_versions(db, case_ids)
    lost = dup = broken = 0
    for cid in case_ids:
        numbers = [n for n, _, _ in stored[cid]]
        dup += len(numbers) - len(set(numbers))
        if sorted(set(numbers)) != list(range(1, len(set(numbers)) + 1)):
            dup += 1  # a gap or a stray number
        broken += sum(not whole for _, _, whole in stored[cid])
        by_number = {n: sha for n, sha, _ in stored[cid]}
        acked_here = [(n, sha) for c, n, sha in acked if c == cid]
        seen = [n for n, _ in acked_here]
        dup += len(seen) - len(set(seen))  # one number acknowledged to two writers
        lost += sum(by_number.get(n) != sha for n, sha in acked_here)
    return lost, dup, broken


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", help="database URL (default: a new SQLite file)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--write-seconds", type=float, default=20.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tadplan-api-load-"))
    db = args.db or f"sqlite:///{work / 'tadplan.db'}"
    os.environ.setdefault("TADPLAN_CACHE_DIR", str(work / "cache"))
    subprocess.run(
        [sys.executable, "-m", "tadplan.cli", "user", "add", "--clinic", "Bench", "--email",
         "bench@example.org", "--role", "clinician", "--password-stdin", "--db", db],
        input=PASSWORD + "\n", text=True, check=True, capture_output=True,
    )  # fmt: skip
    from tadplan.examples import example_paths

    server = Server(db, args.workers, work / "server.log")
    try:
        tok = httpx.post(
            f"{server.url}/api/auth/token",
            json={"email": "bench@example.org", "password": PASSWORD},
        ).json()["token"]
        h = {"Authorization": f"Bearer {tok}"}
        cases = {}
        for name, path in sorted(example_paths().items()):
            r = httpx.post(f"{server.url}/api/cases/import", content=path.read_bytes(), headers=h)
            r.raise_for_status()
            cases[name] = r.json()["id"]

        per_example = single_request_cpu(server, h, cases, args.repeat)
        cpu_s = statistics.mean(per_example.values())
        cores = os.cpu_count() or 1
        ideal = cores / cpu_s
        for name, v in per_example.items():
            print(f"single request {name}: {v * 1000:.0f} ms CPU", file=sys.stderr)
        print(f"mean single-request CPU {cpu_s * 1000:.0f} ms; ideal {ideal:.2f}/s on "
              f"{cores} cores", file=sys.stderr)  # fmt: skip

        cpu0, self0 = _cpu_s(server.proc.pid), time.process_time()
        latencies, errors, elapsed = load(
            server, h, list(cases.values()), args.clients, args.seconds
        )
        server_cpu = _cpu_s(server.proc.pid) - cpu0
        client_cpu = time.process_time() - self0
        throughput = len(latencies) / elapsed
        # on a machine shared with other jobs: how much CPU the server got, and how much
        # of it went into requests (their single-request cost) rather than overhead
        cpu_share = server_cpu / (elapsed * cores)
        efficiency = len(latencies) * cpu_s / server_cpu if server_cpu else 0.0
        print(f"load: {len(latencies)} requests, {errors} errors in {elapsed:.1f} s",
              file=sys.stderr)  # fmt: skip

        # concurrent writes on the same two cases
        target = [cases[n] for n in sorted(cases, key=per_example.__getitem__)[:2]]
        stop = threading.Event()
        acked: list[tuple[int, int, str]] = []
        threads = writers(server, h, target, 32, stop, acked)
        time.sleep(args.write_seconds)
        stop.set()
        for t in threads:
            t.join(300)
        lost, dup, broken = check_writes(db, target, acked)
        print(f"concurrent writes: {len(acked)} acknowledged; lost {lost}, duplicated {dup}, "
              f"half-written {broken}", file=sys.stderr)  # fmt: skip

        # SIGKILL in the middle of writes
        stop2 = threading.Event()
        acked2: list[tuple[int, int, str]] = []
        threads = writers(server, h, target, 16, stop2, acked2)
        n0 = len(acked2)
        end = time.monotonic() + 120
        while len(acked2) < n0 + 10 and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.3)
        server.kill()
        stop2.set()
        for t in threads:
            t.join(60)
        lost2, dup2, broken2 = check_writes(db, target, acked + acked2)
        after_kill_lost = lost2 + broken2
        print(f"SIGKILL: {len(acked2)} acknowledged before the kill; lost {lost2}, "
              f"half-written {broken2}, duplicated {dup2}", file=sys.stderr)  # fmt: skip
    finally:
        server.stop()

    result = {
        "clients": args.clients,
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 1),
        "p95_ms": round(_percentile(latencies, 0.95) * 1000, 1),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "throughput_rps": round(throughput, 3),
        "ideal_rps": round(ideal, 3),
        "lost_writes": lost,
        "duplicate_writes": dup + dup2,
        "after_kill_lost": after_kill_lost,
        "cpu_per_request_ms": round(cpu_s * 1000, 1),
        "server_cpu_share": round(cpu_share, 3),
        "server_cpu_efficiency": round(efficiency, 3),
        "client_cpu_s": round(client_cpu, 1),
        "cores": cores,
        "workers": args.workers,
        "db": "sqlite" if db.startswith("sqlite") else "postgresql",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
