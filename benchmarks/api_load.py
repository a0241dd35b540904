"""Intake load: requests created through the REST API, served by gunicorn as in
production, against a throwaway PostgreSQL database; pgbench's single-row insert TPS
from the same run for comparison.

    python benchmarks/api_load.py [--requests 6000] [--concurrency 32] [--workers 4]
    python benchmarks/api_load.py --client wrk --seconds 30 [--workers 4]
    python benchmarks/api_load.py --client wrk --baseline REF [--rounds 5 --seconds 15]

--database URL --org SLUG --category CODE loads an existing database instead of a fresh
one (for instance the 10M-request database of generate.py, whose demo district is
"bornova" with the category "cop-toplama"): a staff member and an API key are added.

--baseline REF runs the same load against this checkout and against git revision REF
(checked out in a temporary worktree, its own database), taking turns round by round, so
that both meet the same machine: on a shared two-core machine the CPU's speed changes by
a factor of up to two within minutes, which makes figures from separate runs hard to
compare. Each round also times a fixed pure-Python loop (the "reference" column) to show
the machine's speed at that moment.

Needs PostgreSQL at postgres://postgres@127.0.0.1:5432 (override with --server) and
pgbench on PATH. The database k360_apiload is dropped and recreated.

Two load clients: httpx (asyncio, in Python; sends --requests) and wrk (C, Debian
package `wrk`; runs for --seconds with benchmarks/api_load.lua). On two cores the client
shares the CPU with gunicorn and PostgreSQL, and httpx spends several times the CPU per
request that wrk does, so wrk shows what the server can do. After a run the database's
row count is compared with the 201s the client saw.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from _common import ROOT, percentile, setup_django

DB = "k360_apiload"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FIXTURE = """
import secrets
from kent360.core.models import ApiKey, hash_api_key
from kent360.organizations import services as org
from kent360.organizations.models import Role

o = org.organisation_create(name="Yük Belediyesi", slug="yuk", code_prefix="YUK")
d = org.directorate_create(organisation=o, name="Temizlik", code="temizlik")
org.category_create(organisation=o, name="Çöp", code="cop", default_directorate=d)
staff = org.staff_create(
    organisation=o, username="api", password=secrets.token_hex(8), role=Role.AGENT
)
raw = ApiKey.generate()
ApiKey.objects.create(
    organisation=o, user=staff.user, name="load", prefix=raw[:8], key_hash=hash_api_key(raw)
)
print("KEY=" + raw)
"""


def prepare(server: str, db: str = DB, root: Path = ROOT) -> tuple[str, str]:
    """A fresh database migrated by the code in ``root``, with one organisation, a
    category and a staff API key made by that code; returns its URL and the key."""
    url = f"{server}/{db}"
    subprocess.run(
        ["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"],
        check=True,
    )
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    env = {**os.environ, "DATABASE_URL": url, "KENT360_VAR_DIR": tempfile.mkdtemp()}
    subprocess.run(
        [sys.executable, str(root / "manage.py"), "migrate", "-v", "0"],
        check=True,
        env=env,
        cwd=root,
    )
    return url, new_key(url, FIXTURE, root)


def new_key(url: str, script: str, root: Path = ROOT) -> str:
    """Runs ``script`` in ``manage.py shell`` against ``url``; the API key it prints."""
    env = {**os.environ, "DATABASE_URL": url, "KENT360_VAR_DIR": tempfile.mkdtemp()}
    out = subprocess.run(
        [sys.executable, str(root / "manage.py"), "shell", "-c", script],
        check=True,
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout
    return next(line[4:] for line in out.splitlines() if line.startswith("KEY="))


EXISTING = """
import secrets
from kent360.core.models import ApiKey, hash_api_key
from kent360.organizations import services as org
from kent360.organizations.models import Organisation, Role

o = Organisation.objects.get(slug=SLUG)
staff = org.staff_create(
    organisation=o,
    username="load-" + secrets.token_hex(4),
    password=secrets.token_hex(8),
    role=Role.AGENT,
)
raw = ApiKey.generate()
ApiKey.objects.create(
    organisation=o, user=staff.user, name="load", prefix=raw[:8], key_hash=hash_api_key(raw)
)
print("KEY=" + raw)
"""


def prepare_existing(url: str, slug: str, root: Path = ROOT) -> str:
    """An API key of a new staff member of organisation ``slug`` in an existing database."""
    return new_key(url, f"SLUG = {slug!r}\n{EXISTING}", root)


def cpu_seconds_by_command() -> dict[str, float]:
    """CPU seconds (user + system) used so far by every process, summed by command name
    (PostgreSQL's with those of its backends that have exited)."""
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        used = int(fields[11]) + int(fields[12])
        if name == "postgres":
            # the postmaster's reaped children (backends that exited during the run, such
            # as pgbench's or autovacuum's) are in its cutime/cstime, not in /proc
            used += int(fields[13]) + int(fields[14])
        totals[name] = totals.get(name, 0.0) + used / tick
    return totals


@contextmanager
def cpu_used() -> Iterator[dict[str, float]]:
    """CPU seconds used inside the block by every process, by command name; the load
    client's from this process's reaped children (wrk has exited by the end)."""
    used: dict[str, float] = {}
    before = cpu_seconds_by_command()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    yield used
    after = cpu_seconds_by_command()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used.update({k: after.get(k, 0.0) - before.get(k, 0.0) for k in after})
    used["wrk"] = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )


def web_seconds(used: dict[str, float]) -> float:
    return sum(v for k, v in used.items() if k.startswith(("gunicorn", "python")))


def cpu_split(used: dict[str, float], creates: int) -> str:
    """CPU milliseconds per create: the web server, PostgreSQL, the load client, the rest."""
    web = web_seconds(used)
    pg = used.get("postgres", 0.0)
    client = used.get("wrk", 0.0)
    rest = sum(used.values()) - web - pg - client
    per = 1000 / max(creates, 1)
    return (
        f"CPU per create: web {web * per:.2f} ms, PostgreSQL {pg * per:.2f} ms, "
        f"load client {client * per:.2f} ms, other {rest * per:.2f} ms"
    )


def start_gunicorn(
    url: str, port: int, workers: int, worker_class: str = "sync", root: Path = ROOT
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "KENT360_ENV": "production",
        "KENT360_SECRET_KEY": secrets.token_urlsafe(40),
        "KENT360_HASH_KEY": secrets.token_urlsafe(40),
        "KENT360_FIELD_KEY": secrets.token_urlsafe(40),
        "KENT360_SITE_URL": f"http://127.0.0.1:{port}",
        "KENT360_ALLOWED_HOSTS": "127.0.0.1",
        "KENT360_SSL_REDIRECT": "false",
        "KENT360_SECURE_COOKIES": "false",
        "KENT360_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "KENT360_VAR_DIR": tempfile.mkdtemp(prefix="k360load"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kent360.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
        ],
        cwd=root,  # `python -m` puts the working directory first: root's kent360 is served
        env=env,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/health/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


async def drive(
    port: int, key: str, n: int, concurrency: int, tag: str
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(n))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        limits=limits,
        timeout=30,
        headers={"Authorization": f"Token {key}"},
    ) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                body = {
                    "channel": "api",
                    "subject": f"Çöp toplanmadı {i}",
                    "text": "Sokağımızdaki konteyner iki gündür boşaltılmadı.",
                    "category": CATEGORY[0],
                    "contact_phone": f"+90532{i % 9_000_000 + 1_000_000:07d}",
                    "neighbourhood": "Erzene",
                    "latitude": 38.46,
                    "longitude": 27.22,
                }
                t0 = time.perf_counter()
                r = await client.post(
                    "/api/v1/requests/", json=body, headers={"Idempotency-Key": f"load-{tag}-{i}"}
                )
                latencies.append((time.perf_counter() - t0) * 1000)
                if r.status_code != 201:
                    errors += 1
                    if errors < 3:
                        print("error", r.status_code, r.text[:300])

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - t0


CATEGORY = ["cop"]  # the category code the load sends; --category changes it
WITH_EMAIL = [False]  # --email: callers give an address too (a notification per create)


def drive_wrk(
    port: int, key: str, seconds: int, concurrency: int, tag: str
) -> tuple[dict[str, float], str]:
    """Run wrk against the create endpoint; returns its WRK figures and raw output."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, concurrency)}",
            f"-c{concurrency}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "benchmarks" / "api_load.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            key,
            tag,
            CATEGORY[0],
            "email" if WITH_EMAIL[0] else "",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK "))
    figures = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
    return figures, out.stdout + out.stderr


def rows_created(url: str, tag: str) -> int:
    return rows_created_like(url, f"{tag}-")


def pgbench(url: str, seconds: int, clients: int) -> str:
    subprocess.run(
        [
            "psql",
            url,
            "-qc",
            "CREATE TABLE IF NOT EXISTS bench_insert "
            "(id bigserial primary key, v double precision, at timestamptz default now())",
        ],
        check=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write("INSERT INTO bench_insert (v) VALUES (random());\n")
    out = subprocess.run(
        ["pgbench", "-n", "-f", fh.name, "-c", str(clients), "-j", "2", "-T", str(seconds), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"tps = ([\d.]+)", out)
    latency = re.search(r"latency average = ([\d.]+) ms", out)
    return f"pgbench single-row INSERT: {match.group(1) if match else '?'} TPS, " + (
        f"latency avg {latency.group(1)} ms, {clients} clients, {seconds} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--client", choices=["httpx", "wrk"], default="httpx")
    parser.add_argument("--seconds", type=int, default=30, help="wrk: length of the run")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument(
        "--worker-class",
        default="sync",
        help="gunicorn worker class: sync (as `kent360 run`) or gthread (keeps connections)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REF",
        help="also run git revision REF and take turns with it (wrk only)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="--baseline: rounds per side")
    parser.add_argument("--database", help="load this existing database (URL) instead")
    parser.add_argument("--org", default="bornova", help="--database: the organisation's slug")
    parser.add_argument("--category", default="cop", help="category code the requests name")
    parser.add_argument(
        "--email",
        action="store_true",
        help="wrk: callers give an e-mail address, so every create also queues a notification",
    )
    parser.add_argument(
        "--py-spy",
        metavar="FILE",
        help="sample the gunicorn workers with py-spy during the run (collapsed stacks)",
    )
    args = parser.parse_args()
    if args.baseline:
        side_by_side(args)
        return
    CATEGORY[0] = args.category
    WITH_EMAIL[0] = args.email
    tag = "run" + secrets.token_hex(3)  # this run's requests, even in a database used before
    if args.database:
        url = args.database
        key = prepare_existing(url, args.org)
    else:
        url, key = prepare(args.server)
    setup_django(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    from _common import machine

    print(machine())
    port = free_port()
    proc = start_gunicorn(url, port, args.workers, args.worker_class)
    spy = None
    try:
        asyncio.run(drive(port, key, min(300, args.requests), args.concurrency, "warm" + tag))
        if args.py_spy:
            spy = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(proc.pid),
                    "--subprocesses",
                    "--rate",
                    "100",
                    "--format",
                    "raw",
                    "--output",
                    args.py_spy,
                    "--nonblocking",
                    "--gil",  # only samples holding the GIL: CPU, not waits for PostgreSQL
                ],
                stdout=subprocess.DEVNULL,
            )
            time.sleep(1)
        with cpu_used() as used:
            if args.client == "wrk":
                figures, _raw = drive_wrk(port, key, args.seconds, args.concurrency, tag)
            else:
                latencies, errors, took = asyncio.run(
                    drive(port, key, args.requests, args.concurrency, tag)
                )
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(timeout=60)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    if args.client == "wrk":
        took = figures["duration_s"]
        ok = int(figures["created"])
        print(
            f"API creates (wrk): {ok:,} in {took:.1f} s = {ok / took:,.0f} creates/s "
            f"(gunicorn {args.workers} {args.worker_class} workers, "
            f"{args.concurrency} connections, "
            f"{int(figures['errors'])} non-201, {int(figures['socket_errors'])} socket errors)"
        )
        print(
            f"latency p50={figures['p50']:.1f} ms p95={figures['p95']:.1f} ms "
            f"p99={figures['p99']:.1f} ms max={figures['max']:.1f} ms"
        )
    else:
        ok = len(latencies) - errors
        print(
            f"API creates: {ok:,} in {took:.1f} s = {ok / took:,.0f} creates/s "
            f"(gunicorn {args.workers} workers, {args.concurrency} concurrent clients, "
            f"{errors} errors)"
        )
        print(
            f"latency p50={percentile(latencies, 0.5):.1f} ms "
            f"p95={percentile(latencies, 0.95):.1f} ms p99={percentile(latencies, 0.99):.1f} ms"
        )
    print(f"rows in the database from this run: {rows_created(url, tag):,} (201s seen: {ok:,})")
    print(cpu_split(used, ok))
    print(pgbench(url, 10, args.concurrency // 4 or 1))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def reference_ms() -> float:
    """CPU milliseconds of a fixed pure-Python loop: the machine's speed right now."""
    started = time.process_time()
    total = 0
    for i in range(2_000_000):
        total += i * i
    return (time.process_time() - started) * 1000


def one_round(port: int, key: str, args: argparse.Namespace, tag: str) -> dict[str, float]:
    ref = reference_ms()
    with cpu_used() as used:
        figures, _raw = drive_wrk(port, key, args.seconds, args.concurrency, tag)
    created = max(int(figures["created"]), 1)
    web = web_seconds(used)
    return {
        "created": figures["created"],
        "rate": figures["created"] / figures["duration_s"],
        "p50": figures["p50"],
        "p99": figures["p99"],
        "errors": figures["errors"] + figures["socket_errors"],
        "web_ms": web * 1000 / created,
        "pg_ms": used.get("postgres", 0.0) * 1000 / created,
        "reference_ms": ref,
    }


def side_by_side(args: argparse.Namespace) -> None:
    """This checkout and ``args.baseline`` under the same load, taking turns."""
    import statistics

    if args.client != "wrk":
        raise SystemExit("--baseline needs --client wrk")
    tree = Path(tempfile.mkdtemp(prefix="k360base")) / "tree"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.baseline],
        check=True,
    )
    revision = subprocess.run(
        ["git", "-C", str(tree), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    current = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    sides: dict[str, dict[str, object]] = {}
    try:
        for name, root, db in (("baseline", tree, DB + "_base"), ("this tree", ROOT, DB)):
            url, key = prepare(args.server, db, root)
            port = free_port()
            proc = start_gunicorn(url, port, args.workers, args.worker_class, root)
            sides[name] = {"url": url, "key": key, "port": port, "proc": proc, "rounds": []}
            # warm-up: imports, prepared statements, the first citizens and indexes
            drive_wrk(port, key, 3, args.concurrency, "warm" + secrets.token_hex(3))
        setup_django(str(sides["this tree"]["url"]))
        from _common import machine

        print(machine())
        print(f"baseline:  {revision}\nthis tree: {current}")
        print(
            f"gunicorn {args.workers} {args.worker_class} workers, wrk {args.concurrency} "
            f"connections, {args.rounds} rounds of {args.seconds} s per side, taking turns"
        )
        header = "round side       creates/s  p50 ms  p99 ms  web ms  PG ms  reference ms"
        print(header)
        for r in range(args.rounds):
            order = ["baseline", "this tree"] if r % 2 == 0 else ["this tree", "baseline"]
            for name in order:
                side = sides[name]
                got = one_round(int(side["port"]), str(side["key"]), args, f"r{r}")  # type: ignore[call-overload]
                side["rounds"].append(got)  # type: ignore[union-attr]
                print(
                    f"{r + 1:>5} {name:<10} {got['rate']:>9.0f} {got['p50']:>7.1f} "
                    f"{got['p99']:>7.1f} {got['web_ms']:>7.2f} {got['pg_ms']:>6.2f} "
                    f"{got['reference_ms']:>13.0f}"
                    + (f"  {int(got['errors'])} errors" if got["errors"] else "")
                )
        print("medians:")
        medians = {}
        for name, side in sides.items():
            rounds: list[dict[str, float]] = side["rounds"]  # type: ignore[assignment]
            med = {k: statistics.median(x[k] for x in rounds) for k in rounds[0]}
            medians[name] = med
            print(
                f"      {name:<10} {med['rate']:>9.0f} {med['p50']:>7.1f} {med['p99']:>7.1f} "
                f"{med['web_ms']:>7.2f} {med['pg_ms']:>6.2f} {med['reference_ms']:>13.0f}  "
                f"(range {min(x['rate'] for x in rounds):.0f}–"
                f"{max(x['rate'] for x in rounds):.0f}/s)"
            )
        ratios = [
            a["rate"] / b["rate"]
            for a, b in zip(
                sides["this tree"]["rounds"],  # type: ignore[arg-type]
                sides["baseline"]["rounds"],  # type: ignore[arg-type]
                strict=True,
            )
        ]
        print(
            f"this tree / baseline, round by round: median {statistics.median(ratios):.2f}× "
            f"(range {min(ratios):.2f}–{max(ratios):.2f}×)"
        )
        for name, side in sides.items():
            seen = int(sum(x["created"] for x in side["rounds"]))  # type: ignore[union-attr]
            rows = rows_created_like(str(side["url"]), "r")
            print(f"{name}: {rows:,} requests in the database from its rounds, {seen:,} 201s seen")
        print(pgbench(str(sides["this tree"]["url"]), 10, args.concurrency // 4 or 1))
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        for side in sides.values():
            proc = side["proc"]
            proc.send_signal(signal.SIGTERM)  # type: ignore[attr-defined]
            proc.wait(timeout=20)  # type: ignore[attr-defined]
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
        )


def rows_created_like(url: str, prefix: str) -> int:
    out = subprocess.run(
        [
            "psql",
            url,
            "-tAc",
            f"SELECT COUNT(*) FROM requests_request WHERE idempotency_key LIKE '{prefix}%'",  # noqa: S608
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


if __name__ == "__main__":
    main()
