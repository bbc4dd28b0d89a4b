"""The WinRM HTTPS listener's self-signed certificate (what ``New-SelfSignedCertificate`` gives a lab host).

Kept in ``<state_dir>/winrm/cert.pem`` (+ ``key.pem``, mode 0600) and reused across restarts
of the same state folder, so clients can pin it as their CA file.

>>> paths = ensure_certificate(state_dir / "winrm", "ws2022-sim")   # doctest: +SKIP
>>> paths.cert.name
'cert.pem'
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from winsim import certs


@dataclass(frozen=True)
class CertPaths:
    cert: Path
    key: Path

    def der_hash(self) -> bytes:
        """SHA-256 of the DER certificate: the tls-server-end-point channel binding (RFC 5929)."""
        der = x509.load_pem_x509_certificate(self.cert.read_bytes()).public_bytes(serialization.Encoding.DER)
        return hashlib.sha256(der).digest()

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert, self.key)
        return context


def ensure_certificate(
    folder: Path, host_name: str, addresses: tuple[str, ...] = ("127.0.0.1",)
) -> CertPaths:
    """Reuse the certificate in ``folder`` if it covers ``addresses``; otherwise make a new one."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = CertPaths(folder / "cert.pem", folder / "key.pem")
    if paths.key.exists() and certs.still_valid(paths.cert, addresses):
        return paths
    key = certs.new_key()
    cert = certs.issue(
        certs.name(host_name),
        key,
        certs.key_usage("digital_signature", "key_cert_sign"),
        ca=True,  # self-signed and pinned by clients as their CA file
        extended=[ExtendedKeyUsageOID.SERVER_AUTH],
        sans=certs.alt_names(["localhost", host_name], addresses),
    )
    certs.write_key(paths.key, key)
    certs.write_cert(paths.cert, cert)
    return paths
