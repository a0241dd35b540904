"""``kent360 run`` as a user starts it: web answers, and a killed worker comes back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from kent360.testing import free_port


def _children(pid: int) -> dict[int, str]:
    out = subprocess.run(
        ["ps", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True
    ).stdout
    found = {}
    for line in out.splitlines():
        child, _, args = line.strip().partition(" ")
        found[int(child)] = args
    return found


def _ours(var_dir: str) -> list[int]:
    """Every process started for this test, orphans included (found by its environment)."""
    mark = f"KENT360_VAR_DIR={var_dir}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if mark in fh.read().split(b"\0"):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _wait(predicate, seconds: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_run_serves_and_restarts_a_dead_worker(tmp_path):
    env = {**os.environ, "KENT360_VAR_DIR": str(tmp_path), "KENT360_TESTING": "false"}
    env.pop("DATABASE_URL", None)  # the embedded SQLite database, as `make run` uses
    env.pop("KENT360_TASK_BACKEND", None)
    subprocess.run([sys.executable, "-m", "kent360.cli", "migrate", "-v0"], env=env, check=True)
    port = free_port()
    log_path = tmp_path / "run.log"
    log = log_path.open("wb")
    run = subprocess.Popen(
        [sys.executable, "-m", "kent360.cli", "run", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def started_workers() -> int:
        return log_path.read_text(errors="replace").count("Starting worker")

    try:

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert _wait(healthy), "the web server did not answer /health/"
        workers = [p for p, a in _children(run.pid).items() if "db_worker" in a]
        assert len(workers) == 1
        # Killed once it works, as an outage would find it (not while it is importing).
        assert _wait(lambda: started_workers() >= 1), "the worker never started"
        os.kill(workers[0], signal.SIGKILL)
        assert _wait(
            lambda: any("db_worker" in a and p != workers[0] for p, a in _children(run.pid).items())
        ), "worker not restarted"
        assert _wait(lambda: started_workers() >= 2), "the restarted worker never started"
        assert healthy() and run.poll() is None
    finally:
        run.terminate()
        run.wait(timeout=30)
        log.close()
    # Nothing left behind: not the killed worker's own children, not the restarted ones.
    assert _wait(lambda: not _ours(str(tmp_path)), 20), _ours(str(tmp_path))
