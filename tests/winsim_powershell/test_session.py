"""powershell.exe as a persistent driver session: stdin line by line, modes, modules, latency."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from tests.winsim_powershell.conftest import finish
from winsim.host import SimHost
from winsim.powershell import parse_check
from winsim.processes import SimProcess, spawn


def read_until(proc: SimProcess, marker: bytes, timeout: float = 5.0) -> tuple[bytes, bytes]:
    out, err = b"", b""
    deadline = time.monotonic() + timeout
    while marker not in out and time.monotonic() < deadline:
        chunk = proc.read_output(0.5)
        out += chunk.stdout
        err += chunk.stderr
    return out, err


def test_stdin_statements_run_as_each_line_arrives(host: SimHost) -> None:
    proc = spawn(host, "powershell.exe -NoProfile -NonInteractive -Command -")
    proc.write_stdin(b"$n = 40\r\n")
    proc.write_stdin(b"$n + 2\r\n")
    out, _ = read_until(proc, b"42")
    assert out == b"42\r\n"
    assert not proc.done
    proc.write_stdin(b"Get-Nope\r\n")
    proc.write_stdin(b"'marker'\r\n")
    out, err = read_until(proc, b"marker")
    assert out == b"marker\r\n"
    assert err.startswith(b"#< CLIXML\r\n<Objs") and err.endswith(b"</Objs>")
    proc.write_stdin(b"exit 5\r\n")
    assert finish(proc).code == 5


def test_multiline_construct_runs_at_blank_line(host: SimHost) -> None:
    proc = spawn(host, "powershell.exe -NoProfile -NonInteractive -Command -")
    proc.write_stdin(b"if ($true) {\r\n  'inside'\r\n}\r\n")
    assert proc.read_output(0.2).stdout == b""  # still waiting, as PowerShell 5.1 does
    proc.write_stdin(b"\r\n")
    out, _ = read_until(proc, b"inside")
    assert out == b"inside\r\n"
    proc.write_stdin(b"", eof=True)
    assert finish(proc).code == 0


def test_eof_exit_code_follows_last_statement(host: SimHost) -> None:
    proc = spawn(host, "powershell.exe -Command -")
    proc.write_stdin(b"'ok'\r\nGet-Nope\r\n", eof=True)
    assert finish(proc).code == 1


def test_long_script_over_stdin_but_not_on_command_line(host: SimHost) -> None:
    body = "; ".join(f"$v{i} = {i}" for i in range(1500)) + "; $v1499"
    assert len(body) > 8191
    proc = spawn(host, "powershell -NoProfile -Command -")
    proc.write_stdin(body.encode() + b"\r\n", eof=True)
    result = finish(proc)
    assert result.stdout == "1499\r\n"
    b64 = base64.b64encode(body.encode("utf-16-le")).decode()
    too_long = spawn(host, f"powershell -NoProfile -EncodedCommand {b64}")
    result = finish(too_long)
    assert result.code == 1
    assert result.stderr == "The command line is too long.\r\n"


@pytest.mark.parametrize(
    "args",
    [
        "-NoProfile -NonInteractive -ExecutionPolicy Bypass -Command",
        "-nop -noni -ep Bypass -c",
        "-NoLogo -OutputFormat Text -InputFormat Text -Command",
    ],
)
def test_switches_prefixes_and_command_text(host: SimHost, args: str) -> None:
    proc = spawn(host, f'powershell.exe {args} "$x = 6; $x * 7"')
    assert finish(proc).stdout == "42\r\n"


def test_encoded_command_unicode(host: SimHost) -> None:
    script = "'grüße ' + (1 + 1)"
    proc = spawn(host, "powershell -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode())
    assert finish(proc).stdout == "grüße 2\r\n"


def test_new_module_defines_its_functions_in_a_scope_of_its_own(host: SimHost) -> None:
    module = (
        "$Greeting = 'script'\nfunction Get-ModTestProbe { param($Name) \"$script:Greeting $Name\" }\n"
        "function Get-ModTestOther { 'other' }"
    )
    assert parse_check(module) == []
    b64 = base64.b64encode(module.encode("utf-8")).decode()
    load = (
        f"$text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{b64}'))\r\n"
        "New-Module -Name ModTest -ScriptBlock ([ScriptBlock]::Create($text)) | Import-Module\r\n"
        "Get-ModTestProbe -Name x\r\nGet-ModTestOther\r\n(Get-Command -Module ModTest).Count\r\n"
        "[string]$Greeting\r\n"
    )
    proc = spawn(host, "powershell -NoProfile -NonInteractive -Command -")
    proc.write_stdin(load.encode(), eof=True)
    result = finish(proc)
    # The module's variable is its own: the caller's scope does not see it.
    assert result.stdout.split("\r\n")[:4] == ["script x", "other", "2", ""], result.stderr


def test_parse_check_reports_errors() -> None:
    assert parse_check("function f { param($a) $a }") == []
    assert parse_check("if ($a) {")[0].endswith("Missing closing '}' in statement block or type definition.")
    assert parse_check("Get-Item )")


def test_lab_latency_costs_powershell_start(tmp_path: Path) -> None:
    lab = SimHost.create("lab-sim", "ws2019", tmp_path, latency="lab")
    start = time.monotonic()
    result = finish(spawn(lab, "powershell -Command $PSVersionTable.PSVersion.ToString()"))
    elapsed = time.monotonic() - start
    assert result.stdout.startswith("5.1.17763.")
    assert elapsed >= lab.latency.powershell_start


def test_probe_call_is_cheap(host: SimHost) -> None:
    from winsim.powershell.interpreter import Interpreter

    sink: list[object] = []
    it = Interpreter(
        host, on_output=sink.extend, on_error=lambda r: sink.append(r), write_stdout=lambda s: None
    )
    line = "[pscustomobject]@{A=1; B='x'} | Select-Object A | ConvertTo-Json -Compress"
    it.run(line)
    start = time.perf_counter()
    for _ in range(100):
        it.run(line)
    per_call = (time.perf_counter() - start) / 100
    assert sink[-1] == '{"A":1}'
    assert per_call < 0.005
