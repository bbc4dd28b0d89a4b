"""pywinrm against the simulated host's real cmd.exe and powershell.exe."""

from __future__ import annotations

import pytest
import winrm


@pytest.fixture(params=["basic", "ntlm"])
def session(request, surface, sim_host) -> winrm.Session:
    return winrm.Session(
        surface.endpoints["winrm"]["http"],
        auth=(sim_host.credentials.username, sim_host.credentials.password),
        transport=request.param,
    )


def test_run_cmd_through_cmd_exe(session):
    result = session.run_cmd("echo", ["hello"])
    assert (result.status_code, result.std_out) == (0, b"hello\r\n")


def test_cmd_exit_code(session):
    assert session.run_cmd("exit /b 7").status_code == 7


def test_run_ps_encoded_command(session):
    result = session.run_ps("$x = 20; $x + 22")
    assert (result.status_code, result.std_out) == (0, b"42\r\n")


def test_run_ps_error_goes_to_stderr(session):
    result = session.run_ps("Write-Error 'went wrong'")
    assert b"went wrong" in result.std_err
    assert result.std_out == b""


def test_powershell_reads_script_from_stdin(session):
    p = session.protocol
    shell = p.open_shell()
    command = p.run_command(shell, "powershell", ["-NoProfile", "-NonInteractive", "-Command", "-"])
    p.send_command_input(shell, command, b"$a = 40\r\n")
    p.send_command_input(shell, command, b"$a + 2\r\n", end=True)
    out, err, status = p.get_command_output(shell, command)
    p.close_shell(shell)
    assert (out, status) == (b"42\r\n", 0)
