"""``kent360 run``: the web server and a background worker (and the scheduler) together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


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
        procs: list[subprocess.Popen[bytes]] = []
        if not settings.DEBUG:
            subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], check=True)
        web = [
            python,
            "-m",
            "gunicorn",
            "kent360.wsgi:application",
            "--bind",
            f"{options['host']}:{options['port']}",
            "--workers",
            str(options["workers"]),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
        ]
        procs.append(subprocess.Popen(web))
        if not options["no_worker"]:
            procs.append(
                subprocess.Popen([*manage, "db_worker", "--queue-name", "*", "--interval", "1"])
            )
            procs.append(subprocess.Popen([*manage, "scheduler"]))
        self.stdout.write(f"kent360 on http://{options['host']}:{options['port']}/ (Ctrl+C stops)")

        def stop(*_: Any) -> None:
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
