"""``start(host, bind)``: the WinRM listeners (HTTP 5985-style and HTTPS 5986-style) of one host.

>>> surface = start(host, "127.0.0.1")                  # doctest: +SKIP
>>> surface.endpoints["winrm"]["http"]                   # doctest: +SKIP
'http://127.0.0.1:40123/wsman'
>>> surface.drop_all_shells()                            # doctest: +SKIP
0
>>> surface.close()                                      # doctest: +SKIP

Restarting the WinRM service on Windows deletes every shell; simulated programs (e.g. a
``Restart-Service WinRM``) do the same through :func:`restart_service`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from winsim.winrm.auth import UserDatabase
from winsim.winrm.config import WinRMConfig
from winsim.winrm.http import WinRMApp, WSManServer
from winsim.winrm.injection import Injector
from winsim.winrm.operations import Operations
from winsim.winrm.shells import ShellManager
from winsim.winrm.tls import ensure_certificate

if TYPE_CHECKING:
    from winsim.processes import HostServices

_running: dict[int, list[WinRMSurface]] = {}  # id(host) -> its running surfaces
_running_lock = threading.Lock()


class WinRMSurface:
    """The running listeners; ``endpoints`` goes into ``python -m winsim serve``'s ready line."""

    def __init__(
        self, host: HostServices, app: WinRMApp, http: WSManServer, https: WSManServer, ca_cert: str
    ) -> None:
        self.host = host
        self.app = app
        self.shells = app.operations.shells
        self._servers = (http, https)
        self._threads = [
            threading.Thread(
                target=s.serve_forever, kwargs={"poll_interval": 0.05}, name=f"winrm-{host.name}", daemon=True
            )
            for s in self._servers
        ]
        for thread in self._threads:
            thread.start()
        self.endpoints: dict[str, Any] = {
            "winrm": {"http": _url("http", http), "https": _url("https", https), "ca_cert": ca_cert}
        }

    def drop_all_shells(self) -> int:
        """Delete every shell server-side (as a WinRM service restart does); returns how many."""
        return self.shells.drop_all()

    @property
    def injector(self) -> Injector:
        """Fault options for the next requests (see :mod:`winsim.winrm.injection`)."""
        return self.app.injector

    def drop_connections(self) -> None:
        """Close every client TCP connection (an idle close, a reset); shells live on."""
        for server in self._servers:
            server.close_connections()

    def close(self) -> None:
        with _running_lock:
            mine = _running.get(id(self.host), [])
            if self in mine:
                mine.remove(self)
            if not mine:
                _running.pop(id(self.host), None)
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:  # both at once: each waits up to one poll interval
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        self.shells.close()  # ends processes, which also wakes long-polling Receives
        for server in self._servers:
            server.close_connections()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def _url(scheme: str, server: WSManServer) -> str:
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else host
    return f"{scheme}://{name}:{port}/wsman"


def start(host: HostServices, bind: str = "127.0.0.1", config: WinRMConfig | None = None) -> WinRMSurface:
    """Start both listeners on ephemeral ports of ``bind``.

    ``config`` defaults to ``<state_dir>/winrm/config.json`` (see :mod:`winsim.winrm.config`).
    """
    folder = host.state_dir / "winrm"
    folder.mkdir(parents=True, exist_ok=True)
    config = config or WinRMConfig.load(folder)
    addresses = ("127.0.0.1",) if bind in ("0.0.0.0", "", "localhost") else ("127.0.0.1", bind)
    cert = ensure_certificate(folder, host.name, addresses)
    shells = ShellManager(host, config)
    app = WinRMApp(host, config, UserDatabase(host, folder), Operations(shells, machine=host.name))
    http = WSManServer((bind, 0), app, tls=None, cert_hash=None)
    https = WSManServer((bind, 0), app, tls=cert.server_context(), cert_hash=cert.der_hash())
    app.operations.address = _url("http", http)
    surface = WinRMSurface(host, app, http, https, str(cert.cert))
    with _running_lock:
        _running.setdefault(id(host), []).append(surface)
    return surface


def restart_service(host: HostServices) -> int:
    """What ``Restart-Service WinRM`` does to remote shells: all of them are gone. Returns how many."""
    with _running_lock:
        surfaces = list(_running.get(id(host), []))
    return sum(s.drop_all_shells() for s in surfaces)
