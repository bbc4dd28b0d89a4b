"""A container wait as the daemon answers it: accepted (the 200 head), then the result when it comes.

dockerd writes the wait's 200 and its headers as soon as the wait is registered and the body
``{"StatusCode": N}`` only when the condition holds, so the head is the daemon's own word that
it holds the wait; no debug log and no polling are needed::

    wait = PendingWait.send(host, container.id, "next-exit")   # returns once the daemon answered 200
    container.start(); wait.pending                               # True while it holds the wait
    container.stop(); wait.result(30)                            # {"StatusCode": 3221225786, ...}, wait.arrived

A wait left pending (a failed test) ends when its container is removed at cleanup: ``next-exit``
answers on removal too, and the reader thread then closes its connection.
"""

from __future__ import annotations

import json
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.host import Host

HEAD_TIMEOUT = 30.0  # the daemon answers the head at once
BODY_TIMEOUT = 300.0  # the longest a single read may block while the container runs


class PendingWait:
    def __init__(self, response: Any) -> None:
        self.status: int = response.status_code
        self.arrived: float | None = None  # time.monotonic() when the body came
        self._response = response
        self._body: bytes = b""
        self._error: BaseException | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def send(cls, host: Host, container_id: str, condition: str) -> PendingWait:
        """POST /containers/<id>/wait?condition=...; returns once the head is in."""
        api = host.docker.client.api
        response = api.post(
            api._url("/containers/{0}/wait", container_id),
            params={"condition": condition},
            stream=True,
            timeout=(HEAD_TIMEOUT, BODY_TIMEOUT),
        )
        return cls(response)

    def _read(self) -> None:
        try:
            self._body = self._response.raw.read()
            self.arrived = time.monotonic()
        except Exception as exc:  # the reader thread's outermost frame: result() raises it in the test
            self._error = exc
        finally:
            self._response.close()

    @property
    def pending(self) -> bool:
        return self._reader.is_alive()

    def result(self, timeout: float) -> dict[str, Any] | None:
        """The answer's JSON once it came within ``timeout`` s, else None (still pending)."""
        self._reader.join(timeout)
        if self._reader.is_alive():
            return None
        if self._error is not None:
            raise self._error
        answer: dict[str, Any] = json.loads(self._body or b"{}")
        return answer
