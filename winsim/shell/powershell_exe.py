"""``powershell.exe``: Windows PowerShell 5.1's console host, with redirected streams.

Modes: ``-Command <text>`` / ``-EncodedCommand <base64 UTF-16LE>`` run one script;
``-Command -`` (or no command) reads stdin line by line and runs each complete line as it
arrives, like PowerShell 5.1: a line that leaves a construct open starts a block that runs at
the next empty line (or EOF).  Output is flushed after each statement.
"""

from __future__ import annotations

import time
from typing import Any

from winsim.cmdline import PowerShellOptions, StartupError, parse_powershell_args, split_command_line
from winsim.powershell import clixml
from winsim.powershell.errors import ErrorRecord, ExitSignal
from winsim.powershell.format import render
from winsim.powershell.interpreter import Interpreter
from winsim.powershell.parser import is_incomplete
from winsim.processes import ProcessIO
from winsim.shell.environment import merged_environment

# powershell.exe's exit code when its own command line is wrong (0xFFFD0000 as a signed int).
STARTUP_ERROR_EXIT = -196608

# When errors go to stderr as CLIXML.  Windows PowerShell does it when stderr is redirected and
# it was started with -EncodedCommand; the project contract (driver sessions parse CLIXML) asks
# for it in every mode, and every winsim process has redirected streams.  One switch to flip.
CLIXML_FOR_ALL_MODES = True


class PowerShellProcess:
    """One powershell.exe process: a runspace plus its stdout/stderr encoders."""

    def __init__(self, proc: ProcessIO, opts: PowerShellOptions) -> None:
        self.proc = proc
        self.opts = opts
        self.clixml = CLIXML_FOR_ALL_MODES or opts.encoded
        self._header_written = False
        self._pending: list[tuple[str, str]] = []  # (CLIXML stream name, line) not yet written
        self.interp = Interpreter(
            proc.host,
            on_output=self._write_output,
            on_error=self._write_error,
            write_stdout=proc.stdout.write,
            on_warning=self._write_warning,
            env=merged_environment(proc.host, proc.env),
            cwd=proc.cwd,
            terminated=proc.terminated,
            bounded=proc.bounded,
        )
        self.interp.process = proc

    # ----- streams -----------------------------------------------------------------------------
    def _write_output(self, items: list[Any]) -> None:
        text = render(items)
        if text:
            self.proc.stdout.write(text)

    def _write_error(self, record: ErrorRecord) -> None:
        if self.clixml:
            self._pending.extend(("Error", line) for line in record.lines())
        else:
            self.proc.stderr.write("".join(line + "\r\n" for line in record.lines()))

    def _write_warning(self, text: str) -> None:
        if self.clixml:
            self._pending.append(("warning", text))
        else:
            self.proc.stdout.write("WARNING: " + text + "\r\n")

    def flush_errors(self) -> None:
        """Write the records of the statement(s) just run as one CLIXML ``<Objs>`` document."""
        if not self._pending:
            return
        if not self._header_written:
            self.proc.stderr.write(clixml.HEADER)
            self._header_written = True
        self.proc.stderr.write(clixml.render_objs(self._pending))
        self._pending = []

    # ----- modes -----------------------------------------------------------------------------------
    def run_text(self, text: str) -> int | None:
        """Run a script; the exit code if it ran ``exit N``, else None."""
        try:
            self.interp.run(text)
        except ExitSignal as sig:
            return sig.code
        finally:
            self.flush_errors()
        return None

    def run_script(self, text: str) -> int:
        code = self.run_text(text)
        if code is not None:
            return code
        return 0 if self.interp.last_success else 1

    def run_stdin(self) -> int:
        block: list[str] = []
        while True:
            raw = self.proc.stdin.readline()
            if raw is None:
                continue
            if raw == b"":
                break
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if block:
                if line.strip() == "":
                    code = self.run_text("\n".join(block))
                    block = []
                    if code is not None:
                        return code
                else:
                    block.append(line)
                continue
            if line.strip() == "":
                continue
            if is_incomplete(line):
                block = [line]
                continue
            code = self.run_text(line)
            if code is not None:
                return code
        if block:
            code = self.run_text("\n".join(block))
            if code is not None:
                return code
        return 0 if self.interp.last_success else 1


def powershell_program(proc: ProcessIO) -> int:
    """The ``powershell.exe`` program (see module docstring)."""
    argv = split_command_line(proc.command_line)[1:]
    try:
        opts = parse_powershell_args(argv)
        if opts.file is not None:
            raise StartupError("winsim does not model powershell.exe -File; use -Command or -EncodedCommand.")
        if opts.output_format == "XML" or opts.input_format == "XML":
            raise StartupError("winsim does not model -OutputFormat XML or -InputFormat XML.")
    except StartupError as exc:
        proc.stderr.write(str(exc) + "\r\n")
        return STARTUP_ERROR_EXIT
    if proc.host.latency.powershell_start:
        time.sleep(proc.host.latency.powershell_start)  # a real cold start costs this long
    ps = PowerShellProcess(proc, opts)
    if opts.command is not None:
        return ps.run_script(opts.command)
    return ps.run_stdin()
