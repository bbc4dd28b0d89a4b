"""Prints how many corpus samples winsim is expected not to match, and which."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    xfailed = [r for r in terminalreporter.stats.get("xfailed", []) if "tests/fidelity/" in r.nodeid]
    if xfailed:
        terminalreporter.write_line(f"fidelity: {len(xfailed)} samples winsim does not match yet (expected):")
        for r in xfailed:
            terminalreporter.write_line(f"  {r.nodeid.rsplit('[', 1)[-1].rstrip(']')}: {r.wasxfail}")
