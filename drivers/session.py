"""A persistent PowerShell session on a host, with framed probe calls.

One ``powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -`` runs per
host per worker; the session writes lines to its stdin:

1. once, on open: the probe module as base64 *data* inside one line
   (``New-Module -Name Wcc -ScriptBlock ([ScriptBlock]::Create(...FromBase64String('...'))) | Import-Module``)
   followed by a ``Get-WccHostInfo`` call, whose answer proves the module loaded;
2. per round trip: ``Invoke-WccCall '<base64 of a JSON request>'``.  The request lists one or
   more probe calls; ``Invoke-WccCall`` runs each with its arguments splatted, catches errors per
   call and writes one framed line ``<<wcc:N>>{json}<<wcc-end:N>>``.

Inputs are only ever data (base64 of JSON), so no quote, ``$()``, backtick, newline or ``;`` in
a value can become code.  Anything on stdout outside a frame is kept as ``noise``; CLIXML on
stderr is parsed into error records (``last_stderr``) but is not a failure by itself.

    session = PowerShellSession("ws2022", transport, stats)
    session.call("Get-WccCompartment")             # -> list of JSON objects
    session.run("Get-Date; exit 3").rc             # -> 3 (script mode, any length)

A lost shell or connection is re-opened once and the request replayed only if it provably never
ran on the host or every call in it is read-only (``drivers.probe.effects``); otherwise
:class:`SessionLost` says the outcome is unknown.  A timed-out
call raises :class:`ProbeTimeout`, marks the session dead (the next call re-opens it) and is
never replayed.  Every call leaves a :class:`~drivers.stats.CallRecord` in ``stats``.
"""

from __future__ import annotations

import base64
import codecs
import itertools
import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from drivers.clixml import StderrStreams, parse_stderr
from drivers.errors import (
    DriverError,
    ProbeError,
    ProbeTimeout,
    SessionError,
    SessionLost,
    TransportError,
)
from drivers.liveness import Liveness
from drivers.models import CommandResult, ErrorRecord, HostInfo
from drivers.probe import module_text
from drivers.probe.effects import is_read_only
from drivers.stats import CallStats, StatsSnapshot, make_record
from drivers.transports.base import POWERSHELL_COMMAND, RemoteProcess, Transport

DEFAULT_TIMEOUT = 60.0
OPEN_TIMEOUT = 120.0
_NOISE_LIMIT = 200  # keep the last N stray stdout chunks


@dataclass(frozen=True)
class ProbeCall:
    """One probe function and its arguments (JSON-serializable data only)."""

    fn: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CallOutcome:
    fn: str
    ok: bool
    value: list[Any]
    errors: list[ErrorRecord]


def _utf8_decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")("replace")


def load_line(text: str) -> str:
    """The one line that loads the probe module; the module travels as base64 data."""
    b64 = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return (
        "New-Module -Name Wcc -ScriptBlock ([ScriptBlock]::Create([Text.Encoding]::UTF8.GetString("
        f"[Convert]::FromBase64String('{b64}')))) | Import-Module"
    )


def call_line(request_id: int, calls: list[ProbeCall]) -> str:
    request = {"id": request_id, "calls": [{"fn": c.fn, "args": c.args} for c in calls]}
    payload = json.dumps(request, ensure_ascii=True, separators=(",", ":"))
    return f"Invoke-WccCall '{base64.b64encode(payload.encode('utf-8')).decode('ascii')}'"


class PowerShellSession:
    """One persistent PowerShell process on a host, reused for every call (thread-safe)."""

    def __init__(
        self,
        host_name: str,
        transport: Transport,
        stats: CallStats,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        open_timeout: float = OPEN_TIMEOUT,
        liveness: Liveness | None = None,
    ) -> None:
        self.host_name = host_name
        self.transport = transport
        self.stats = stats
        self.timeout = timeout
        self.open_timeout = open_timeout
        self.liveness = liveness or Liveness(host_name, OPEN_TIMEOUT, transport.heartbeat)
        self.noise: list[str] = []
        self.last_stderr = StderrStreams()
        self._info: HostInfo | None = None
        self._proc: RemoteProcess | None = None
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._stdout = ""
        self._stderr = ""
        # A read may end inside a UTF-8 character: each stream keeps its own decoder, so the rest
        # of the character completes it on the next read.
        self._out_text = _utf8_decoder()
        self._err_text = _utf8_decoder()
        self._opened_once = False

    def __repr__(self) -> str:
        state = "open" if self._proc is not None else "closed"
        return f"PowerShellSession(host={self.host_name!r}, transport={self.transport.name!r}, {state})"

    # -- public API ---------------------------------------------------------------------------

    @property
    def info(self) -> HostInfo:
        """The host as the probe module saw it when it loaded (opens the session if needed)."""
        with self._lock:
            self._ensure_open()
            assert self._info is not None
            return self._info

    @property
    def is_open(self) -> bool:
        return self._proc is not None

    def open(self) -> HostInfo:
        return self.info

    def call(self, fn: str, /, *, timeout: float | None = None, **args: Any) -> list[Any]:
        """Run one probe function; return its output objects (a list); raise ProbeError on failure."""
        outcome = self.call_many([ProbeCall(fn, args)], timeout=timeout)[0]
        if not outcome.ok:
            raise ProbeError(self.host_name, fn, outcome.errors)
        return outcome.value

    def call_many(self, calls: list[ProbeCall], timeout: float | None = None) -> list[CallOutcome]:
        """Run several probe calls in one round trip; each succeeds or fails on its own."""
        if not calls:
            return []
        for c in calls:
            if not isinstance(c.fn, str) or not re.fullmatch(r"[A-Za-z]+-Wcc[A-Za-z]+", c.fn):
                raise ValueError(f"not a probe function name: {c.fn!r}")
        replayable = all(is_read_only(c.fn) for c in calls)
        with self._lock:
            frame, seconds, wire = self._round_trip(calls, timeout or self.timeout, replayable)
        results = frame.get("results")
        if not isinstance(results, list) or len(results) != len(calls):
            error = SessionError(
                f"{self.host_name}: malformed answer: expected {len(calls)} results", self.host_name
            )
            self._log_failure(calls, error, 1, seconds)
            raise error
        outcomes = [self._outcome(c.fn, r) for c, r in zip(calls, results, strict=True)]
        self.stats.record(
            *(
                make_record(
                    c.fn,
                    c.args,
                    output=o.value if o.ok else None,
                    errors=o.errors,
                    round_trips=1 if i == 0 else 0,
                    seconds=seconds if i == 0 else 0.0,
                    ok=o.ok,
                    batch=len(calls),
                    wire=wire if i == 0 else None,
                )
                for i, (c, o) in enumerate(zip(calls, outcomes, strict=True))
            )
        )
        return outcomes

    def run(self, script: str, timeout: float | None = None, **args: Any) -> CommandResult:
        """Run arbitrary script text (any length) in a fresh runspace; ``args`` bind to its ``param()``."""
        value = self.call("Invoke-WccScript", timeout=timeout, Script=script, Arguments=args)
        return CommandResult.from_json(value[0] if value else {})

    def close(self) -> None:
        with self._lock:
            self._kill()
            self.transport.close()

    # -- internals ----------------------------------------------------------------------------

    def _outcome(self, fn: str, result: Any) -> CallOutcome:
        if not isinstance(result, dict):
            raise SessionError(
                f"{self.host_name}: malformed result for {fn}: {result!r:.200}", self.host_name
            )
        if result.get("ok"):
            value = result.get("value")
            return CallOutcome(
                fn, True, value if isinstance(value, list) else ([] if value is None else [value]), []
            )
        errors = result.get("errors") or []
        if isinstance(errors, dict):
            errors = [errors]
        records = [ErrorRecord.from_json(e) for e in errors if isinstance(e, dict)]
        return CallOutcome(
            fn, False, [], records or [ErrorRecord("the probe failed without an error record")]
        )

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        self._info = None
        self._stdout = self._stderr = ""
        if proc is not None and self.liveness.lost is None:  # a lost host cannot be asked to end it
            proc.close()

    def _log_failure(
        self, calls: list[ProbeCall], error: BaseException, round_trips: int, seconds: float
    ) -> None:
        """One record per call of a round trip that brought no answer (timeout, lost shell...)."""
        record = ErrorRecord(str(error), type(error).__name__, "ConnectionError")
        self.stats.record(
            *(
                make_record(
                    c.fn,
                    c.args,
                    errors=[record],
                    round_trips=round_trips if i == 0 else 0,
                    seconds=seconds if i == 0 else 0.0,
                    ok=False,
                    batch=len(calls),
                )
                for i, c in enumerate(calls)
            )
        )

    def _ensure_open(self, deadline: float = math.inf) -> None:
        self.liveness.check()
        if self._proc is not None:
            return
        for attempt in (1, 2):
            try:
                self._open(deadline)
                return
            except TransportError as exc:
                self._kill()
                if exc.lost and self._opened_once:
                    self.liveness.confirm(f"re-opening the session failed: {exc}")
                if exc.lost and attempt == 2 and self._opened_once:
                    # it worked before: the shell is gone for good, not a host we never reached
                    raise SessionLost(self.host_name, "re-opening the session", str(exc)) from exc
                if not exc.lost or attempt == 2:
                    raise
                self.stats.add(reconnects=1)

    def _open(self, deadline: float = math.inf) -> None:
        if self._opened_once:
            self.stats.add(reconnects=1)
        started = time.monotonic()
        wire_before = self.stats.snapshot()  # from the first byte: handshakes, shell, command
        deadline = min(deadline, started + self.open_timeout)
        self._proc = self.transport.open_process(POWERSHELL_COMMAND)
        self._out_text, self._err_text = _utf8_decoder(), _utf8_decoder()
        self.stats.add(process_starts=1)
        request_id = 0
        hello = call_line(request_id, [ProbeCall("Get-WccHostInfo")])
        payload = f"{load_line(module_text())}\r\n{hello}\r\n".encode("ascii")
        try:
            self._proc.write(payload)
            frame = self._read_frame(request_id, deadline, "loading the probe module")
        except DriverError as exc:
            self._log_failure([ProbeCall("Get-WccHostInfo")], exc, 0, time.monotonic() - started)
            raise
        seconds = time.monotonic() - started
        self.stats.add(round_trips=1, seconds=seconds)
        outcome = self._outcome("Get-WccHostInfo", (frame.get("results") or [None])[0])
        self.stats.record(
            make_record(
                "Get-WccHostInfo",
                {},
                output=outcome.value if outcome.ok else None,
                errors=outcome.errors,
                round_trips=1,
                seconds=seconds,
                ok=outcome.ok,
                wire=self.stats.since(wire_before),
            )
        )
        if not outcome.ok or not outcome.value:
            self._kill()
            raise SessionError(
                f"{self.host_name}: the probe module did not load: {outcome.errors[0] if outcome.errors else 'no host info'}",
                self.host_name,
                errors=outcome.errors,
            )
        self._info = HostInfo.from_json(outcome.value[0])
        self._opened_once = True

    def _round_trip(
        self, calls: list[ProbeCall], timeout: float, replayable: bool
    ) -> tuple[dict[str, Any], float, StatsSnapshot]:
        """Send one request and read its frame; returns the frame, the seconds and the wire cost.

        ``timeout`` holds for the whole call, a re-open after a loss included (opening a session
        that was closed before the call is not part of it: loading the module takes its own time).
        """
        call_deadline = math.inf
        for attempt in (1, 2):
            self._ensure_open(call_deadline)
            if attempt == 1:
                call_deadline = time.monotonic() + timeout
            assert self._proc is not None
            request_id = next(self._ids)
            line = (call_line(request_id, calls) + "\r\n").encode("ascii")
            wire_before = self.stats.snapshot()
            started = time.monotonic()
            ran = True  # from the first byte on, the request may run on the host
            try:
                try:
                    self._proc.write(line)
                except TransportError as exc:
                    ran = not exc.unsent  # the host refused the request before running it
                    raise
                frame = self._read_frame(request_id, max(call_deadline, started + 1.0), calls[0].fn)
            except TransportError as exc:
                self._kill()
                seconds = time.monotonic() - started
                self.stats.add(round_trips=1, seconds=seconds)
                self._log_failure(calls, exc, 1, seconds)
                if not exc.lost:
                    raise
                if ran:  # (a request refused unrun was an answer: the host is there)
                    self.liveness.confirm(f"{calls[0].fn}: {exc}")
                if attempt == 2:
                    raise SessionLost(
                        self.host_name, calls[0].fn, f"lost again after re-opening: {exc}"
                    ) from exc
                if ran and not replayable:
                    raise SessionLost(
                        self.host_name,
                        calls[0].fn,
                        "lost during a call that changes the host; its request may have reached the "
                        f"host, so its outcome is unknown and it was not sent again: {exc}",
                    ) from exc
                continue  # re-open once and replay: it never ran, or it only reads
            except DriverError as exc:  # timed out or garbled: no answer to record
                self._log_failure(calls, exc, 0, time.monotonic() - started)
                raise
            seconds = time.monotonic() - started
            self.stats.add(round_trips=1, calls=len(calls), seconds=seconds)
            return frame, seconds, self.stats.since(wire_before)
        raise AssertionError("unreachable")

    def _read_frame(self, request_id: int, deadline: float, what: str) -> dict[str, Any]:
        assert self._proc is not None
        start, end = f"<<wcc:{request_id}>>", f"<<wcc-end:{request_id}>>"
        began = heard = time.monotonic()
        while True:
            begin = self._stdout.find(start)
            if begin >= 0:
                stop = self._stdout.find(end, begin)
                if stop >= 0:
                    return self._take_frame(begin, stop, start, end)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stats.add(timeouts=1)
                self._kill()
                waited = round(time.monotonic() - began, 3)
                self.liveness.confirm(f"{what} got no answer in {waited:g} s")
                raise ProbeTimeout(self.host_name, what, waited)
            if time.monotonic() - heard >= self.liveness.lost_after:
                # a long wait: make sure the host is still there (a frozen host is lost, not slow)
                self.liveness.confirm(f"{what}: nothing for {time.monotonic() - heard:.0f} s")
                heard = time.monotonic()
            chunk = self._proc.read(min(remaining, 20.0, self.liveness.lost_after))
            if chunk.stdout or chunk.stderr:
                heard = time.monotonic()
            ended = chunk.exit_code is not None  # a character cut off by the exit is replaced
            self._stdout += self._out_text.decode(chunk.stdout, final=ended)
            if chunk.stderr or ended:
                self._stderr += self._err_text.decode(chunk.stderr, final=ended)
                self.last_stderr = parse_stderr(self._stderr)
            if chunk.exit_code is not None and start not in self._stdout:
                streams = parse_stderr(self._stderr)
                first = streams.errors[0].message if streams.errors else (streams.text[:300] or "no output")
                self._kill()
                raise TransportError(
                    f"{self.host_name}: powershell.exe exited with code {chunk.exit_code} during {what}: {first}",
                    lost=True,
                )

    def _take_frame(self, begin: int, stop: int, start: str, end: str) -> dict[str, Any]:
        before = self._stdout[:begin].strip()
        if before:
            self.noise.append(before)
            del self.noise[:-_NOISE_LIMIT]
        body = self._stdout[begin + len(start) : stop]
        self._stdout = self._stdout[stop + len(end) :].lstrip("\r\n")
        try:
            frame = json.loads(body)
        except json.JSONDecodeError as exc:
            raise SessionError(f"{self.host_name}: garbled answer frame: {exc}", self.host_name) from None
        if not isinstance(frame, dict):
            raise SessionError(f"{self.host_name}: answer frame is not an object", self.host_name)
        return frame
