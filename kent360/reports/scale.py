"""Bulk generation of realistic requests for load tests (PostgreSQL only).

N requests over five years, across every directorate and channel of the demo district,
each with its timeline events (received, assigned, answered, closed, sometimes reopened),
and the citizens who sent them (about one for every three requests; frequent callers come
back often, a fifth of the requests are anonymous), streamed into PostgreSQL with COPY.
Rows are generated in chunks so memory stays flat; ids are reserved up front so events
can point at their requests without a round trip.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
from django.db import InterfaceError, OperationalError, connection

from kent360.core.demo import data
from kent360.core.text import search_key
from kent360.organizations.models import Category, Directorate, Organisation
from kent360.reports.demo import CENTRE, SPAN, neighbourhood_cell
from kent360.requests.models import TRACKING_ALPHABET

YEARS = 5
CHUNK = 50_000
CHANNELS = [
    ("desk", 18),
    ("phone", 30),
    ("field", 8),
    ("web", 20),
    ("email", 8),
    ("social", 6),
    ("petition", 3),
    ("cimer", 4),
    ("open311", 2),
    ("api", 1),
]
KINDS = [("request", 55), ("complaint", 30), ("suggestion", 7), ("information", 5), ("thanks", 3)]
CODE_SPACE = 30**8
CODE_STEP = 1_000_003  # prime, coprime with 30**8: i → i*STEP mod 30**8 is a bijection

REQUEST_COLUMNS = (
    "id, organisation_id, tracking_code, kind, category_id, directorate_id, channel, state, "
    "priority, subject, text, language, search_text, latitude, longitude, address, "
    "neighbourhood, contact_name, contact_phone, contact_email, external_ref, "
    "rejected_competent_body, created_at, updated_at, due_at, first_answered_at, closed_at, "
    "sla_paused_seconds, citizen_id"
)
CITIZEN_COLUMNS = (
    "id, organisation_id, name, phone, email, national_id_hash, preferred_language, "
    "preferred_channel, created_at, updated_at"
)
CITIZENS_PER_REQUEST = 0.3
ANONYMOUS_SHARE = 0.2
PHONE_SPACE = 9_000_000
PHONE_STEP = 7_919  # prime, coprime with PHONE_SPACE: distinct citizens, distinct numbers


def citizen_phone(citizen_id: int) -> str:
    """The generated citizen's mobile number (+90 532 …), the same for the same id: the
    API load benchmark sends numbers from this range, so some of its callers are known."""
    return f"+90532{(citizen_id * PHONE_STEP) % PHONE_SPACE + 1_000_000:07d}"


EVENT_COLUMNS = (
    "request_id, organisation_id, type, actor_label, from_state, to_state, text, data, "
    "is_public, created_at"
)


def tracking_code(n: int, salt: int) -> str:
    value = ((n + salt) * CODE_STEP) % CODE_SPACE
    chars = []
    for _ in range(8):
        value, digit = divmod(value, 30)
        chars.append(TRACKING_ALPHABET[digit])
    return "".join(chars[:4]) + "-" + "".join(chars[4:])


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", "\\n").replace("\r", " ")


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


def _weighted(rng: random.Random, pairs: list[tuple[str, int]], k: int) -> list[str]:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs], k=k)


class Generator:
    def __init__(self, organisation: Organisation, seed: int = 2026) -> None:
        self.org = organisation
        self.rng = random.Random(seed)
        self.directorates = list(Directorate.objects.filter(organisation=organisation))
        cats = list(Category.objects.filter(organisation=organisation, is_active=True))
        if not cats or len(self.directorates) < 2:
            raise RuntimeError("load the demo first (kent360 demo)")
        self.categories = [(c.pk, c.default_directorate_id, c.sla_hours, c.code) for c in cats]
        self.texts: dict[str, list[tuple[str, str, str]]] = {}
        for code, samples in data.TEXTS.items():
            self.texts[code] = [
                (s, t.format(street=street, n=12), "")
                for s, t in samples
                for street in data.STREETS[:3]
            ]
            self.texts[code] = [(s, t, search_key(f"{s} {t}")) for s, t, _k in self.texts[code]]
        self.fallback = [("Talep", "Mahallemizde bir sorun var, ilgilenmenizi rica ederim.", "")]
        self.now = datetime.now(UTC)
        self.start = self.now - timedelta(days=365 * YEARS)
        self.salt = self.rng.randrange(CODE_SPACE)
        self.citizens = (0, 0)  # (first id, count) of the citizens the requests come from

    def citizen_chunk(self, first_id: int, n: int) -> str:
        """COPY text of ``n`` citizens with ids from ``first_id``."""
        out = io.StringIO()
        org = self.org.pk
        for i in range(n):
            cid = first_id + i
            # registered at the start of the five years, before any of their requests
            ts = _ts(self.start + timedelta(seconds=self.rng.uniform(0, 86400 * 30)))
            out.write(f"{cid}\t{org}\tVatandaş {cid}\t{citizen_phone(cid)}\t\t\ttr\t\t{ts}\t{ts}\n")
        return out.getvalue()

    def _citizen(self) -> tuple[str, str]:
        """(citizen id, phone) of a request's sender as COPY text, or an anonymous one."""
        first, count = self.citizens
        if not count or self.rng.random() < ANONYMOUS_SHARE:
            return "\\N", ""
        # skewed to the lower ids: a few citizens write often, most once or twice
        cid = first + int(count * self.rng.random() ** 2)
        return str(cid), citizen_phone(cid)

    def _text(self, cat_code: str) -> tuple[str, str, str]:
        subject, text, key = self.rng.choice(self.texts.get(cat_code) or self.fallback)
        return subject, text, key or search_key(f"{subject} {text}")

    def chunk(self, first_id: int, n: int, lo: float = 0.0, hi: float = 1.0) -> tuple[str, str]:
        """COPY text of ``n`` requests starting at id ``first_id`` and of their events."""
        rng = self.rng
        req = io.StringIO()
        ev = io.StringIO()
        channels = _weighted(rng, CHANNELS, n)
        kinds = _weighted(rng, KINDS, n)
        span = (self.now - self.start).total_seconds()
        org = self.org.pk
        dirs = self.directorates
        # ids rise with time as in a real table: this chunk covers quantiles [lo, hi)
        quantiles = sorted(lo + (hi - lo) * rng.random() for _ in range(n))
        for i in range(n):
            rid = first_id + i
            # volume grows over the years: inverse-CDF of a linearly rising density
            u = math.sqrt(quantiles[i] * 0.75 + 0.25) * 2 - 1
            created = self.start + timedelta(seconds=span * u)
            cat_id, dir_id, sla, cat_code = rng.choice(self.categories)
            if rng.random() < 0.08:
                dir_id = rng.choice(dirs).pk  # transferred elsewhere: every directorate gets work
            lat = CENTRE[0] + rng.uniform(-SPAN[0] / 2, SPAN[0] / 2)
            lon = CENTRE[1] + rng.uniform(-SPAN[1] / 2, SPAN[1] / 2)
            hood = neighbourhood_cell(lat, lon)
            due = created + timedelta(hours=sla)
            age_days = (self.now - created).days
            answered = closed = None
            if age_days > 30 or rng.random() < min(0.95, age_days / 14 + 0.1):
                answered = created + timedelta(hours=rng.lognormvariate(math.log(sla * 0.6), 0.8))
                if answered > self.now:
                    answered = None
            state = "assigned" if rng.random() < 0.5 else "in_progress"
            if answered is not None:
                state = "answered"
                if rng.random() < 0.85:
                    closed = answered + timedelta(hours=rng.uniform(1, 96))
                    if closed < self.now:
                        state = "closed"
                    else:
                        closed = None
            elif age_days < 2 and rng.random() < 0.5:
                state = "received"
            reopened = state == "closed" and rng.random() < 0.03
            if reopened:
                state, closed = "reopened", None
            subject, text, key = self._text(cat_code)
            code = tracking_code(rid, self.salt)
            ts = _ts(created)
            citizen_id, phone = self._citizen()
            req.write(
                f"{rid}\t{org}\t{code}\t{kinds[i]}\t{cat_id}\t{dir_id}\t{channels[i]}\t{state}\t2\t"
                f"{_esc(subject)}\t{_esc(text)}\ttr\t{code.lower()} {_esc(key)} {hood.lower()}\t"
                f"{lat:.6f}\t{lon:.6f}\t\t{hood}\t\t{phone}\t\t\t\t{ts}\t{ts}\t{_ts(due)}\t"
                f"{_ts(answered) if answered else chr(92) + 'N'}\t"
                f"{_ts(closed) if closed else chr(92) + 'N'}\t0\t{citizen_id}\n"
            )
            ev.write(
                f"{rid}\t{org}\tcreated\t{channels[i]}\t\treceived\t\t"
                f'{{"channel": "{channels[i]}"}}\tt\t{ts}\n'
            )
            if state != "received":
                at = _ts(created + timedelta(minutes=rng.uniform(5, 240)))
                ev.write(f"{rid}\t{org}\tassigned\t\treceived\tassigned\t\t{{}}\tt\t{at}\n")
            if answered is not None:
                ev.write(
                    f"{rid}\t{org}\tstate\t\tin_progress\tanswered\t\t"
                    f'{{"action": "answer"}}\tt\t{_ts(answered)}\n'
                )
            if state == "closed" or reopened:
                end = closed or (answered or created) + timedelta(hours=2)
                at = _ts(end)
                ev.write(f"{rid}\t{org}\tstate\t\tanswered\tclosed\t\t{{}}\tt\t{at}\n")
            if reopened:
                at = _ts(self.now - timedelta(hours=rng.uniform(1, 200)))
                ev.write(
                    f'{rid}\t{org}\tstate\t\tclosed\treopened\t\t{{"action": "reopen"}}\tt\t{at}\n'
                )
        return req.getvalue(), ev.getvalue()


DROP_INDEXES_FROM = 200_000
TABLES = ("requests_request", "requests_requestevent", "citizens_citizen")


def _drop_secondary_indexes() -> list[str]:
    """Drop the indexes that back no constraint; building them once after COPY is far
    faster than maintaining them row by row. Returns their definitions."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [list(TABLES)],
        )
        found = cur.fetchall()
        for name, _definition in found:
            cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _recreate_indexes(definitions: list[str], log: Callable[[str], None]) -> None:
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for definition in definitions:
            # IF NOT EXISTS: a retry after a server restart skips the ones already built
            cur.execute(definition.replace(" INDEX ", " INDEX IF NOT EXISTS ", 1))
    if definitions:
        log(f"  rebuilt {len(definitions)} indexes")


def _reconnect_when_down(step: Callable[[], None], log: Callable[[str], None]) -> None:
    """Run ``step``; if the server went away (a restart), wait for it and run it again."""
    for attempt in range(30):
        try:
            step()
            return
        except (OperationalError, InterfaceError, psycopg.OperationalError) as exc:
            log(f"  server went away ({exc.__class__.__name__}); retrying (attempt {attempt + 1})")
            connection.close()
            time.sleep(5)
    raise RuntimeError("PostgreSQL did not come back")


def _copy_chunk(requests_text: str, events_text: str, log: Callable[[str], None]) -> None:
    """COPY one chunk in one transaction: a restart mid-chunk leaves none of it behind."""

    def step() -> None:
        connection.ensure_connection()
        raw = connection.connection  # psycopg connection
        with raw.transaction(), raw.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            with cur.copy(f"COPY requests_request ({REQUEST_COLUMNS}) FROM STDIN") as copy:
                copy.write(requests_text)
            with cur.copy(f"COPY requests_requestevent ({EVENT_COLUMNS}) FROM STDIN") as copy:
                copy.write(events_text)

    _reconnect_when_down(step, log)


def _copy_citizens(text: str, log: Callable[[str], None]) -> None:
    def step() -> None:
        connection.ensure_connection()
        raw = connection.connection
        with raw.transaction(), raw.cursor() as cur:
            cur.execute("SET LOCAL synchronous_commit = off")
            with cur.copy(f"COPY citizens_citizen ({CITIZEN_COLUMNS}) FROM STDIN") as copy:
                copy.write(text)

    _reconnect_when_down(step, log)


def generate(
    *,
    n: int,
    organisation_slug: str = "bornova",
    log: Callable[[str], None] = print,
    rollups: bool = True,
) -> dict[str, float]:
    """Insert ``n`` requests with events; returns timings in seconds.

    The next chunk is generated in a thread while the server ingests the current one
    (COPY waits on the server, so the two overlap). ``rollups=False`` leaves the rollup
    tables to a later ``rollup_rebuild``.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("bulk generation uses PostgreSQL COPY; set DATABASE_URL")
    org = Organisation.objects.get(slug=organisation_slug)
    gen = Generator(org)
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM requests_request")
        first = cur.fetchone()[0] + 1
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('requests_request', 'id'), %s)", [first + n]
        )
    dropped = _drop_secondary_indexes() if n >= DROP_INDEXES_FROM else []
    citizens = int(n * CITIZENS_PER_REQUEST)
    if citizens:
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM citizens_citizen")
            first_citizen = cur.fetchone()[0] + 1
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('citizens_citizen', 'id'), %s)",
                [first_citizen + citizens],
            )
        for start in range(0, citizens, CHUNK):
            size = min(CHUNK, citizens - start)
            _copy_citizens(gen.citizen_chunk(first_citizen + start, size), log)
        gen.citizens = (first_citizen, citizens)
        log(f"  {citizens:,} citizens ({time.monotonic() - t0:.0f} s)")
    done = 0
    gen_time = copy_time = 0.0

    def make(start: int) -> tuple[str, str, float]:
        g0 = time.monotonic()
        size = min(CHUNK, n - start)
        texts = gen.chunk(first + start, size, start / n, (start + size) / n)
        return texts[0], texts[1], time.monotonic() - g0

    pool = ThreadPoolExecutor(max_workers=1)
    pending = pool.submit(make, 0)
    while done < n:
        size = min(CHUNK, n - done)
        requests_text, events_text, took = pending.result()
        gen_time += took
        if done + size < n:
            pending = pool.submit(make, done + size)
        g1 = time.monotonic()
        _copy_chunk(requests_text, events_text, log)
        copy_time += time.monotonic() - g1
        done += size
        if done % (CHUNK * 10) == 0 or done == n:
            log(f"  {done:,} requests ({time.monotonic() - t0:.0f} s)")
    pool.shutdown()
    i0 = time.monotonic()
    _reconnect_when_down(lambda: _recreate_indexes(dropped, log), log)
    t_index = time.monotonic() - i0
    t_insert = time.monotonic() - t0
    with connection.cursor() as cur:
        # VACUUM sets the visibility map, so counts can be answered from indexes alone
        cur.execute("VACUUM ANALYZE requests_request")
        cur.execute("VACUUM ANALYZE requests_requestevent")
        cur.execute("VACUUM ANALYZE citizens_citizen")
    r0 = time.monotonic()
    if rollups:
        rollups_rebuild_all(org)
    t_rollup = time.monotonic() - r0
    return {
        "insert_s": round(t_insert, 1),
        "generate_s": round(gen_time, 1),
        "copy_s": round(copy_time, 1),
        "index_s": round(t_index, 1),
        "rollup_s": round(t_rollup, 1),
        "total_s": round(time.monotonic() - t0, 1),
        "per_s": round(n / max(t_insert, 0.001)),
    }


def rollups_rebuild_all(org: Organisation) -> None:
    """Full rebuild of every rollup table of ``org`` after a bulk load."""
    from kent360.reports import rollups

    rollups.rollup_rebuild(organisation=org)
    rollups.rollup_mark_all_done()
    with connection.cursor() as cur:
        for model in rollups.ROLLUP_MODELS:
            cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
