"""``python -m winsim serve``: the ready line carries WinRM and SSH endpoints that real clients can use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import paramiko
import winrm

ROOT = Path(__file__).resolve().parents[2]


def test_ready_line_endpoints_work_with_real_clients(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "winsim", "serve", "--name", "srv", "--state-dir", str(tmp_path / "srv")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        ready = json.loads(proc.stdout.readline())
        creds = ready["credentials"]
        winrm_ep, ssh_ep = ready["winrm"], ready["ssh"]
        assert winrm_ep["http"].endswith("/wsman") and winrm_ep["https"].startswith("https://")
        assert Path(winrm_ep["ca_cert"]).is_file()
        assert ssh_ep["host_key_fingerprint"].startswith("SHA256:")

        session = winrm.Session(
            winrm_ep["http"], auth=(creds["username"], creds["password"]), transport="ntlm"
        )
        shell = session.protocol.open_shell()
        session.protocol.close_shell(shell)  # a shell round trip works whatever programs the host has

        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text(ssh_ep["known_hosts"] + "\n")
        client = paramiko.SSHClient()
        client.load_host_keys(str(known_hosts))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(
            ssh_ep["host"],
            port=ssh_ep["port"],
            username=creds["username"],
            password=creds["password"],
            allow_agent=False,
            look_for_keys=False,
        )
        _, out, _ = client.exec_command("exit 3")
        assert out.channel.recv_exit_status() == 3
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
