"""Fault options of the WinRM listener: what a flaky network or a struggling service does.

Each rule fires on the next matching request(s) of one WS-Man operation (``Send``, ``Receive``,
``Command``, ``Create``, ``Delete``, ``Signal``; ``None`` matches any):

* ``drop="before"``: the TCP connection closes before the request is processed;
* ``drop="after"``: the request is processed, then the connection closes without an answer
  (the host ran it, the client cannot know);
* ``status=500``: the request is answered with that HTTP status and no body, unprocessed;
* ``delay=30``: the request waits that many seconds first (a host that went quiet).

>>> surface.injector.add(Rule("Send", drop="after"))   # doctest: +SKIP

Nothing is injected unless a test or ``winsim serve`` asks for it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Literal


class DropConnection(Exception):
    """Close the client's connection without an answer."""


class InjectedStatus(Exception):
    """Answer with this HTTP status and no body."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class Rule:
    operation: str | None
    drop: Literal["before", "after"] | None = None
    status: int | None = None
    delay: float = 0.0
    times: int = 1  # how many matching requests it applies to


class Injector:
    """Thread-safe list of pending rules; the first matching rule is used up per request."""

    def __init__(self) -> None:
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def add(self, rule: Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, operation: str) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.operation in (None, operation):
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                    return rule
        return None


def before(rule: Rule | None) -> None:
    """Apply the part of ``rule`` that comes before the request is processed."""
    if rule is None:
        return
    if rule.delay:
        time.sleep(rule.delay)
    if rule.drop == "before":
        raise DropConnection
    if rule.status is not None:
        raise InjectedStatus(rule.status)


def after(rule: Rule | None) -> None:
    if rule is not None and rule.drop == "after":
        raise DropConnection
