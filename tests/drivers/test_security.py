"""Secrets stay out of reprs and errors; wrong credentials and unknown host keys are refused."""

from __future__ import annotations

import os

import pytest

from drivers.errors import TransportError
from drivers.host import connect


def test_password_never_appears_in_reprs_or_errors(lab, via: str, monkeypatch):
    spec = lab.spec(via)
    password = spec.password()
    assert password
    host = connect(spec, run_id="sec")
    try:
        shown = " ".join(repr(x) for x in (host, host.session, host.session.transport, host.stats, spec))
        assert password not in shown
    finally:
        host.close()
    monkeypatch.setenv(spec.password_env, "wrong-" + password)
    with pytest.raises(TransportError) as info:
        connect(spec, run_id="sec")
    assert "wrong-" not in str(info.value) and password not in str(info.value)


def test_ssh_refuses_an_unknown_host_key(lab, tmp_path):
    spec = lab.spec("ssh")
    other = tmp_path / "known_hosts"
    line = lab.endpoints["ssh"]["known_hosts"].split(" ")
    # Same host and key type, a different key: what a man in the middle would present.
    other.write_text(
        f"{line[0]} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"
    )
    bad = spec.model_copy(update={"ssh": spec.ssh.model_copy(update={"known_hosts": str(other)})})
    with pytest.raises(TransportError, match="refused"):
        connect(bad, run_id="sec")
    assert os.path.exists(spec.ssh.known_hosts)
