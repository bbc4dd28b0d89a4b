"""WS-Man faults in Windows' shape, quotas, size limits, malformed input and shell idle expiry."""

from __future__ import annotations

import base64
import threading
import time
import xml.etree.ElementTree as ET

import pytest
import requests
import winrm
import xmltodict  # type: ignore[import-untyped]
from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError

from winsim.processes import ProcessIO
from winsim.winrm.server import restart_service

SHELL_NOT_FOUND = 2150858843
NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
}
CMD = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"


def _post(surface, sim_host, body: bytes, **kwargs) -> requests.Response:
    return requests.post(
        surface.endpoints["winrm"]["http"],
        data=body,
        auth=(sim_host.credentials.username, sim_host.credentials.password),
        headers={"Content-Type": "application/soap+xml;charset=UTF-8"},
        timeout=10,
        **kwargs,
    )


def _fault(response: requests.Response) -> tuple[str, str, int]:
    root = ET.fromstring(response.content)
    fault = root.find("s:Body/s:Fault", NS)
    assert fault is not None, response.text
    code = fault.findtext("s:Code/s:Value", namespaces=NS) or ""
    sub = fault.findtext("s:Code/s:Subcode/s:Value", namespaces=NS) or ""
    wsman = fault.find("s:Detail/f:WSManFault", NS)
    assert wsman is not None
    return code, sub, int(wsman.get("Code", "0"))


def test_more_than_30_shells_per_user_is_a_quota_fault(protocol):
    p = protocol("basic")
    shells = [p.open_shell() for _ in range(30)]
    with pytest.raises(WSManFaultError) as fault:
        p.open_shell()
    assert fault.value.fault_subcode == "w:QuotaLimit"
    assert "maximum number of 30 concurrent shells" in fault.value.reason
    p.close_shell(shells.pop(), close_session=False)
    shells.append(p.open_shell())  # room again after a Delete
    for shell in shells:
        p.close_shell(shell, close_session=False)


def test_quota_follows_config(start_winrm, sim_host, protocol):
    small = start_winrm(max_shells_per_user=2)

    p = winrm.Protocol(
        small.endpoints["winrm"]["http"],
        transport="basic",
        username=sim_host.credentials.username,
        password=sim_host.credentials.password,
    )
    p.open_shell(), p.open_shell()
    with pytest.raises(WSManFaultError) as fault:
        p.open_shell()
    assert "maximum number of 2 concurrent shells" in fault.value.reason


def test_envelope_over_max_envelope_size_is_an_encoding_limit_fault(protocol):
    p = protocol()  # NTLM: the fault comes back sealed too
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe cat")
    with pytest.raises(WSManFaultError) as fault:
        p.send_command_input(shell, command, b"y" * 120_000)  # ~160 KB once base64-encoded
    assert fault.value.fault_subcode == "w:EncodingLimit"
    assert fault.value.code == 500
    p.send_command_input(shell, command, b"small\r\n", end=True)  # the shell is still usable
    assert p.get_command_output(shell, command)[0] == b"small\r\n"
    p.close_shell(shell)


def test_body_over_request_limit_gets_413(surface, sim_host):
    response = _post(surface, sim_host, b"<a>" + b"z" * (600 * 1024) + b"</a>")
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body",
    [
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Header>",
        b"not xml at all",
        b"<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;&a;'>]><x>&b;</x>",
        b"<x/>",
        b"<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Header/><s:Body/></s:Envelope>",
    ],
    ids=["truncated", "text", "entities", "not-soap", "no-action"],
)
def test_malformed_envelopes_get_a_soap_fault(surface, sim_host, body):
    started = time.monotonic()
    response = _post(surface, sim_host, body)
    assert response.status_code in (400, 500)
    code, sub, wsman_code = _fault(response)
    assert code == "s:Sender" and sub == "w:SchemaValidationError" and wsman_code > 0
    assert time.monotonic() - started < 2


def test_server_survives_garbage_and_keeps_serving(surface, sim_host, protocol):
    for body in (b"\x00\xff" * 1000, b"<" * 5000, b"<a>" * 2000):
        assert _post(surface, sim_host, body).status_code in (400, 500)
    p = protocol("basic")
    shell = p.open_shell()
    assert p.get_command_output(shell, p.run_command(shell, "wcctest.exe echo alive"))[0] == b"alive\r\n"


def _envelope(
    p, action: str, shell_id: str | None = None, resource: str = CMD, body: dict | None = None
) -> bytes:
    req = {"env:Envelope": p.build_wsman_header(action=action, resource_uri=resource, shell_id=shell_id)}
    req["env:Envelope"]["env:Body"] = body or {}
    return xmltodict.unparse(req).encode()


def test_unknown_action_and_resource_are_faults(surface, sim_host, protocol):
    p = protocol("basic")
    response = _post(surface, sim_host, _envelope(p, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get"))
    assert response.status_code == 500
    assert _fault(response)[1] == "a:ActionNotSupported"
    create = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
    response = _post(
        surface,
        sim_host,
        _envelope(
            p, create, resource="http://schemas.microsoft.com/powershell/Other", body={"rsp:Shell": {}}
        ),
    )
    assert _fault(response)[1] == "w:DestinationUnreachable"


def test_fault_relates_to_the_request(surface, sim_host, protocol):
    p = protocol("basic")
    body = _envelope(p, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command", shell_id="NOPE")
    message_id = ET.fromstring(body).findtext(".//a:MessageID", namespaces=NS)
    response = _post(surface, sim_host, body)
    root = ET.fromstring(response.content)
    assert root.findtext("s:Header/a:RelatesTo", namespaces=NS) == message_id
    assert (
        root.findtext("s:Header/a:Action", namespaces=NS)
        == "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
    )
    assert _fault(response) == ("s:Sender", "w:InvalidSelectors", SHELL_NOT_FOUND)


def test_http_level_errors(surface, sim_host):
    url = surface.endpoints["winrm"]["http"]
    auth = (sim_host.credentials.username, sim_host.credentials.password)
    assert requests.get(url, auth=auth, timeout=5).status_code == 405
    assert (
        requests.post(url.replace("/wsman", "/other"), data=b"<x/>", auth=auth, timeout=5).status_code == 404
    )
    assert (
        requests.post(
            url, data=b"<x/>", auth=auth, headers={"Content-Type": "text/plain"}, timeout=5
        ).status_code
        == 415
    )
    assert requests.get(url, timeout=5).headers["Server"] == "Microsoft-HTTPAPI/2.0"


def test_idle_shell_expires_and_then_is_not_found(protocol):
    p = protocol("basic")
    shell = p.open_shell(idle_timeout="PT0.3S")
    deadline = time.monotonic() + 5
    while True:
        try:
            p.run_command(shell, "wcctest.exe echo x")
        except WSManFaultError as fault:
            assert fault.wsman_fault_code == SHELL_NOT_FOUND
            break
        assert time.monotonic() < deadline, "shell never idled out"
        time.sleep(0.35)  # let it sit idle past its IdleTimeOut


def test_default_idle_timeout_comes_from_config(start_winrm, sim_host, surface):

    quick = start_winrm(idle_timeout=0.2)
    p = winrm.Protocol(
        quick.endpoints["winrm"]["http"],
        transport="basic",
        username=sim_host.credentials.username,
        password=sim_host.credentials.password,
    )
    shell = p.open_shell()
    keep = winrm.Protocol(
        surface.endpoints["winrm"]["http"],
        transport="basic",
        username=sim_host.credentials.username,
        password=sim_host.credentials.password,
    ).open_shell()
    deadline = time.monotonic() + 5
    while shell in quick.shells.shell_ids():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert keep in surface.shells.shell_ids()  # the 180 s default still holds on the other listener


def test_active_long_poll_keeps_shell_alive(protocol):
    p = protocol("basic", operation_timeout_sec=1, read_timeout_sec=5)
    shell = p.open_shell(idle_timeout="PT0.5S")
    command = p.run_command(shell, "wcctest.exe wait")
    p.get_command_output_raw(shell, command)

    with pytest.raises(WinRMOperationTimeoutError):
        p.get_command_output_raw(shell, command)  # 1 s inside the shell: longer than its idle timeout
    p.cleanup_command(shell, command)  # still there


def test_invalid_idle_timeout_is_a_schema_fault(protocol):
    with pytest.raises(WSManFaultError) as fault:
        protocol("basic").open_shell(idle_timeout="forever")
    assert fault.value.fault_subcode == "w:SchemaValidationError"


@pytest.mark.parametrize("how", ["surface", "service"])
def test_dropping_all_shells_ends_their_processes(protocol, surface, sim_host, how):
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe wait")
    p.get_command_output_raw(shell, command)
    dropped = surface.drop_all_shells() if how == "surface" else restart_service(sim_host)
    assert dropped == 1
    with pytest.raises(WSManFaultError) as fault:
        p.get_command_output_raw(shell, command)
    assert fault.value.wsman_fault_code == SHELL_NOT_FOUND


def test_a_receive_pending_when_the_shell_is_dropped_gets_the_end_and_nothing_later(
    protocol, surface, sim_host
):
    """A dropped shell's process is killed at once: the Receive already waiting on it sees the
    command end (STATUS_CONTROL_C_EXIT), never what the program's thread writes while winding down."""

    def slow_to_die(proc: ProcessIO) -> int:
        proc.stdout.write("up\r\n")
        proc.terminated.wait()
        time.sleep(0.2)  # a program still busy when TerminateProcess came
        proc.stdout.write("late\r\n")
        return 0

    sim_host.programs["slowdie.exe"] = slow_to_die
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "slowdie.exe")
    assert p.get_command_output_raw(shell, command)[0] == b"up\r\n"
    answers: list[tuple[bytes, bytes, int, bool]] = []
    receive = threading.Thread(target=lambda: answers.append(p.get_command_output_raw(shell, command)))
    receive.start()
    time.sleep(0.3)  # the Receive is waiting on the server
    surface.drop_all_shells()
    receive.join(10)
    assert answers == [(b"", b"", 0xC000013A, True)]


def test_send_rejects_non_base64(surface, sim_host, protocol):
    p = protocol("basic")
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe cat")
    send = {
        "rsp:Send": {"rsp:Stream": {"@Name": "stdin", "@CommandId": command, "#text": "%%%not-base64%%%"}}
    }
    response = _post(
        surface,
        sim_host,
        _envelope(p, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send", shell, body=send),
    )
    assert _fault(response)[1] == "w:SchemaValidationError"
    ok = {
        "rsp:Send": {
            "rsp:Stream": {
                "@Name": "stdin",
                "@CommandId": command,
                "@End": "true",
                "#text": base64.b64encode(b"q\n").decode(),
            }
        }
    }
    response = _post(
        surface,
        sim_host,
        _envelope(p, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send", shell, body=ok),
    )
    assert response.status_code == 200
    assert p.get_command_output(shell, command)[0] == b"q\n"
