"""The host scheduler keeps to xdist's public scheduler protocol: a change there fails here, loudly."""

from __future__ import annotations

import inspect

from xdist.scheduler.protocol import Scheduling

from fixtures.distribution import HostScheduling


def test_host_scheduling_implements_every_member_of_xdists_scheduling_protocol():
    members = {name for name in vars(Scheduling) if not name.startswith("_")}
    assert members, "xdist.scheduler.protocol.Scheduling has no members: xdist changed its protocol"
    missing = sorted(name for name in members if not hasattr(HostScheduling, name))
    assert not missing, f"xdist's Scheduling protocol now has {missing}; HostScheduling lacks them"
    for name in members:
        theirs, ours = getattr(Scheduling, name), getattr(HostScheduling, name)
        assert isinstance(ours, property) == isinstance(theirs, property), name
        if not isinstance(theirs, property):
            assert list(inspect.signature(ours).parameters) == list(inspect.signature(theirs).parameters), (
                name
            )
