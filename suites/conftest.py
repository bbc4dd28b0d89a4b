"""Fixtures shared by the conformance modules (the plumbing lives in fixtures/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from fixtures.behaviour import ISOLATIONS
from suites.subjects import Subject, start_direct, start_docker, still_running

if TYPE_CHECKING:
    from drivers.host import Host
    from fixtures.resources import Stack


class SharedSubjects:
    """One running container per via and isolation mode for a host, made on first use, replaced if it stopped."""

    def __init__(self, host: Host, run_id: str) -> None:
        # Imported here: fixtures.resources is a plugin the wcc plugin registers (and assert-rewrites) later.
        from fixtures.resources import Containers, Direct, Stack

        self.host = host
        self.stack: Stack = Stack(host.name)
        self._containers = {
            mode: Containers(host, run_id, self.stack, f"shared-{mode}", mode) for mode in ISOLATIONS
        }
        self._direct = {mode: Direct(host, self.stack, self._containers[mode]) for mode in ISOLATIONS}
        self._subjects: dict[tuple[str, str], Subject] = {}

    def get(self, via: str, isolation: str) -> Subject:
        subject = self._subjects.get((via, isolation))
        if subject is None or not still_running(self.host, subject):
            if via == "docker":
                subject = start_docker(self.host, self._containers[isolation])
            else:
                subject = start_direct(self.host, self._direct[isolation])
            self._subjects[(via, isolation)] = subject
        return subject


@pytest.fixture(scope="session")
def _shared_subjects(swept: Host, run_id: str) -> Iterator[SharedSubjects]:
    shared = SharedSubjects(swept, run_id)
    yield shared
    shared.stack.close()


@pytest.fixture
def subject(via: str, isolation: str, _shared_subjects: SharedSubjects) -> Subject:
    """A running container made ``via`` docker or directly under ``isolation``; shared by tests that only observe it."""
    return _shared_subjects.get(via, isolation)
