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
