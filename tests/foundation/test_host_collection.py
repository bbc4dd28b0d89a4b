"""A conformance-style module collects once per selected host, with sorted stable ids, the same on every worker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

INVENTORY = """
base_images: {20348: "mcr.microsoft.com/windows/servercore:ltsc2022"}
hosts:
  - {name: zeta, transport: local, tags: [lab, ltsc2022]}
  - {name: alpha, transport: local, tags: [lab, ltsc2019]}
  - {name: mid, transport: local, tags: [ltsc2022]}
"""

MODULE = """
import os

import pytest

@pytest.mark.parametrize("n", range(8))
def test_one(host_name, n):
    with open(os.environ["WCC_SEEN"], "a") as fh:
        fh.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {host_name}\\n")

def test_two(host_name, run_id):
    assert len(run_id) == 12
"""


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("WCC_SEEN", str(pytester.path / "seen.txt"))
    pytester.makefile(".yml", inv=INVENTORY)
    pytester.makepyfile(test_conformance_style=MODULE)
    return pytester


def collected(result: pytest.RunResult) -> list[str]:
    return [line.strip() for line in result.outlines if "::" in line and "[" in line]


def run(suite: pytest.Pytester, *args: str) -> pytest.RunResult:
    # outside the checkout the root conftest does not apply: load the plugin as such a project would
    return suite.runpytest_subprocess("-p", "fixtures.plugin", "--inventory", "inv.yml", *args)


def test_one_item_per_host_sorted(suite):
    result = run(suite, "--collect-only", "-q")
    assert result.ret == 0, result.stdout.str()
    # hosts in sorted order; a host's tests together (the host is a session-scoped parameter)
    assert collected(result) == [
        *[f"test_conformance_style.py::test_one[alpha-{n}]" for n in range(8)],
        "test_conformance_style.py::test_two[alpha]",
        *[f"test_conformance_style.py::test_one[mid-{n}]" for n in range(8)],
        "test_conformance_style.py::test_two[mid]",
        *[f"test_conformance_style.py::test_one[zeta-{n}]" for n in range(8)],
        "test_conformance_style.py::test_two[zeta]",
    ]


def test_ids_are_stable_between_runs(suite):
    first = collected(run(suite, "--collect-only", "-q"))
    second = collected(run(suite, "--collect-only", "-q"))
    assert first == second and len(first) == 27


def test_hosts_option_selects_by_name(suite):
    result = run(suite, "--collect-only", "-q", "--hosts", "zeta,alpha")
    assert {re.sub(r".*\[([a-z]+).*\]", r"\1", n) for n in collected(result)} == {"alpha", "zeta"}


def test_host_tags_need_every_tag(suite):
    result = run(suite, "--collect-only", "-q", "--host-tags", "lab,ltsc2022")
    assert {re.sub(r".*\[([a-z]+).*\]", r"\1", n) for n in collected(result)} == {"zeta"}


def test_unknown_host_is_a_usage_error(suite):
    result = run(suite, "--collect-only", "--hosts", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown host(s) nope*"])


def test_bad_inventory_is_a_usage_error(suite):
    suite.makefile(".yml", bad="hosts:\n  - {name: a, transport: telnet}\n")
    result = suite.runpytest_subprocess("-p", "fixtures.plugin", "--inventory", "bad.yml", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*bad.yml: host 'a': field 'transport'*"])


def test_a_non_utf8_inventory_is_one_usage_line_naming_file_and_byte(suite):
    (suite.path / "bad.yml").write_bytes(b"hosts:\n  - name: caf\xe9\n    transport: local\n")
    result = suite.runpytest_subprocess("-p", "fixtures.plugin", "--inventory", "bad.yml", "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if "bad.yml" in line]
    assert len(errors) == 1 and "not UTF-8: byte 0xe9 at offset 20 (line 2)" in errors[0], errors
    assert "INTERNALERROR" not in result.stderr.str() + result.stdout.str()


def test_xdist_workers_collect_the_same_and_keep_each_host_on_one_worker(suite):
    result = run(suite, "-n", "2", "-q")
    # xdist itself fails the run if two workers collected different lists
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=27)
    lines = (suite.path / "seen.txt").read_text().split()
    seen = dict(zip(lines[1::2], lines[0::2], strict=True))
    assert sorted(seen) == ["alpha", "mid", "zeta"]
    workers_by_host: dict[str, set[str]] = {}
    for worker, host in zip(lines[0::2], lines[1::2], strict=True):
        workers_by_host.setdefault(host, set()).add(worker)
    assert all(len(w) == 1 for w in workers_by_host.values())


DESTRUCTIVE_MODULE = """
import os

import pytest

def _seen(name, host_name):
    with open(os.environ["WCC_SEEN"], "a") as fh:
        fh.write(f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')} {host_name} {name}\\n")

@pytest.mark.destructive
def test_kill_daemon(host_name):
    _seen("kill", host_name)

@pytest.mark.parametrize("n", range(6))
def test_read(host_name, n):
    _seen(f"read{n}", host_name)
"""


def test_under_xdist_destructive_tests_run_last_on_their_hosts_worker(suite):
    suite.makepyfile(test_conformance_style="")
    suite.makepyfile(test_destructive=DESTRUCTIVE_MODULE)
    result = run(suite, "-n", "2", "-q")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=21)
    runs: dict[str, list[tuple[str, str]]] = {}
    for line in (suite.path / "seen.txt").read_text().splitlines():
        worker, host, name = line.split()
        runs.setdefault(host, []).append((worker, name))
    assert sorted(runs) == ["alpha", "mid", "zeta"]
    for host, seen in runs.items():
        assert len({worker for worker, _ in seen}) == 1, (host, seen)
        assert [name for _, name in seen] == [*(f"read{n}" for n in range(6)), "kill"], (host, seen)


@pytest.mark.parametrize("dist", ["loadgroup", "loadscope", "each"])
def test_a_dist_mode_other_than_the_hosts_is_refused(suite, dist):
    result = run(suite, "-n", "2", "--dist", dist, "--collect-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*--dist {dist}: the wcc plugin schedules by host*leave --dist out*"])


UNREACHABLE_INVENTORY = """
hosts:
  - {name: ok-sim, transport: sim, sim: {profile: ws2022}}
  - name: gone
    transport: winrm
    address: 127.0.0.1
    port: 9
    username: runner
    password_env: WCC_TEST_GONE_PASSWORD
    winrm: {scheme: http, auth: basic, operation_timeout: 2, read_timeout: 3}
    docker: {url: "tcp://127.0.0.1:9"}
    base_image: mcr.microsoft.com/windows/servercore:ltsc2022
"""

UNREACHABLE_MODULE = """
def test_build(host):
    assert host.os_build == 20348

def test_again(host):
    assert host.name
"""


@pytest.mark.slow
def test_unreachable_host_fails_its_own_tests_and_others_carry_on(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("WCC_TEST_GONE_PASSWORD", "never-printed-pw")
    pytester.makefile(".yml", inv=UNREACHABLE_INVENTORY)
    pytester.makepyfile(test_reach=UNREACHABLE_MODULE)
    result = pytester.runpytest_subprocess(
        "-p", "fixtures.plugin", "--inventory", "inv.yml", "-p", "no:cacheprovider"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    assert "2 passed" in out.splitlines()[-1] and "2 host down" in out.splitlines()[-1]
    # one line names the host, where it is and why, once for all its tests; no traceback
    assert "2 test(s) not run: HostUnreachable: gone (winrm://127.0.0.1:9):" in out
    assert out.count("HostUnreachable: gone") == 1
    assert "Traceback" not in out and len(out.splitlines()) <= 50
    assert "never-printed-pw" not in out


def test_inventory_outside_the_project_needs_one_token(tmp_path):
    """pytest roots itself at a separate existing path, where this checkout's conftest (the plugin)
    does not apply: the usage error names the option and the wrong rootdir; one token works."""
    import subprocess
    import sys

    inv = tmp_path / "lab.yml"
    inv.write_text(INVENTORY)
    base = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
    two_tokens = subprocess.run([*base, "--inventory", str(inv)], cwd=ROOT, capture_output=True, text=True)
    assert two_tokens.returncode == pytest.ExitCode.USAGE_ERROR
    assert "unrecognized arguments: --inventory" in two_tokens.stderr
    # pytest roots itself at the inventory's folder or one of its parents (which one depends on
    # where the checkout lives), never at the checkout, so the plugin's option is unknown there
    named = re.search(r"rootdir: (.+)", two_tokens.stderr)
    assert named, two_tokens.stderr
    rootdir = Path(named.group(1).strip())
    assert rootdir != ROOT and tmp_path.is_relative_to(rootdir), two_tokens.stderr
    one_token = subprocess.run([*base, f"--inventory={inv}"], cwd=ROOT, capture_output=True, text=True)
    assert one_token.returncode == 0, one_token.stdout[-2000:] + one_token.stderr[-2000:]
    assert "suites/test_layers.py::" in one_token.stdout and "[zeta" in one_token.stdout
