"""The inventory schema: one :class:`HostSpec` per host.

Secrets are never stored here: a host names the environment variable that holds its password
(``password_env``) and :meth:`HostSpec.password` reads it at connect time.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Transport = Literal["winrm", "ssh", "local", "sim"]
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WinRMSettings(_Strict):
    scheme: Literal["http", "https"] = "https"
    auth: Literal["basic", "ntlm", "kerberos", "credssp", "certificate"] = "ntlm"
    path: str = "/wsman"
    # Message encryption for NTLM/Kerberos/CredSSP over HTTP (pywinrm's "auto" encrypts on http).
    message_encryption: Literal["auto", "always", "never"] = "auto"
    cert_pem: str | None = None  # client certificate for auth: certificate
    cert_key_pem: str | None = None
    operation_timeout: int = 20
    read_timeout: int = 30


class SSHSettings(_Strict):
    known_hosts: str = "~/.ssh/known_hosts"
    key_file: str | None = None
    # Host key checking is on; turning it off is shown as a warning once per host.
    insecure_host_key: bool = False


class TLSSettings(_Strict):
    insecure: bool = False  # skip certificate verification (WinRM over HTTPS); warned once per host
    ca_cert: str | None = None


class DockerSettings(_Strict):
    # tcp: the docker SDK talks to the Engine API; cli: only the host's own docker CLI is used.
    mode: Literal["tcp", "cli"] = "tcp"
    url: str | None = None  # tcp://host:2376
    tls_verify: bool = True
    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None


class SimSettings(_Strict):
    profile: Literal["ws2016", "ws2019", "ws2022", "ws2025"]
    via: Literal["winrm", "ssh"] = "winrm"  # how the drivers reach the simulated host
    deviations: tuple[str, ...] = ()
    latency: Literal["none", "lab"] = "none"
    daemon_debug: bool = False  # dockerd logs API calls; off, as on a stock host
    # the Hyper-V role besides Containers (winsim serve --hyperv); off, as on a stock host, whose
    # containers then run only with process isolation
    hyperv: bool = False
    # the build revision (UBR) the host is patched to; None: its profile's (winsim serve --revision)
    revision: int | None = Field(default=None, ge=0, le=0xFFFFFFFF)


class HostSpec(_Strict):
    name: str
    transport: Transport
    address: str | None = None
    port: int | None = Field(default=None, ge=1, le=65535)
    username: str | None = None
    password_env: str | None = None
    winrm: WinRMSettings = WinRMSettings()
    ssh: SSHSettings = SSHSettings()
    tls: TLSSettings = TLSSettings()
    docker: DockerSettings = DockerSettings()
    os_build: int | None = None  # the build this host is expected to run
    network_driver: Literal["nat", "transparent", "l2bridge"] = "nat"
    base_image: str | None = None  # default: the inventory's base_images for os_build
    tags: tuple[str, ...] = ()
    # the isolation modes this host's tests run under; None: the modes its services offer (host facts)
    isolation: tuple[Literal["process", "hyperv"], ...] | None = None
    exclusive: bool = False
    # Seconds any request may wait for this host (Docker API, PowerShell calls) before a heartbeat
    # decides whether it is busy or lost; once lost, its remaining tests fail at once.
    lost_after: float = Field(default=90.0, gt=0)
    sim: SimSettings | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_RE.match(value):
            raise ValueError("must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value

    @model_validator(mode="after")
    def _transport_fields(self) -> HostSpec:
        t = self.transport
        if t == "sim":
            if self.sim is None:
                raise ValueError("transport 'sim' needs a 'sim:' section with at least 'profile'")
            if self.address or self.password_env:
                raise ValueError("a 'sim' host is started locally: leave out address and password_env")
            if "hyperv" in (self.isolation or ()) and not self.sim.hyperv:
                raise ValueError(
                    "isolation 'hyperv' on a simulated host needs the Hyper-V role: sim: {hyperv: true}"
                )
        elif self.sim is not None:
            raise ValueError(f"'sim:' only goes with transport 'sim', not {t!r}")
        if t in ("winrm", "ssh") and not self.address:
            raise ValueError(f"transport {t!r} needs 'address'")
        if (
            t == "winrm"
            and self.winrm.auth in ("basic", "ntlm", "credssp")
            and not (self.username and self.password_env)
        ):
            raise ValueError(f"WinRM auth {self.winrm.auth!r} needs 'username' and 'password_env'")
        if t == "ssh" and not self.username:
            raise ValueError("transport 'ssh' needs 'username'")
        if t == "ssh" and not (self.password_env or self.ssh.key_file):
            raise ValueError("transport 'ssh' needs 'password_env' or 'ssh.key_file'")
        if self.docker.mode == "tcp" and t in ("winrm", "ssh") and not self.docker.url:
            raise ValueError("docker mode 'tcp' needs 'docker.url' (or use docker.mode: cli)")
        return self

    @property
    def effective_port(self) -> int | None:
        if self.port:
            return self.port
        if self.transport == "winrm":
            return 5986 if self.winrm.scheme == "https" else 5985
        if self.transport == "ssh":
            return 22
        return None

    def password(self) -> str | None:
        """The password, read from the environment at the moment it is needed."""
        if not self.password_env:
            return None
        value = os.environ.get(self.password_env)
        if value is None:
            raise LookupError(f"host {self.name!r}: environment variable {self.password_env} is not set")
        return value

    def describe(self) -> str:
        """Where this host is, for error messages (never includes secrets)."""
        if self.transport == "sim" and self.sim is not None:
            return f"simulated {self.sim.profile} host over {self.sim.via}"
        if self.transport == "local":
            return "local powershell.exe"
        return f"{self.transport}://{self.address}:{self.effective_port}"


class Inventory(_Strict):
    hosts: tuple[HostSpec, ...]
    # Base image per OS build, used when a host does not name its own.
    base_images: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique(self) -> Inventory:
        seen: set[str] = set()
        for host in self.hosts:
            if host.name.lower() in seen:
                raise ValueError(f"duplicate host name {host.name!r}")
            seen.add(host.name.lower())
        return self

    def get(self, name: str) -> HostSpec:
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def base_image_for(self, host: HostSpec, build: int | None = None) -> str | None:
        if host.base_image:
            return host.base_image
        key = build or host.os_build
        return self.base_images.get(key) if key else None

    def select(self, names: list[str] | None = None, tags: list[str] | None = None) -> list[HostSpec]:
        """Hosts by name (all when None) and by tag (a host needs every tag given), sorted by name."""
        chosen = list(self.hosts)
        if names:
            known = {h.name for h in self.hosts}
            missing = [n for n in names if n not in known]
            if missing:
                raise KeyError(
                    f"unknown host(s) {', '.join(missing)}; inventory has {', '.join(sorted(known))}"
                )
            chosen = [h for h in chosen if h.name in names]
        if tags:
            tagged = [h for h in chosen if set(tags) <= set(h.tags)]
            if not tagged:
                present = sorted({t for h in chosen for t in h.tags})
                among = f" among {', '.join(names)}" if names else ""
                raise KeyError(
                    f"no host{among} carries every tag of --host-tags {','.join(tags)}; "
                    f"tags there: {', '.join(present) or 'none'}"
                )
            chosen = tagged
        return sorted(chosen, key=lambda h: h.name)
