"""Per-call records in ``host.stats``, the HNS version in the host info, and the error classes a
report can categorize (SessionLost, ProbeTimeout), against a simulated host over WinRM and SSH."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from drivers.errors import HostLost, ProbeError, ProbeTimeout, SessionLost, TransportError
from drivers.host import Host
from drivers.stats import ARG_LIMIT, OUTPUT_LIMIT, CallStats, make_record


def test_one_call_leaves_one_record_with_what_the_host_answered(shared_host: Host, lab):
    before = shared_host.stats.snapshot()
    shared_host.net.routes(1)
    (rec,) = shared_host.stats.calls_since(before)
    assert (rec.fn, rec.args, rec.ok, rec.round_trips, rec.batch) == (
        "Get-WccRoute",
        {"CompartmentId": 1},
        True,
        1,
        1,
    )
    # the raw objects the host sent: the model's routes of the default compartment
    expected = {r.destination_prefix for r in lab.sim.model.net.routes(1)}
    assert {o["DestinationPrefix"] for o in rec.output} == expected
    assert rec.errors == [] and rec.seconds > 0


def test_a_batch_records_each_probe_and_its_round_trip_once(shared_host: Host):
    before = shared_host.stats.snapshot()
    with shared_host.batch() as b:
        b.net.compartments()
        b.hns.networks()
        b.call("Get-WccNoSuchProbe")
    recs = shared_host.stats.calls_since(before)
    assert [r.fn for r in recs] == ["Get-WccCompartment", "Get-WccHnsObject", "Get-WccNoSuchProbe"]
    assert [r.round_trips for r in recs] == [1, 0, 0]
    assert sum(r.round_trips for r in recs) == shared_host.stats.since(before).round_trips
    assert [r.batch for r in recs] == [3, 3, 3]
    assert [r.ok for r in recs] == [True, True, False]
    assert recs[2].errors[0]["fully_qualified_error_id"] == "WccUnknownProbe"


def test_a_script_is_recorded_as_script_with_its_text_and_arguments(shared_host: Host):
    before = shared_host.stats.snapshot()
    shared_host.session.run("param($Who) 'hello ' + $Who", Who="wcc")
    (rec,) = shared_host.stats.calls_since(before)
    assert rec.fn == "script"
    assert rec.args == {"script": "param($Who) 'hello ' + $Who", "arguments": {"Who": "wcc"}}
    assert rec.output[0]["Stdout"].strip() == "hello wcc"


def test_long_outputs_and_scripts_are_cut(shared_host: Host):
    before = shared_host.stats.snapshot()
    filler = "#" + "x" * (ARG_LIMIT + 100) + "\n"
    result = shared_host.session.run(filler + f"'y' * {OUTPUT_LIMIT * 2}")
    assert len(result.stdout.strip()) == OUTPUT_LIMIT * 2  # the caller still gets everything
    (rec,) = shared_host.stats.calls_since(before)
    assert isinstance(rec.output, str) and len(rec.output) < OUTPUT_LIMIT + 100
    assert rec.output.endswith("characters in all]")
    assert len(rec.args["script"]) < ARG_LIMIT + 100 and "[cut:" in rec.args["script"]


def test_a_failed_probe_records_its_error_records(shared_host: Host):
    before = shared_host.stats.snapshot()
    with pytest.raises(ProbeError):
        shared_host.session.call("Get-WccRoute")  # mandatory -CompartmentId missing
    (rec,) = shared_host.stats.calls_since(before)
    assert not rec.ok and rec.output is None
    assert rec.errors and set(rec.errors[0]) == {"message", "fully_qualified_error_id", "category"}


def test_records_are_bounded_and_positions_survive_dropping():
    stats = CallStats(max_records=3)
    start = stats.snapshot()
    stats.record(*(make_record(f"Get-WccN{i}", {}) for i in range(5)))
    assert [r.fn for r in stats.calls_since(start)] == ["Get-WccN2", "Get-WccN3", "Get-WccN4"]
    mid = stats.snapshot()
    stats.record(make_record("Get-WccLast", {}))
    assert [r.fn for r in stats.calls_since(mid)] == ["Get-WccLast"]
    assert stats.since(start).records == 6
    with pytest.raises(KeyError, match="records"):
        stats.add(records=1)


def test_host_info_carries_the_hns_version_read_through_hnscall(shared_host: Host, lab):
    assert shared_host.session.info.hns_version == lab.sim.profile.hns_version
    assert shared_host.hns.version() == lab.sim.profile.hns_version
    with shared_host.batch() as b:
        v = b.hns.version()
    assert v.value == lab.sim.profile.hns_version


def test_a_timeout_is_a_probe_timeout_named_in_its_message_and_recorded(fresh_host: Host):
    fresh_host.net.compartments()
    before = fresh_host.stats.snapshot()
    with pytest.raises(ProbeTimeout) as info:
        fresh_host.session.run("Start-Sleep -Seconds 5", timeout=0.3)
    assert str(info.value).startswith(f"ProbeTimeout: {fresh_host.name}: Invoke-WccScript ")
    (rec,) = fresh_host.stats.calls_since(before)
    assert (rec.fn, rec.ok, rec.errors[0]["fully_qualified_error_id"]) == ("script", False, "ProbeTimeout")


def _while_in_flight(
    host: Host, call: Callable[[], object], drop: Callable[[], None]
) -> BaseException | None:
    """Run ``call`` in a thread and ``drop`` once its request is on the wire; the call's exception."""
    before = host.stats.snapshot()
    # WinRM: the Send has been answered (a Receive is already pending for the output);
    # SSH: the stdin write has left.
    winrm = host.spec.transport == "winrm"
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            caught.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cost = host.stats.since(before)
        if cost.wire_requests >= 1 and (cost.bytes_received > 0 or not winrm):
            break
        time.sleep(0.002)  # polling a counter, not waiting for work
    drop()
    worker.join(30)
    return caught[0] if caught else None


def test_a_shell_lost_during_a_changing_call_is_session_lost(fresh_host: Host, fresh_lab, via: str):
    fresh_host.net.compartments()
    before = fresh_host.stats.snapshot()
    exc = _while_in_flight(
        fresh_host,
        lambda: fresh_host.session.run("Start-Sleep -Seconds 20", timeout=30),
        lambda: fresh_lab.drop_connections(via),
    )
    assert isinstance(exc, SessionLost) and isinstance(exc, TransportError) and exc.lost
    assert str(exc).startswith(f"SessionLost: {fresh_host.name}: Invoke-WccScript: lost during a call")
    assert [r.ok for r in fresh_host.stats.calls_since(before)] == [False]
    assert fresh_host.net.compartments()  # the next call opens a new shell


def test_a_host_that_cannot_be_reached_again_is_lost_and_then_fails_at_once(
    fresh_host: Host, fresh_lab, via: str
):
    fresh_host.net.compartments()
    fresh_lab.drop_connections(via)
    for surface in fresh_lab.surfaces:  # and the host stops listening
        surface.close()
    fresh_lab.surfaces = []
    started = time.monotonic()
    with pytest.raises(SessionLost, match=rf"^HostLost: {fresh_host.name} stopped answering: "):
        fresh_host.net.compartments()
    assert time.monotonic() - started < fresh_host.spec.lost_after + 5
    started = time.monotonic()
    with pytest.raises(HostLost):
        fresh_host.net.routes(1)
    with pytest.raises(HostLost):
        fresh_host.docker.client.ping()
    assert time.monotonic() - started < 0.5
