"""Inventories: the shipped files load, and every kind of bad input gets one clear error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fixtures.simhosts import check_sim_hosts
from inventory import InventoryError, load_inventory

ROOT = Path(__file__).resolve().parents[2]

GOOD_WINRM = """
hosts:
  - name: lab1
    transport: winrm
    address: lab1.example
    username: runner
    password_env: {env}
    docker: {{url: "tcp://lab1.example:2376"}}
    base_image: mcr.microsoft.com/windows/servercore:ltsc2022
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inv.yml"
    path.write_text(text)
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    return str(info.value)


def test_default_sim_inventory_has_two_builds():
    inv = load_inventory(ROOT / "inventory" / "sim.yml")
    assert {(h.name, h.os_build, h.transport) for h in inv.hosts} == {
        ("ws2019-sim", 17763, "sim"),
        ("ws2022-sim", 20348, "sim"),
    }
    assert {h.sim.via for h in inv.hosts if h.sim} == {"winrm", "ssh"}
    assert (
        inv.base_image_for(inv.get("ws2019-sim"))
        == "mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-ltsc2019"
    )
    # One dockerd logs API calls, one does not (a stock daemon): both ways the suite sees them run.
    assert {h.sim.daemon_debug for h in inv.hosts if h.sim} == {True, False}
    # One host has the Hyper-V role, one is stock (process isolation only): both isolation modes run.
    assert {h.name: h.sim.hyperv for h in inv.hosts if h.sim} == {"ws2019-sim": False, "ws2022-sim": True}


def test_example_inventories_load(monkeypatch):
    monkeypatch.setenv("WCC_WS2019_PASSWORD", "not-a-real-password")
    lab = load_inventory(ROOT / "inventory" / "lab.example.yml")
    assert {h.transport for h in lab.hosts} == {"winrm", "ssh"}
    hosted = load_inventory(ROOT / "inventory" / "azure-hosted.yml")
    assert [h.transport for h in hosted.hosts] == ["local"]


def test_valid_winrm_host(tmp_path, monkeypatch):
    monkeypatch.setenv("WCC_T_PW", "s3cret")
    inv = load_inventory(write(tmp_path, GOOD_WINRM.format(env="WCC_T_PW")))
    host = inv.get("lab1")
    assert host.effective_port == 5986 and host.tls.insecure is False
    assert host.password() == "s3cret"
    assert "s3cret" not in repr(host) and "s3cret" not in host.describe()


def test_unknown_key_names_file_host_and_field(tmp_path, monkeypatch):
    monkeypatch.setenv("WCC_T_PW", "x")
    path = write(tmp_path, GOOD_WINRM.format(env="WCC_T_PW") + "    adress: typo\n")
    msg = error_of(path)
    assert str(path) in msg and "host 'lab1'" in msg and "'adress'" in msg and "unknown key" in msg


def test_unknown_nested_key(tmp_path, monkeypatch):
    monkeypatch.setenv("WCC_T_PW", "x")
    path = write(tmp_path, GOOD_WINRM.format(env="WCC_T_PW") + "    winrm: {schme: https}\n")
    assert "field 'winrm.schme'" in error_of(path)


def test_missing_required_field(tmp_path):
    path = write(tmp_path, "hosts:\n  - transport: local\n")
    msg = error_of(path)
    assert "host #1" in msg and "field 'name'" in msg and "required" in msg


def test_missing_address_for_winrm(tmp_path, monkeypatch):
    monkeypatch.setenv("WCC_T_PW", "x")
    text = GOOD_WINRM.format(env="WCC_T_PW").replace("    address: lab1.example\n", "")
    msg = error_of(write(tmp_path, text))
    assert "host 'lab1'" in msg and "address" in msg


def test_password_env_unset(tmp_path, monkeypatch):
    monkeypatch.delenv("WCC_T_UNSET_PW", raising=False)
    msg = error_of(write(tmp_path, GOOD_WINRM.format(env="WCC_T_UNSET_PW")))
    assert "host 'lab1'" in msg and "'password_env'" in msg and "WCC_T_UNSET_PW is not set" in msg


def test_duplicate_host_names(tmp_path):
    path = write(tmp_path, "hosts:\n  - {name: a, transport: local}\n  - {name: A, transport: local}\n")
    msg = error_of(path)
    assert "host 'A'" in msg and "duplicate host name" in msg


def test_unknown_transport(tmp_path):
    msg = error_of(write(tmp_path, "hosts:\n  - {name: a, transport: telnet}\n"))
    assert "host 'a'" in msg and "field 'transport'" in msg and "'winrm'" in msg


def test_plaintext_password_refused_with_fix(tmp_path):
    text = "hosts:\n  - {name: a, transport: winrm, address: x, username: u, password: hunter2}\n"
    msg = error_of(write(tmp_path, text))
    assert "host 'a'" in msg and "field 'password'" in msg and "password_env" in msg
    assert "hunter2" not in msg


def test_not_yaml_and_not_an_inventory(tmp_path):
    assert "not valid YAML" in error_of(write(tmp_path, "hosts: [\n"))
    assert "'hosts:'" in error_of(write(tmp_path, "- a\n- b\n"))
    assert "cannot read" in error_of(tmp_path / "missing.yml")


def test_a_byte_that_is_not_utf8_is_named_with_its_offset_and_line(tmp_path):
    path = tmp_path / "inv.yml"
    path.write_bytes(b"hosts:\n  - name: caf\xe9\n")
    assert error_of(path) == f"{path}: not UTF-8: byte 0xe9 at offset 20 (line 2); save the file as UTF-8"


def test_yaml_errors_are_one_line_with_their_place(tmp_path):
    assert error_of(write(tmp_path, "hosts: [\n")).endswith(
        "inv.yml: not valid YAML at line 2, column 1: expected the node content, but found '<stream end>'"
    )
    assert error_of(write(tmp_path, "hosts:\n  - name: a\x07\n")).endswith(
        "inv.yml: not valid YAML at line 2: character U+0007 is not allowed (special characters are not allowed)"
    )
    # unclosed deep nesting: the parser's stream-end error or, where the composer recurses first
    # (the recursion limit differs under xdist's workers), the depth itself; one line either way
    deep = error_of(write(tmp_path, "[" * 5000))
    assert "\n" not in deep, deep
    assert deep.endswith(
        (
            "inv.yml: not valid YAML: nested too deeply",
            "column 5001: expected the node content, but found '<stream end>'",
        )
    ), deep


def test_an_oversized_inventory_is_refused_unread_and_fast(tmp_path):
    """A 17 MB inventory took 67 s to name one unknown key: the size is bounded before parsing."""
    host = "  - {name: h%d, transport: sim, sim: {profile: ws2022}}\n"
    path = write(
        tmp_path, "hosts:\n" + "".join(host % i for i in range(300_000)) + "  - {name: z, adress: q}\n"
    )
    assert path.stat().st_size > 17_000_000
    started = time.perf_counter()
    msg = error_of(path)
    assert time.perf_counter() - started < 2
    assert msg == f"{path}: inventory is larger than 256 KiB; an inventory lists hosts, not data"


def test_an_anchor_that_contains_itself_is_an_unknown_key_not_a_recursion(tmp_path):
    msg = error_of(write(tmp_path, "hosts:\n  - &h {name: a, transport: local, loop: *h}\n"))
    assert msg.endswith(
        "inv.yml: host 'a': field 'loop': unknown key (check its spelling; see inventory/lab.example.yml for every key)"
    )


def test_sim_host_needs_sim_section(tmp_path):
    msg = error_of(write(tmp_path, "hosts:\n  - {name: s, transport: sim}\n"))
    assert "host 's'" in msg and "sim" in msg


def test_hyperv_isolation_on_a_simulated_host_needs_its_hyperv_role(tmp_path):
    bad = "hosts:\n  - {name: s, transport: sim, sim: {profile: ws2022}, isolation: [process, hyperv]}\n"
    msg = error_of(write(tmp_path, bad))
    assert "host 's'" in msg and "sim: {hyperv: true}" in msg
    good = bad.replace("{profile: ws2022}", "{profile: ws2022, hyperv: true}")
    assert load_inventory(write(tmp_path, good)).get("s").isolation == ("process", "hyperv")


def test_select_by_name_and_tags():
    inv = load_inventory(ROOT / "inventory" / "sim.yml")
    assert [h.name for h in inv.select()] == ["ws2019-sim", "ws2022-sim"]
    assert [h.name for h in inv.select(names=["ws2022-sim"])] == ["ws2022-sim"]
    assert [h.name for h in inv.select(tags=["sim", "ltsc2019"])] == ["ws2019-sim"]
    with pytest.raises(KeyError, match="nope"):
        inv.select(names=["nope"])


def test_a_host_without_a_base_image_is_refused_at_load(tmp_path, monkeypatch):
    monkeypatch.setenv("WCC_T_PW", "s3cret")
    bare = GOOD_WINRM.format(env="WCC_T_PW").replace(
        "    base_image: mcr.microsoft.com/windows/servercore:ltsc2022\n", ""
    )
    msg = error_of(write(tmp_path, bare))
    assert "host 'lab1': field 'base_image': no base image for this host" in msg
    # base_images for the host's build is enough; a build it does not list is named
    assert load_inventory(write(tmp_path, "base_images: {20348: img:ltsc2022}\n" + bare)).get("lab1")
    other = "base_images: {17763: img:ltsc2019}\n" + bare + "    os_build: 20348\n"
    assert "'base_images' has no entry for os_build 20348 (it has 17763)" in error_of(write(tmp_path, other))


def test_a_simulated_host_with_an_unknown_profile_or_deviation_is_refused_at_load(tmp_path):
    profile = "hosts:\n  - {name: s, transport: sim, sim: {profile: ws1999}}\n"
    assert "host 's': field 'sim.profile'" in error_of(write(tmp_path, profile))
    # deviations are winsim's: the launcher checks them as the plugin reads the inventory
    path = write(
        tmp_path, "hosts:\n  - {name: s, transport: sim, sim: {profile: ws2022, deviations: [no-such]}}\n"
    )
    with pytest.raises(InventoryError) as info:
        check_sim_hosts(path, load_inventory(path))
    assert "host 's': field 'sim.deviations': unknown deviation(s) no-such" in str(info.value)


def test_host_tags_that_no_host_carries_are_named():
    inv = load_inventory(ROOT / "inventory" / "sim.yml")
    with pytest.raises(KeyError) as info:
        inv.select(tags=["nosuchtag"])
    assert "no host carries every tag of --host-tags nosuchtag; tags there: ltsc2019, ltsc2022, sim" in str(
        info.value
    )
