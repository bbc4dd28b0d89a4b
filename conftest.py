"""Root conftest: the wcc plugin itself is loaded with ``-p fixtures.plugin`` (see pyproject.toml)."""
