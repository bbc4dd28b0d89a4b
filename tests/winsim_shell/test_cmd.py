"""cmd.exe: /c quoting, operators, built-ins, child programs, errors and the 8191 limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from winsim.cmdline import split_command_line
from winsim.host import SimHost
from winsim.processes import spawn


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> SimHost:
    return SimHost.create("cmd-sim", "ws2019", Path(tmp_path_factory.mktemp("cmdhost")))


def run(host: SimHost, line: str, stdin: bytes = b"") -> tuple[int | None, str, str]:
    proc = spawn(host, line)
    proc.write_stdin(stdin, eof=True)
    code = proc.wait(10)
    out = proc.read_output(0.01)
    return code, out.stdout.decode(), out.stderr.decode()


def test_echo_and_operators(host: SimHost) -> None:
    assert run(host, "cmd.exe /c echo one & echo two") == (0, "one\r\ntwo\r\n", "")
    assert run(host, "cmd /c nosuch && echo skipped || echo fallback")[1] == "fallback\r\n"
    assert run(host, 'cmd /c echo "a & b"')[1] == '"a & b"\r\n'


def test_exit_codes(host: SimHost) -> None:
    assert run(host, "cmd /c exit /b 3")[0] == 3
    assert run(host, "cmd /c exit 4")[0] == 4
    # %ERRORLEVEL% is expanded when the line is read, before "exit 2" runs, as in real cmd.exe
    assert run(host, "cmd /c cmd /c exit 2 & echo %ERRORLEVEL%")[1] == "0\r\n"
    assert run(host, "cmd /c cmd /c exit 2")[0] == 2


def test_unknown_command(host: SimHost) -> None:
    code, out, err = run(host, "cmd /c frobnicate now")
    assert code == 9009
    assert (
        err
        == "'frobnicate' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
    )


def test_ver_hostname_and_set(host: SimHost) -> None:
    assert run(host, "cmd /c ver")[1] == f"\r\nMicrosoft Windows [Version {host.profile.os_version}]\r\n"
    assert run(host, "cmd /c hostname")[1] == "CMD-SIM\r\n"
    assert run(host, "cmd /c set WCC_X=1 & set WCC_X")[1] == "WCC_X=1\r\n"
    assert run(host, "cmd /c echo %COMPUTERNAME% %NOPE_NOT_SET%")[1] == "CMD-SIM %NOPE_NOT_SET%\r\n"


def test_c_switch_quote_stripping(host: SimHost) -> None:
    # the outer quotes are removed; what is inside runs as the command line
    assert run(host, 'cmd /s /c "echo x && echo y"')[1] == "x\r\ny\r\n"
    assert run(host, 'cmd /c "powershell -Command "1+1""')[1] == "2\r\n"


def test_powershell_child_reads_cmd_stdin(host: SimHost) -> None:
    code, out, _ = run(host, "cmd /c powershell -NoProfile -Command -", b"'from stdin'\r\n")
    assert (code, out) == (0, "from stdin\r\n")


def test_pipe_into_powershell(host: SimHost) -> None:
    assert run(host, "cmd /c echo 'piped' | powershell -Command -")[1] == "piped\r\n"


def test_redirection_to_nul(host: SimHost) -> None:
    assert run(host, "cmd /c echo hidden > nul & echo shown") == (0, "shown\r\n", "")
    assert run(host, "cmd /c nosuch 2>nul")[2] == ""


def test_command_line_limit(host: SimHost) -> None:
    long_arg = "x" * 8200
    assert run(host, f"cmd /c echo {long_arg}") == (1, "", "The command line is too long.\r\n")
    fits = "y" * 8000
    assert run(host, f"cmd /c echo {fits}")[1] == fits + "\r\n"


def test_interactive_mode_reads_stdin(host: SimHost) -> None:
    code, out, _ = run(host, "cmd.exe", b"echo hello\r\nexit 6\r\n")
    assert code == 6
    assert out.startswith("Microsoft Windows [Version ")
    assert "C:\\Users\\Administrator>echo hello\r\nhello\r\n" in out


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        ('a "b c" d', ["a", "b c", "d"]),
        (r'x \"y\" "z\\"', ["x", '"y"', "z\\"]),
        ('p "q""r"', ["p", 'q"r']),
    ],
)
def test_split_command_line(line: str, argv: list[str]) -> None:
    assert split_command_line(line) == argv
