"""Render PowerShell CLIXML for the error stream, as powershell.exe writes it to redirected stderr.

>>> doc = render_objs(["oops", " "])
>>> doc.startswith('<Objs Version="1.1.0.1"')
True
>>> HEADER
'#< CLIXML\\r\\n'
"""

from __future__ import annotations

from collections.abc import Iterable

HEADER = "#< CLIXML\r\n"
NAMESPACE = "http://schemas.microsoft.com/powershell/2004/04"


def encode_string(text: str) -> str:
    """XML-escape ``text`` and encode characters XML cannot carry as ``_xHHHH_`` (CR LF included)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        code = ord(ch)
        if ch == "_" and text[i + 1 : i + 2] == "x":  # a literal "_x" would read as an escape
            out.append("_x005F_")
        elif ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif code < 0x20 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"_x{code:04X}_")
        else:
            out.append(ch)
    return "".join(out)


def stream_line(line: str, stream: str = "Error") -> str:
    """One console line as an ``<S S="Error">`` (or ``"warning"``...) element; the line ends in CRLF."""
    return f'<S S="{stream}">{encode_string(line + chr(13) + chr(10))}</S>'


def render_objs(lines: Iterable[str | tuple[str, str]]) -> str:
    """An ``<Objs>`` document of stream lines: plain strings are Error lines, or (stream, line) pairs."""
    body = "".join(
        stream_line(item) if isinstance(item, str) else stream_line(item[1], item[0]) for item in lines
    )
    return f'<Objs Version="1.1.0.1" xmlns="{NAMESPACE}">{body}</Objs>'
