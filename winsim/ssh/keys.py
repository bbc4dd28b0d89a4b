"""SSH key material of a simulated host: its host key and the keys allowed to log in.

The host key is kept in ``<state_dir>/ssh/host_ed25519_key`` (mode 0600) and reused across
restarts of the same state folder.  Public keys allowed to log in are read from
``<state_dir>/ssh/authorized_keys`` at each attempt; on Windows an administrator's keys live
in ``C:\\ProgramData\\ssh\\administrators_authorized_keys``.

>>> key = load_host_key(state_dir / "ssh")                  # doctest: +SKIP
>>> known_hosts_line("127.0.0.1", 40022, key)               # doctest: +SKIP
'[127.0.0.1]:40022 ssh-ed25519 AAAAC3Nz...'
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HOST_KEY_FILE = "host_ed25519_key"
AUTHORIZED_KEYS_FILE = "authorized_keys"


def load_host_key(folder: Path) -> paramiko.PKey:
    """The host's Ed25519 key, created on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / HOST_KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    key = paramiko.Ed25519Key.from_private_key_file(str(path))
    public = folder / (HOST_KEY_FILE + ".pub")
    if not public.exists():
        public.write_text(f"{key.get_name()} {key.get_base64()}\n")
    return key


def known_hosts_line(address: str, port: int, key: paramiko.PKey) -> str:
    """An OpenSSH known_hosts line (``[addr]:port`` form for ports other than 22)."""
    host = address if port == 22 else f"[{address}]:{port}"
    return f"{host} {key.get_name()} {key.get_base64()}"


def fingerprint(key: paramiko.PKey) -> str:
    """``SHA256:...`` as ``ssh-keygen -lf`` prints it."""
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def is_authorized(folder: Path, key: paramiko.PKey) -> bool:
    """True if ``key`` is listed in ``folder/authorized_keys`` (options before the key type are allowed)."""
    path = folder / AUTHORIZED_KEYS_FILE
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    wanted = (key.get_name(), key.get_base64())
    for line in lines:
        fields = line.strip().split()
        if not fields or fields[0].startswith("#"):
            continue
        for i in range(len(fields) - 1):
            if (fields[i], fields[i + 1]) == wanted:
                return True
    return False
