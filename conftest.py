"""Root conftest: loads the wcc pytest plugins (fixtures and reports) for every run from this checkout.

pytest reads the rootdir's conftest before it parses the command line, so the plugin's options
(``--inventory``, ``--hosts``...) are known however pytest is started here, with nothing
installed into the environment.  The rootdir must be this checkout: write an inventory outside
it as ``--inventory=/path/lab.yml`` (one token), or pytest takes the path for a test to run and
roots itself there (README).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

# in any order: reports.plugin hears the historic hooks of fixtures/newhooks.py whenever it registers
pytest_plugins = ["fixtures.plugin", "reports.plugin"]


@pytest.hookimpl(wrapper=True)
def pytest_report_header(config: pytest.Config) -> Generator[None, list[Any], list[Any]]:
    """Leave out pytest-benchmark's banner unless the run is about benchmarks."""
    lines = yield
    if config.getoption("benchmark_only", False) or config.getoption("benchmark_autosave", False):
        return lines
    return [line for line in lines if not (isinstance(line, str) and line.startswith("benchmark:"))]
