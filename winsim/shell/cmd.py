"""``cmd.exe``: ``/c`` and ``/k`` with cmd's quote rules, ``&``/``&&``/``||``/``|``, a few built-ins.

Anything that is not a built-in is started as a program of the same host and shares cmd's
streams, as a child console process would.  An unknown name prints cmd's "is not recognized"
message and sets ERRORLEVEL 9009.

>>> split_operators('echo a && echo "b & c" || ver')
[('', 'echo a '), ('&&', ' echo "b & c" '), ('||', ' ver')]
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

from winsim.processes import (
    MAX_COMMAND_LINE,
    OutStream,
    ProcessIO,
    ProcessTerminated,
    StdinStream,
    not_recognized,
    run_registered,
    start_child,
)
from winsim.shell.environment import merged_environment

NOT_RECOGNIZED_EXIT = 9009
_SPECIAL = set("&<>()@^|")


def version_banner(proc: ProcessIO) -> str:
    return f"Microsoft Windows [Version {proc.host.profile.os_version}]"


def split_operators(line: str) -> list[tuple[str, str]]:
    """Split a command line at ``&``, ``&&``, ``||`` outside quotes (``^`` escapes)."""
    parts: list[tuple[str, str]] = []
    current: list[str] = []
    op = ""
    i, n = 0, len(line)
    in_quotes = False
    while i < n:
        ch = line[i]
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch == "^" and i + 1 < n:
            current.append(line[i : i + 2])
            i += 2
            continue
        elif not in_quotes and ch == "&":
            parts.append((op, "".join(current)))
            current = []
            if line[i : i + 2] == "&&":
                op, i = "&&", i + 2
            else:
                op, i = "&", i + 1
            continue
        elif not in_quotes and line[i : i + 2] == "||":
            parts.append((op, "".join(current)))
            current, op, i = [], "||", i + 2
            continue
        current.append(ch)
        i += 1
    parts.append((op, "".join(current)))
    return parts


def _split_pipe(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    in_quotes = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        if ch == "|" and not in_quotes:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    return parts


class CmdShell:
    """State of one cmd.exe: environment, ERRORLEVEL and the streams it writes to."""

    def __init__(self, proc: ProcessIO) -> None:
        self.proc = proc
        self.env = merged_environment(proc.host, proc.env)
        self.errorlevel = 0

    def expand(self, text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            if name.lower() == "errorlevel":
                return str(self.errorlevel)
            if name.lower() == "cd":
                return self.proc.cwd
            value = next((v for k, v in self.env.items() if k.lower() == name.lower()), None)
            return value if value is not None else m.group(0)

        return re.sub(r"%([^%\s]+)%", repl, text)

    def run_line(self, line: str) -> int:
        if len(line) > MAX_COMMAND_LINE:
            self.proc.stderr.write("The command line is too long.\r\n")
            self.errorlevel = 1
            return 1
        for op, part in split_operators(self.expand(line)):
            if self.proc.terminated.is_set():
                raise ProcessTerminated  # a terminated cmd runs nothing more
            if op == "&&" and self.errorlevel != 0:
                continue
            if op == "||" and self.errorlevel == 0:
                continue
            if part.strip():
                self.errorlevel = self.run_pipeline(part.strip())
        return self.errorlevel

    def run_pipeline(self, text: str) -> int:
        stages = _split_pipe(text)
        if len(stages) == 1:
            return self.run_simple(text, self.proc.stdin, self.proc.stdout)
        data = b""
        code = 0
        for i, stage in enumerate(stages):
            feed = StdinStream()
            feed.feed(data, eof=True)
            last = i == len(stages) - 1
            out = self.proc.stdout if last else OutStream(threading.Condition())
            code = self.run_simple(stage.strip(), feed if i else self.proc.stdin, out)
            if not last:
                data = out.take()
        return code

    def run_simple(self, text: str, stdin: StdinStream, stdout: OutStream) -> int:
        text, redirect_out, redirect_err = _redirections(text)
        if text.startswith("@"):
            text = text[1:]
        sink = OutStream(threading.Condition())
        to_file = redirect_out not in ("", "nul")
        out = sink if redirect_out == "nul" or to_file else stdout
        err = sink if redirect_err == "nul" else (out if redirect_err == "out" else self.proc.stderr)
        if redirect_err not in ("", "nul", "out"):
            self.proc.stderr.write("winsim does not model redirection of stderr to files in cmd.exe.\r\n")
            return 1
        if to_file:
            # cmd opens (creates or truncates) the file before it runs the command; a refusal runs nothing
            append = redirect_out.startswith(">")
            target = self._full(redirect_out.lstrip(">"))
            refused = self._write(target, b"", append)
            if refused:
                self.proc.stderr.write(refused)
                return 1
            code = self.run_simple(text, stdin, sink)
            self.proc.files.append_text(target, sink.take().decode("utf-8", "replace"))
            return code
        word = text.split(None, 1)[0] if text.split() else ""
        rest = text[len(word) :].lstrip() if word else ""
        builtin = _BUILTINS.get(word.lower().rstrip("."))
        if word.lower().startswith("echo.") or word.lower() == "echo.":
            out.write(text[5:] + "\r\n")
            return 0
        if builtin is not None:
            return builtin(self, rest, out, err)
        if word.lower() == "start":
            return self.start(rest, out, err)
        child = ProcessIO(
            host=self.proc.host,
            command_line=text,
            stdin=stdin,
            stdout=out,
            stderr=err,
            env=dict(self.env),
            cwd=self.proc.cwd,
            bounded=self.proc.bounded,
            view=self.proc.view,
        )
        program = self.proc.host.resolve_program(text)
        if program is not_recognized:  # any callable may be a program; only identity is reliable
            err.write(
                f"'{word.strip(chr(34))}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
            )
            return NOT_RECOGNIZED_EXIT
        # cmd waits for its child, a process of its own (cmd's child in the process table, what
        # taskkill /T walks) that inherits cmd's handles: ending cmd alone leaves it running
        processes = self.proc.host.processes
        processes.register(child, self.proc.pid, inherit=True)
        return run_registered(child, program)

    def _full(self, path: str) -> str:
        """A path as cmd resolves it: absolute, or under its current directory."""
        path = path.strip('"')
        return path if path[1:3] == ":\\" else self.proc.cwd.rstrip("\\") + "\\" + path

    def _write(self, path: str, data: bytes, append: bool = False) -> str:
        """Write a file as CreateFile/WriteFile would; the message cmd prints when that fails ("" if it did not)."""
        files = self.proc.files
        try:
            if not files.is_dir(_parent(path)):
                return "The system cannot find the path specified.\r\n"
            if files.is_dir(path):
                return "Access is denied.\r\n"
            if append and files.exists(path):
                files.append_text(path, data.decode("utf-8", "replace"))
            else:
                files.write_bytes(path, data)
        except PermissionError:  # ERROR_ACCESS_DENIED (a read-only mapped directory)
            return "Access is denied.\r\n"
        return ""

    def start(self, rest: str, out: OutStream, err: OutStream) -> int:
        """``start /b <command>``: a child that inherits cmd's handles and is not waited for.

        It holds cmd's stdout and stderr open after cmd itself exits.  Only the /B form is
        modelled (a new console window means nothing on a remote shell).
        """
        m = re.match(r"(?i)/b\s+(.+)$", rest.strip())
        if m is None:
            err.write("winsim does not model start without /b.\r\n")
            return 1
        command = m.group(1).strip()
        if self.proc.host.resolve_program(command) is not_recognized:
            # start names the program in a message box on Windows; on a console, this line
            err.write(f"The system cannot find the file {command.split()[0]}.\r\n")
            return 1
        stdin = StdinStream()
        stdin.close()
        start_child(
            self.proc.host, self.proc.pid, command, stdin, out, err, self.env, self.proc.cwd, self.proc.view
        )
        return 0


def _parent(path: str) -> str:
    head = path.rstrip("\\").rsplit("\\", 1)[0]
    return head + "\\" if head.endswith(":") else head


def _redirections(text: str) -> tuple[str, str, str]:
    """(command, stdout target, stderr target): a target ``>name`` appends (``>>``), ``out`` is 2>&1."""
    out = err = ""
    m = re.search(r"\s*2>&1\s*", text)
    if m:
        err, text = "out", text[: m.start()] + " " + text[m.end() :]
    m = re.search(r"\s*2>\s*(\S+)", text)
    if m:
        err, text = m.group(1).lower(), text[: m.start()] + text[m.end() :]
    m = re.search(r"\s*1?(>>?)\s*(\S+)", text)
    if m:
        target = m.group(2)
        append = ">" if m.group(1) == ">>" else ""
        out = "nul" if target.lower() == "nul" else append + target
        text = text[: m.start()] + text[m.end() :]
    return text.strip(), out, err


def _echo(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    if rest.lower() in ("on", "off"):
        return 0
    if not rest:
        out.write("ECHO is on.\r\n")
        return 0
    out.write(rest.replace("^", "") + "\r\n")
    return 0


def _type(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    """``type <file>``: its bytes as they are."""
    if not rest.strip():
        err.write("The syntax of the command is incorrect.\r\n")
        return 1
    path = shell._full(rest.strip())
    files = shell.proc.files
    if files.is_dir(path):
        err.write("Access is denied.\r\n")
        return 1
    if not files.exists(path):
        err.write("The system cannot find the file specified.\r\n")
        return 1
    out.write(files.read_bytes(path))
    return 0


def _copy(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    """``copy <source> <destination>`` of one file (a folder destination keeps the source's name)."""
    words = [w for w in rest.split() if not w.startswith("/")]
    if len(words) != 2:
        err.write("winsim models copy of one file to one destination only.\r\n")
        return 1
    source, target = (shell._full(w) for w in words)
    files = shell.proc.files
    if not files.exists(source) or files.is_dir(source):
        err.write("The system cannot find the file specified.\r\n")
        return 1
    if files.is_dir(target):
        target = target.rstrip("\\") + "\\" + source.rstrip("\\").rsplit("\\", 1)[-1]
    refused = shell._write(target, files.read_bytes(source))
    if refused:
        err.write(refused)
        out.write("        0 file(s) copied.\r\n")
        return 1
    out.write("        1 file(s) copied.\r\n")
    return 0


def _exit(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    words = rest.split()
    if words and words[0].lower() == "/b":
        words = words[1:]
    code = shell.errorlevel
    if words:
        try:
            code = int(words[0])
        except ValueError:
            code = 0
    raise CmdExit(code)


def _set(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    if "=" not in rest:
        prefix = rest.strip().lower()
        shown = sorted((k, v) for k, v in shell.env.items() if k.lower().startswith(prefix))
        if not shown:
            err.write(f"Environment variable {rest.strip()} not defined\r\n")
            return 1
        out.write("".join(f"{k}={v}\r\n" for k, v in sorted(shown, key=lambda kv: kv[0].lower())))
        return 0
    name, value = rest.strip().strip('"').split("=", 1)
    existing = next((k for k in shell.env if k.lower() == name.lower()), name)
    if value:
        shell.env[existing] = value
    else:
        shell.env.pop(existing, None)
    return 0


def _ver(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    out.write("\r\n" + version_banner(shell.proc) + "\r\n")
    return 0


def _hostname(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    out.write(shell.env.get("COMPUTERNAME", shell.proc.host.name.upper()) + "\r\n")
    return 0


def _cd(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    if not rest:
        out.write(shell.proc.cwd + "\r\n")
        return 0
    err.write("winsim does not model changing directories in cmd.exe.\r\n")
    return 1


def _whoami(shell: CmdShell, rest: str, out: OutStream, err: OutStream) -> int:
    out.write(f"{shell.proc.host.name.lower()}\\{shell.env.get('USERNAME', 'administrator').lower()}\r\n")
    return 0


_BUILTINS = {
    "echo": _echo,
    "exit": _exit,
    "set": _set,
    "ver": _ver,
    "hostname": _hostname,
    "cd": _cd,
    "chdir": _cd,
    "whoami": _whoami,
    "type": _type,
    "copy": _copy,
    "rem": lambda shell, rest, out, err: 0,
    "cls": lambda shell, rest, out, err: 0,
}


class CmdExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _after_switch(command_line: str) -> tuple[str, str, bool]:
    """(mode '/c' | '/k' | '', text after it, /s given) from cmd.exe's own command line."""
    m = re.match(r'^\s*("[^"]*"|\S+)', command_line)
    rest = command_line[m.end() :] if m else ""
    strip_quotes = False
    while True:
        sm = re.match(r"^\s*/(\w)", rest)
        if not sm:
            return "", rest.strip(), strip_quotes
        letter = sm.group(1).lower()
        rest = rest[sm.end() :]
        if letter in ("c", "k"):
            return "/" + letter, rest.lstrip(), strip_quotes
        if letter == "s":
            strip_quotes = True


def _unquote_command(text: str, s_switch: bool, is_program: Callable[[str], bool]) -> str:
    """cmd.exe's rule for the text after /c: keep quotes only in the simple ``"prog with space"``
    case, where the quoted text names an executable (``cmd /?``); otherwise drop the outer pair."""
    if not text.startswith('"'):
        return text
    inner = text[1:]
    simple = (
        not s_switch
        and text.count('"') == 2
        and not any(c in _SPECIAL for c in text)
        and " " in text[1 : text.rfind('"')]
        and is_program(text[1 : text.rfind('"')])
    )
    if simple:
        return text
    last = inner.rfind('"')
    return inner[:last] + inner[last + 1 :] if last >= 0 else inner


def cmd_program(proc: ProcessIO) -> int:
    """The ``cmd.exe`` program."""
    mode, text, s_switch = _after_switch(proc.command_line)
    shell = CmdShell(proc)
    try:
        if mode:
            is_program = lambda name: proc.host.resolve_program(f'"{name}"') is not not_recognized  # noqa: E731
            shell.run_line(_unquote_command(text, s_switch, is_program))
            if mode == "/c":
                return shell.errorlevel
        else:
            proc.stdout.write(
                version_banner(proc) + "\r\n(c) Microsoft Corporation. All rights reserved.\r\n\r\n"
            )
        return _interactive(shell)
    except CmdExit as stop:
        return stop.code


def _interactive(shell: CmdShell) -> int:
    proc = shell.proc
    while True:
        proc.stdout.write(f"{proc.cwd}>")
        raw = proc.stdin.readline()
        if raw is None:
            continue
        if raw == b"":
            return shell.errorlevel
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        proc.stdout.write(line + "\r\n")
        if line.strip():
            shell.run_line(line)
            proc.stdout.write("\r\n")
