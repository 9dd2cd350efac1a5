"""Local stand-ins for the trust services we cannot reach from a laptop or CI, spoken over the real
protocols: an RFC 3161 time-stamping authority (``POST /tsa``) and, for each issuing CA of the
development citizen PKI, an RFC 6960 OCSP responder (``POST /ocsp/<ca-key>``) and an RFC 5280 CRL
(``GET /crl/<ca-key>.crl``), signed by that CA and knowing which of its certificates are revoked.
Also nginx as the TLS proxy that asks for client certificates (``start_nginx``), run from the
production configuration in deploy/nginx/seu.conf.

``make run`` starts it beside the portal; the tests start it on a free port and read its counters
(which responder was asked how often) and switches (make OCSP or CRLs fail, to test the fallback
and the hard failure). Production points ``TSA_URL`` and the citizen trust file at the real ones.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, pem, tsp, x509
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from devtools.pki import DEV_ISSUERS, CitizenPki, DevPki, PrivateKey

# How long a response says it is good for; the seu caches less than that.
REVOCATION_VALIDITY = dt.timedelta(hours=1)


def _load_cert(path: Path) -> x509.Certificate:
    data = path.read_bytes()
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def _load_key(path: Path) -> keys.PrivateKeyInfo:
    _, _, der = pem.unarmor(path.read_bytes())
    return keys.PrivateKeyInfo.load(der)


class _CertificateAuthority:
    """One issuing CA as its responders see it: certificate, key, revoked serials."""

    def __init__(self, cert: cx509.Certificate, key: PrivateKey, revoked: dict[int, dt.datetime]):
        self.cert = cert
        self.key = key
        self.revoked = revoked
        self.name_hashes = {
            algorithm.name: _digest(algorithm, cert.subject.public_bytes())
            for algorithm in (hashes.SHA1(), hashes.SHA256())  # noqa: S303 - CertID hashes
        }
        # RFC 6960 4.1.1: the hash of the subjectPublicKey BIT STRING's value (EC or RSA alike).
        public_key = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)).public_key
        self.key_hashes = {"sha1": public_key.sha1, "sha256": public_key.sha256}

    def ocsp_response(self, request: ocsp.OCSPRequest) -> bytes:
        algorithm = request.hash_algorithm
        if (
            algorithm.name not in self.name_hashes
            or request.issuer_name_hash != self.name_hashes[algorithm.name]
            or request.issuer_key_hash != self.key_hashes[algorithm.name]
        ):
            # Not one of ours: a real responder says "unauthorized" (RFC 6960, 2.3).
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        revoked_at = self.revoked.get(request.serial_number)
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash,
            issuer_key_hash=request.issuer_key_hash,
            serial_number=request.serial_number,
            algorithm=algorithm,
            cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
            this_update=now,
            next_update=now + REVOCATION_VALIDITY,
            revocation_time=revoked_at,
            revocation_reason=cx509.ReasonFlags.key_compromise if revoked_at else None,
        )
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, self.cert)
        for extension in request.extensions:
            if isinstance(extension.value, cx509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        response = builder.sign(self.key, hashes.SHA256())
        return response.public_bytes(serialization.Encoding.DER)

    def crl(self) -> bytes:
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        builder = (
            cx509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(now)
            .next_update(now + REVOCATION_VALIDITY)
            .add_extension(cx509.CRLNumber(int(now.timestamp())), critical=False)
            .add_extension(
                cx509.AuthorityKeyIdentifier.from_issuer_public_key(self.cert.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
        )
        for serial, revoked_at in self.revoked.items():
            builder = builder.add_revoked_certificate(
                cx509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(revoked_at)
                .add_extension(cx509.CRLReason(cx509.ReasonFlags.key_compromise), critical=False)
                .build()
            )
        return builder.sign(self.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    digest = hashes.Hash(algorithm)
    digest.update(data)
    return digest.finalize()


_OCSP_PATH = re.compile(r"^/ocsp/(?P<ca>[a-z0-9-]+)/?$")
_CRL_PATH = re.compile(r"^/crl/(?P<ca>[a-z0-9-]+)\.crl$")


class _Handler(BaseHTTPRequestHandler):
    server: DevServicesServer

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        path = self.path.split("?", 1)[0]
        if path.rstrip("/") == "/tsa":
            self._tsa(body)
            return
        match = _OCSP_PATH.match(path)
        if match is None:
            self.send_error(404)
            return
        self._ocsp(match.group("ca"), body)

    def do_GET(self) -> None:
        match = _CRL_PATH.match(self.path.split("?", 1)[0])
        if match is None:
            self.send_error(404)
            return
        ca_key = match.group("ca")
        self.server.count("crl", ca_key)
        if self.server.crl_failing:
            self.send_error(503)
            return
        authority = self.server.authority(ca_key)
        if authority is None:
            self.send_error(404)
            return
        self._reply(authority.crl(), "application/pkix-crl")

    def _tsa(self, body: bytes) -> None:
        if self.server.tsa_failures_left > 0:  # lets tests simulate an unreachable TSA
            self.server.tsa_failures_left -= 1
            self.send_error(503)
            return
        try:
            request = tsp.TimeStampReq.load(body)
            response = self.server.stamper.request_tsa_response(request)
        except Exception:
            self.send_error(400)
            return
        self._reply(response.dump(), "application/timestamp-reply")
        self.server.tsa_requests += 1

    def _ocsp(self, ca_key: str, body: bytes) -> None:
        self.server.count("ocsp", ca_key)
        if self.server.ocsp_failing:
            self.send_error(503)
            return
        authority = self.server.authority(ca_key)
        if authority is None:
            self.send_error(404)
            return
        try:
            request = ocsp.load_der_ocsp_request(body)
        except ValueError:
            reply = ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.MALFORMED_REQUEST
            ).public_bytes(serialization.Encoding.DER)
        else:
            reply = authority.ocsp_response(request)
        self._reply(reply, "application/ocsp-response")

    def _reply(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class DevServicesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], pki: DevPki) -> None:
        super().__init__(address, _Handler)
        self.pki = pki
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
        # Citizen PKI responders: requests counted per CA key; switches answer 503 while set.
        self.ocsp_requests: Counter[str] = Counter()
        self.crl_requests: Counter[str] = Counter()
        self.ocsp_failing = False
        self.crl_failing = False
        self._lock = threading.Lock()
        self._authorities: dict[str, _CertificateAuthority] = {}
        self._authorities_stamp: object = None

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def count(self, kind: str, ca_key: str) -> None:
        with self._lock:
            (self.ocsp_requests if kind == "ocsp" else self.crl_requests)[ca_key] += 1

    def reset_revocation(self) -> None:
        """Counters to zero and both responders answering (for a test's set-up)."""
        with self._lock:
            self.ocsp_requests.clear()
            self.crl_requests.clear()
            self.ocsp_failing = False
            self.crl_failing = False

    def authority(self, ca_key: str) -> _CertificateAuthority | None:
        """The CA behind ``/ocsp/<ca_key>``; read from disk again if the citizen PKI changed (it
        may be generated, or a certificate revoked, after this server started)."""
        citizens = CitizenPki(self.pki.directory)
        if ca_key not in {issuer.key for issuer in DEV_ISSUERS} or not citizens.exists():
            return None
        stat = citizens.revoked_file.stat()
        stamp = (stat.st_mtime_ns, stat.st_ino, stat.st_size)
        with self._lock:
            if stamp != self._authorities_stamp:
                revoked = citizens.revoked()
                self._authorities = {}
                for issuer in DEV_ISSUERS:
                    cert, key = citizens.load_issuer(issuer.key)
                    self._authorities[issuer.key] = _CertificateAuthority(
                        cert, key, dict(revoked.get(issuer.key, []))
                    )
                self._authorities_stamp = stamp
            return self._authorities.get(ca_key)


def start_dev_services(pki: DevPki, *, host: str = "127.0.0.1", port: int = 0) -> DevServicesServer:
    """Serve the local TSA, OCSP responders and CRLs in a daemon thread; ``port=0`` picks one."""
    server = DevServicesServer((host, port), pki)
    threading.Thread(target=server.serve_forever, name="dev-services", daemon=True).start()
    return server


# --- nginx in front of a development or test server ---------------------------------------------

DEPLOY_NGINX_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx" / "seu.conf"
# What deploy/nginx/40-seu-proxy-secret.sh writes in production from the Docker secret.
_SECRET_INCLUDE = "/etc/nginx/seu-proxy-secret.conf"  # noqa: S105 - a path
_SAFE_SECRET = re.compile(r"^[A-Za-z0-9._~+/=-]+$")


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found is None and Path("/usr/sbin/nginx").exists():
        found = "/usr/sbin/nginx"
    return found


def nginx_config(
    directory: Path,
    *,
    upstream: str,
    https_port: int,
    server_cert: Path,
    server_key: Path,
    proxy_secret: str,
    rate_limits: bool = True,
) -> Path:
    """Write, in ``directory``, an nginx.conf for one foreground nginx running the production
    configuration (deploy/nginx/seu.conf) with this machine's address, files and proxy secret, and
    without its port-80 redirect. Returns the nginx.conf path. ``rate_limits=False`` drops the
    per-client limits, for a benchmark whose every request comes from one address."""
    if not _SAFE_SECRET.match(proxy_secret):
        raise ValueError("the proxy secret must be a plain token (letters, digits, ._~+/=-)")
    directory.mkdir(parents=True, exist_ok=True)
    text = DEPLOY_NGINX_CONF.read_text()
    text, redirects = re.subn(r"\nserver \{\n    listen 80;.*?\n\}\n", "\n", text, flags=re.DOTALL)
    for old, new in (
        ("server web:8000;", f"server {upstream};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/nginx/tls/fullchain.pem", str(server_cert)),
        ("/etc/nginx/tls/privkey.pem", str(server_key)),
        (_SECRET_INCLUDE, str(directory / "seu-proxy-secret.conf")),
    ):
        if text.count(old) != 1 or redirects != 1:
            raise RuntimeError(f"{DEPLOY_NGINX_CONF} changed: cannot find {old!r} once")
        text = text.replace(old, new)
    if not rate_limits:
        text, dropped = re.subn(r"^\s*limit_req zone=.*;\n", "", text, flags=re.MULTILINE)
        if dropped == 0:
            raise RuntimeError(f"{DEPLOY_NGINX_CONF} changed: no limit_req to drop")
    # The line 40-seu-proxy-secret.sh writes in production, here from the secret given.
    secret_file = directory / "seu-proxy-secret.conf"
    secret_file.touch(mode=0o600)
    secret_file.write_text(f'proxy_set_header X-Seu-Proxy-Secret "{proxy_secret}";\n')
    (directory / "seu.conf").write_text(text)
    temp_paths = " ".join(
        f"{kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = directory / "nginx.conf"
    main.write_text(
        f"daemon off;\nmaster_process off;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{ access_log off; {temp_paths} include {directory / 'seu.conf'}; }}\n"
    )
    return main


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_nginx(
    directory: Path,
    *,
    upstream: str,
    https_port: int,
    server_cert: Path,
    server_key: Path,
    proxy_secret: str,
    timeout: float = 10.0,
    rate_limits: bool = True,
) -> subprocess.Popen[bytes]:
    """Start nginx in the foreground (one process, as the current user) and wait until it listens.
    The caller stops it with ``terminate()``."""
    nginx = find_nginx()
    if nginx is None:
        raise FileNotFoundError("nginx is not installed (scripts/install-system-deps)")
    config = nginx_config(
        directory,
        upstream=upstream,
        https_port=https_port,
        server_cert=server_cert,
        server_key=server_key,
        proxy_secret=proxy_secret,
        rate_limits=rate_limits,
    )
    log = directory / "error.log"
    with log.open("ab") as stderr:
        process = subprocess.Popen(
            [nginx, "-p", str(directory), "-c", str(config), "-e", str(log)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped: {log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", https_port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx does not listen on {https_port} after {timeout} s")
