"""``kent360 intake smtp --port N`` runs the SMTP listener; ``kent360 intake imap`` polls once."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Intake channels: 'smtp' listens for mail, 'imap' polls the configured mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("channel", choices=["smtp", "imap"])
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=2525)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["channel"] == "smtp":
            self._smtp(options["host"], options["port"])
        else:
            self._imap()

    def _smtp(self, host: str, port: int) -> None:
        from kent360.intake.mail import smtp_controller

        controller = smtp_controller(host, port)
        controller.start()
        self.stdout.write(f"kent360 intake: SMTP listening on {host}:{port}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()

    def _imap(self) -> None:
        from kent360.intake.mail import ImapConfig, imap_poll

        config = ImapConfig.from_settings()
        if config is None:
            raise CommandError("Set KENT360_IMAP_HOST (and _USER, _PASSWORD) first.")
        results = imap_poll(config)
        new = sum(1 for r in results if r.created)
        self.stdout.write(f"{len(results)} messages fetched, {new} new")
