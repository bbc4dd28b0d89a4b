"""The project's own tests (``pytest tests``)."""

import pytest

pytest_plugins = ["pytester"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a project test that takes more than a few seconds")
