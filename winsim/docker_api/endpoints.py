"""Which Docker endpoint each simulated host serves now, for the host's own ``docker.exe``.

The server registers an endpoint while it runs; the CLI program looks it up.  Keyed by
``id(host)``: any host object will do (a SimHost is not hashable), so this module needs no host type.
"""

from __future__ import annotations

from typing import Protocol


class DockerEndpoint(Protocol):
    def env(self) -> dict[str, str]:
        """``DOCKER_HOST`` and the TLS variables a docker CLI needs to reach this endpoint."""
        ...


_ENDPOINTS: dict[int, DockerEndpoint] = {}


def register(host: object, endpoint: DockerEndpoint) -> None:
    _ENDPOINTS[id(host)] = endpoint


def unregister(host: object) -> None:
    _ENDPOINTS.pop(id(host), None)


def endpoint_for(host: object) -> DockerEndpoint | None:
    """The Docker endpoint currently served for ``host``."""
    return _ENDPOINTS.get(id(host))
