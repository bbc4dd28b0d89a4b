"""The simulated OpenSSH server, driven by raw paramiko: auth, host key, exec, stdin, exit status."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.winsim_winrm.programs import WRONG_PARTS, Waiter, make_host, wrong_credentials
from winsim.host import SimHost
from winsim.processes import ProcessIO
from winsim.ssh.server import start


def _run(client: paramiko.SSHClient, command: str, stdin: bytes | None = None) -> tuple[bytes, bytes, int]:
    channel_in, out, err = client.exec_command(command, timeout=10)
    if stdin is not None:
        channel_in.write(stdin)
        channel_in.channel.shutdown_write()
    return out.read(), err.read(), out.channel.recv_exit_status()


def _password_login(client: paramiko.SSHClient, port: int, host: SimHost) -> None:
    """Log in to a server started by the test itself (not the ``connect`` fixture's)."""
    client.connect(
        "127.0.0.1",
        port=port,
        username="Administrator",
        password=host.credentials.password,
        allow_agent=False,
        look_for_keys=False,
    )


def test_exec_returns_output_and_exit_status(connect):
    client = connect()
    assert _run(client, "wcctest.exe echo hi there") == (b"hi there\r\n", b"", 0)
    assert _run(client, "wcctest.exe exit 9") == (b"", b"exiting with 9\r\n", 9)


def test_exec_runs_through_cmd_exe_like_windows_openssh(connect, sim_host):
    seen: list[str] = []

    def recording_cmd(proc: ProcessIO) -> int:
        seen.append(proc.command_line)
        return 0

    sim_host.programs["cmd.exe"] = recording_cmd
    _run(connect(), "powershell -NoProfile -Command -")
    assert seen == ["cmd.exe /c powershell -NoProfile -Command -"]


def test_stdin_streams_to_the_process(connect):
    client = connect()
    stdin, out, _ = client.exec_command("wcctest.exe cat")
    stdin.write(b"one\r\n")
    stdin.flush()
    assert out.readline() == "one\r\n"  # echoed before stdin is closed: streamed, not batched
    stdin.write(b"two\r\n")
    stdin.channel.shutdown_write()
    assert out.read() == b"two\r\n"
    assert out.channel.recv_exit_status() == 0


@pytest.mark.parametrize("user", ["Administrator", "administrator", ".\\Administrator", "T\\Administrator"])
def test_password_login_name_forms(connect, user):
    assert _run(connect(username=user), "wcctest.exe echo ok")[0] == b"ok\r\n"


@pytest.mark.parametrize("which", WRONG_PARTS)
def test_wrong_credentials_are_refused(connect, sim_host, which):
    user, password = wrong_credentials(sim_host, which)
    with pytest.raises(paramiko.AuthenticationException):
        connect(username=user, password=password)


def _new_key() -> paramiko.Ed25519Key:
    import io

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
    )
    return paramiko.Ed25519Key.from_private_key(io.StringIO(pem.decode()))


def test_public_key_login_uses_authorized_keys(connect, ssh):
    allowed, other = _new_key(), _new_key()
    with open(ssh.endpoints["ssh"]["authorized_keys"], "a") as keys:
        keys.write(f"# lab key\n{allowed.get_name()} {allowed.get_base64()} wcc@test\n")
    assert _run(connect(password=None, pkey=allowed), "wcctest.exe echo key")[0] == b"key\r\n"
    with pytest.raises(paramiko.AuthenticationException):
        connect(password=None, pkey=other)


def test_host_key_is_pinned_and_kept_across_restarts(ssh, sim_host, connect):
    first = ssh.endpoints["ssh"]
    assert first["host_key_fingerprint"].startswith("SHA256:")
    ssh.close()
    again = start(sim_host, "127.0.0.1")
    try:
        assert again.endpoints["ssh"]["host_key_fingerprint"] == first["host_key_fingerprint"]
        assert again.endpoints["ssh"]["known_hosts"].split(" ", 1)[1] == first["known_hosts"].split(" ", 1)[1]
    finally:
        again.close()


def test_unknown_host_key_is_rejected(tmp_path, ssh, sim_host):
    stranger = make_host(tmp_path / "other")
    other = start(stranger, "127.0.0.1")
    try:
        client = paramiko.SSHClient()
        client.get_host_keys().add(  # ssh's key, presented for other's port
            f"[127.0.0.1]:{other.port}", ssh.host_key.get_name(), ssh.host_key
        )
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        with pytest.raises(paramiko.BadHostKeyException):
            _password_login(client, other.port, stranger)
        client.close()
    finally:
        other.close()


def test_closing_the_channel_ends_the_process(connect, sim_host):
    sim_host.programs["waiter.exe"] = waiter = Waiter()
    client = connect()
    _, out, _ = client.exec_command("waiter.exe")
    assert out.readline() == "up\r\n"
    assert not waiter.ended.is_set()
    out.channel.close()
    assert waiter.ended.wait(timeout=5)


def test_channels_on_one_connection_run_concurrently(connect):
    client = connect()
    _, slow_out, _ = client.exec_command("wcctest.exe wait")
    assert slow_out.readline() == "waiting\r\n"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: _run(client, f"wcctest.exe echo c{i}")[0], range(8)))
    assert results == [f"c{i}\r\n".encode() for i in range(8)]
    slow_out.channel.close()


def test_large_output_and_exit_status(connect):
    out, err, status = _run(connect(), "wcctest.exe big 1000000")
    assert (len(out), out.count(b"x"), err, status) == (1000000, 1000000, b"", 0)


def test_server_identifies_as_windows_openssh(connect):
    assert connect().get_transport().remote_version.startswith("SSH-2.0-OpenSSH_for_Windows_")


def test_exec_pays_one_round_trip_of_latency(tmp_path):
    host = make_host(tmp_path / "lab", latency="lab")
    surface = start(host, "127.0.0.1")
    client = paramiko.SSHClient()
    client.get_host_keys().add(f"[127.0.0.1]:{surface.port}", surface.host_key.get_name(), surface.host_key)
    try:
        _password_login(client, surface.port, host)
        started = time.monotonic()
        assert _run(client, "wcctest.exe echo lag")[0] == b"lag\r\n"
        assert time.monotonic() - started >= host.latency.round_trip
    finally:
        client.close()
        surface.close()


def test_each_stdin_exchange_pays_one_round_trip(tmp_path):
    host = make_host(tmp_path / "lab", latency="lab")
    surface = start(host, "127.0.0.1")
    client = paramiko.SSHClient()
    client.get_host_keys().add(f"[127.0.0.1]:{surface.port}", surface.host_key.get_name(), surface.host_key)
    try:
        _password_login(client, surface.port, host)
        stdin, stdout, _ = client.exec_command("wcctest.exe cat")
        for word in (b"one", b"two"):
            started = time.monotonic()
            stdin.write(word + b"\n")
            stdin.flush()
            assert stdout.readline().encode() == word + b"\n"
            assert time.monotonic() - started >= host.latency.round_trip
        stdin.channel.shutdown_write()
    finally:
        client.close()
        surface.close()


def test_powershell_script_on_stdin_through_cmd(connect):
    out, err, status = _run(
        connect(), "powershell -NoProfile -NonInteractive -Command -", stdin=b"$n = 6\r\n$n * 7\r\n"
    )
    assert (out, status) == (b"42\r\n", 0)


def test_cmd_builtins_over_ssh(connect):
    assert _run(connect(), "echo from-cmd") == (b"from-cmd\r\n", b"", 0)
