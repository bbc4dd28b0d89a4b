"""X.509 building blocks for winsim's TLS listeners (the Docker API's CA set, WinRM's self-signed cert).

EC P-256 keys keep generation fast.  A self-signed server certificate in four steps:

>>> key = new_key()
>>> cert = issue(name("ws2022-sim"), key, key_usage("digital_signature", "key_cert_sign"), ca=True,
...              sans=alt_names(["localhost"], ["127.0.0.1"]))
>>> write_key(folder / "key.pem", key); write_cert(folder / "cert.pem", cert)   # doctest: +SKIP
>>> still_valid(folder / "cert.pem", ["127.0.0.1"])                              # doctest: +SKIP
True
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

VALIDITY = dt.timedelta(days=365)
BACKDATE = dt.timedelta(days=1)  # a client clock slightly behind ours must still accept a fresh cert
RENEW_MARGIN = dt.timedelta(days=1)  # reuse a stored cert only while it has at least this long to live
_KEY_USAGES = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)


def new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str, organization: str | None = None) -> x509.Name:
    """``CN=<common_name>[, O=<organization>]``."""
    attributes = [x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name)]
    if organization is not None:
        attributes.append(x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attributes)


def alt_names(dns: Iterable[str] = (), ips: Iterable[str] = ()) -> x509.SubjectAlternativeName:
    """Subject alternative names, duplicates dropped (order kept)."""
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dict.fromkeys(dns)]
    names += [x509.IPAddress(ipaddress.ip_address(a)) for a in dict.fromkeys(ips)]
    return x509.SubjectAlternativeName(names)


def key_usage(*allowed: str) -> x509.KeyUsage:
    """A KeyUsage with only the named bits set, e.g. ``key_usage("key_cert_sign", "crl_sign")``."""
    unknown = sorted(set(allowed) - set(_KEY_USAGES))
    if unknown:
        raise ValueError(f"unknown key usage {', '.join(unknown)}; known: {', '.join(_KEY_USAGES)}")
    return x509.KeyUsage(**{u: u in allowed for u in _KEY_USAGES})


def issue(
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    usage: x509.KeyUsage,
    *,
    ca: bool = False,
    extended: Sequence[x509.ObjectIdentifier] = (),
    sans: x509.SubjectAlternativeName | None = None,
    issuer: x509.Certificate | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
) -> x509.Certificate:
    """A certificate for ``key``: self-signed unless ``issuer`` and ``issuer_key`` are given."""
    if (issuer is None) != (issuer_key is None):
        raise ValueError("issue() needs both issuer and issuer_key, or neither (self-signed)")
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject if issuer is None else issuer.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if extended:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extended)), critical=False)
    if sans is not None:
        builder = builder.add_extension(sans, critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """The key as unencrypted PKCS#8 PEM, readable by the owner only from the moment it exists."""
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an older file keeps its mode through O_CREAT
        handle.write(pem)


def write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def still_valid(cert_path: Path, ips: Iterable[str] = ()) -> bool:
    """True if ``cert_path`` holds a certificate naming every address in ``ips`` and not about to expire."""
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    named = {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)}
    return set(ips) <= named and cert.not_valid_after_utc > dt.datetime.now(dt.UTC) + RENEW_MARGIN
