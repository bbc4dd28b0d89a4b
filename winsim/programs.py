"""Executables a simulated host can start (``cmd.exe``, ``powershell.exe``, ``docker.exe``...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from winsim.host import SimHost


def install_programs(host: SimHost) -> None:
    """Register every program module's executables on ``host``.

    Each module exposes ``PROGRAMS: dict[str, Program]`` keyed by lower-case ``name.exe``.
    """
    import importlib

    for module_name in (
        "winsim.shell.programs",
        "winsim.docker_api.cli_program",
        "winsim.powershell.hostcommands",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a surface not built yet; its commands stay unknown
            if exc.name and module_name.startswith(exc.name):
                continue
            raise
        host.programs.update(module.PROGRAMS)
