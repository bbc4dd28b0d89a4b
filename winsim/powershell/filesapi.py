r"""``[IO.File]``: whole-file reads and writes on the host's filesystem.

``WriteAllText(path, text)`` writes UTF-8 without a byte order mark, as .NET's default does;
``ReadAllText`` detects and drops a BOM.  A missing file or folder raises the .NET exception
PowerShell reports as ``Exception calling "ReadAllText" with "1" argument(s): ...``.
"""

from __future__ import annotations

from typing import Any

from winsim.model.paths import win_parent
from winsim.powershell.registry import PSError
from winsim.powershell.values import to_string


def _failed(method: str, count: int, message: str, exception: str) -> PSError:
    return PSError(
        f'Exception calling "{method}" with "{count}" argument(s): "{message}"',
        exception,
        "NotSpecified",
        exception_type="System.Management.Automation.MethodInvocationException",
    )


def _absolute(session: Any, path: str) -> str:
    # .NET resolves relative paths against the process's current directory, not PowerShell's location.
    return path if path[1:3] == ":\\" or path.startswith("\\\\") else session.cwd.rstrip("\\") + "\\" + path


def call(session: Any, name: str, args: list[Any]) -> Any:
    files = session.process.files if session.process is not None else session.host.model.files
    path = _absolute(session, to_string(args[0])) if args else ""
    if name == "exists":
        return bool(path) and files.exists(path) and not files.is_dir(path)
    if name == "readalltext":
        if not files.exists(path) or files.is_dir(path):
            raise _failed("ReadAllText", len(args), f"Could not find file '{path}'.", "FileNotFoundException")
        data = files.read_bytes(path)
        for bom, codec in (
            (b"\xef\xbb\xbf", "utf-8"),
            (b"\xff\xfe", "utf-16-le"),
            (b"\xfe\xff", "utf-16-be"),
        ):
            if data.startswith(bom):
                return data[len(bom) :].decode(codec, "replace")
        return data.decode("utf-8", "replace")
    if name == "writealltext":
        if len(args) != 2:
            raise PSError(
                "winsim does not model File.WriteAllText with an encoding argument.",
                "NotModeled",
                "NotImplemented",
            )
        parent = win_parent(path)
        if parent and not files.is_dir(parent):
            raise _failed(
                "WriteAllText",
                2,
                f"Could not find a part of the path '{path}'.",
                "DirectoryNotFoundException",
            )
        files.write_text(path, to_string(args[1]))
        return None
    raise PSError(f"winsim does not model [System.IO.File]::{name}().", "NotModeled", "NotImplemented")
