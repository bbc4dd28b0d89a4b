"""The HTTPS listener: a self-signed certificate in the state folder that clients pin."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import requests
import winrm
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from winsim.winrm.server import start


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_https_with_pinned_certificate(surface, sim_host, transport):
    endpoints = surface.endpoints["winrm"]
    session = winrm.Session(
        endpoints["https"],
        auth=("Administrator", sim_host.credentials.password),
        transport=transport,  # NTLM over HTTPS also binds to the certificate (CBT)
        ca_trust_path=endpoints["ca_cert"],
    )
    assert session.run_cmd("wcctest.exe echo tls").std_out == b"tls\r\n"


def test_unpinned_certificate_is_refused(surface, sim_host):
    session = winrm.Session(
        surface.endpoints["winrm"]["https"],
        auth=("Administrator", sim_host.credentials.password),
        transport="basic",
        ca_trust_path=None,
    )
    with pytest.raises(requests.exceptions.SSLError):
        session.run_cmd("wcctest.exe echo x")


def test_certificate_covers_loopback_and_lives_in_state_folder(surface, sim_host):
    path = surface.endpoints["winrm"]["ca_cert"]
    assert path == str(sim_host.state_dir / "winrm" / "cert.pem")
    cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "127.0.0.1" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    context = ssl.create_default_context(cafile=path)  # hostname check against 127.0.0.1
    url = surface.endpoints["winrm"]["https"]
    host, port = url.split("//")[1].split("/")[0].split(":")
    with (
        socket.create_connection((host, int(port))) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


def test_certificate_is_reused_after_restart(surface, sim_host):
    first = Path(surface.endpoints["winrm"]["ca_cert"]).read_bytes()
    surface.close()
    again = start(sim_host, "127.0.0.1")
    try:
        assert Path(again.endpoints["winrm"]["ca_cert"]).read_bytes() == first
    finally:
        again.close()


def test_plain_http_to_the_tls_port_does_not_hang_it(surface, sim_host):
    url = surface.endpoints["winrm"]["https"].replace("https://", "http://")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(url, data=b"<x/>", timeout=5)
    session = winrm.Session(
        surface.endpoints["winrm"]["https"],
        auth=("Administrator", sim_host.credentials.password),
        transport="basic",
        ca_trust_path=surface.endpoints["winrm"]["ca_cert"],
    )
    assert session.run_cmd("wcctest.exe echo still").std_out == b"still\r\n"


def _ntlm_handshake(url: str, ca: str, password: str, bindings: bytes | None) -> int:
    """Raw NTLM over HTTPS with a chosen channel binding hash; returns the final HTTP status."""
    import base64

    import spnego
    from spnego.channel_bindings import GssChannelBindings

    cbt = GssChannelBindings(application_data=b"tls-server-end-point:" + bindings) if bindings else None
    client = spnego.client("Administrator", password, protocol="ntlm", channel_bindings=cbt)
    with requests.Session() as http:
        headers = {"Content-Type": "application/soap+xml;charset=UTF-8"}
        negotiate = "Negotiate " + base64.b64encode(client.step() or b"").decode()
        first = http.post(url, headers={**headers, "Authorization": negotiate}, verify=ca)
        challenge = base64.b64decode(first.headers["WWW-Authenticate"].split(" ", 1)[1])
        token = base64.b64encode(client.step(challenge) or b"").decode()
        return http.post(
            url, headers={**headers, "Authorization": "Negotiate " + token}, verify=ca
        ).status_code


def test_ntlm_channel_binding_is_checked_when_sent(surface, sim_host):
    import hashlib

    endpoints = surface.endpoints["winrm"]
    cert = x509.load_pem_x509_certificate(Path(endpoints["ca_cert"]).read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    right = hashlib.sha256(der).digest()
    password = sim_host.credentials.password
    assert _ntlm_handshake(endpoints["https"], endpoints["ca_cert"], password, right) == 200
    assert _ntlm_handshake(endpoints["https"], endpoints["ca_cert"], password, None) == 200  # Relaxed
    assert _ntlm_handshake(endpoints["https"], endpoints["ca_cert"], password, b"\x01" * 32) == 401
