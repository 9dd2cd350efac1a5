"""Local stand-ins for the trust services we cannot reach from a laptop or CI, spoken over the real
protocols: an RFC 3161 time-stamping authority over HTTP (``POST /tsa``).

``make run`` starts it beside the portal; the tests start it on a free port. Production points
``TSA_URL`` at a qualified TSA instead.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, pem, tsp, x509
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from seu.devpki import DevPki


def _load_cert(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def _load_key(path: Path) -> keys.PrivateKeyInfo:
    _, _, der = pem.unarmor(path.read_bytes())
    return keys.PrivateKeyInfo.load(der)


class _Handler(BaseHTTPRequestHandler):
    server: DevServicesServer

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/tsa":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        if self.server.tsa_failures_left > 0:  # lets tests simulate an unreachable TSA
            self.server.tsa_failures_left -= 1
            self.send_error(503)
            return
        try:
            request = tsp.TimeStampReq.load(self.rfile.read(length))
            response = self.server.stamper.request_tsa_response(request)
        except Exception:
            self.send_error(400)
            return
        body = response.dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.tsa_requests += 1

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass


class DevServicesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], pki: DevPki) -> None:
        super().__init__(address, _Handler)
        root = _load_cert(pki.root_cert)
        tsa_cert = _load_cert(pki.tsa_cert)
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        self.stamper = DummyTimeStamper(
            tsa_cert=tsa_cert,
            tsa_key=_load_key(pki.tsa_key),
            certs_to_embed=SimpleCertificateStore.from_certs([root]),
        )
        self.tsa_failures_left = 0
        self.tsa_requests = 0

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"


def start_dev_services(pki: DevPki, *, host: str = "127.0.0.1", port: int = 0) -> DevServicesServer:
    """Serve the local TSA in a daemon thread; ``port=0`` picks a free port."""
    server = DevServicesServer((host, port), pki)
    threading.Thread(target=server.serve_forever, name="dev-services", daemon=True).start()
    return server
