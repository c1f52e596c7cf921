"""Loopback services the suites that run our programs share (jobs, e2e): the DemoChart
synthesized in-process, a test CA, a real MinIO with TLS from that CA, and an HTTP mirror of
generated taxi files. Every server listens on a loopback address and is stopped by its process.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import http.server
import ipaddress
import json
import random
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

def demo_objects(variants: dict[str, dict]) -> dict[str, list[dict]]:
    """DemoChart synthesized in-process (test/jobs/synth-demo.ts), per variant of props."""
    out = subprocess.run(
        [str(REPO / "node_modules" / ".bin" / "ts-node"), "--transpile-only", str(HERE / "synth-demo.ts"), json.dumps(variants)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def labelled(objects: list[dict], kind: str, app: str) -> dict:
    """The only object of `kind` whose `app.kubernetes.io/name` label is `app`."""
    found = [o for o in objects if o["kind"] == kind and o["metadata"].get("labels", {}).get("app.kubernetes.io/name") == app]
    assert len(found) == 1, f"expected one {kind} labelled app.kubernetes.io/name={app}, found {len(found)}"
    return found[0]


def free_loopback_address(port: int) -> tuple[str, int]:
    """A random 127.x.y.z where `port` is free (all of 127/8 is loopback on Linux); port 0: any free port."""
    for _ in range(50):
        ip = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        with socket.socket() as s:
            try:
                s.bind((ip, port))
            except OSError:
                continue
            return ip, s.getsockname()[1]
    raise RuntimeError(f"no free loopback address for port {port}")


# ---------------------------------------------------------------------------------------------
# Test CA and MinIO's certificate
# ---------------------------------------------------------------------------------------------


@dataclass
class Pki:
    ca_pem: str
    ca_file: Path
    cert_pem: str
    key_pem: str
    ca_key: ec.EllipticCurvePrivateKey | None = None
    ca_name: x509.Name | None = None

    def issue(self, dns_names: list[str], ips: list[str]) -> tuple[str, str]:
        """Another server certificate from this CA: (certificate PEM, PKCS#8 key PEM)."""
        assert self.ca_key is not None and self.ca_name is not None
        return _server_certificate(self.ca_key, self.ca_name, dns_names, ips)


def _server_certificate(ca_key, ca_name: x509.Name, dns_names: list[str], ips: list[str]) -> tuple[str, str]:
    now = dt.datetime.now(dt.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName(n) for n in dns_names] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    # The subject the secret-operator gives every certificate (26.7.0 rust/operator-binary/src/backend/auto_tls/mod.rs:
    # CN "generated certificate for pod"): the names are in the SANs only, so a name longer than a
    # CN's 64 characters (e.g. a Service FQDN in a long namespace) is fine.
    cert = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "generated certificate for pod")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode())


def make_pki(directory: Path, dns_names: list[str], ips: list[str], ca_common_name: str = "jobs-suite test CA") -> Pki:
    """A CA (its subject: `ca_common_name`; two CAs of one suite need different names, or OpenSSL
    takes one for the other's issuer) and a server certificate from it for `dns_names` and `ips`."""
    now = dt.datetime.now(dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_common_name)])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    cert_pem, key_pem = _server_certificate(ca_key, ca_name, dns_names, ips)
    pki = Pki(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM).decode(),
        ca_file=directory / "ca.crt",
        cert_pem=cert_pem,
        key_pem=key_pem,
        ca_key=ca_key,
        ca_name=ca_name,
    )
    pki.ca_file.write_text(pki.ca_pem)
    return pki


# ---------------------------------------------------------------------------------------------
# MinIO
# ---------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when this test process dies, however it dies (Linux prctl
    PR_SET_PDEATHSIG), so no MinIO outlives the suite. The signal comes when the *thread* that
    started the child ends (prctl(2)): start servers from the main thread, not a Timer's."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class Minio:
    """A real MinIO server (same release as the chart's image) that tests start, stop and wipe."""

    def __init__(self, binary: str, ip: str, port: int, user: str, password: str, pki: Pki, mc: str, workdir: Path):
        self.binary, self.ip, self.port, self.user, self.password = binary, ip, port, user, password
        self.pki, self.mc_binary, self.dir = pki, mc, workdir
        self.proc: subprocess.Popen | None = None
        self.certs = workdir / "certs"
        self.certs.mkdir(parents=True)
        (self.certs / "public.crt").write_text(pki.cert_pem)
        (self.certs / "private.key").write_text(pki.key_pem)
        self.data = workdir / "data"
        self.log = workdir / "minio.log"
        self.mc_config = workdir / "mc-config"

    def start(self) -> None:
        assert self.proc is None, "MinIO is running already"
        self.data.mkdir(exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.dir), "MINIO_ROOT_USER": self.user,
               "MINIO_ROOT_PASSWORD": self.password, "MINIO_BROWSER": "off", "MINIO_UPDATE": "off"}
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "server", str(self.data), "--address", f"{self.ip}:{self.port}",
                 "--console-address", f"{self.ip}:{self.port + 1}", "--certs-dir", str(self.certs), "--quiet"],
                stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True, preexec_fn=_die_with_parent,
            )
        context = ssl.create_default_context(cafile=str(self.pki.ca_file))
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"https://{self.ip}:{self.port}/minio/health/ready", context=context, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"MinIO did not come up; log:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def kill(self) -> None:
        """SIGKILL, as a node or the OOM killer ends it: no shutdown; the data directory stays as it is."""
        assert self.proc is not None, "MinIO is not running"
        self.proc.kill()
        self.proc.wait(10)
        self.proc = None

    def wipe(self) -> None:
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)

    # The tests' own view, with the real `mc` (alias `t`, by IP: the certificate has it too).
    def mc(self, *args: str, input: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.dir), "MC_CONFIG_DIR": str(self.mc_config),
               "SSL_CERT_FILE": str(self.pki.ca_file),
               "MC_HOST_t": f"https://{self.user}:{self.password}@{self.ip}:{self.port}"}
        out = subprocess.run([self.mc_binary, "--no-color", *args], input=input, capture_output=True, env=env, timeout=60)
        if check and out.returncode != 0:
            raise AssertionError(f"mc {' '.join(args)}: {out.stdout.decode()}{out.stderr.decode()}")
        return out

    def objects(self, path: str) -> dict[str, dict]:
        """`mc ls --recursive --json t/<path>`: key -> entry (size, etag, lastModified)."""
        out = self.mc("ls", "--recursive", "--json", f"t/{path}", check=False)
        entries = [json.loads(line) for line in out.stdout.decode().splitlines() if line.strip()]
        return {e["key"]: e for e in entries if e.get("status") == "success" and e.get("type") == "file"}

    def buckets(self) -> list[str]:
        out = self.mc("ls", "--json", "t")
        return sorted(json.loads(line)["key"].rstrip("/") for line in out.stdout.decode().splitlines() if line.strip())

    def cat(self, path: str) -> bytes:
        return self.mc("cat", f"t/{path}").stdout


# ---------------------------------------------------------------------------------------------
# The taxi-file mirror
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stall:
    """A mirror's answer that starts and stops: the status line, the headers with the file's full
    Content-Length, the first `fraction` of the file, then nothing; the connection is held open
    until the mirror's `release()` (at the latest after `hold_seconds`)."""

    fraction: float = 0.5
    hold_seconds: float = 300


class Mirror:
    """Serves a directory over HTTP (or HTTPS with `tls`: certificate and key PEM files) on a
    loopback address and records every request as (path, status). `on_request(path)`, if set, is
    called before a GET is answered (in the server's thread: record what it sees, assert later).
    Faults: `faults[path]` lists what the next GETs of that path get instead of the file, one
    each, in order, then the file again: an HTTP status (the error answer of http.server, with its
    body) or a `Stall`."""

    def __init__(self, address: tuple[str, int], directory: Path, tls: tuple[Path, Path] | None = None):
        self.requests: list[tuple[str, int]] = []
        self.on_request = None
        self.faults: dict[str, list[int | Stall]] = {}
        self._lock = threading.Lock()
        self._released = threading.Event()
        mirror = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(directory), **kw)

            def do_GET(self):
                if mirror.on_request is not None:
                    mirror.on_request(self.path)
                fault = mirror._next_fault(self.path)
                if isinstance(fault, Stall):
                    self._stall(fault)
                elif fault is not None:
                    self.send_error(fault)
                else:
                    super().do_GET()

            def _stall(self, stall: Stall) -> None:
                released = mirror._released
                data = Path(self.translate_path(self.path)).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: int(len(data) * stall.fraction)])
                self.wfile.flush()
                released.wait(stall.hold_seconds)
                self.close_connection = True

            def log_request(self, code="-", size="-"):
                mirror.requests.append((self.path, int(code) if str(code).isdigit() else 0))

        self.server = http.server.ThreadingHTTPServer(address, Handler)
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = mirror_url(address, https=tls is not None)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def _next_fault(self, path: str) -> int | Stall | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def release(self) -> None:
        """Lets every stalled answer end (its connection closes)."""
        released, self._released = self._released, threading.Event()
        released.set()

    def reset(self) -> None:
        """No requests recorded, no hook, no faults, no stalled answer held."""
        self.release()
        self.requests.clear()
        self.on_request = None
        with self._lock:
            self.faults.clear()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


def mirror_url(address: tuple[str, int], https: bool = False) -> str:
    return f"{'https' if https else 'http'}://{address[0]}:{address[1]}/"
