"""A wrong password says so, once, in a short run: not "unreachable", no traceback per test."""

from __future__ import annotations

import pytest

MODULE = """
def test_one(host):
    assert host.name

def test_two(host):
    assert host.os_build
"""


@pytest.mark.slow
def test_a_wrong_password_is_named_once(served, fault_run, monkeypatch):
    _, inventory = served
    env = next(
        line.split(":", 1)[1].strip() for line in inventory.read_text().splitlines() if "password_env" in line
    )
    monkeypatch.setenv(env, "not-the-password")
    run = fault_run(inventory.read_text(), MODULE)
    out = run.result.stdout.str()
    assert "2 host down" in run.summary, out
    assert out.count("HostLoginRefused: shared (winrm://") == 1, out
    assert "the credentials were rejected" in out and "HostUnreachable" not in out
    assert "not-the-password" not in out and "Traceback" not in out and len(out.splitlines()) <= 50
