"""``python -m winsim serve`` prints one JSON line with a working Docker endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_serve_prints_ready_line_with_docker_endpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docker

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "winsim", "serve", "--profile", "ws2019", "--state-dir", str(tmp_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = json.loads(proc.stdout.readline() or "{}")
        assert line.get("name") == "ws2019-sim", proc.stderr.read() if proc.stderr else ""
        ep = line["docker"]
        assert ep["tls"] is True and ep["host"].startswith("tcp://127.0.0.1:")
        certs = Path(ep["cert_path"])
        tls = docker.tls.TLSConfig(
            client_cert=(str(certs / "cert.pem"), str(certs / "key.pem")),
            ca_cert=str(certs / "ca.pem"),
            verify=True,
        )
        client = docker.DockerClient(base_url=ep["host"].replace("tcp://", "https://"), tls=tls)
        assert client.info()["OperatingSystem"].startswith(
            "Microsoft Windows Server Version 1809 (OS Build 17763."
        )
    finally:
        proc.stdin.close()  # type: ignore[union-attr]
        proc.wait(10)
