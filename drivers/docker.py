"""Docker two ways: the docker SDK against the host's Engine API, and the host's own docker CLI.

host.docker.client.containers.run(image, "cmd /c exit 0", detach=True)   # SDK, TLS verified
host.docker.cli("ps", "-a").stdout                                      # docker.exe on the host
"""

from __future__ import annotations

import math
import ssl
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import docker
import requests
from docker.tls import TLSConfig

from drivers.base import PR, DriverBase, first, probe
from drivers.errors import ConfigError
from drivers.models import CommandResult
from drivers.probers import Call, Immediate

if TYPE_CHECKING:
    from drivers.liveness import Liveness
    from drivers.session import PowerShellSession
    from inventory.model import HostSpec


LOCAL_ENGINE = "npipe:////./pipe/docker_engine"
# The share of a call's time the docker CLI may take; the rest ends its tree and brings the answer.
CLI_DEADLINE_SHARE = 0.8
_warned: set[str] = set()
_warn_lock = threading.Lock()


def warn_once(host: str, message: str) -> None:
    with _warn_lock:
        if host in _warned:
            return
        _warned.add(host)
    warnings.warn(f"{host}: {message}", stacklevel=3)


def make_client(spec: HostSpec, liveness: Liveness | None = None) -> docker.DockerClient:
    """A docker SDK client for the host's Engine API, with TLS material from the inventory.

    A request waits up to the host's ``lost_after`` for an answer; with ``liveness``, one that
    gets none asks whether the host is lost, and none is sent to a host declared lost.
    """
    d = spec.docker
    if d.mode != "tcp":
        raise ConfigError(f"{spec.name}: docker.mode is {d.mode!r}: only the host's docker CLI is available")
    url = d.url or (LOCAL_ENGINE if spec.transport == "local" else None)
    if not url:
        raise ConfigError(f"{spec.name}: field 'docker.url' is required for docker.mode 'tcp'")
    tls: TLSConfig | bool = False
    if url.startswith("tcp://"):
        client_cert = (d.client_cert, d.client_key) if d.client_cert and d.client_key else None
        if d.tls_verify:
            tls = TLSConfig(client_cert=client_cert, ca_cert=d.ca_cert, verify=d.ca_cert or True)
        elif client_cert:
            warn_once(
                spec.name, "the Docker API's TLS certificate is not verified (docker.tls_verify: false)"
            )
            tls = TLSConfig(client_cert=client_cert, verify=False)
        else:
            warn_once(
                spec.name,
                "the Docker API is used without TLS (docker.tls_verify: false, no client certificate)",
            )
    if liveness is not None:
        liveness.check()  # the client asks the host for its API version as it is made
    client = docker.DockerClient.__new__(docker.DockerClient)
    try:
        client.api = _InventoryTrustApiClient(
            base_url=url, tls=tls, timeout=max(1, math.ceil(spec.lost_after)), version="auto"
        )
    except docker.errors.DockerException as exc:  # the first request (the API version) is made here
        problem = tls_problem(exc)
        if problem is None:
            raise
        raise ConfigError(tls_message(spec, url, problem)) from None
    client.api.liveness = liveness
    client.api.tls_failure = lambda problem: ConfigError(tls_message(spec, url, problem))
    return client


def tls_problem(exc: BaseException) -> str | None:
    """What the TLS layer said, if a TLS handshake is why ``exc`` happened (found down its causes)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"certificate verify failed: {cause.verify_message}"
        if isinstance(cause, ssl.SSLError):
            return cause.reason or str(cause)
        cause = cause.__cause__ or cause.__context__
    return None


def tls_message(spec: HostSpec, url: str, problem: str) -> str:
    d = spec.docker
    hint = (
        "set docker.ca_cert to the CA that signed the daemon's certificate"
        if not d.ca_cert
        else f"check docker.ca_cert ({d.ca_cert}), docker.client_cert and docker.client_key"
    )
    return f"{spec.name}: Docker API {url}: TLS handshake failed ({problem}); {hint}"


class _InventoryTrustApiClient(docker.APIClient):
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE replace a session's CA file; the CA the
    inventory names must win, so this client ignores the environment (it never needs a proxy)."""

    liveness: Liveness | None = None
    tls_failure: Callable[[str], Exception] | None = None  # the one-line error a TLS failure becomes

    def _retrieve_server_version(self) -> str:
        self.trust_env = False
        version: str = super()._retrieve_server_version()
        return version

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.liveness is not None:
            self.liveness.check()
        try:
            return super().request(method, url, *args, **kwargs)
        except requests.exceptions.SSLError as exc:
            problem = tls_problem(exc)
            if self.tls_failure is None or problem is None:
                raise
            raise self.tls_failure(problem) from None
        except (requests.Timeout, requests.ConnectionError) as exc:
            if self.liveness is not None:
                path = urlparse(url if isinstance(url, str) else url.decode()).path
                self.liveness.confirm(f"Docker API {method!s} {path}: {type(exc).__name__}")
            raise


class DockerDriver(DriverBase[PR]):
    def __init__(self, prober: PR, session: PowerShellSession, spec: HostSpec) -> None:
        super().__init__(prober, session)
        self._spec = spec
        self._client: docker.DockerClient | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = make_client(self._spec, self._session.liveness)
        return self._client

    @probe
    def cli(self, *args: str, timeout: float | None = None) -> Call[CommandResult]:
        """Run the host's docker CLI with ``args`` (each passed as one argument, never re-parsed)."""
        for a in args:
            if not isinstance(a, str):
                raise TypeError(f"docker CLI arguments must be strings, got {a!r}")
        call_args: dict[str, Any] = {"Arguments": list(args), "TimeoutMs": self.cli_deadline_ms(timeout)}
        return Call("Invoke-WccDocker", call_args, lambda v: CommandResult.from_json(first(v, {})))

    def cli_deadline_ms(self, timeout: float | None) -> int:
        """The program's deadline on the host: within the session's timeout, so that the module's
        error (naming docker.exe and the deadline, its tree ended) arrives before the call is cut."""
        session = self._session.timeout
        budget = session if timeout is None else min(timeout, session)
        return max(1, int(budget * CLI_DEADLINE_SHARE * 1000))

    def info(self: DockerDriver[Immediate]) -> dict[str, Any]:
        self._immediate("DockerDriver.info")
        if self._spec.docker.mode == "tcp":
            info: dict[str, Any] = self.client.info()
            return info
        return self._cli_json("info")

    def version(self: DockerDriver[Immediate]) -> dict[str, Any]:
        self._immediate("DockerDriver.version")
        if self._spec.docker.mode == "tcp":
            version: dict[str, Any] = self.client.version()
            return version
        return self._cli_json("version")

    def _cli_json(self: DockerDriver[Immediate], command: str) -> dict[str, Any]:
        import json

        result = self.cli(command, "--format", "{{json .}}")
        if result.rc != 0:
            raise ConfigError(f"{self._spec.name}: docker {command} failed: {result.stderr.strip()[:300]}")
        data: dict[str, Any] = json.loads(result.stdout)
        return data

    def image_layer_dir(self: DockerDriver[Immediate], image: str) -> str:
        """The image's top layer folder (GraphDriver.Data.dir)."""
        self._immediate("DockerDriver.image_layer_dir")
        if self._spec.docker.mode == "tcp":
            attrs = self.client.images.get(image).attrs
        else:
            import json

            result = self.cli("image", "inspect", image)
            if result.rc != 0:
                raise ConfigError(
                    f"{self._spec.name}: docker image inspect {image} failed: {result.stderr.strip()[:300]}"
                )
            attrs = json.loads(result.stdout)[0]
        return str(attrs["GraphDriver"]["Data"]["dir"])

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
