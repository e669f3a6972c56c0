"""Loopback stand-ins that speak the real protocols: an OSRM /table/v1 service and a Nominatim geocoder."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args: object) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:
        url = urlsplit(self.path)  # not urlparse: it would cut the ";"-separated coordinates
        self.server.requests.append(self.path)
        status, body = self.server.answer(url.path, parse_qs(url.query))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    def __init__(self, answer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.requests: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def serve(answer) -> Iterator[_Server]:
    server = _Server(answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def osrm_table(seconds_per_degree: float = 10_000.0, unroutable: tuple[int, int] | None = None):
    """An OSRM table answer: Manhattan distance in degrees times a rate, so tests can predict every entry."""

    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, dict]:
        parts = path.split("/")
        if len(parts) != 5 or parts[1:3] != ["table", "v1"]:
            return 400, {"code": "InvalidUrl", "message": path}
        if query.get("annotations", ["duration"])[0] not in ("duration", "duration,distance"):
            return 400, {"code": "InvalidOptions"}
        points = [tuple(float(v) for v in p.split(",")) for p in unquote(parts[4]).split(";")]
        table: list[list[float | None]] = [
            [round((abs(a[0] - b[0]) + abs(a[1] - b[1])) * seconds_per_degree, 1) for b in points] for a in points
        ]
        if unroutable:
            i, j = unroutable
            table[i][j] = table[j][i] = None
        sources = [{"location": list(p), "name": ""} for p in points]
        return 200, {"code": "Ok", "durations": table, "sources": sources, "destinations": sources}

    return answer


def nominatim(places: dict[str, tuple[float, float]]):
    """A Nominatim /search answer for the addresses it knows, an empty list for the rest."""

    def answer(path: str, query: dict[str, list[str]]) -> tuple[int, list]:
        if path != "/search" or query.get("format") != ["json"]:
            return 400, []
        q = query.get("q", [""])[0]
        if q not in places:
            return 200, []
        lat, lon = places[q]
        box = [str(lat - 0.001), str(lat + 0.001), str(lon - 0.001), str(lon + 0.001)]
        return 200, [{"place_id": 1, "lat": str(lat), "lon": str(lon), "display_name": q, "boundingbox": box}]

    return answer


def manhattan_s(a: tuple[float, float], b: tuple[float, float], rate: float = 10_000.0) -> int:
    return round((abs(a[0] - b[0]) + abs(a[1] - b[1])) * rate)
