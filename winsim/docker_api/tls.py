"""TLS material for the Docker endpoint: a CA, a server cert (127.0.0.1, localhost) and a client cert.

Written once per state dir into ``docker-tls/`` with the names docker expects
(``ca.pem``, ``cert.pem``, ``key.pem`` for clients; ``server-cert.pem``, ``server-key.pem``), so
``DOCKER_CERT_PATH=<dir> DOCKER_TLS_VERIFY=1`` works for the docker CLI and ``docker.from_env()``.
Reused across restarts while the server certificate is still valid.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from winsim import certs

FILES = ("ca.pem", "cert.pem", "key.pem", "server-cert.pem", "server-key.pem")
ORGANIZATION = "winsim"


def _leaf(
    common_name: str, purpose: x509.ObjectIdentifier, ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A key and its CA-signed certificate; a server certificate also names localhost and 127.0.0.1."""
    key = certs.new_key()
    server = purpose == ExtendedKeyUsageOID.SERVER_AUTH
    cert = certs.issue(
        certs.name(common_name, ORGANIZATION),
        key,
        certs.key_usage("digital_signature", "key_encipherment"),
        extended=[purpose],
        sans=certs.alt_names(["localhost"], ["127.0.0.1"]) if server else None,
        issuer=ca,
        issuer_key=ca_key,
    )
    return key, cert


def ensure_material(directory: Path) -> Path:
    """Create the CA and certificates under ``directory`` unless they are all there and valid; return it."""
    if all((directory / f).exists() for f in FILES) and certs.still_valid(
        directory / "server-cert.pem", ["127.0.0.1"]
    ):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = certs.new_key()
    ca = certs.issue(
        certs.name("winsim docker CA", ORGANIZATION),
        ca_key,
        certs.key_usage("key_cert_sign", "crl_sign"),
        ca=True,
    )
    server_key, server = _leaf("localhost", ExtendedKeyUsageOID.SERVER_AUTH, ca, ca_key)
    client_key, client = _leaf("client", ExtendedKeyUsageOID.CLIENT_AUTH, ca, ca_key)
    certs.write_cert(directory / "ca.pem", ca)
    certs.write_cert(directory / "server-cert.pem", server)
    certs.write_key(directory / "server-key.pem", server_key)
    certs.write_cert(directory / "cert.pem", client)
    certs.write_key(directory / "key.pem", client_key)
    return directory


def server_context(directory: Path) -> ssl.SSLContext:
    """Server side: our cert, and client certificates signed by our CA are required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(directory / "server-cert.pem", directory / "server-key.pem")
    ctx.load_verify_locations(directory / "ca.pem")
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx
