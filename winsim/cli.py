"""``python -m winsim``: ``serve`` one simulated host, or ``exec`` one of its programs on stdio."""

from __future__ import annotations

import argparse

from winsim import execute, serve
from winsim.deviations import DEVIATIONS


def deviations_epilog() -> str:
    width = max(map(len, DEVIATIONS))
    lines = [f"  {name:<{width}}  {what}" for name, what in sorted(DEVIATIONS.items())]
    return "\n".join(["deviations (--deviation NAME breaks exactly this behaviour):", *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winsim")
    sub = parser.add_subparsers(dest="command_name", required=True)
    for name, module, what in (
        ("serve", serve, "start one simulated Windows Server container host"),
        ("exec", execute, "run one program of a simulated host on this process's stdio"),
    ):
        module.add_arguments(
            sub.add_parser(
                name,
                help=what,
                epilog=deviations_epilog(),
                formatter_class=argparse.RawDescriptionHelpFormatter,
            )
        )
    args = parser.parse_args(argv)
    if args.command_name == "serve":
        return serve.run(args)
    return execute.run(args)
