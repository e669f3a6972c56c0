"""A send goes to the address that was checked, yet TLS still verifies the push service's own name."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.notifications.endpoints import EndpointPolicy
from tests.support_tls import self_signed_certificate

NAME = "push.example.com"


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    """An https server on 127.0.0.1 with a certificate for push.example.com; records Host and SNI."""
    cert_path, key_path = self_signed_certificate(tmp_path, NAME)
    seen: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"] = self.headers["Host"]
            seen["sni"] = getattr(self.connection, "sni", None)
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.sni_callback = lambda sock, name, _ctx: setattr(sock, "sni", name)  # type: ignore[assignment]
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert_path, seen
    server.shutdown()
    server.server_close()


async def test_the_pinned_address_is_reached_with_the_real_name_for_tls_and_host(https_server):
    port, cert_path, seen = https_server

    async def dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # allowed explicitly below, as an origin

    policy = EndpointPolicy((f"https://{NAME}:{port}",), resolver=dns)
    target = await policy.target(f"https://{NAME}:{port}/push/abc")
    assert target.url == f"https://127.0.0.1:{port}/push/abc"
    trust = ssl.create_default_context(cafile=str(cert_path))
    async with httpx.AsyncClient(verify=trust) as http:
        response = await http.post(target.url, content=b"x", headers=target.headers, extensions=target.extensions)
        assert response.status_code == 201
        assert seen == {"host": f"{NAME}:{port}", "sni": NAME}
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):  # another name: refused
            await http.post(target.url, content=b"x", headers=target.headers, extensions={"sni_hostname": "x.test"})
