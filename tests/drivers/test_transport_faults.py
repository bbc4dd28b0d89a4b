"""Sessions survive their transport, and a call that changes the host runs at most once.

A dropped TCP connection (over HTTP the NTLM context and message encryption die with it, so the
host answers 400) leads to a fresh HTTP session and shell, transparently for read-only calls.
A changing call whose request may have reached the host is never sent again: the caller gets
``SessionLost`` saying the outcome is unknown, and the host ran it exactly once.
"""

from __future__ import annotations

import pytest

from drivers.errors import SessionLost, TransportError
from drivers.host import Host, connect
from drivers.probe import module_text
from drivers.probe.effects import CHANGING, READ_ONLY, is_read_only
from tests.drivers.lab import Lab
from winsim.winrm.injection import Rule

MARK = r"C:\ProgramData\wcc-once.txt"
ADD_ONE = f"Add-Content -LiteralPath '{MARK}' -Value 'ran'"


def _lines(host: Host) -> list[str]:
    text = host.session.run(f"if (Test-Path -LiteralPath '{MARK}') {{ Get-Content -LiteralPath '{MARK}' }}")
    return [line for line in text.stdout.splitlines() if line.strip()]


@pytest.fixture(params=["http", "https"])
def winrm_host(request: pytest.FixtureRequest, fresh_lab: Lab) -> Host:
    host = connect(fresh_lab.spec("winrm", scheme=request.param), run_id="drvfault")
    fresh_lab.opened.append(host)
    host.net.compartments()
    return host


def test_every_probe_of_the_module_is_classified_once():
    assert not READ_ONLY & CHANGING
    for fn in READ_ONLY | CHANGING:
        assert f"function {fn}" in module_text(), f"{fn} is classified but not in the module"
    assert not is_read_only("Get-WccSomethingNew")  # unclassified counts as changing


def test_a_dropped_tcp_connection_gets_a_fresh_session(winrm_host: Host, fresh_lab: Lab):
    fresh_lab.surface("winrm").drop_connections()
    assert winrm_host.net.compartments()  # over HTTP: 400, new handshake, new shell
    assert winrm_host.net.routes(1)


def test_a_changing_call_rejected_unrun_after_a_drop_is_sent_again(winrm_host: Host, fresh_lab: Lab):
    fresh_lab.surface("winrm").drop_connections()
    fresh_lab.surface("winrm").injector.add(Rule("Send", status=400))  # the host refused it unrun
    winrm_host.session.run(ADD_ONE)
    assert _lines(winrm_host) == ["ran"]


@pytest.mark.parametrize("fault", [Rule("Send", drop="after"), Rule("Send", status=500)], ids=["drop", "500"])
def test_a_changing_call_that_may_have_run_is_never_sent_twice(winrm_host: Host, fresh_lab: Lab, fault: Rule):
    fresh_lab.surface("winrm").injector.add(fault)
    with pytest.raises(SessionLost, match="its outcome is unknown and it was not sent again"):
        winrm_host.session.run(ADD_ONE)
    expected = ["ran"] if fault.drop == "after" else []
    assert _lines(winrm_host) == expected  # once at most, and the session works again


def test_a_read_only_call_whose_answer_was_lost_is_replayed(winrm_host: Host, fresh_lab: Lab):
    fresh_lab.surface("winrm").injector.add(Rule("Receive", drop="after"))
    before = winrm_host.stats.snapshot()
    # the rule takes the next Receive to arrive: the one already pending, or the one posted after
    # the first call's answer (then the second call's answer is the one lost)
    assert winrm_host.net.compartments()
    assert winrm_host.net.compartments()
    assert winrm_host.stats.since(before).reconnects == 1


def test_a_full_shell_quota_is_a_clear_error_not_a_retry_loop(winrm_host: Host, fresh_lab: Lab):
    shells = fresh_lab.surface("winrm").shells
    (shell_id,) = shells.shell_ids()
    driver_shell = shells.use(shell_id)
    shells.release(driver_shell)
    owner = driver_shell.owner  # the account the driver logged on as
    fresh_lab.drop_connections("winrm")  # the driver's shell is gone...
    taken = [shells.create(owner=owner) for _ in range(shells.config.max_shells_per_user)]  # ...and no room
    with pytest.raises(TransportError, match="maximum number of 30 concurrent shells") as info:
        winrm_host.net.compartments()
    assert not isinstance(info.value, SessionLost)  # the host answered: it is not lost
    shells.delete(taken[0].id)
    assert winrm_host.net.compartments()  # room again: the next call opens a shell
