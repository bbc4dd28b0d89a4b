"""The ``local`` transport over real pipes: a child process stands in for powershell.exe.

On a Windows agent the child is powershell.exe itself; here it is winsim's powershell.exe run
on stdio (``python -m winsim exec``), so the framing, stdin streaming and process exit are the
same code paths the hosted agents use.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from drivers.errors import DriverError
from drivers.host import connect
from drivers.transports.base import ReadResult, RemoteProcess, Transport
from inventory.model import DockerSettings, HostSpec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def local_spec(tmp_path, monkeypatch) -> HostSpec:
    exe = f"{shlex.quote(sys.executable)} -m winsim exec --profile ws2019 --state-dir {shlex.quote(str(tmp_path))} powershell.exe"
    monkeypatch.setenv("WCC_LOCAL_POWERSHELL", exe)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    return HostSpec(name="agent", transport="local", docker=DockerSettings(mode="cli"))


def test_local_session_answers_probes(local_spec):
    with connect(local_spec) as host:
        assert host.os_build == 17763
        compartments = host.net.compartments()
        assert [(c.id, c.type) for c in compartments] == [(1, "Native")]
        with host.batch() as b:
            first, second = b.net.compartments(), b.filters.list()
        assert first.value == compartments and any(f.name == "wcifs" for f in second.value)


def test_local_session_runs_a_script_longer_than_a_command_line(local_spec):
    filler = "# " + "x" * 9000 + "\n"
    with connect(local_spec) as host:
        result = host.session.run(filler + "'long script ran'")
    assert result.rc == 0 and "long script ran" in result.stdout


def test_missing_local_powershell_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("WCC_LOCAL_POWERSHELL", "/nonexistent/powershell.exe")
    spec = HostSpec(name="agent", transport="local", docker=DockerSettings(mode="cli"))
    with pytest.raises(DriverError, match=r"agent: cannot start /nonexistent/powershell.exe"):
        connect(spec)


class _Trickle:
    """The real process's output, handed to the session one byte per read, so every multi-byte
    UTF-8 character arrives split across reads (as a WinRM Receive or an SSH packet may split it)."""

    def __init__(self, proc: RemoteProcess) -> None:
        self._proc = proc
        self._out = self._err = b""
        self._exit: int | None = None

    def write(self, data: bytes) -> None:
        self._proc.write(data)

    def read(self, timeout: float) -> ReadResult:
        if not (self._out or self._err) and self._exit is None:
            got = self._proc.read(timeout)
            self._out, self._err, self._exit = self._out + got.stdout, self._err + got.stderr, got.exit_code
        # stderr first: what a statement wrote there is read before the frame that follows it
        err, self._err = self._err[:1], self._err[1:]
        out = b""
        if not err:
            out, self._out = self._out[:1], self._out[1:]
        return ReadResult(out, err, self._exit if not (self._out or self._err) else None)

    def close(self) -> None:
        self._proc.close()


class _TricklingTransport:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self.name = transport.name

    def open_process(self, command_line: str) -> RemoteProcess:
        return _Trickle(self._transport.open_process(command_line))

    def close(self) -> None:
        self._transport.close()

    def heartbeat(self, timeout: float) -> bool:
        return self._transport.heartbeat(timeout)


def test_a_character_split_across_reads_arrives_whole(local_spec):
    # Frames are ASCII (the probe module escapes the rest); PowerShell's own error records on
    # stderr are not: a stray statement's name comes back inside one, in UTF-8.
    name = "Get-Größe€容器🐳"  # two-, three- and four-byte characters
    host = connect(local_spec, open_now=False)
    try:
        host.session.transport = _TricklingTransport(host.session.transport)
        host.session.open()
        proc = host.session._proc
        assert proc is not None
        proc.write(f"{name}\r\n".encode())
        messages: list[str] = []
        for _ in range(20):  # the next calls read stderr too, one byte at a time (the record may lag a call)
            assert host.net.compartments()
            messages += [e.message for e in host.session.last_stderr.errors]
            if messages:
                break
        assert any(name in m for m in messages) and not any("\ufffd" in m for m in messages), messages
    finally:
        host.close()
