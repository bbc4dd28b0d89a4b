"""Language features of the simulated PowerShell, each checked through a real process."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.winsim_powershell.conftest import Result

Run = Callable[[str], Result]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("1 + 2 * 3", ["7"]),
        ("'a' + 1", ["a1"]),
        ("1 + '7'", ["8"]),
        ("7 / 2", ["3.5"]),
        ("(1,2) + 3 | ForEach-Object { $_ }", ["1", "2", "3"]),
        ('$x = 5; "x is $x and $($x * 2)"', ["x is 5 and 10"]),
        ("'it''s'", ["it's"]),
        ('"tab`there"', ["tab\there"]),
        ("$a = 1,2,3; $a[-1]; $a.Count; $a[0..1] -join '+'", ["3", "3", "1+2"]),
        ("$h = @{Key='v'}; $h.key; $h['KEY']", ["v", "v"]),
        ("[int]'42' + 1", ["43"]),
        ("[string]5 + 5", ["55"]),
        ("[bool]'' ; [bool]'x'", ["False", "True"]),
        ("([array]5).Count", ["1"]),
        ("@().Count; @(1).Count; $null.Count", ["0", "1", "0"]),
        ("'a,b,c' -split ','", ["a", "b", "c"]),
        ("'hello' -replace 'l', 'L'", ["heLLo"]),
        ("'{0}-{1}' -f 'a', 2", ["a-2"]),
        ("'Container NIC 1' -like '*container nic*'", ["True"]),
        ("'abc' -notlike 'x*'", ["True"]),
        ("if ('abc' -match 'b(c)') { $Matches[1] }", ["c"]),
        ("1,2,3 -contains 2; 2 -in 1,2; 5 -notin 1,2", ["True", "True", "True"]),
        ("(1 -lt 2) -and -not (3 -le 2) -or $false", ["True"]),
        ("1,2,3,4 -gt 2", ["3", "4"]),
        ("'B' -eq 'b'; 'B' -ceq 'b'", ["True", "False"]),
        ("$null -eq $nothing", ["True"]),
        ("$s = 'abc'; $s.Length; $s.ToUpper(); $s.Substring(1)", ["3", "ABC", "bc"]),
        ("$o = [pscustomobject]@{Name='n'; Id=1}; $o.Name; $o.Id + 1", ["n", "2"]),
        ("$o = [pscustomobject]@{A=1}; $o.A = 2; $o.A", ["2"]),
        ("$i = 0; $i += 5; $i++; $i", ["6"]),
        ("$a, $b = 1, 2; $b", ["2"]),
        ("@(1,2,3).Length", ["3"]),
        ("[Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('hi'))", ["aGk="]),
        ("[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('aGk='))", ["hi"]),
        ("[Text.Encoding]::Unicode.GetBytes('A') -join ','", ["65,0"]),
        ("$env:COMPUTERNAME", ["WCC-SIM"]),
        ("$PSVersionTable.PSVersion.Major; $PSVersionTable.PSVersion.Minor", ["5", "1"]),
        ("$PSVersionTable.PSEdition", ["Desktop"]),
        ("1..3 -join ','", ["1,2,3"]),
        ("$n = 3; 1..$n | ForEach-Object { $_ * 10 }", ["10", "20", "30"]),
        ("$x = $null; if ($x) { 'yes' } elseif ($x -eq $null) { 'null' } else { 'no' }", ["null"]),
        ("foreach ($i in 1,2,3) { if ($i -eq 2) { continue }; $i }", ["1", "3"]),
        ("foreach ($i in 1..10) { if ($i -gt 2) { break }; $i }", ["1", "2"]),
        ("$i = 0; while ($i -lt 3) { $i++ }; $i", ["3"]),
        ("[Console]::Out.Flush(); 'flushed'", ["flushed"]),
        ("$x = 1; $x -is [int]; 'a' -is [string]; $x -isnot [string]", ["True", "True", "True"]),
    ],
)
def test_expression(ps: Run, script: str, expected: list[str]) -> None:
    result = ps(script)
    assert result.lines == expected, result.stderr
    assert result.code == 0


def test_functions_with_param_block_switch_and_positional(ps: Run) -> None:
    script = "\n".join(
        [
            "function Get-Greeting { param([string]$Name, [switch]$Loud, $Times = 1)",
            '  $text = "hi $Name" * $Times',
            "  if ($Loud) { $text.ToUpper() } else { $text }",
            "}",
            "",
            "Get-Greeting -Name bob",
            "Get-Greeting bob -Loud",
            "Get-Greeting -N amy -Ti 2",
        ]
    )
    assert ps(script).lines == ["hi bob", "HI BOB", "hi amyhi amy"]


def test_function_declaration_parameters_and_return(ps: Run) -> None:
    result = ps("function Add($a, $b) { return $a + $b; 'never' }\nAdd 2 3")
    assert result.lines == ["5"]


def test_pipeline_function_with_process_block(ps: Run) -> None:
    script = "function Double { process { $_ * 2 } }\n\n1,2,3 | Double"
    assert ps(script).lines == ["2", "4", "6"]


def test_splatting_hashtable_and_array(ps: Run) -> None:
    script = "\n".join(
        [
            'function F { param($A, $B) "$A/$B" }',
            "$h = @{B = 'y'; A = 'x'}",
            "F @h",
            "$arr = 'p', 'q'",
            "F @arr",
            "$sb = { param($v) $v * 3 }",
            "& $sb 2",
        ]
    )
    assert ps(script).lines == ["x/y", "p/q", "6"]


def test_scriptblock_create_and_invoke(ps: Run) -> None:
    result = ps("$sb = [ScriptBlock]::Create('param($a) $a + 1')\n& $sb 41\n$sb.Invoke(1)")
    assert result.lines == ["42", "2"]


def test_try_catch_finally_and_error_variable(ps: Run) -> None:
    script = "try { throw 'boom' } catch { \"caught $($_.Exception.Message)\" } finally { 'cleanup' }"
    assert ps(script).lines == ["caught boom", "cleanup"]


def test_catch_command_not_found_under_stop(ps: Run) -> None:
    script = "$ErrorActionPreference = 'Stop'\ntry { Get-Nope } catch { $_.FullyQualifiedErrorId }"
    result = ps(script)
    assert result.lines == ["CommandNotFoundException"]
    assert result.stderr == ""


def test_typed_catch_clause(ps: Run) -> None:
    script = (
        "try { Get-Nope -ErrorAction Stop } catch [System.Management.Automation.CommandNotFoundException] "
        "{ 'typed' } catch { 'generic' }"
    )
    assert ps(script).lines == ["typed"]


def test_set_strictmode_rejects_undefined_variable(ps: Run) -> None:
    result = ps("Set-StrictMode -Version Latest\ntry { $undefinedThing } catch { 'strict' }\n$undefinedThing")
    assert result.lines == ["strict"]
    assert (
        "The variable '$undefinedThing' cannot be retrieved because it has not been set." in result.error_text
    )


def test_without_strictmode_undefined_is_null(ps: Run) -> None:
    assert ps("$undefinedThing -eq $null").lines == ["True"]


def test_error_action_preference_silently_continue(ps: Run) -> None:
    result = ps("$ErrorActionPreference = 'SilentlyContinue'\nWrite-Error 'quiet'\n$Error.Count\n'after'")
    assert result.lines == ["1", "after"]
    assert result.stderr == ""


def test_dollar_question_and_lastexitcode(ps: Run) -> None:
    result = ps("Write-Error 'x' 2>$null\n$?\n'ok'\n$?\ncmd /c exit 7\n$LASTEXITCODE")
    assert result.lines == ["False", "ok", "True", "7"]


def test_progress_preference_is_a_variable(ps: Run) -> None:
    assert ps("$ProgressPreference = 'SilentlyContinue'; $ProgressPreference").lines == ["SilentlyContinue"]


def test_redirect_output_to_null(ps: Run) -> None:
    assert ps("Write-Output 'gone' > $null\n$null = 'also gone'\n'kept'").lines == ["kept"]


def test_merge_errors_into_output(ps: Run) -> None:
    result = ps("$r = Write-Error 'oops' 2>&1\n$r.Exception.Message")
    assert result.lines == ["oops"]
    assert result.stderr == ""


def test_nested_native_program_output_becomes_strings(ps: Run) -> None:
    result = ps(
        "$v = cmd /c ver\n$v.Count\n($v | Where-Object { $_ -like 'Microsoft*' }) -replace '\\d', 'N'"
    )
    assert result.lines == ["2", "Microsoft Windows [Version NN.N.NNNNN.NNNN]"]


def test_call_depth_overflow_is_an_error_not_a_crash(ps: Run) -> None:
    result = ps("function Loop { Loop }\nLoop\n'still alive'")
    assert "call depth" in result.error_text
    assert result.lines == ["still alive"]
    assert "Traceback" not in result.stderr
