"""Error records, CLIXML on stderr and exit codes, as Windows PowerShell 5.1 reports them."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable

from winrm import Session

from tests.winsim_powershell.conftest import Result, finish
from winsim.host import SimHost
from winsim.processes import spawn

Run = Callable[[str], Result]

NOT_RECOGNIZED = (
    "The term 'Get-Nope' is not recognized as the name of a cmdlet, function, script file, or operable program. "
    "Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
)


def encoded(host: SimHost, script: str) -> Result:
    b64 = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    proc = spawn(host, f"powershell -NoProfile -NonInteractive -EncodedCommand {b64}")
    proc.write_stdin(b"", eof=True)
    return finish(proc)


def test_unknown_command_record_and_exit_code(host: SimHost) -> None:
    result = encoded(host, "Get-Nope")
    assert result.code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    )
    text = result.error_text
    # the console wraps long lines; joined, the message is PowerShell's exact text
    first_lines = text.split("At line:1 char:1")[0].replace("\r\n", "")
    assert first_lines == "Get-Nope : " + NOT_RECOGNIZED
    assert "\r\n+ Get-Nope\r\n+ ~~~~~~~~\r\n" in text
    assert (
        "    + CategoryInfo          : ObjectNotFound: (Get-Nope:String) [], CommandNotFoundException\r\n"
        in text
    )
    assert "    + FullyQualifiedErrorId : CommandNotFoundException\r\n" in text
    assert "Traceback" not in result.stderr


def test_pywinrm_clixml_cleaner_accepts_our_stderr(host: SimHost) -> None:
    result = encoded(host, "Get-Nope; Write-Error 'second'")
    cleaned = (
        Session("http://127.0.0.1:1", auth=("u", "p"))
        ._clean_error_msg(result.stderr.encode("utf-8"))
        .decode()
    )
    assert not cleaned.startswith("#< CLIXML")
    assert "Get-Nope : The term 'Get-Nope' is not recognized" in cleaned
    assert "second" in cleaned


def test_error_lines_wrap_at_console_width(host: SimHost) -> None:
    text = encoded(host, "fake cmdlet").error_text
    first = text.split("\r\n")[0]
    assert first == (
        "fake : The term 'fake' is not recognized as the name of a cmdlet, function, script file, or operable program. Check "
    )
    assert "+ fake cmdlet\r\n+ ~~~~\r\n" in text


def test_throw_exits_one_and_exit_n_is_kept(host: SimHost) -> None:
    thrown = encoded(host, "'before'; throw 'fatal'; 'after'")
    assert thrown.code == 1
    assert thrown.stdout == "before\r\n"
    assert thrown.error_text.startswith("fatal\r\nAt line:1 char:11\r\n")
    assert "    + FullyQualifiedErrorId : fatal\r\n" in thrown.error_text
    assert encoded(host, "exit 42").code == 42
    assert encoded(host, "'fine'").code == 0


def test_write_error_is_non_terminating(host: SimHost) -> None:
    result = encoded(host, "Write-Error 'bad thing'; 'continues'")
    assert result.stdout == "continues\r\n"
    assert result.error_text.startswith("Write-Error 'bad thing' : bad thing\r\n")
    assert "[Write-Error], WriteErrorException" in result.error_text
    assert result.code == 0  # the last statement succeeded


def test_parse_error_is_a_parser_error_record(host: SimHost) -> None:
    result = encoded(host, "Get-Item )")
    assert result.code == 1
    assert "Unexpected token ')' in expression or statement." in result.error_text
    assert "ParserError: (:) [], ParentContainsErrorRecordException" in result.error_text


def test_unsupported_construct_is_named(ps: Run) -> None:
    result = ps("switch (1) { 1 { 'one' } }\n'next'")
    assert "winsim does not model the switch statement." in result.error_text
    assert result.lines == ["next"]


def test_parameter_binding_errors(ps: Run) -> None:
    result = ps("Select-Object -Bogus 1\nSelect-Object -E")
    text = result.error_text
    assert "A parameter cannot be found that matches parameter name 'Bogus'." in text
    assert "FullyQualifiedErrorId : NamedParameterNotFound,Select-Object" in text
    assert "Parameter cannot be processed because the parameter name 'E' is ambiguous." in text


def test_invalid_encoded_command(host: SimHost) -> None:
    proc = spawn(host, "powershell -EncodedCommand not*base64")
    proc.write_stdin(b"", eof=True)
    result = finish(proc)
    assert result.code != 0
    assert "not properly encoded" in result.stderr


def test_method_on_null_is_an_error_record(ps: Run) -> None:
    result = ps("$nothing.Trim()")
    assert "You cannot call a method on a null-valued expression." in result.error_text
    assert result.code == 1


def test_nesting_too_deep_is_powershells_parser_error(ps: Run) -> None:
    """5,000 nested parentheses were "winsim: internal error ... RecursionError"; Windows PowerShell's
    parser reports ScriptTooComplicated (ParserStrings.resx)."""
    result = ps("(" * 5000 + "1" + ")" * 5000)
    assert result.stdout == ""
    assert "internal error" not in result.error_text
    assert result.error_text.startswith(
        "Processing was stopped because the script is too complex.\r\nAt line:1 char:"
    )
    assert "ParserError: (:) [], ParentContainsErrorRecordException" in result.error_text
    assert "FullyQualifiedErrorId : ScriptTooComplicated" in result.error_text
    assert ps("(" * 50 + "1" + ")" * 50).stdout == "1\r\n"  # ordinary nesting still runs


def test_a_stack_that_runs_out_anyway_is_a_call_depth_overflow(ps: Run) -> None:
    """The net under the parser's limit: a RecursionError becomes PowerShell's error, not an internal one."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)
    try:
        result = ps("(" * 55 + "1" + ")" * 55 + "\n'next'")
    finally:
        sys.setrecursionlimit(limit)
    assert "internal error" not in result.error_text
    assert result.error_text.startswith("The script failed due to call depth overflow.")
    assert "FullyQualifiedErrorId : CallDepthOverflow" in result.error_text
