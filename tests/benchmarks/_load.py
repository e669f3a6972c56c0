"""Load generation: wrk when installed, else a small asyncio HTTP/1.1 keep-alive client; both give the same numbers."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
_LATENCY = re.compile(r"^\s*(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass(frozen=True)
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    failed: int  # non-2xx answers and socket errors


def tool_name() -> str:
    return "wrk" if shutil.which("wrk") else "asyncio client"


def measure(url: str, headers: dict[str, str], *, connections: int, duration_s: float) -> Result:
    """Hammer one URL with ``connections`` keep-alive connections for ``duration_s`` seconds."""
    if shutil.which("wrk"):
        return _wrk(url, headers, connections, duration_s)
    return asyncio.run(_asyncio_load(url, headers, connections, duration_s))


def _wrk(url: str, headers: dict[str, str], connections: int, duration_s: float) -> Result:
    # One wrk thread: with two cores, the other one belongs to the server.
    command = ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(duration_s))}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    latency = {q: float(v) * _UNIT_MS[unit] for q, v, unit in _LATENCY.findall(out)}
    failed = int(m.group(1)) if (m := _NON_2XX.search(out)) else 0
    if m := _SOCKET_ERRORS.search(out):
        failed += sum(int(g) for g in m.groups())
    rps, total = _RPS.search(out), _TOTAL.search(out)
    if not (rps and total and "50" in latency and "99" in latency):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    return Result(float(rps.group(1)), latency["50"], latency["99"], int(total.group(1)), failed)


async def _asyncio_load(url: str, headers: dict[str, str], connections: int, duration_s: float) -> Result:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}", *(f"{k}: {v}" for k, v in headers.items())]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    latencies: list[float] = []
    failed = 0
    deadline = time.perf_counter() + duration_s

    async def connection() -> None:
        nonlocal failed
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if not head.startswith(b"HTTP/1.1 2"):
                    failed += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - began
    latencies.sort()

    def percentile(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return Result(len(latencies) / elapsed, percentile(0.50), percentile(0.99), len(latencies), failed)


def wrk_version() -> str | None:
    if not shutil.which("wrk"):
        return None
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return out.split()[1] if out else "wrk"
