"""Local HTTP servers that speak the networks' publishing APIs (and an SMS gateway).

Each runs in-process on 127.0.0.1 with a random port and records what it received, so a
test can check the exact requests the adapters made.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class FakeApi:
    """One server for every API; ``fail_next`` makes the next N calls answer 503."""

    token: str = "secret-token"
    received: list[Received] = field(default_factory=list)
    statuses_by_key: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: int = 0
    counter: int = 100
    url: str = ""

    def handle(self, r: Received) -> tuple[int, dict[str, Any]]:
        if self.fail_next > 0:
            self.fail_next -= 1
            return 503, {"error": "try later"}
        self.counter += 1
        n = str(self.counter)
        auth = r.headers.get("authorization", "")
        token = r.form.get("access_token", "")
        if r.path.startswith("/api/"):  # Mastodon
            if auth != f"Bearer {self.token}":
                return 401, {"error": "The access token is invalid"}
            if r.path == "/api/v2/media":
                return 202, {"id": f"m{n}", "type": "image", "url": None}
            if r.path == "/api/v1/statuses":
                key = r.headers.get("idempotency-key", "")
                if key and key in self.statuses_by_key:
                    return 200, self.statuses_by_key[key]
                body = r.json or {}
                if len(body.get("status", "")) > 500:
                    return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}
                status = {
                    "id": n,
                    "url": f"{self.url}/@belediye/{n}",
                    "content": body.get("status"),
                    "media_attachments": [{"id": i} for i in body.get("media_ids", [])],
                }
                if key:
                    self.statuses_by_key[key] = status
                return 200, status
        if r.path.startswith("/2/"):  # X
            if auth != f"Bearer {self.token}":
                return 401, {"title": "Unauthorized", "status": 401}
            if r.path == "/2/media/upload":
                return 200, {"data": {"id": f"x{n}", "media_key": f"3_x{n}"}}
            if r.path == "/2/tweets":
                return 201, {"data": {"id": n, "text": (r.json or {}).get("text", "")}}
        if r.path.startswith("/v21.0/"):  # Meta Graph API
            if token != self.token:
                return 400, {
                    "error": {
                        "message": "Invalid OAuth access token.",
                        "type": "OAuthException",
                        "code": 190,
                    }
                }
            if r.path.endswith("/feed"):
                page = r.path.split("/")[2]
                return 200, {"id": f"{page}_{n}"}
            if r.path.endswith("/photos"):
                page = r.path.split("/")[2]
                return 200, {"id": n, "post_id": f"{page}_{n}"}
            if r.path.endswith("/media_publish"):
                if not r.form.get("creation_id"):
                    return 400, {"error": {"message": "creation_id required"}}
                return 200, {"id": f"ig{n}"}
            if r.path.endswith("/media"):
                if not r.form.get("image_url"):
                    return 400, {"error": {"message": "image_url required"}}
                return 200, {"id": f"c{n}"}
        if r.path == "/sms/messages":  # the SMS gateway
            if auth != f"Bearer {self.token}":
                return 401, {"error": "unauthorised"}
            body = r.json or {}
            return 200, {"id": f"sms{n}", "accepted": len(body.get("to", []))}
        return 404, {"error": "not found"}


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            ctype = self.headers.get("Content-Type", "")
            r = Received(
                "POST", self.path.split("?")[0], {k.lower(): v for k, v in self.headers.items()}
            )
            if ctype.startswith("application/json"):
                r.json = json.loads(raw or b"null")
            elif ctype.startswith("application/x-www-form-urlencoded"):
                r.form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            elif ctype.startswith("multipart/form-data"):
                msg = message_from_bytes(
                    f"Content-Type: {ctype}\r\n\r\n".encode() + raw, policy=policy.default
                )
                for part in msg.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True) or b""
                    if part.get_filename():
                        r.files[str(name)] = payload
                    else:
                        r.form[str(name)] = payload.decode()
            api.received.append(r)
            status, body = api.handle(r)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_api(api: FakeApi | None = None) -> Iterator[FakeApi]:
    api = api or FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
