"""A send goes to the address that was checked, yet TLS still verifies the push service's own name."""

from __future__ import annotations

import datetime
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from api.notifications.endpoints import EndpointPolicy

NAME = "push.example.com"


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2040, 1, 1, tzinfo=datetime.UTC))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    """An https server on 127.0.0.1 with a certificate for push.example.com; records Host and SNI."""
    cert_path, key_path = _certificate(tmp_path)
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
