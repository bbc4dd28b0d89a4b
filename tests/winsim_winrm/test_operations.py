"""Each WS-Man shell operation, driven by raw pywinrm against the in-process listener."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import winrm
import xmltodict  # type: ignore[import-untyped]
from winrm.exceptions import WinRMOperationTimeoutError, WSManFaultError

from tests.winsim_winrm.programs import Waiter
from winsim.processes import ProcessIO

SHELL_NOT_FOUND = 2150858843
CTRL_C_EXIT = 0xC000013A


@pytest.mark.parametrize("transport", ["basic", "ntlm"])
def test_run_cmd_returns_stdout_and_exit_code(surface, sim_host, transport):
    session = winrm.Session(
        surface.endpoints["winrm"]["http"],
        auth=(sim_host.credentials.username, sim_host.credentials.password),
        transport=transport,
    )
    result = session.run_cmd("wcctest.exe", ["echo", "hello", "world"])
    assert (result.status_code, result.std_out, result.std_err) == (0, b"hello world\r\n", b"")


@pytest.mark.parametrize("code", [0, 3, 255, -1])
def test_exit_code_and_stderr(protocol, code):
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe", ["exit", str(code)])
    out, err, status = p.get_command_output(shell, command)
    p.cleanup_command(shell, command)
    p.close_shell(shell)
    assert out == b""
    assert err == f"exiting with {code}\r\n".encode()
    assert status == code & 0xFFFFFFFF  # exit codes travel as DWORDs, as on Windows


def test_command_goes_through_cmd_unless_skipped(protocol, sim_host):
    seen: list[str] = []

    def recording_cmd(proc: ProcessIO) -> int:
        seen.append(proc.command_line)
        return 0

    sim_host.programs["cmd.exe"] = recording_cmd
    sim_host.programs["probe.exe"] = recording_cmd
    p = protocol("basic")
    shell = p.open_shell()
    for skip in (False, True):
        command = p.run_command(shell, "probe.exe", ["-a", "b c"], skip_cmd_shell=skip)
        p.get_command_output(shell, command)
    p.close_shell(shell)
    assert seen == ["cmd.exe /c probe.exe -a b c", "probe.exe -a b c"]


def test_send_streams_stdin_until_end(protocol):
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe cat")
    p.send_command_input(shell, command, b"first\r\n")
    first = p.get_command_output_raw(shell, command)
    p.send_command_input(shell, command, "second\r\n", end=True)  # str: pywinrm encodes cp437
    rest_out = b""
    done, status = False, None
    while not done:
        out, _, status, done = p.get_command_output_raw(shell, command)
        rest_out += out
    p.close_shell(shell)
    assert first[:2] == (b"first\r\n", b"") and first[3] is False  # still running: stdin open
    assert (rest_out, status) == (b"second\r\n", 0)


def test_shell_keeps_environment_and_directory_across_commands(protocol):
    p = protocol("basic")
    shell = p.open_shell(env_vars={"WCC_MARK": "m-42"}, working_directory="C:\\Work")
    outputs = []
    for args in (["env", "WCC_MARK"], ["cwd"]):
        command = p.run_command(shell, "wcctest.exe", args)
        outputs.append(p.get_command_output(shell, command)[0])
        p.cleanup_command(shell, command)
    p.close_shell(shell)
    assert outputs == [b"m-42\r\n", b"C:\\Work\r\n"]


def test_empty_receive_times_out_with_wsman_fault_then_output_continues(protocol):
    p = protocol("basic", operation_timeout_sec=1, read_timeout_sec=5)
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe wait")
    assert p.get_command_output_raw(shell, command)[0] == b"waiting\r\n"
    started = time.monotonic()
    with pytest.raises(WinRMOperationTimeoutError):
        p.get_command_output_raw(shell, command)
    waited = time.monotonic() - started
    p.cleanup_command(shell, command)
    p.close_shell(shell)
    assert 0.9 <= waited < 3.0  # the server held the long-poll for OperationTimeout (PT1S)


def test_signal_terminate_ends_process_and_forgets_command(protocol, sim_host):
    sim_host.programs["waiter.exe"] = waiter = Waiter()
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "waiter.exe")
    assert p.get_command_output_raw(shell, command)[0] == b"up\r\n"
    assert not waiter.ended.is_set()
    p.cleanup_command(shell, command)
    assert waiter.ended.wait(timeout=5)
    with pytest.raises(WSManFaultError) as fault:
        p.get_command_output_raw(shell, command)
    p.close_shell(shell)
    assert fault.value.fault_subcode == "w:InvalidParameter"


def _signal_ctrl_c(p: winrm.Protocol, shell: str, command: str) -> None:
    req = {
        "env:Envelope": p.build_wsman_header(
            resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
            action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal",
            shell_id=shell,
        )
    }
    signal = req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Signal", {})
    signal["@CommandId"] = command
    signal["rsp:Code"] = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
    p.send_message(xmltodict.unparse(req))


def test_signal_ctrl_c_reports_control_c_exit(protocol):
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe wait")
    p.get_command_output_raw(shell, command)
    _signal_ctrl_c(p, shell, command)
    _, _, status = p.get_command_output(shell, command)
    p.close_shell(shell)
    assert status == CTRL_C_EXIT


def test_delete_removes_shell(protocol):
    p = protocol()
    shell = p.open_shell()
    p.close_shell(shell, close_session=False)
    with pytest.raises(WSManFaultError) as fault:
        p.run_command(shell, "wcctest.exe echo late")
    assert fault.value.wsman_fault_code == SHELL_NOT_FOUND
    assert fault.value.fault_subcode == "w:InvalidSelectors"
    assert shell in fault.value.reason


def test_unknown_shell_id_faults(protocol):
    p = protocol("basic")
    with pytest.raises(WSManFaultError) as fault:
        p.run_command(str(uuid.uuid4()).upper(), "wcctest.exe echo x")
    assert fault.value.wsman_fault_code == SHELL_NOT_FOUND


def test_large_output_arrives_in_several_receives(protocol):
    p = protocol()
    shell = p.open_shell()
    command = p.run_command(shell, "wcctest.exe big 400000")
    chunks = []
    done = False
    while not done:
        out, _, status, done = p.get_command_output_raw(shell, command)
        chunks.append(out)
    p.close_shell(shell)
    assert b"".join(chunks) == b"x" * 400000
    assert len([c for c in chunks if c]) >= 3  # each response stays under MaxEnvelopeSize
    assert status == 0


def test_many_sessions_in_parallel(surface, sim_host):
    def run(i: int) -> bytes:
        session = winrm.Session(
            surface.endpoints["winrm"]["http"],
            auth=(sim_host.credentials.username, sim_host.credentials.password),
            transport="ntlm",
        )
        return session.run_cmd("wcctest.exe", ["echo", f"n{i}"]).std_out

    with ThreadPoolExecutor(8) as pool:
        outputs = list(pool.map(run, range(16)))
    assert outputs == [f"n{i}\r\n".encode() for i in range(16)]


def test_long_poll_does_not_block_other_shells(protocol):
    slow = protocol("basic", operation_timeout_sec=1, read_timeout_sec=5)
    shell = slow.open_shell()
    command = slow.run_command(shell, "wcctest.exe wait")
    slow.get_command_output_raw(shell, command)
    outcome: list[BaseException] = []

    def long_poll() -> None:
        try:
            slow.get_command_output_raw(shell, command)
        except BaseException as exc:  # recorded, checked below
            outcome.append(exc)

    poller = threading.Thread(target=long_poll)
    poller.start()
    started = time.monotonic()
    fast = protocol("basic")
    other = fast.open_shell()
    out = fast.get_command_output(other, fast.run_command(other, "wcctest.exe echo quick"))[0]
    elapsed = time.monotonic() - started
    poller.join()
    fast.close_shell(other)
    slow.close_shell(shell)
    assert out == b"quick\r\n" and elapsed < 0.9
    assert len(outcome) == 1 and isinstance(outcome[0], WinRMOperationTimeoutError)
