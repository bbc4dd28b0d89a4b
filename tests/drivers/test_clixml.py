"""CLIXML on stderr becomes error records; other streams and plain text are kept apart."""

from __future__ import annotations

from drivers.clixml import decode, parse_stderr

# The shape Windows PowerShell 5.1 writes for an unknown command when stderr is redirected.
WINDOWS_SAMPLE = (
    "#< CLIXML\r\n"
    '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T>'
    '<T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV>'
    "<AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj>"
    "<S S=\"Error\">Get-Nope : The term 'Get-Nope' is not recognized as the name of a cmdlet, function, _x000D__x000A_</S>"
    '<S S="Error">script file, or operable program. Check the spelling of the name.</S>'
    '<S S="Error">_x000D__x000A_</S>'
    '<S S="Error">At line:1 char:1_x000D__x000A_</S>'
    '<S S="Error">+ Get-Nope_x000D__x000A_</S>'
    '<S S="Error">+ ~~~~~~~~_x000D__x000A_</S>'
    '<S S="Error">    + CategoryInfo          : ObjectNotFound: (Get-Nope:String) [], CommandNotFoundException_x000D__x000A_</S>'
    '<S S="Error">    + FullyQualifiedErrorId : CommandNotFoundException_x000D__x000A_</S>'
    '<S S="Error"> _x000D__x000A_</S>'
    '<S S="Error">second failure_x000D__x000A_</S>'
    '<S S="Error">    + CategoryInfo          : NotSpecified: (:) [Write-Error], WriteErrorException_x000D__x000A_</S>'
    '<S S="Error">    + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException_x000D__x000A_</S>'
    '<S S="warning">careful_x000D__x000A_</S>'
    '<S S="verbose">chatty</S>'
    "</Objs>"
)


def test_error_records_are_regrouped_with_ids_and_categories():
    streams = parse_stderr(WINDOWS_SAMPLE)
    assert [e.fully_qualified_error_id for e in streams.errors] == [
        "CommandNotFoundException",
        "Microsoft.PowerShell.Commands.WriteErrorException",
    ]
    first = streams.errors[0]
    assert first.category == "ObjectNotFound"
    assert first.message.startswith("Get-Nope : The term 'Get-Nope' is not recognized")
    assert "At line" not in first.message and "~~~" not in first.message
    assert streams.errors[1].message == "second failure"
    assert streams.warnings == ["careful"] and streams.verbose == ["chatty"]
    assert streams.text == ""


def test_plain_stderr_and_broken_clixml_are_kept_as_text():
    streams = parse_stderr('native tool said no\r\n#< CLIXML\r\n<Objs><S S="Error">x</Objs>')
    assert streams.errors == []
    assert streams.malformed
    assert "native tool said no" in streams.text and "<Objs>" in streams.text


def test_empty_stderr_has_nothing():
    streams = parse_stderr("")
    assert streams.errors == [] and streams.text == "" and not streams.malformed


def test_decode_handles_escapes():
    assert decode("a_x000D__x000A_b_x0009_c") == "a\r\nb\tc"


def test_records_rendered_by_the_simulated_powershell_parse_back():
    from winsim.powershell.clixml import render_objs
    from winsim.powershell.errors import ErrorRecord, Position
    from winsim.powershell.registry import PSError

    record = ErrorRecord(
        PSError(
            "The term 'Get-Nope' is not recognized.",
            "CommandNotFoundException",
            "ObjectNotFound",
            target="Get-Nope",
        ),
        command="Get-Nope",
        position=Position(1, 1, "Get-Nope", 8),
    )
    streams = parse_stderr("#< CLIXML\r\n" + render_objs(record.lines()))
    assert len(streams.errors) == 1
    assert streams.errors[0].fully_qualified_error_id == "CommandNotFoundException"
    assert streams.errors[0].category == "ObjectNotFound"
    assert "not recognized" in streams.errors[0].message
