"""Fault injection for the jobs and e2e suites: a TCP tap in front of a server, which the harness arms to
act when a client sends a given byte sequence (a Thrift call's name, an HTTP request line): hold
the call (the server never sees it) or pass it on and then act (e.g. kill the server while it
handles the request). The client is sent to the tap by mapping the Service's name to the tap's
address in the hosts file, as cluster DNS would send it to another pod.
"""

from __future__ import annotations

import socket
import threading
from typing import Callable

from services import free_loopback_address


class Tap:
    """Listens on a free loopback address at `port` and forwards every connection to `target`."""

    def __init__(self, target: tuple[str, int], port: int):
        self.target = target
        self.address = free_loopback_address(port)
        self.pattern: bytes | None = None
        self.after_bytes: int | None = None
        self.hold = False
        self.action: Callable[[], None] | None = None
        self.matched = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.server = socket.create_server(self.address)
        threading.Thread(target=self._accept, daemon=True).start()

    def arm(self, pattern: bytes | None, hold: bool, action: Callable[[], None] | None = None, after_bytes: int | None = None) -> None:
        """At the first connection that sends `pattern` (or, for TLS, whose bytes the tap cannot
        read: that has sent more than `after_bytes`, e.g. an upload): with `hold`, forward nothing
        from that point on (the rest never reaches the server, which answers nothing); else
        forward it, then run `action`."""
        assert (pattern is None) != (after_bytes is None), "a pattern or a byte count"
        with self._lock:
            self.pattern, self.hold, self.action, self.after_bytes = pattern, hold, action, after_bytes
            self.matched.clear()

    def disarm(self) -> None:
        with self._lock:
            self.pattern = self.after_bytes = None

    def close(self) -> None:
        self.disarm()
        self.server.close()
        for s in list(self._sockets):
            try:
                s.close()
            except OSError:
                pass

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()  # as a refused connection would end
                continue
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, watch: bool) -> None:
        tail = b""
        sent = 0
        held = False
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if held:
                    continue
                action = None
                if watch:
                    sent += len(data)
                    with self._lock:
                        pattern, after_bytes = self.pattern, self.after_bytes
                        if (pattern is not None and pattern in tail + data) or (after_bytes is not None and sent > after_bytes):
                            self.pattern = self.after_bytes = None
                            held, action = self.hold, self.action
                            self.matched.set()
                    if pattern is not None:
                        tail = (tail + data)[-len(pattern):]
                if held:
                    continue
                sink.sendall(data)
                if action is not None:
                    action()
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def thrift_call(name: str) -> bytes:
    """The start of a Thrift binary-protocol call (strict: version 1, type CALL) of method `name`,
    as the Hive metastore client sends it (TBinaryProtocol over a plain socket)."""
    encoded = name.encode()
    return b"\x80\x01\x00\x01" + len(encoded).to_bytes(4, "big") + encoded


class Impostor:
    """A TLS server at a free loopback address and `port` whose certificate is for the right names
    but issued by another CA (`pki`, e.g. services.make_pki with another CA name). It records what
    each client did: the TLS alert that ended a handshake (a client refusing the certificate) or
    the first line of a request (a client that accepted it and sent its request, credentials
    included)."""

    def __init__(self, pki, port: int):
        import ssl
        import tempfile

        self.address = free_loopback_address(port)
        self.refused: list[str] = []
        self.requests: list[str] = []
        folder = tempfile.mkdtemp(prefix="impostor-")
        cert, key = f"{folder}/tls.crt", f"{folder}/tls.key"
        open(cert, "w").write(pki.cert_pem)
        open(key, "w").write(pki.key_pem)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.server = socket.create_server(self.address)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        import ssl

        conn.settimeout(30)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.refused.append(getattr(e, "reason", None) or type(e).__name__)
            conn.close()
            return
        try:
            data = tls.recv(65536)
            if data:
                self.requests.append(data.split(b"\r\n", 1)[0].decode(errors="replace"))
            else:  # a client that ends the connection after the handshake, before any request
                self.refused.append("closed after the handshake")
            tls.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        except (ssl.SSLError, OSError) as e:
            self.refused.append(getattr(e, "reason", None) or type(e).__name__)
        finally:
            tls.close()

    def close(self) -> None:
        self.server.close()
