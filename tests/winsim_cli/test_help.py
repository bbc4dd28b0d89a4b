"""``winsim exec --help`` and ``winsim serve --help`` name what the options take."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from winsim.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]


def help_text(command: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "winsim", command, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.split())  # argparse wraps lines; compare the words


@pytest.mark.parametrize("command", ["exec", "serve"])
def test_profile_help_lists_every_profile_with_its_build(command: str) -> None:
    text = help_text(command)
    profile = re.search(r"--profile PROFILE (.*?) \(default: ws2022\)", text)
    assert profile is not None, text
    named = re.findall(r"(ws\d{4}) \(build (\d+)\)", profile.group(1))
    assert named == [(name, str(PROFILES[name].build)) for name in sorted(PROFILES)]


def test_serve_bind_says_what_it_is() -> None:
    assert "--bind ADDRESS the address WinRM, SSH and the Docker API listen on" in help_text("serve")
