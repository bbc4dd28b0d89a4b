"""A Docker API whose certificate the inventory cannot verify (no ``docker.ca_cert``) is one line
naming the host and the TLS problem, said once for the tests it stops; it was 1,731 lines of
chained tracebacks (docker SDK, requests, urllib3, ssl)."""

from __future__ import annotations

import pytest
import yaml

MODULE = """
def test_a_probe(host):
    assert host.net.compartments()

def test_b_docker(host):
    host.docker.client.ping()

def test_c_docker_again(host):
    host.docker.client.containers.list()
"""


@pytest.mark.slow
def test_a_docker_tls_failure_is_one_line_naming_host_and_problem(fault_run, served):
    _, inventory = served
    data = yaml.safe_load(inventory.read_text())
    del data["hosts"][0]["docker"]["ca_cert"]  # the daemon's CA is not the system's
    run = fault_run(yaml.safe_dump(data), MODULE)
    out = run.result.stdout.str()
    assert "1 passed" in run.summary and "2 host down" in run.summary, out
    line = (
        "shared: Docker API tcp://127.0.0.1:{port}: TLS handshake failed (certificate verify failed: "
        "self-signed certificate in certificate chain); set docker.ca_cert to the CA that signed the "
        "daemon's certificate"
    ).format(port=data["hosts"][0]["docker"]["url"].rsplit(":", 1)[1])
    assert out.count(line) == 1, out  # said once, in the summary, for both tests
    assert "2 test(s) not run: " + line in out
    assert "Traceback" not in out and "SSLError" not in out and len(out.splitlines()) <= 40, out
