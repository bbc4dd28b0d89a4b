"""`make test` on a fresh machine: .ci/system-deps installs mono-mcs and chromium as root with apt,
else stops at once with the one command to run.  Run here with a PATH of its own (fake apt-get)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.reports.sample import ROOT

SCRIPT = ROOT / ".ci" / "system-deps"
DEPS = "wcc-no-such-mcs:mono-mcs wcc-no-such-chromium:chromium"


def _path(tmp_path: Path, apt: bool) -> Path:
    """A bin folder with only what the script runs (and, when asked, an apt-get that logs its arguments)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("bash", "id", "env"):
        found = shutil.which(program)
        assert found, program
        (bin_dir / program).symlink_to(found)
    if apt:
        apt_get = bin_dir / "apt-get"
        apt_get.write_text(f'#!{shutil.which("bash")}\necho "$@" >> {tmp_path / "apt.log"}\n')
        apt_get.chmod(0o755)
    return bin_dir


def _run(tmp_path: Path, apt: bool) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(_path(tmp_path, apt)), "WCC_SYSTEM_DEPS": DEPS}
    return subprocess.run(
        [shutil.which("bash") or "bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=30
    )


def test_without_apt_it_stops_at_once_with_the_one_command(tmp_path: Path):
    done = _run(tmp_path, apt=False)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "make test needs mono-mcs chromium: run  sudo apt-get install -y mono-mcs chromium"
    ]


@pytest.mark.skipif(os.geteuid() != 0, reason="installs only as root")
def test_as_root_with_apt_it_installs_what_is_missing(tmp_path: Path):
    done = _run(tmp_path, apt=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "make: installing mono-mcs chromium (apt-get)\n"
    assert (tmp_path / "apt.log").read_text().splitlines() == [
        "update -qq",
        "install -y -qq --no-install-recommends mono-mcs chromium",
    ]


def test_make_test_runs_it_first():
    makefile = (ROOT / "Makefile").read_text()
    assert "\ntest: system-deps lint typecheck\n" in makefile
    assert "\t@.ci/system-deps\n" in makefile
