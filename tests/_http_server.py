"""A real HTTP server on 127.0.0.1 for download tests, with per-path behaviour the test configures.

    with FileServer() as server:
        server.add("/a/x.gz", data)                 # 200 with these bytes
        server.add("/b/x.gz", data, cut_after=100, cuts=2)  # twice: send 100 bytes, then hang up
        server.add("/c/x.gz", status=503)           # any status, empty body
        ...  # unknown paths answer 404
        server.count("/a/x.gz")                     # requests seen for a path
"""
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    cut_after: int = 0  # bytes sent before hanging up, while ``cuts`` remain
    cuts: int = 0


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        route = self.server.owner._take(self.path)
        if route is None:
            self.send_error(404)
            return
        self.send_response(route.status)
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        if route.cuts < 0:  # this request is one of the cut ones
            self.wfile.write(route.body[:route.cut_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(route.body)

    def log_message(self, *args):  # keep test output quiet
        pass


class FileServer:
    """Threaded HTTP server on an ephemeral port of 127.0.0.1; ``url`` is its base address."""

    def __init__(self):
        self.routes = {}
        self.requests = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.owner = self
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        # A short poll interval makes shutdown() (each test's teardown) quick.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    def add(self, path, body=b"", status=200, cut_after=0, cuts=0):
        self.routes[path] = Route(body, status, cut_after, cuts)

    def count(self, path=None):
        """Requests seen for ``path``, or in total."""
        with self._lock:
            return self.requests[path] if path else sum(self.requests.values())

    def _take(self, path):
        """Record a request; return its route, with ``cuts`` < 0 meaning "cut this one"."""
        with self._lock:
            self.requests[path] += 1
            route = self.routes.get(path)
            if route is None:
                return None
            if route.cuts > 0:
                route.cuts -= 1
                return Route(route.body, route.status, route.cut_after, cuts=-1)
            return route

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
