"""``kent360 media extract|fetch|digest`` — thin wrappers over the media pipeline and services.

``extract PATH... [--url URL] [--org SLUG] [--watch "TERM;TERM|ALIAS"]`` prints one JSON
object per line and writes nothing to the database; an unknown --org falls back to the
--watch terms alone. A file that fails prints an object with an "error" key and the rest
go on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone


class Command(BaseCommand):
    help = "Media monitoring: extract pages, fetch sources, build the digest."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        ex = sub.add_parser("extract", help="Extract articles from files and print JSON lines.")
        ex.add_argument("paths", nargs="+")
        ex.add_argument("--url", default=None)
        ex.add_argument("--org", default=None)
        ex.add_argument("--watch", default="")
        ex.add_argument("--lang", default=None)
        fe = sub.add_parser("fetch", help="Fetch sources now (all due ones, or --source ID).")
        fe.add_argument("--source", type=int, action="append")
        dg = sub.add_parser("digest", help="Build today's digest for an organisation.")
        dg.add_argument("--org", required=True)
        dg.add_argument("--pdf", default=None, help="Write the PDF here.")
        dg.add_argument("--send", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(**opts)

    def _extract(
        self,
        *,
        paths: list[str],
        url: str | None,
        org: str | None,
        watch: str,
        lang: str | None,
        **_: Any,
    ) -> None:
        from kent360.media.pipeline.extract import extract_document
        from kent360.media.pipeline.mentions import Matcher, parse_watch_argument
        from kent360.media.pipeline.tone import tone
        from kent360.media.services import matcher_for

        extra = parse_watch_argument(watch) if watch else []
        organisation = None
        if org:
            try:
                from kent360.organizations.models import Organisation

                organisation = Organisation.objects.filter(slug=org).first()
            except DatabaseError:
                organisation = None
        try:
            matcher = matcher_for(organisation, extra) if organisation else Matcher(extra)
        except DatabaseError:
            matcher = Matcher(extra)
        tz = organisation.time_zone if organisation else None
        now = timezone.now()
        out = self.stdout
        for path in paths:
            record: dict[str, Any] = {"path": path, "url": url}
            try:
                data = Path(path).read_bytes()
                ex = extract_document(data, path, url, lang=lang, tz=tz, now=now)
                full = f"{ex.title}\n{ex.text}" if ex.title else ex.text
                local = None
                if ex.published_at:
                    from kent360.media.pipeline.dates import _zone, zone_for

                    local = ex.published_at.astimezone(_zone(tz or zone_for(ex.language)))
                record.update(
                    {
                        "url": url or ex.canonical_url or None,
                        "title": ex.title,
                        "text": ex.text,
                        "date": local.date().isoformat() if local else None,
                        "datetime": ex.published_at.isoformat() if ex.published_at else None,
                        "author": ex.author or None,
                        "language": ex.language or None,
                        "mentions": [m.as_dict() for m in matcher.find(full)],
                        "tone": tone(full).label,
                    }
                )
            except Exception as exc:
                record.update(
                    {
                        "title": None,
                        "text": None,
                        "date": None,
                        "author": None,
                        "language": None,
                        "mentions": [],
                        "tone": None,
                        "error": f"{type(exc).__name__}: {exc}",
                    }
                )
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()

    def _fetch(self, *, source: list[int] | None, **_: Any) -> None:
        from kent360.media import services

        if source:
            for sid in source:
                n = services.source_fetch(source_id=sid)
                self.stdout.write(json.dumps({"source": sid, "stored": n}))
        else:
            ids = services.media_fetch_due_sources(queue=False)
            self.stdout.write(json.dumps({"fetched_sources": ids}))

    def _digest(self, *, org: str, pdf: str | None, send: bool, **_: Any) -> None:
        from kent360.media import services
        from kent360.organizations.models import Organisation

        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"no organisation {org!r}")
        digest = services.digest_build(organisation=organisation, with_pdf=True)
        if pdf:
            Path(pdf).write_bytes(bytes(digest.pdf))
        if send:
            services.digest_send(digest=digest)
        self.stdout.write(
            json.dumps(
                {
                    "digest": digest.pk,
                    "date": digest.date.isoformat(),
                    "pdf_bytes": len(bytes(digest.pdf)),
                }
            )
        )
