"""A real TLS server in a thread that requires client certificates, as our gRPC servers do."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pki.identity import identity_from_der


def mtls_context(cert: Path, key: Path, ca: Path,
                 max_version: ssl.TLSVersion | None = None) -> ssl.SSLContext:
    """A server context presenting `cert` and requiring client certificates issued by `ca`."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(cafile=ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.set_alpn_protocols(["h2"])
    if max_version is not None:
        ctx.maximum_version = max_version
    return ctx


class TlsServer:
    """A one-thread TLS server that requires client certs and records who connected."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self.ctx = ctx
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.clients: list[str | None] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                try:
                    with self.ctx.wrap_socket(conn, server_side=True) as tls:
                        self.clients.append(identity_from_der(tls.getpeercert(binary_form=True)))
                        # a byte tells a TLS 1.3 client that its certificate was accepted
                        tls.sendall(b"\x00")
                except OSError as exc:
                    self.errors.append(str(exc))

    @contextmanager
    def running(self) -> Iterator[TlsServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(timeout=5)
            self.listener.close()
