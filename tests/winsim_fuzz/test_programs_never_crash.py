"""winsim's powershell.exe and cmd.exe answer any path, argument or script text the way Windows
would (output or an error record), never with an internal error of the simulator.

Hypothesis throws random paths at the file-system cmdlets, random arguments at commands, and random
script text at both programs.  Derandomized: the same examples every run, so CI cannot flake.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from winsim.host import SimHost
from winsim.processes import spawn

INTERNAL = b"winsim: internal error"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Characters that matter to Windows paths and to the two parsers, plus some ordinary ones.
PATH_CHARS = st.sampled_from(list("C:\\/.*?[]<>|\"'`$ ~a-Z09_\x00\t") + ["..", "::", "\\\\?\\", "é"])
paths = st.lists(PATH_CHARS, min_size=0, max_size=14).map("".join)
SCRIPT_CHARS = st.sampled_from(
    list("abcxyz0123 \t\r\n;|&(){}[]$@'\"`-+*/%=!<>,.:\\#?")
    + ["$(", "@(", "-eq", "Get-Item", "if", "foreach"]
)
scripts = st.lists(SCRIPT_CHARS, min_size=0, max_size=30).map("".join)
PATH_CMDLETS = (
    "Test-Path -LiteralPath",
    "Test-Path",
    "Get-Item -LiteralPath",
    "Get-ChildItem -LiteralPath",
    "Get-Content -LiteralPath",
    "Set-Content -Value x -LiteralPath",
    "Remove-Item -LiteralPath",
    "New-Item -ItemType Directory -Path",
)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> SimHost:
    return SimHost.create("fuzz", "ws2022", Path(tmp_path_factory.mktemp("fuzz")) / "state")


def _run(host: SimHost, command_line: str, stdin: bytes = b"") -> bytes:
    proc = spawn(host, command_line)
    proc.write_stdin(stdin, eof=True)
    assert proc.wait(30) is not None, f"{command_line!r} did not end"
    out = proc.read_output(0)
    return out.stdout + out.stderr


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@FUZZ
@given(cmdlet=st.sampled_from(PATH_CMDLETS), path=paths)
def test_file_system_cmdlets_answer_any_path(host: SimHost, cmdlet: str, path: str):
    script = f"{cmdlet} {_quoted(path)}\r\n'done'\r\n".encode()
    answer = _run(host, "powershell.exe -NoProfile -NonInteractive -Command -", script)
    assert INTERNAL not in answer, answer.decode("utf-8", "replace")


@FUZZ
@given(script=scripts)
def test_powershell_answers_any_script_text(host: SimHost, script: str):
    answer = _run(host, "powershell.exe -NoProfile -NonInteractive -Command -", script.encode() + b"\r\n")
    assert INTERNAL not in answer, answer.decode("utf-8", "replace")


@FUZZ
@given(line=scripts)
def test_cmd_answers_any_command_line(host: SimHost, line: str):
    answer = _run(host, "cmd.exe /c " + line.replace("\r", " ").replace("\n", " "))
    assert INTERNAL not in answer, answer.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (r"Test-Path -LiteralPath 'C:\a:b'", "False"),
        (r"Test-Path 'C:\a:b'", "False"),
        (
            r"Set-Content -LiteralPath 'C:\a:b' -Value x",
            "System.NotSupportedException,Microsoft.PowerShell.Commands.SetContentCommand",
        ),
    ],
)
def test_a_path_no_file_system_holds_is_false_or_an_error_record(host: SimHost, script: str, expected: str):
    answer = _run(host, "powershell.exe -NoProfile -NonInteractive -Command -", script.encode() + b"\r\n")
    assert INTERNAL not in answer and expected.encode() in answer
