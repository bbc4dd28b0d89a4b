"""TLS material for the Docker endpoint: a CA, a server cert (127.0.0.1, localhost) and a client cert.

Written once per state dir into ``docker-tls/`` with the names docker expects
(``ca.pem``, ``cert.pem``, ``key.pem`` for clients; ``server-cert.pem``, ``server-key.pem``), so
``DOCKER_CERT_PATH=<dir> DOCKER_TLS_VERIFY=1`` works for the docker CLI and ``docker.from_env()``.
EC P-256 keys keep generation fast.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FILES = ("ca.pem", "cert.pem", "key.pem", "server-cert.pem", "server-key.pem")


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "winsim")]
    )


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    usage: x509.ObjectIdentifier | None,
    ca: bool = False,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        ).add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if usage is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    if usage == ExtendedKeyUsageOID.SERVER_AUTH:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def ensure_material(directory: Path) -> Path:
    """Create the CA and certificates under ``directory`` unless they are all there; return it."""
    if all((directory / f).exists() for f in FILES):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("winsim docker CA", ca_key, _name("winsim docker CA"), ca_key, None, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert("localhost", server_key, ca.subject, ca_key, ExtendedKeyUsageOID.SERVER_AUTH)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("client", client_key, ca.subject, ca_key, ExtendedKeyUsageOID.CLIENT_AUTH)
    pem = serialization.Encoding.PEM
    writes = {
        "ca.pem": ca.public_bytes(pem),
        "server-cert.pem": server.public_bytes(pem),
        "server-key.pem": _key_pem(server_key),
        "cert.pem": client.public_bytes(pem),
        "key.pem": _key_pem(client_key),
    }
    for name, data in writes.items():
        path = directory / name
        path.write_bytes(data)
        if name.endswith("key.pem"):
            path.chmod(0o600)
    return directory


def server_context(directory: Path) -> ssl.SSLContext:
    """Server side: our cert, and client certificates signed by our CA are required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(directory / "server-cert.pem", directory / "server-key.pem")
    ctx.load_verify_locations(directory / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
