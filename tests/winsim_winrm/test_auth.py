"""Basic and NTLM authentication (with NTLM message encryption over HTTP), and what a wrong credential gets."""

from __future__ import annotations

import base64
import logging
import stat
from urllib.parse import urlparse

import pytest
import requests
import winrm
from winrm.exceptions import InvalidCredentialsError

from tests.winsim_winrm.programs import WRONG_PARTS, wrong_credentials
from tests.winsim_winrm.wiretap import Wiretap
from winsim.processes import ProcessIO


def _session(surface, user: str, password: str, transport: str, **kwargs) -> winrm.Session:
    return winrm.Session(
        surface.endpoints["winrm"]["http"], auth=(user, password), transport=transport, **kwargs
    )


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
@pytest.mark.parametrize("user", ["Administrator", "ADMINISTRATOR", ".\\Administrator", "T\\administrator"])
def test_account_name_forms_are_accepted(surface, sim_host, transport, user):
    result = _session(surface, user, sim_host.credentials.password, transport).run_cmd("wcctest.exe echo in")
    assert result.std_out == b"in\r\n"


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
@pytest.mark.parametrize("which", WRONG_PARTS)
def test_wrong_credentials_get_401_and_nothing_runs(surface, sim_host, transport, which):
    ran: list[str] = []

    def spy(proc: ProcessIO) -> int:
        ran.append(proc.command_line)
        return 0

    sim_host.programs["spy.exe"] = spy
    user, password = wrong_credentials(sim_host, which)
    with pytest.raises(InvalidCredentialsError):
        _session(surface, user, password, transport).run_cmd("spy.exe")
    assert ran == []
    assert surface.shells.shell_ids() == []


def test_unauthenticated_request_is_challenged_like_windows(surface):
    response = requests.post(surface.endpoints["winrm"]["http"], data=b"<x/>", timeout=5)
    assert response.status_code == 401
    offered = response.headers["WWW-Authenticate"].lower()
    assert "negotiate" in offered and 'basic realm="wsman"' in offered


@pytest.mark.parametrize(("transport", "sealed"), [("ntlm", True), ("basic", False)])
def test_ntlm_over_http_seals_messages(surface, sim_host, transport, sealed):
    url = urlparse(surface.endpoints["winrm"]["http"])
    tap = Wiretap((url.hostname, url.port))
    try:
        session = winrm.Session(
            f"http://127.0.0.1:{tap.port}/wsman",
            auth=("Administrator", sim_host.credentials.password),
            transport=transport,
        )
        assert session.run_cmd("wcctest.exe", ["echo", "marker-7d1f"]).std_out == b"marker-7d1f\r\n"
    finally:
        tap.close()
    wire = bytes(tap.sent)
    assert (b"marker-7d1f" in wire) is not sealed
    assert (b"multipart/encrypted" in wire) is sealed
    assert (b"application/HTTP-SPNEGO-session-encrypted" in wire) is sealed


def test_allow_unencrypted_false_rejects_plain_http_but_not_sealed_ntlm(start_winrm, sim_host):
    strict = start_winrm(allow_unencrypted=False)
    password = sim_host.credentials.password
    with pytest.raises(InvalidCredentialsError):
        _session(strict, "Administrator", password, "basic").run_cmd("wcctest.exe echo plain")
    with pytest.raises(InvalidCredentialsError):
        _session(strict, "Administrator", password, "ntlm", message_encryption="never").run_cmd(
            "wcctest.exe echo x"
        )
    assert (
        _session(strict, "Administrator", password, "ntlm").run_cmd("wcctest.exe echo ok").std_out
        == b"ok\r\n"
    )
    https = winrm.Session(
        strict.endpoints["winrm"]["https"],
        auth=("Administrator", password),
        transport="basic",
        ca_trust_path=strict.endpoints["winrm"]["ca_cert"],
    )
    assert https.run_cmd("wcctest.exe echo tls").std_out == b"tls\r\n"


def test_basic_can_be_disabled(start_winrm, sim_host):
    no_basic = start_winrm(allow_basic=False)
    with pytest.raises(InvalidCredentialsError):
        _session(no_basic, "Administrator", sim_host.credentials.password, "basic").run_cmd(
            "wcctest.exe echo x"
        )
    response = requests.post(no_basic.endpoints["winrm"]["http"], data=b"", timeout=5)
    assert "basic" not in response.headers["WWW-Authenticate"].lower()


def test_password_never_logged_or_stored_in_clear(surface, sim_host, caplog):
    password = sim_host.credentials.password
    caplog.set_level(logging.DEBUG)
    for transport in ("basic", "ntlm"):
        with pytest.raises(InvalidCredentialsError):
            _session(surface, "Administrator", password + "-wrong", transport).run_cmd("wcctest.exe echo x")
        _session(surface, "Administrator", password, transport).run_cmd("wcctest.exe echo x")
    assert password not in caplog.text
    assert caplog.text  # the failures were logged, just without the secret
    store = sim_host.state_dir / "winrm" / "ntlm_users"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert password not in store.read_text()
    assert password not in repr(sim_host.credentials)


@pytest.mark.parametrize(
    "token",
    [b"NTLMSSP\x00\x01\x00", b"NTLMSSP\x00\x03\x00\x00\x00", b"NTLMSSP\x00\x03\x00\x00\x00" + b"\xff" * 80],
    ids=["cut-negotiate", "cut-authenticate", "garbage-authenticate"],
)
def test_a_malformed_ntlm_token_is_refused_with_401_and_the_listener_carries_on(surface, sim_host, token):
    """A cut token made pyspnego raise struct.error, which closed the connection without an answer."""
    header = "Negotiate " + base64.b64encode(token).decode()
    response = requests.post(
        surface.endpoints["winrm"]["http"], data=b"", headers={"Authorization": header}, timeout=5
    )
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Negotiate")
    result = _session(surface, "Administrator", sim_host.credentials.password, "ntlm").run_cmd(
        "wcctest.exe echo in"
    )
    assert result.std_out == b"in\r\n"
