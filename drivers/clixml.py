"""Parse what Windows PowerShell writes to a redirected stderr: CLIXML blocks and plain text.

When stdout/stderr are not a console, PowerShell 5.1 serializes its error, warning, verbose,
debug and progress streams as CLIXML (``#< CLIXML`` then ``<Objs ...>``).  Error records arrive
as their formatted text, one ``<S S="Error">`` element per line, with ``_x000D__x000A_`` for
CRLF.  :func:`parse_stderr` groups those lines back into records::

    >>> text = ('#< CLIXML\\r\\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    ...         '<S S="Error">oops_x000D__x000A_</S></Objs>')
    >>> parse_stderr(text).errors[0].message
    'oops'

A non-empty stderr is not by itself a failure: callers decide on exit codes and frames.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from drivers.models import ErrorRecord

_BLOCK = re.compile(r"#< CLIXML\s*(<Objs\b.*?</Objs>)", re.S)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CATEGORY = re.compile(r"^\s*\+\s*CategoryInfo\s*:\s*(?P<cat>[A-Za-z]+)")
_FQID = re.compile(r"^\s*\+\s*FullyQualifiedErrorId\s*:\s*(?P<id>.+?)\s*$")
_STREAMS = {
    "error": "errors",
    "warning": "warnings",
    "verbose": "verbose",
    "debug": "debug",
    "information": "information",
}


@dataclass
class StderrStreams:
    errors: list[ErrorRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    verbose: list[str] = field(default_factory=list)
    debug: list[str] = field(default_factory=list)
    information: list[str] = field(default_factory=list)
    text: str = ""  # stderr outside any CLIXML block (native programs write plain text)
    malformed: bool = False  # a CLIXML block could not be parsed; its raw text is kept in ``text``


def decode(text: str) -> str:
    """Undo CLIXML's ``_xHHHH_`` escapes (``_x000D__x000A_`` is CRLF)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _stream_strings(root: Element) -> list[tuple[str, str]]:
    """(stream, text) for each top-level string element that names its stream with ``S=``."""
    out: list[tuple[str, str]] = []
    for child in root:
        if _local(child.tag) == "S" and child.get("S"):
            out.append((child.get("S", "").lower(), decode(child.text or "")))
        # <Obj S="progress"> and <Obj S="information"> records carry structured data; only
        # information has user-visible text, in its MessageData.
        elif _local(child.tag) == "Obj" and (child.get("S") or "").lower() == "information":
            texts = [decode(e.text or "") for e in child.iter() if _local(e.tag) == "S"]
            if texts:
                out.append(("information", texts[0]))
    return out


def group_error_lines(lines: list[str]) -> list[ErrorRecord]:
    """Turn the formatted text of error records back into records.

    A record's lines are: the message (possibly several lines, ``name : text`` for cmdlet
    errors), the ``At line:`` position block, ``+ CategoryInfo`` and ``+ FullyQualifiedErrorId``.
    A record ends after its FullyQualifiedErrorId line; text with no such line is one record.
    """
    records: list[ErrorRecord] = []
    message: list[str] = []
    category = ""
    in_position = False

    def flush(fqid: str) -> None:
        nonlocal message, category, in_position
        text = "\n".join(m for m in message).strip()
        if text or fqid:
            records.append(ErrorRecord(text, fqid, category))
        message, category, in_position = [], "", False

    text = "".join(lines).replace("\r\n", "\n")
    for line in text.split("\n"):
        if m := _FQID.match(line):
            flush(m.group("id"))
            continue
        if m := _CATEGORY.match(line):
            category = m.group("cat")
            continue
        if line.startswith("At ") and ("line:" in line or "char:" in line):
            in_position = True
            continue
        if in_position or not line.strip():
            continue  # the position block (+ code / + ~~~) and separators
        message.append(line.rstrip())
    flush("")
    return records


def parse_stderr(text: str) -> StderrStreams:
    """Split ``text`` into CLIXML streams and plain text; never raises on bad input."""
    streams = StderrStreams()
    plain: list[str] = []
    error_lines: list[str] = []
    pos = 0
    for match in _BLOCK.finditer(text):
        plain.append(text[pos : match.start()])
        pos = match.end()
        try:
            root = SafeET.fromstring(match.group(1))
        except (ParseError, DefusedXmlException):  # malformed, or a DTD/entity: keep the text, flag it
            streams.malformed = True
            plain.append(match.group(0))
            continue
        for stream, value in _stream_strings(root):
            if stream == "error":
                error_lines.append(value)
            elif stream in _STREAMS:
                getattr(streams, _STREAMS[stream]).append(value.rstrip("\r\n"))
    plain.append(text[pos:])
    # A "#< CLIXML" header with no parsable block after it (cut-off output) stays as text.
    streams.text = "".join(plain).strip()
    streams.errors = group_error_lines(error_lines)
    return streams
