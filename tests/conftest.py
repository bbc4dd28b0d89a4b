"""The project's own tests (``pytest tests``)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# The longest tests, by the durations of a whole `pytest tests -n 3` run, longest first.  Under
# xdist every project test is a work unit of its own, handed out in collection order, so these
# start first and the short ones fill the workers around them; collected in their module order,
# the deviation proof (a third of the run) started half-way through and the run waited for it.
LONGEST_FIRST = (
    "tests/suites/test_deviation_proof.py::test_each_deviation_breaks_exactly_its_behaviour",
    "tests/foundation/test_pipeline_steps.py",
    "tests/concurrency/test_concurrent_runs.py",
    "tests/reports/test_pipeline_rehearsal.py",
    "tests/drivers/test_log_readers.py",
    "tests/faults/test_frozen_host.py",
    "tests/faults/test_two_runs.py",
    "tests/reports/test_build.py",
)
# Last: reads the deviation proof's one suite run (shared between workers) once it is done.
LAST = ("tests/suites/test_deviation_proof.py::test_every_probe_module_function_ran",)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a project test that takes more than a few seconds")


def _rank(nodeid: str) -> int:
    for index, prefix in enumerate(LONGEST_FIRST):
        if nodeid == prefix or nodeid.startswith((prefix + "::", prefix + "[")):
            return index
    if any(nodeid == name or nodeid.startswith(name + "[") for name in LAST):
        return len(LONGEST_FIRST) + 1
    return len(LONGEST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first (a stable sort: every module keeps its own order)."""
    items.sort(key=lambda item: _rank(item.nodeid))
