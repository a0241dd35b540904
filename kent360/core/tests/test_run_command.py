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
    run = subprocess.Popen(
        [sys.executable, "-m", "kent360.cli", "run", "--port", str(port), "--workers", "1"], env=env
    )
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
        os.kill(workers[0], signal.SIGKILL)
        assert _wait(
            lambda: any("db_worker" in a and p != workers[0] for p, a in _children(run.pid).items())
        ), "worker not restarted"
        assert healthy() and run.poll() is None
    finally:
        run.terminate()
        run.wait(timeout=30)
    assert not _children(run.pid)
