"""Who is calling: HTTP Basic and NTLM (over the Negotiate scheme, as Windows advertises it).

NTLM authenticates a TCP connection, not a request, so :class:`NTLMAcceptor` is kept per
connection by the HTTP layer.  pyspnego's pure-Python NTLM acceptor reads the user database
from the file named by the ``NTLM_USER_FILE`` environment variable; we write that file (NT
hashes only, mode 0600) into the host's state folder and point the variable at it only for
the duration of one acceptor step, under a lock, so several simulated hosts in one process
can each keep their own credentials.

>>> users = UserDatabase(host, state_dir / "winrm")          # doctest: +SKIP
>>> users.check_basic("Basic " + b64("Administrator:pw"))      # doctest: +SKIP
'administrator'
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
import struct
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import spnego
from spnego._ntlm_raw.crypto import lmowfv1, ntowfv1
from spnego._ntlm_raw.messages import Authenticate, AvId, NTClientChallengeV2
from spnego.channel_bindings import GssChannelBindings

if TYPE_CHECKING:
    from winsim.processes import HostServices

NTLM_USER_FILE = "ntlm_users"
_ENV_LOCK = threading.Lock()
# The variable exists for the life of the process and only its value changes: other threads
# (an HTTP client in the same process, for one) may iterate os.environ at any moment, and a
# key that comes and goes breaks them.
os.environ.setdefault("NTLM_USER_FILE", "")


class AuthError(Exception):
    """Authentication failed; the HTTP layer answers 401 (never carries the secret)."""


def account_name(username: str) -> str:
    """``HOST\\User``, ``.\\User``, ``User@host`` and ``User`` all name the local account ``user``."""
    name = username.rsplit("\\", 1)[-1]
    return name.split("@", 1)[0].lower()


def check_password(host: HostServices, username: str, password: str) -> str:
    """The local account name if the credentials are the host's (also used by the SSH server)."""
    domain_ok = True
    if "\\" in username:
        domain = username.rsplit("\\", 1)[0]
        domain_ok = domain in (".", "") or domain.lower() == host.name.lower()
    user_ok = domain_ok and account_name(username) == account_name(host.credentials.username)
    password_ok = hmac.compare_digest(password.encode(), host.credentials.password.encode())
    if not (user_ok and password_ok):
        raise AuthError(f"wrong user name or password for {username!r}")
    return account_name(username)


class UserDatabase:
    """The local accounts a host accepts (today: its one administrator)."""

    def __init__(self, host: HostServices, folder: Path) -> None:
        self.host = host
        folder.mkdir(parents=True, exist_ok=True)
        self.ntlm_file = folder / NTLM_USER_FILE
        self._write_ntlm_file()

    def check_password(self, username: str, password: str) -> str:
        """Account name if ``username``/``password`` name this host's account; :class:`AuthError` otherwise."""
        return check_password(self.host, username, password)

    def check_basic(self, header_value: str) -> str:
        """Account name for a valid ``Basic`` credential; :class:`AuthError` otherwise."""
        try:
            decoded = base64.b64decode(header_value.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
        except (IndexError, binascii.Error, UnicodeDecodeError):
            raise AuthError("malformed Basic credentials") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise AuthError("malformed Basic credentials")
        return self.check_password(username, password)

    def _write_ntlm_file(self) -> None:
        """smbpasswd-format lines (hashes, not the password) for every domain form we accept."""
        password = self.host.credentials.password
        lm = base64.b16encode(lmowfv1(password)).decode()
        nt = base64.b16encode(ntowfv1(password)).decode()
        user = self.host.credentials.username.rsplit("\\", 1)[-1]
        lines = [
            f"{prefix}{user}:1000:{lm}:{nt}:[U]:LCT-00000000"
            for prefix in ("", ".\\", f"{self.host.name.upper()}\\")
        ]
        fd = os.open(self.ntlm_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(self.ntlm_file, 0o600)

    @contextlib.contextmanager
    def ntlm_store(self) -> Iterator[None]:
        """Point pyspnego at this host's user file for one step (see the module docstring)."""
        with _ENV_LOCK:
            previous = os.environ.get("NTLM_USER_FILE", "")
            os.environ["NTLM_USER_FILE"] = str(self.ntlm_file)
            try:
                yield
            finally:
                os.environ["NTLM_USER_FILE"] = previous


class NTLMAcceptor:
    """Server side of one connection's NTLM handshake, then its sealing context."""

    def __init__(self, users: UserDatabase, cert_hash: bytes | None = None) -> None:
        self._users = users
        # HTTPS: CbtHardeningLevel=Relaxed (the Windows default) checks a channel binding
        # token when the client sends one and accepts clients that send none.
        self._bindings = None
        if cert_hash is not None:
            self._bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + cert_hash)
        with users.ntlm_store():
            self.context = spnego.server(protocol="ntlm")
        self.user: str | None = None

    @property
    def complete(self) -> bool:
        return self.user is not None

    def step(self, token: bytes) -> bytes | None:
        """Feed one client token; returns the challenge, or None once the client is authenticated."""
        if not token.startswith(b"NTLMSSP\x00"):
            raise AuthError("only NTLM tokens are accepted (no Kerberos on a simulated host)")
        try:
            bindings = self._bindings if self._bindings and _sends_bindings(token) else None
            with self._users.ntlm_store():
                reply = self.context.step(token, channel_bindings=bindings)
        except Exception as exc:  # pyspnego's parsers raise anything (struct.error for a cut token)
            raise AuthError(f"NTLM authentication failed: {type(exc).__name__}") from None
        if self.context.complete:
            self.user = account_name(self.context.client_principal or "")
        return reply

    def wrap(self, data: bytes) -> tuple[bytes, bytes]:
        """Seal ``data``: (signature, sealed bytes)."""
        wrapped = self.context.wrap(data, encrypt=True).data
        return wrapped[:16], wrapped[16:]

    def unwrap(self, signature: bytes, sealed: bytes) -> bytes:
        try:
            return self.context.unwrap(signature + sealed).data
        except Exception as exc:  # whatever pyspnego raises, the message is not one of this context's
            raise AuthError(f"message could not be unsealed: {type(exc).__name__}") from None


# What spnego's message parsers raise on bytes that are not the message (unknown enum values,
# short buffers, bad offsets).
_GARBLED = (ValueError, KeyError, IndexError, struct.error)


def _sends_bindings(token: bytes) -> bool:
    """True if an NTLM AUTHENTICATE message carries a (non-empty) channel binding hash."""
    try:
        auth = Authenticate.unpack(token)
    except _GARBLED:  # the NEGOTIATE leg, or garbage that step() will reject anyway
        return False
    response = auth.nt_challenge_response or b""
    if len(response) <= 24:  # NTLMv1 has no AV pairs
        return False
    try:
        pairs = NTClientChallengeV2.unpack(response[16:]).av_pairs
    except _GARBLED:
        return False
    value = pairs.get(AvId.channel_bindings)
    return bool(value) and value != b"\x00" * 16
