"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (no websocket library).

Chromium reads NUL-terminated JSON commands from fd 3 and writes replies and events to fd 4.

    with Browser.launch("/usr/bin/chromium", tmp_path) as browser:
        page = browser.open("file:///.../matrix.html")
        title = page.evaluate("document.title")
        Path("shot.png").write_bytes(page.screenshot())
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1400,1000",
    "--remote-debugging-pipe",
)


class CDPError(RuntimeError):
    pass


class Browser:
    def __init__(self, proc: subprocess.Popen[bytes], to_browser: int, from_browser: int) -> None:
        self.proc = proc
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    @classmethod
    def launch(cls, executable: str, profile_dir: Path) -> Browser:
        cmd_read, cmd_write = os.pipe()  # we write commands, chromium reads them on fd 3
        ev_read, ev_write = os.pipe()  # chromium writes on fd 4, we read

        def place_fds() -> None:  # in the child: move the pipe ends to fds 3 and 4
            a, b = os.dup(cmd_read), os.dup(ev_write)
            os.dup2(a, 3)
            os.dup2(b, 4)

        proc = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=place_fds,  # the only way to put pipe ends on fixed fd numbers
        )
        os.close(cmd_read)
        os.close(ev_write)
        return cls(proc, cmd_write, ev_read)

    def __enter__(self) -> Browser:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(CDPError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float = 30,
    ) -> Any:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        reply = self._wait(lambda m: m.get("id") == self._next_id, timeout, method)
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, session: str | None, timeout: float = 30) -> dict[str, Any]:
        for i, ev in enumerate(self.events):
            if ev.get("method") == method and ev.get("sessionId") == session:
                return self.events.pop(i)
        return self._wait(
            lambda m: m.get("method") == method and m.get("sessionId") == session, timeout, method
        )

    def _wait(self, match: Callable[[dict[str, Any]], bool], timeout: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if match(message):
                    return message
                if "method" in message:
                    self.events.append(message)
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError(f"no answer to {what} within {timeout:g} s")
            ready, _, _ = select.select([self._in], [], [], left)
            if ready:
                chunk = os.read(self._in, 1 << 20)
                if not chunk:
                    raise CDPError(
                        f"chromium closed the pipe while waiting for {what} (exit {self.proc.poll()})"
                    )
                self._buffer += chunk

    def open(self, url: str, timeout: float = 30) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.send("Page.enable", session=session)
        self.send("Runtime.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_event("Page.loadEventFired", session, timeout)
        return page


class Page:
    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session

    def evaluate(self, expression: str, timeout: float = 30) -> Any:
        result = self.browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self.session,
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise CDPError(f"{expression[:80]}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 120) -> Any:
        """Poll a JS expression until it is truthy (the page renders asynchronously)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                seen = str(self.evaluate("document.body ? document.body.innerText.slice(0, 400) : ''"))
                raise CDPError(
                    f"timed out after {timeout:g} s waiting for: {expression}; the page shows: {seen!r}"
                )
            # let the page's own work run; a page-side wait instead of a Python sleep
            self.evaluate("new Promise(r => setTimeout(r, 100))")

    def screenshot(self) -> bytes:
        size = self.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        self.browser.send(
            "Emulation.setDeviceMetricsOverride",
            {
                "width": max(1400, size[0]),
                "height": min(max(800, size[1]), 8000),
                "deviceScaleFactor": 1,
                "mobile": False,
            },
            session=self.session,
        )
        data = self.browser.send("Page.captureScreenshot", {"format": "png"}, session=self.session)["data"]
        return base64.b64decode(data)
