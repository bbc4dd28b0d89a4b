"""The project's own tests (``pytest tests``)."""

pytest_plugins = ["pytester"]
