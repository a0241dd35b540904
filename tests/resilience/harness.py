"""Real processes against a throwaway PostgreSQL database, killed and restarted on purpose.

Used by the fast CI variants (tests/resilience/) and the long runs (benchmarks/). Each
process (gunicorn, the django-tasks-db worker, the intake SMTP listener, the scheduler)
runs in its own session so ``SIGKILL`` takes the whole process group down, as a crash of
the machine would; a supervisor thread restarts whatever died (as systemd would). The
notification mails go to a real SMTP server in this process that records every delivery.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RETRYABLE_HTTP = {502, 503, 504}


def postgres_admin_url() -> str | None:
    """The server of DATABASE_URL (or K360_PG_URL) when it is PostgreSQL, else None."""
    url = os.environ.get("K360_PG_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_port(host: str, port: int, timeout: float = 60.0, netns: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{host}:{port} did not open in {timeout}s")


# --------------------------------------------------------------------------- database


class Database:
    """CREATE DATABASE on the server, migrate and seed it; DROP it at the end."""

    def __init__(self, admin_url: str, name: str) -> None:
        self.admin_url = admin_url
        self.name = name
        self.url = f"{admin_url}/{name}"

    def _admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(f"{self.admin_url}/postgres", autocommit=True, connect_timeout=10)

    def create(self) -> None:
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        for _ in range(20):
            try:
                with self._admin() as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                return
            except psycopg.OperationalError:
                time.sleep(1)  # the server may still be restarting

    def connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=10)

    def scalar(self, sql: str, *args: Any) -> Any:
        with self.connect() as conn:
            row = conn.execute(sql, args).fetchone()
            return row[0] if row else None

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with self.connect() as conn:
            return list(conn.execute(sql, args).fetchall())


def restart_postgres() -> float:
    """Restart the local cluster (fast shutdown: every connection is cut); seconds taken."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return time.monotonic() - started


# --------------------------------------------------------------------------- network


class NetNamespace:
    """A separate network stack ("host") joined to this one by a veth pair.

    This side is 10.231.N.1, the namespace is 10.231.N.2; the namespace reaches
    PostgreSQL and the mail server only through proxies listening on 10.231.N.1.
    """

    def __init__(self, index: int) -> None:
        self.name = f"k360r{os.getpid() % 10000}n{index}"
        self.host_if = f"k3{os.getpid() % 10000}h{index}"
        self.ns_if = f"k3{os.getpid() % 10000}n{index}"
        self.outside = f"10.231.{index}.1"
        self.inside = f"10.231.{index}.2"

    def create(self) -> None:
        run = _ip
        run("netns", "add", self.name)
        run("link", "add", self.host_if, "type", "veth", "peer", "name", self.ns_if)
        run("link", "set", self.ns_if, "netns", self.name)
        run("addr", "add", f"{self.outside}/30", "dev", self.host_if)
        run("link", "set", self.host_if, "up")
        run("-n", self.name, "addr", "add", f"{self.inside}/30", "dev", self.ns_if)
        run("-n", self.name, "link", "set", self.ns_if, "up")
        run("-n", self.name, "link", "set", "lo", "up")

    def delete(self) -> None:
        subprocess.run(["ip", "link", "del", self.host_if], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, check=False)

    def wrap(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.name, *argv]


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


def netns_available() -> bool:
    """True when this process may create network namespaces (root, iproute2)."""
    probe = NetNamespace(250)
    try:
        probe.create()
    except (OSError, subprocess.CalledProcessError):
        return False
    finally:
        probe.delete()
    return True


class TcpProxy:
    """Forward connections from (listen_host, listen_port) to (target_host, target_port)."""

    def __init__(self, listen_host: str, listen_port: int, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server((listen_host, listen_port), reuse_port=False)
        self.server.settimeout(0.5)
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopping:
            try:
                client, _addr = self.server.accept()
            except (TimeoutError, OSError):
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            client.settimeout(None)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()

    def stop(self) -> None:
        self.stopping = True
        self.server.close()


# --------------------------------------------------------------------------- mail sink


class MailSink:
    """The citizens' mail server: records (Message-ID, recipient) of every delivery."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        from aiosmtpd.controller import Controller

        self.deliveries: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                headers = BytesParser(policy=default_policy).parsebytes(
                    envelope.content, headersonly=True
                )
                with sink.lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.deliveries.append((str(headers.get("Message-ID", "")), rcpt))
                return "250 OK"

        self.controller = Controller(Handler(), hostname=host, port=free_port(host))
        self.controller.start()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.deliveries)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.controller.stop()


# --------------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    ready: tuple[str, int] | None = None
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.starts += 1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self) -> None:
        """SIGKILL the whole process group (gunicorn's master and its workers alike)."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)
        self.kills += 1

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)


class Cluster:
    """One throwaway database, the processes serving it, a supervisor and a mail sink."""

    def __init__(
        self,
        admin_url: str,
        *,
        label: str = "res",
        stale_seconds: int = 5,
        sweep_seconds: int = 2,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.db = Database(admin_url, f"k360_{label}_{os.getpid()}_{random.randrange(10**6)}")
        self.workdir = Path(tempfile.mkdtemp(prefix=f"k360-{label}-"))
        self.procs: list[Proc] = []
        self.sink: MailSink | None = None
        self.supervising = False
        self.restarts = 0
        self.secrets: dict[str, str] = {}
        self.stale_seconds = stale_seconds
        self.sweep_seconds = sweep_seconds
        self.extra_env = extra_env or {}
        self._supervisor: threading.Thread | None = None

    # -- set-up
    def env(self, *, db_url: str | None = None, mail: tuple[str, int] | None = None) -> dict:
        sink_host, sink_port = mail or ("127.0.0.1", self.sink.port if self.sink else 25)
        every = self.sweep_seconds
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "kent360.settings",
            "DATABASE_URL": db_url or self.db.url,
            "KENT360_VAR_DIR": str(self.workdir / "var"),
            "KENT360_SECRET_KEY": "resilience-test-secret-key-not-for-production-0123456789",
            "KENT360_DEBUG": "0",
            "KENT360_ALLOWED_HOSTS": "*",
            "KENT360_LOG_LEVEL": "WARNING",
            "KENT360_TASK_BACKEND": "django_tasks_db.DatabaseBackend",
            "KENT360_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "KENT360_EMAIL_HOST": sink_host,
            "KENT360_EMAIL_PORT": str(sink_port),
            "KENT360_INTAKE_EMAIL_ORG": "resil",
            "KENT360_INTAKE_STALE_SECONDS": str(self.stale_seconds),
            "KENT360_INTAKE_PENDING_GRACE_SECONDS": str(self.stale_seconds),
            "KENT360_NOTIFICATION_STALE_SECONDS": str(self.stale_seconds),
            "KENT360_PERIODIC_INTERVALS": (
                f"intake.sweep={every},notifications.sweep={every},"
                "intake.social=3600,intake.followers=3600,intake.imap=3600"
            ),
            **self.extra_env,
        }

    def prepare(self) -> None:
        """Create, migrate and seed the database; start the mail sink."""
        # Every interface: the namespaced hosts reach the sink through their veth peer.
        self.sink = MailSink("0.0.0.0")  # noqa: S104
        self.db.create()
        env = self.env()
        subprocess.run(
            [PYTHON, "-m", "kent360.cli", "migrate", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=300,
        )
        seeded = subprocess.run(
            [PYTHON, "-m", "tests.resilience.seed"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
        self.secrets = json.loads(seeded.stdout.decode().strip().splitlines()[-1])

    def add(
        self,
        name: str,
        argv: list[str],
        *,
        netns: NetNamespace | None = None,
        env: dict[str, str] | None = None,
        ready: tuple[str, int] | None = None,
    ) -> Proc:
        full = netns.wrap(argv) if netns else argv
        proc = Proc(name, full, env or self.env(), self.workdir / f"{name}.log", ready)
        self.procs.append(proc)
        proc.start()
        return proc

    def web(self, name: str, port: int, *, host: str = "127.0.0.1", **kw: Any) -> Proc:
        argv = [PYTHON, "-m", "gunicorn", "kent360.wsgi:application", "--bind", f"{host}:{port}"]
        argv += ["--workers", "2", "--timeout", "30", "--graceful-timeout", "5"]
        return self.add(name, argv, **kw)

    def worker(self, name: str, **kw: Any) -> Proc:
        argv = [PYTHON, "-m", "kent360.cli", "db_worker", "--queue-name", "*"]
        argv += ["--interval", "0.2", "--no-reload", "--worker-id", f"{name}-{os.getpid()}"]
        return self.add(name, argv, **kw)

    def smtp_intake(self, name: str, port: int, *, host: str = "127.0.0.1", **kw: Any) -> Proc:
        argv = [PYTHON, "-m", "kent360.cli", "intake", "smtp", "--host", host]
        return self.add(name, [*argv, "--port", str(port)], **kw)

    def scheduler(self, name: str, **kw: Any) -> Proc:
        return self.add(name, [PYTHON, "-m", "kent360.cli", "scheduler", "--interval", "0.5"], **kw)

    # -- supervision
    def supervise(self) -> None:
        """Restart any process that died (killed by us, or exiting on a database outage)."""
        self.supervising = True

        def loop() -> None:
            while self.supervising:
                for proc in self.procs:
                    if self.supervising and not proc.alive():
                        time.sleep(0.3)
                        proc.start()
                        self.restarts += 1
                time.sleep(0.2)

        self._supervisor = threading.Thread(target=loop, daemon=True)
        self._supervisor.start()

    def get(self, name: str) -> Proc:
        return next(p for p in self.procs if p.name == name)

    def shutdown(self) -> None:
        self.supervising = False
        if self._supervisor:
            self._supervisor.join(5)
        for proc in self.procs:
            proc.stop()
        if self.sink:
            self.sink.stop()
        self.db.drop()
        if not os.environ.get("K360_KEEP_LOGS"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def logs_tail(self, lines: int = 30) -> str:
        out = []
        for proc in self.procs:
            text = proc.log_path.read_text(errors="replace") if proc.log_path.exists() else ""
            out.append(f"--- {proc.name}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(out)


# --------------------------------------------------------------------------- clients


@dataclass
class Outcomes:
    """What the clients saw: successes, retryable refusals, and anything unexpected."""

    sent: int = 0
    attempts: int = 0
    retryable: Counter[str] = field(default_factory=Counter)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str) -> None:
        with self.lock:
            self.retryable[kind] += 1

    def bad(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what)


CHANNELS = ("api", "email", "open311")


@dataclass
class Endpoints:
    web: list[str]  # base URLs
    smtp: list[tuple[str, int]]
    staff_key: str
    open311_key: str


def marker(run: str, i: int) -> str:
    return f"res-{run}-{i:07d}"


def citizen_email(run: str, i: int) -> str:
    return f"c{i}.{run}@example.test"


class Stream:
    """Send N messages over the three channels, each retried until accepted, as a real
    client does: the same Idempotency-Key, the same Message-ID, the same Open311 form."""

    def __init__(self, endpoints: Endpoints, total: int, run: str, threads: int = 8) -> None:
        self.ep = endpoints
        self.total = total
        self.run = run
        self.threads = threads
        self.outcomes = Outcomes()
        self.done = 0
        self._next = 0
        self._lock = threading.Lock()
        self.deadline_per_message = 180.0

    def _take(self) -> int | None:
        with self._lock:
            if self._next >= self.total:
                return None
            self._next += 1
            return self._next - 1

    def send_all(self) -> float:
        started = time.monotonic()
        workers = [threading.Thread(target=self._client, args=(t,)) for t in range(self.threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.monotonic() - started

    def _client(self, number: int) -> None:
        http = httpx.Client(timeout=30.0)
        try:
            while (i := self._take()) is not None:
                channel = CHANNELS[i % 3]
                self._retry(lambda i=i, c=channel: self._once(http, c, i, number), i)
                with self._lock:
                    self.done += 1
                    self.outcomes.sent += 1
        finally:
            http.close()

    def _retry(self, attempt: Callable[[], bool], i: int) -> None:
        deadline = time.monotonic() + self.deadline_per_message
        pause = 0.1
        while True:
            with self.outcomes.lock:
                self.outcomes.attempts += 1
            if attempt():
                return
            if time.monotonic() > deadline:
                self.outcomes.bad(f"message {i} not accepted in {self.deadline_per_message}s")
                return
            time.sleep(pause + random.random() * pause)
            pause = min(pause * 2, 2.0)

    def _once(self, http: httpx.Client, channel: str, i: int, number: int) -> bool:
        if channel == "email":
            return self._email(i, number)
        base = self.ep.web[(i + number) % len(self.ep.web)]
        try:
            if channel == "api":
                response = http.post(
                    f"{base}/api/v1/requests/",
                    json={
                        "subject": marker(self.run, i),
                        "text": "Sokakta çukur var, araçlar zarar görüyor.",
                        "category": "asfalt",
                        "contact_email": citizen_email(self.run, i),
                    },
                    headers={
                        "Authorization": f"Token {self.ep.staff_key}",
                        "Idempotency-Key": marker(self.run, i),
                    },
                )
            else:
                response = http.post(
                    f"{base}/open311/v2/requests.json",
                    data={
                        "api_key": self.ep.open311_key,
                        "service_code": "asfalt",
                        "lat": "38.47",
                        "long": "27.22",
                        "description": f"{marker(self.run, i)}\nKaldırımda çukur.",
                        "email": citizen_email(self.run, i),
                    },
                )
        except httpx.TransportError as exc:
            self.outcomes.note(f"{channel}:{type(exc).__name__}")
            return False
        if response.status_code in (200, 201):
            return True
        if response.status_code in RETRYABLE_HTTP:
            if response.status_code == 503:
                body = _json(response)
                code = (body.get("error") or {}).get("code") if isinstance(body, dict) else None
                if code != "unavailable" or "Retry-After" not in response.headers:
                    self.outcomes.bad(
                        f"{channel}: 503 without the error shape: {response.text[:200]}"
                    )
            self.outcomes.note(f"{channel}:http{response.status_code}")
            return False
        self.outcomes.bad(f"{channel} {i}: HTTP {response.status_code} {response.text[:300]}")
        return response.status_code < 500  # a 4xx would repeat forever; a 500 is retried

    def _email(self, i: int, number: int) -> bool:
        host, port = self.ep.smtp[(i + number) % len(self.ep.smtp)]
        msg = EmailMessage()
        msg["From"] = citizen_email(self.run, i)
        msg["To"] = "resil@kent360.test"
        msg["Subject"] = marker(self.run, i)
        msg["Message-ID"] = f"<{marker(self.run, i)}@client.example.test>"
        msg.set_content("Sokak lambası yanmıyor, lütfen ilgilenin.")
        try:
            with smtplib.SMTP(host, port, timeout=30) as client:
                client.send_message(msg)
            return True
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [c for c, _t in exc.recipients.values()]
            return self._smtp_refused(codes, i)
        except smtplib.SMTPResponseException as exc:
            return self._smtp_refused([exc.smtp_code], i)
        except (OSError, smtplib.SMTPException) as exc:
            self.outcomes.note(f"email:{type(exc).__name__}")
            return False

    def _smtp_refused(self, codes: list[int], i: int) -> bool:
        if all(400 <= c < 500 for c in codes):
            self.outcomes.note(f"email:smtp{codes[0]}")
            return False
        self.outcomes.bad(f"email {i}: permanent SMTP refusal {codes}")
        return False


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# --------------------------------------------------------------------------- checks


@dataclass
class Figures:
    sent: int
    requests: int
    lost: int
    duplicated: int
    inbound_not_done: int
    half_written: int
    notifications: int
    notifications_missing: int
    notifications_not_sent: int
    mails_received: int
    mails_unique: int
    duplicate_mails: int
    notifications_without_mail: int
    restarts: int = 0
    wall_seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.inbound_not_done == 0
            and self.half_written == 0
            and self.notifications_missing == 0
            and self.notifications_not_sent == 0
            and self.notifications_without_mail == 0
            and self.notifications == self.requests
        )

    def lines(self) -> str:
        rows = [(k, v) for k, v in self.__dict__.items() if k != "extra"]
        rows += list(self.extra.items())
        return "\n".join(f"{k:28} {v}" for k, v in rows)


def measure(cluster: Cluster, run: str, sent: int) -> Figures:
    db = cluster.db
    subjects = {
        s: n
        for s, n in db.rows(
            "SELECT subject, count(*) FROM requests_request WHERE subject LIKE %s GROUP BY subject",
            f"res-{run}-%",
        )
    }
    expected = {marker(run, i) for i in range(sent)}
    lost = len(expected - subjects.keys())
    duplicated = sum(n - 1 for n in subjects.values()) + db.scalar(
        "SELECT count(*) FROM (SELECT 1 FROM requests_request WHERE idempotency_key IS NOT NULL "
        "GROUP BY organisation_id, idempotency_key HAVING count(*) > 1) d"
    )
    half_written = db.scalar(
        "SELECT count(*) FROM requests_request r WHERE NOT EXISTS (SELECT 1 FROM "
        "requests_requestevent e WHERE e.request_id = r.id AND e.type = 'created')"
    ) + db.scalar(
        "SELECT count(*) FROM requests_requestevent e LEFT JOIN requests_request r "
        "ON r.id = e.request_id WHERE r.id IS NULL"
    )
    inbound_not_done = db.scalar(
        "SELECT count(*) FROM intake_inboundmessage WHERE status <> 'done' OR request_id IS NULL"
    )
    missing = db.scalar(
        "SELECT count(*) FROM requests_requestevent e "
        "JOIN requests_request r ON r.id = e.request_id WHERE e.type = 'created' "
        "AND r.contact_email <> '' AND NOT EXISTS (SELECT 1 FROM "
        "notifications_notification n WHERE n.key = 'event:' || e.id || ':email')"
    )
    notes = db.rows("SELECT message_id, recipient, status FROM notifications_notification")
    deliveries = cluster.sink.snapshot() if cluster.sink else []
    received_ids = Counter(mid for mid, _rcpt in deliveries)
    without_mail = sum(1 for mid, _r, _s in notes if received_ids.get(mid, 0) == 0)
    return Figures(
        sent=sent,
        requests=db.scalar("SELECT count(*) FROM requests_request"),
        lost=lost,
        duplicated=duplicated,
        inbound_not_done=inbound_not_done,
        half_written=half_written,
        notifications=len(notes),
        notifications_missing=missing,
        notifications_not_sent=sum(1 for _m, _r, s in notes if s != "sent"),
        mails_received=len(deliveries),
        mails_unique=len(received_ids),
        duplicate_mails=len(deliveries) - len(received_ids),
        notifications_without_mail=without_mail,
    )


def backlog(cluster: Cluster) -> tuple[int, int]:
    """Items not yet turned into requests and notifications not yet sent (two cheap counts)."""
    db = cluster.db
    return (
        db.scalar("SELECT count(*) FROM intake_inboundmessage WHERE status <> 'done'"),
        db.scalar("SELECT count(*) FROM notifications_notification WHERE status <> 'sent'"),
    )


def drain(
    cluster: Cluster,
    run: str,
    sent: int,
    timeout: float,
    progress: Callable[[str], None] | None = None,
) -> Figures:
    """Wait until everything sent has become a request and every mail went out.

    While work is left, only two counts are read (every few seconds); the full check,
    which reads every request and notification, runs when they reach zero and at the end,
    so a long drain does not take the CPU from the workers it waits for.
    """
    started = time.monotonic()
    deadline = started + timeout
    figures = measure(cluster, run, sent)
    last_report = started
    while not figures.ok() and time.monotonic() < deadline:
        time.sleep(1.0 if sent < 5000 else 5.0)
        try:
            inbound, unsent = backlog(cluster)
            if progress and time.monotonic() - last_report >= 60:
                last_report = time.monotonic()
                waited = last_report - started
                progress(f"drain {waited:.0f}s: {inbound} items and {unsent} mails left")
            if (inbound == 0 and unsent == 0) or time.monotonic() >= deadline:
                figures = measure(cluster, run, sent)
        except psycopg.OperationalError:
            continue
    figures.extra["drain_seconds"] = round(time.monotonic() - started, 1)
    return figures


# --------------------------------------------------------------------------- chaos


@dataclass
class Fault:
    at_fraction: float
    kind: str  # "kill:<proc name>" or "postgres"


class Chaos:
    """Inject faults when the stream reaches given fractions of the messages."""

    def __init__(self, cluster: Cluster, stream: Stream, faults: list[Fault]) -> None:
        self.cluster = cluster
        self.stream = stream
        self.faults = sorted(faults, key=lambda f: f.at_fraction)
        self.log: list[str] = []
        self.postgres_restarts = 0
        self.kills = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        for fault in self.faults:
            target = int(fault.at_fraction * self.stream.total)
            while self.stream.done < target and self.stream.done < self.stream.total:
                time.sleep(0.05)
            time.sleep(random.random() * 0.3)  # a random moment, bounded
            if fault.kind == "postgres":
                took = restart_postgres()
                self.postgres_restarts += 1
                self.log.append(f"postgres restarted at {self.stream.done} ({took:.1f}s)")
            else:
                proc = self.cluster.get(fault.kind.split(":", 1)[1])
                proc.kill9()
                self.kills += 1
                self.log.append(f"{proc.name} killed at {self.stream.done}")

    def join(self) -> None:
        self.thread.join(300)


@contextlib.contextmanager
def cluster_for(admin_url: str, **kw: Any) -> Iterator[Cluster]:
    cluster = Cluster(admin_url, **kw)
    try:
        cluster.prepare()
        yield cluster
    finally:
        cluster.shutdown()


# --------------------------------------------------------------------------- scenarios


def run_stream(
    admin_url: str,
    *,
    messages: int,
    faults: list[Fault],
    threads: int = 8,
    drain_seconds: float = 120.0,
    progress: Callable[[str], None] | None = None,
    workers: int = 1,
) -> tuple[Figures, Outcomes, list[str]]:
    """One web server, ``workers`` workers (named worker, worker2, …), one SMTP listener and
    one scheduler; faults mid-stream; then wait up to ``drain_seconds`` for the backlog."""
    run = f"{random.randrange(16**6):06x}"
    with cluster_for(admin_url, label="stream") as cluster:
        web_port, smtp_port = free_port(), free_port()
        cluster.web("web", web_port, ready=("127.0.0.1", web_port))
        for n in range(workers):
            cluster.worker("worker" if n == 0 else f"worker{n + 1}")
        cluster.smtp_intake("smtp", smtp_port)
        cluster.scheduler("scheduler")
        wait_port("127.0.0.1", web_port)
        wait_port("127.0.0.1", smtp_port)
        cluster.supervise()
        endpoints = Endpoints(
            web=[f"http://127.0.0.1:{web_port}"],
            smtp=[("127.0.0.1", smtp_port)],
            staff_key=cluster.secrets["staff_key"],
            open311_key=cluster.secrets["open311_key"],
        )
        stream = Stream(endpoints, messages, run, threads=threads)
        chaos = Chaos(cluster, stream, faults)
        chaos.start()
        reporter = _reporter(stream, progress) if progress else None
        started = time.monotonic()
        stream.send_all()
        sent_seconds = time.monotonic() - started
        chaos.join()
        figures = drain(cluster, run, messages, drain_seconds, progress)
        figures.wall_seconds = round(time.monotonic() - started, 1)
        figures.restarts = cluster.restarts
        figures.extra.update(
            {
                "send_seconds": round(sent_seconds, 1),
                "messages_per_second": round(messages / sent_seconds, 1),
                "workers": workers,
                "workers_that_ran_tasks": cluster.db.scalar(
                    "SELECT count(DISTINCT w) FROM django_tasks_database_dbtaskresult, "
                    "jsonb_array_elements_text(worker_ids) w"
                ),
                "tasks_claimed_twice": cluster.db.scalar(
                    "SELECT count(*) FROM django_tasks_database_dbtaskresult "
                    "WHERE jsonb_array_length(worker_ids) > 1"
                ),
                "kills": chaos.kills,
                "postgres_restarts": chaos.postgres_restarts,
                "client_attempts": stream.outcomes.attempts,
                "client_retryable": dict(stream.outcomes.retryable),
                "client_unexpected": len(stream.outcomes.unexpected),
            }
        )
        if reporter:
            reporter.set()
        if not figures.ok():
            chaos.log.append(cluster.logs_tail())
        return figures, stream.outcomes, chaos.log


def _reporter(stream: Stream, progress: Callable[[str], None]) -> threading.Event:
    stop = threading.Event()

    def loop() -> None:
        started = time.monotonic()
        while not stop.wait(30):
            rate = stream.done / max(time.monotonic() - started, 1e-6)
            progress(f"{stream.done}/{stream.total} sent, {rate:.0f}/s")

    threading.Thread(target=loop, daemon=True).start()
    return stop


def run_scaleout(
    admin_url: str,
    *,
    messages: int,
    min_seconds: float,
    use_netns: bool,
    threads: int = 8,
    drain_seconds: float = 120.0,
) -> tuple[Figures, Outcomes, dict[str, Any]]:
    """Two web hosts (gunicorn + SMTP intake), three worker hosts and two scheduler hosts
    against one PostgreSQL; each host a network namespace when ``use_netns``, otherwise a
    separate process group with its own configuration on 127.0.0.1."""
    run = f"{random.randrange(16**6):06x}"
    namespaces: list[NetNamespace] = []
    proxies: list[TcpProxy] = []
    pg = urlsplit(admin_url)
    pg_target = (pg.hostname or "127.0.0.1", pg.port or 5432)
    with cluster_for(admin_url, label="scale", sweep_seconds=2) as cluster:
        assert cluster.sink is not None

        def host(index: int) -> tuple[NetNamespace | None, dict[str, str], str]:
            if not use_netns:
                return None, cluster.env(), "127.0.0.1"
            ns = NetNamespace(index)
            ns.create()
            namespaces.append(ns)
            proxies.append(TcpProxy(ns.outside, pg_target[1], pg_target))
            db_url = f"postgresql://{pg.username}@{ns.outside}:{pg_target[1]}/{cluster.db.name}"
            env = cluster.env(db_url=db_url, mail=(ns.outside, cluster.sink.port))
            return ns, env, ns.inside

        try:
            webs, smtps = [], []
            for n in range(2):
                ns, env, address = host(n + 1)
                bind = "0.0.0.0" if ns else "127.0.0.1"  # noqa: S104 (inside a namespace)
                web_port = 8000 if ns else free_port()
                smtp_port = 2525 if ns else free_port()
                cluster.web(f"web{n + 1}", web_port, host=bind, netns=ns, env=env)
                cluster.smtp_intake(f"smtp{n + 1}", smtp_port, host=bind, netns=ns, env=env)
                webs.append((address, web_port))
                smtps.append((address, smtp_port))
            for n in range(3):
                ns, env, _address = host(n + 3)
                cluster.worker(f"worker{n + 1}", netns=ns, env=env)
            for n in range(2):
                ns, env, _address = host(n + 6)
                cluster.scheduler(f"scheduler{n + 1}", netns=ns, env=env)
            for address, port in webs + smtps:
                wait_port(address, port)
            cluster.supervise()
            endpoints = Endpoints(
                web=[f"http://{a}:{p}" for a, p in webs],
                smtp=smtps,
                staff_key=cluster.secrets["staff_key"],
                open311_key=cluster.secrets["open311_key"],
            )
            stream = Stream(endpoints, messages, run, threads=threads)
            started = time.monotonic()
            stream.send_all()
            send_seconds = time.monotonic() - started
            time.sleep(max(0.0, min_seconds - send_seconds))
            figures = drain(cluster, run, messages, drain_seconds)
            figures.wall_seconds = round(time.monotonic() - started, 1)
            figures.restarts = cluster.restarts
            checks = scaleout_checks(cluster)
            figures.extra.update(
                {
                    "hosts": "network namespaces" if use_netns else "processes on 127.0.0.1",
                    "send_seconds": round(send_seconds, 1),
                    "messages_per_second": round(messages / max(send_seconds, 1e-6), 1),
                    **checks,
                }
            )
            if not figures.ok():
                figures.extra["logs"] = cluster.logs_tail()
            return figures, stream.outcomes, checks
        finally:
            cluster.supervising = False
            for proc in cluster.procs:
                proc.stop()
            for proxy in proxies:
                proxy.stop()
            for ns in namespaces:
                ns.delete()


def scaleout_checks(cluster: Cluster) -> dict[str, Any]:
    """No task claimed twice, no item processed twice, each periodic slot enqueued once."""
    db = cluster.db
    runs = dict(db.rows("SELECT job, count(*) FROM core_periodicrun GROUP BY job"))
    enqueued = dict(
        db.rows(
            "SELECT task_path, count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE task_path LIKE %s GROUP BY task_path",
            "%.sweep_%",
        )
    )
    return {
        "tasks": db.scalar("SELECT count(*) FROM django_tasks_database_dbtaskresult"),
        "tasks_claimed_twice": db.scalar(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE jsonb_array_length(worker_ids) > 1"
        ),
        # A sweep the scheduler enqueued just before the hosts stopped may still be waiting
        # (READY); that is not a failure. A task that ran and raised is.
        "tasks_failed": db.scalar(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
        ),
        "tasks_left_waiting": db.scalar(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING')"
        ),
        "tasks_failed_detail": db.rows(
            "SELECT task_path, exception_class_path, left(traceback, 600) "
            "FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED' LIMIT 5"
        ),
        "workers_that_ran_tasks": db.scalar(
            "SELECT count(DISTINCT w) FROM django_tasks_database_dbtaskresult, "
            "jsonb_array_elements_text(worker_ids) w"
        ),
        "inbound_processed_twice": db.scalar(
            "SELECT count(*) FROM intake_inboundmessage WHERE attempts > 1"
        ),
        "notifications_sent_twice": db.scalar(
            "SELECT count(*) FROM notifications_notification WHERE attempts > 1"
        ),
        "notification_sweep_slots": runs.get("notifications.sweep", 0),
        "notification_sweeps_enqueued": enqueued.get(
            "kent360.notifications.tasks.sweep_notifications", 0
        ),
        "intake_sweep_slots": runs.get("intake.sweep", 0),
        "intake_sweeps_enqueued": enqueued.get("kent360.intake.tasks.sweep_inbound", 0),
        "periodic_slots_claimed_twice": db.scalar(
            "SELECT count(*) FROM (SELECT 1 FROM core_periodicrun GROUP BY job, slot "
            "HAVING count(*) > 1) d"
        ),
    }
