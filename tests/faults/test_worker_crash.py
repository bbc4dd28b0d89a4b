"""A test whose xdist worker crashed is run again; it appears once in JUnit (the re-run, with the
crash noted), and a crash that is never followed by a re-run still fails the run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

INVENTORY = (
    'hosts:\n  - {name: h1, transport: local, base_image: "mcr.microsoft.com/windows/servercore:ltsc2022"}\n'
)

MODULE = """
import os
from pathlib import Path

def test_crashes_its_worker_once(host_name):
    mark = Path(os.environ["WCC_FAULT_OUT"]).with_name("crashed-once")
    if not mark.exists():
        mark.write_text("")
        os._exit(3)

def test_next(host_name):
    assert host_name == "h1"
"""


@pytest.mark.slow
def test_a_crashed_and_rerun_test_appears_once(fault_run):
    run = fault_run(INVENTORY, MODULE, "-n", "2", "--junitxml=junit.xml")
    out = run.result.stdout.str()
    assert run.result.ret == pytest.ExitCode.OK, out
    assert "2 passed" in run.summary and "1 rerun" in run.summary, out
    junit = ET.parse(run.where / "junit.xml").getroot()
    crashed = [
        c for c in junit.iter("testcase") if c.get("name", "").startswith("test_crashes_its_worker_once")
    ]
    assert len(crashed) == 1, ET.tostring(junit)
    assert crashed[0].find("failure") is None and crashed[0].find("error") is None
    notes = [p.get("value", "") for p in crashed[0].iter("property") if p.get("name") == "wcc_worker_crash"]
    assert notes and "crashed while running" in notes[0]
