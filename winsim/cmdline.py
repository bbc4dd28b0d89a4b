"""Windows command-line parsing: CommandLineToArgvW splitting and powershell.exe's switches.

>>> split_command_line('powershell -Command "Get-Item \\'C:\\\\x y\\'"')
['powershell', '-Command', "Get-Item 'C:\\\\x y'"]
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field


def split_command_line(line: str) -> list[str]:
    """Split like CommandLineToArgvW (backslashes escape quotes; ``""`` inside quotes is a quote)."""
    args: list[str] = []
    i, n = 0, len(line)
    while i < n:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            break
        current: list[str] = []
        in_quotes = False
        while i < n and (in_quotes or line[i] not in " \t"):
            ch = line[i]
            if ch == "\\":
                j = i
                while j < n and line[j] == "\\":
                    j += 1
                count = j - i
                if j < n and line[j] == '"':
                    current.append("\\" * (count // 2))
                    if count % 2:
                        current.append('"')
                        j += 1
                    i = j
                else:
                    current.append("\\" * count)
                    i = j
                continue
            if ch == '"':
                if in_quotes and i + 1 < n and line[i + 1] == '"':
                    current.append('"')
                    i += 2
                    continue
                in_quotes = not in_quotes
                i += 1
                continue
            current.append(ch)
            i += 1
        args.append("".join(current))
    return args


class StartupError(Exception):
    """powershell.exe rejected its own command line (before any script runs)."""


# powershell.exe switches: canonical name -> shortest accepted prefix (Windows PowerShell 5.1).
_SWITCHES: dict[str, str] = {
    "command": "c",
    "encodedcommand": "e",
    "executionpolicy": "ex",
    "file": "f",
    "inputformat": "i",
    "outputformat": "o",
    "noprofile": "nop",
    "noninteractive": "noni",
    "nologo": "nol",
    "noexit": "noe",
    "windowstyle": "w",
    "version": "v",
    "sta": "s",
    "mta": "mta",
    "psconsolefile": "psc",
    "configurationname": "config",
}
_ALIASES = {"ec": "encodedcommand", "ep": "executionpolicy"}
_TAKES_VALUE = {
    "executionpolicy",
    "inputformat",
    "outputformat",
    "windowstyle",
    "version",
    "psconsolefile",
    "configurationname",
    "file",
}


def _match_switch(arg: str) -> str | None:
    key = arg.lstrip("-/").lower()
    if not key or not arg.startswith(("-", "/")):
        return None
    if key in _ALIASES:
        return _ALIASES[key]
    for name, shortest in _SWITCHES.items():
        if name.startswith(key) and key.startswith(shortest):
            return name
    return None


@dataclass
class PowerShellOptions:
    command: str | None = None  # script text (decoded when it came as -EncodedCommand)
    from_stdin: bool = False  # -Command -
    encoded: bool = False
    file: str | None = None
    output_format: str = "Text"
    input_format: str = "Text"
    execution_policy: str | None = None
    switches: set[str] = field(default_factory=set)


def decode_encoded_command(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
        if len(raw) % 2:
            raise ValueError("odd length")
        return raw.decode("utf-16-le")
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise StartupError(
            "Cannot process the command because the value specified with -EncodedCommand is not properly encoded. "
            "The value must be Base64 encoded."
        ) from exc


def parse_powershell_args(argv: list[str]) -> PowerShellOptions:
    """Interpret powershell.exe's arguments (``argv`` without the program name)."""
    opts = PowerShellOptions()
    i = 0
    while i < len(argv):
        arg = argv[i]
        name = _match_switch(arg)
        if name is None:  # anything unrecognised starts the command text, as in PowerShell 5.1
            opts.command = " ".join(argv[i:])
            break
        if name == "command":
            rest = argv[i + 1 :]
            if rest == ["-"]:
                opts.from_stdin = True
            elif rest:
                opts.command = " ".join(rest)
            else:
                raise StartupError("Missing argument for parameter Command.")
            break
        if name == "encodedcommand":
            if i + 1 >= len(argv):
                raise StartupError("Missing argument for parameter EncodedCommand.")
            opts.command = decode_encoded_command(argv[i + 1])
            opts.encoded = True
            i += 2
            continue
        if name in _TAKES_VALUE:
            if i + 1 >= len(argv):
                raise StartupError(f"Missing argument for parameter {name}.")
            value = argv[i + 1]
            if name == "outputformat":
                opts.output_format = _format_value(value, "-OutputFormat")
            elif name == "inputformat":
                opts.input_format = _format_value(value, "-InputFormat")
            elif name == "executionpolicy":
                opts.execution_policy = value
            elif name == "file":
                opts.file = value
            i += 2
            continue
        opts.switches.add(name)
        i += 1
    return opts


def _format_value(value: str, switch: str) -> str:
    low = value.lower()
    if "text".startswith(low) and low:
        return "Text"
    if "xml".startswith(low) and low:
        return "XML"
    raise StartupError(f"Invalid argument '{value}' for {switch}. Valid values are 'Text' and 'XML'.")
