"""A tiny in-process HTTP server (127.0.0.1, random port) for adapter tests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class ApiServer:
    def __init__(self, routes):
        self.routes = (
            routes  # (method, path) -> func(query, body, headers) -> (status, obj, headers)
        )
        self.calls = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _do(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                query = parse_qs(url.query)
                server.calls.append((method, url.path, query, body, dict(self.headers)))
                func = server.routes.get((method, url.path))
                if func is None:
                    status, obj, headers = 404, {"error": "Record not found"}, {}
                else:
                    status, obj, headers = func(query, body, self.headers)
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._do("GET")

            def do_POST(self):
                self._do("POST")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
