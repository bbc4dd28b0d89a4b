"""``python -m winsim``: ``serve`` one simulated host, or ``exec`` one of its programs on stdio."""

from __future__ import annotations

import argparse

from winsim import execute, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m winsim")
    sub = parser.add_subparsers(dest="command_name", required=True)
    serve.add_arguments(sub.add_parser("serve", help="start one simulated Windows Server container host"))
    execute.add_arguments(
        sub.add_parser("exec", help="run one program of a simulated host on this process's stdio")
    )
    args = parser.parse_args(argv)
    if args.command_name == "serve":
        return serve.run(args)
    return execute.run(args)
