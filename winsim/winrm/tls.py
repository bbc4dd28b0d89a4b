"""The WinRM HTTPS listener's self-signed certificate (what ``New-SelfSignedCertificate`` gives a lab host).

Kept in ``<state_dir>/winrm/cert.pem`` (+ ``key.pem``, mode 0600) and reused across restarts
of the same state folder, so clients can pin it as their CA file.

>>> paths = ensure_certificate(state_dir / "winrm", "ws2022-sim")   # doctest: +SKIP
>>> paths.cert.name
'cert.pem'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


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
    if paths.cert.exists() and paths.key.exists() and _covers(paths.cert, addresses):
        return paths
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host_name)])
    alt_names: list[x509.GeneralName] = [x509.DNSName("localhost"), x509.DNSName(host_name)]
    alt_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in dict.fromkeys(addresses)]
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    fd = os.open(paths.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return paths


def _covers(cert_path: Path, addresses: tuple[str, ...]) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    ips = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    expires = cert.not_valid_after_utc
    return set(addresses) <= ips and expires > dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
