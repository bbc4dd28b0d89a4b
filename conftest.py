"""Root conftest: the wcc plugin loads through its ``pytest11`` entry point (see pyproject.toml)."""
