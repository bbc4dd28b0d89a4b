"""Run scripts through a real simulated ``powershell.exe`` process (spawn, stdin, stdout/stderr)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from winsim.host import SimHost
from winsim.processes import SimProcess, spawn

NS = "{http://schemas.microsoft.com/powershell/2004/04}"


@dataclass
class Result:
    code: int | None
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stdout.split("\r\n") if line != ""]

    @property
    def error_text(self) -> str:
        """The error stream as text, decoded from CLIXML independently of winsim's encoder."""
        if not self.stderr.startswith("#< CLIXML\r\n"):
            return self.stderr
        text = ""
        for doc in re.findall(r"<Objs .*?</Objs>", self.stderr, re.S):
            root = ET.fromstring(doc)
            for node in root.iter(f"{NS}S"):
                if node.get("S") == "Error":
                    text += re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), node.text or "")
        return text


@pytest.fixture(scope="session")
def host(tmp_path_factory: pytest.TempPathFactory) -> SimHost:
    return SimHost.create("wcc-sim", "ws2022", Path(tmp_path_factory.mktemp("pshost")))


def finish(proc: SimProcess, timeout: float = 10.0) -> Result:
    code = proc.wait(timeout)
    assert code is not None, "process did not exit"
    out = proc.read_output(0.01)
    return Result(code, out.stdout.decode("utf-8"), out.stderr.decode("utf-8"))


@pytest.fixture
def ps(host: SimHost) -> Callable[[str], Result]:
    """Run ``script`` via ``powershell.exe -NoProfile -NonInteractive -Command -`` fed on stdin."""

    def run(script: str) -> Result:
        proc = spawn(host, "powershell.exe -NoProfile -NonInteractive -Command -")
        proc.write_stdin(script.replace("\n", "\r\n").encode("utf-8") + b"\r\n", eof=True)
        return finish(proc)

    return run
