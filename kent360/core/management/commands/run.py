"""``kent360 run``: the web server, a background worker and the scheduler together.

The worker and the scheduler exit when the database goes away (a PostgreSQL restart);
like systemd would, this command starts them again after a short pause. If the web
server itself dies, everything stops, so the failure is visible.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

RESTART_PAUSE_SECONDS = 2.0


class Command(BaseCommand):
    help = "Serve the web application and run a background worker beside it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("KENT360_PORT", 8000)))
        parser.add_argument("--host", default=os.environ.get("KENT360_HOST", "127.0.0.1"))
        parser.add_argument("--workers", type=int, default=2, help="web worker processes")
        parser.add_argument("--no-worker", action="store_true", help="web server only")

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        manage = [python, "-m", "kent360.cli"]
        if not settings.DEBUG:
            subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], check=True)
        web_cmd = [
            python, "-m", "gunicorn", "kent360.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["workers"]), "--access-logfile", "-",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        helpers: dict[str, list[str]] = {}
        if not options["no_worker"]:
            # No autoreloader (on by default with DEBUG): it runs the worker as a child of
            # its own, which a restart here would leave running on its own.
            helpers["worker"] = [
                *manage, "db_worker", "--queue-name", "*", "--interval", "1", "--no-reload",
            ]  # fmt: skip
            helpers["scheduler"] = [*manage, "scheduler"]
        web = subprocess.Popen(web_cmd)
        running = {name: subprocess.Popen(cmd) for name, cmd in helpers.items()}
        self.stdout.write(f"kent360 on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and web.poll() is None:
                for name, proc in running.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited ({proc.returncode}); starting it again")
                        time.sleep(RESTART_PAUSE_SECONDS)
                        running[name] = subprocess.Popen(helpers[name])
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop([web, *running.values()])

    @staticmethod
    def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
