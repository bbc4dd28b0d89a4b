"""Counting what talking to a host costs: round trips, wire requests, bytes, time, reconnects.

One :class:`CallStats` per host connection.  Reports and benchmarks take a snapshot before a
test and subtract it after::

    before = host.stats.snapshot()
    host.net.compartments()
    cost = host.stats.since(before)
    cost.round_trips      # 1: one framed call and its answer
    cost.wire_requests    # WinRM: HTTP requests (Send + the pending Receive); SSH: stdin writes
    cost.wire_round_trips # 1: what the caller waited on, one after the other (the critical path)

A *round trip* is one framed request to the PowerShell session and the wait for its answer.  A
*wire request* is one message the transport puts on the network (one HTTP POST for WinRM, NTLM
legs included; for SSH the connection set-up, each exec request and each stdin write); a *wire
round trip* is one the caller waited on before the next could go: over WinRM a Receive kept
pending while the Send is made overlaps it, so a probe costs 2 wire requests but 1 wire round
trip.  Both count from the first byte of the session open.

Each probe call also leaves a :class:`CallRecord` (the last :data:`MAX_RECORDS` are kept), so a
report can show what a test asked the host and what came back::

    for rec in host.stats.calls_since(before):
        rec.fn, rec.args, rec.ok, rec.output, rec.errors, rec.round_trips, rec.seconds

A batch leaves one record per probe; the first carries the batch's round trip, wire counts and
time, the others zeros, so the records add up to the counters.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any

MAX_RECORDS = 1000  # call records kept per host; older ones drop off
OUTPUT_LIMIT = 8192  # characters of a call's output (as JSON) kept in its record
ARG_LIMIT = 4096  # characters of one string argument (a script's text) kept in its record


@dataclass(frozen=True)
class StatsSnapshot:
    round_trips: int = 0
    calls: int = 0  # probe function calls (a batch of ten counts ten)
    wire_requests: int = 0  # every request on the wire, handshake legs included
    wire_round_trips: int = 0  # the wire requests a caller waited on, one after the other
    bytes_sent: int = 0
    bytes_received: int = 0
    seconds: float = 0.0
    reconnects: int = 0
    process_starts: int = 0  # powershell.exe starts (session opens)
    timeouts: int = 0
    records: int = 0  # call records written (calls_since() uses it as a position)

    def __sub__(self, other: StatsSnapshot) -> StatsSnapshot:
        return StatsSnapshot(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})

    def __add__(self, other: StatsSnapshot) -> StatsSnapshot:
        return StatsSnapshot(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def as_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CallRecord:
    """One probe call as the host saw it: ``fn`` is ``"script"`` for ``session.run()`` text.

    ``output`` is the call's JSON value (a list of output objects), or a string cut at
    :data:`OUTPUT_LIMIT` characters when it was longer; ``errors`` are the error records as dicts.
    """

    fn: str
    args: dict[str, Any]
    output: Any
    errors: list[dict[str, str]]
    round_trips: int
    seconds: float
    ok: bool
    batch: int = 1  # probes that shared the round trip
    wire_round_trips: int = 0  # on the wire, waited on (a session opening's handshakes included)
    wire_requests: int = 0
    seq: int = field(default=0, repr=False)  # position in the host's record stream


def make_record(
    fn: str,
    args: Mapping[str, Any],
    *,
    output: Any = None,
    errors: list[Any] | tuple[Any, ...] = (),
    round_trips: int = 0,
    seconds: float = 0.0,
    ok: bool = True,
    batch: int = 1,
    wire: StatsSnapshot | None = None,
) -> CallRecord:
    """A record with bounded size: long outputs and string arguments are cut, errors become dicts."""
    if fn == "Invoke-WccScript":
        fn, args = "script", {"script": args.get("Script", ""), "arguments": args.get("Arguments") or {}}
    return CallRecord(
        fn=fn,
        args={str(k): _cut_args(v) for k, v in args.items()},
        output=_cut_output(output),
        errors=[_error_dict(e) for e in errors],
        round_trips=round_trips,
        seconds=round(seconds, 6),
        ok=ok,
        batch=batch,
        wire_round_trips=wire.wire_round_trips if wire else 0,
        wire_requests=wire.wire_requests if wire else 0,
    )


class CallStats:
    """Thread-safe counters for one host.  ``snapshot()``/``since()`` give per-test deltas."""

    def __init__(self, max_records: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._values = dict(StatsSnapshot().as_dict())
        self._records: deque[CallRecord] = deque(maxlen=max_records)

    def record(self, *records: CallRecord) -> None:
        """Append call records (numbered in order; the oldest drop off past ``max_records``)."""
        with self._lock:
            for rec in records:
                self._values["records"] += 1
                self._records.append(replace(rec, seq=int(self._values["records"])))

    def calls_since(self, before: StatsSnapshot) -> list[CallRecord]:
        """The call records written after ``before`` was taken (those still kept), oldest first."""
        with self._lock:
            return [r for r in self._records if r.seq > before.records]

    def add(self, **deltas: float) -> None:
        with self._lock:
            for name, delta in deltas.items():
                if name not in self._values:
                    raise KeyError(f"unknown stats counter {name!r}")
                if name == "records":
                    raise KeyError("the 'records' counter moves only through record()")
                self._values[name] += delta

    def snapshot(self) -> StatsSnapshot:
        with self._lock:
            values = dict(self._values)
        return StatsSnapshot(**values)  # type: ignore[arg-type]

    def since(self, before: StatsSnapshot) -> StatsSnapshot:
        return self.snapshot() - before

    def __repr__(self) -> str:
        snap = self.snapshot()
        return (
            f"CallStats(round_trips={snap.round_trips}, calls={snap.calls}, wire_requests={snap.wire_requests}, "
            f"seconds={snap.seconds:.3f}, reconnects={snap.reconnects})"
        )


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}... [cut: {len(text)} characters in all]"


def _cut_args(value: Any) -> Any:
    if isinstance(value, str):
        return _cut(value, ARG_LIMIT)
    if isinstance(value, Mapping):
        return {str(k): _cut_args(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cut_args(v) for v in value]
    return value


def _cut_output(value: Any) -> Any:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return value if len(text) <= OUTPUT_LIMIT else _cut(text, OUTPUT_LIMIT)


def _error_dict(error: Any) -> dict[str, str]:
    if is_dataclass(error) and not isinstance(error, type):
        return {k: str(v) for k, v in asdict(error).items()}
    if isinstance(error, Mapping):
        return {str(k): str(v) for k, v in error.items()}
    return {"message": str(error)}
