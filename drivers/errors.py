"""Exceptions of the drivers.  Messages name the host and what failed, never a password.

try:
    host.hcs.get(cid)
except ProbeError as exc:
    print(exc.host, exc.function, exc.errors[0].fully_qualified_error_id)
"""

from __future__ import annotations

from drivers.models import ErrorRecord


class DriverError(Exception):
    """Base of every error the drivers raise."""


class ConfigError(DriverError):
    """The host's inventory entry cannot be used as given (the message names the field)."""


class TransportError(DriverError):
    """The connection or the remote shell failed (connect, auth, reset, shell gone)."""

    def __init__(self, message: str, *, lost: bool = False, unsent: bool = False) -> None:
        super().__init__(message)
        # lost: the shell/connection is gone and a fresh one may work (re-open once).
        self.lost = lost
        # unsent: the request provably never ran on the host (the connection was refused, or the
        # host answered that it rejected the request), so even a changing call may be sent again.
        self.unsent = unsent


class LoginRefused(TransportError):
    """The host answered but rejected the credentials (wrong password, unknown user, no right to log on)."""


class SessionError(DriverError):
    """The PowerShell session broke its framing (process exited, garbled frame, module failed to load)."""

    def __init__(
        self, message: str, host: str = "", stderr: str = "", errors: list[ErrorRecord] | None = None
    ) -> None:
        super().__init__(message)
        self.host = host
        self.stderr = stderr
        self.errors = list(errors or [])


class SessionLost(TransportError):
    """The shell or its connection went away and could not be re-opened, or went away during a
    call that must not be replayed (it may have changed the host).

    A :class:`TransportError` (``lost`` is True), so ``except TransportError`` still catches it;
    the message starts with ``SessionLost:``, which the Allure categories match.
    """

    def __init__(self, host: str, what: str, cause: str) -> None:
        super().__init__(f"SessionLost: {host}: {what}: {cause}", lost=True)
        self.host = host
        self.what = what
        self.cause = cause


class ProbeTimeout(DriverError):
    """A call did not finish in time.  The session is marked dead and the call is not replayed.

    The message starts with ``ProbeTimeout:``, which the Allure categories match.
    """

    def __init__(self, host: str, what: str, timeout: float) -> None:
        super().__init__(
            f"ProbeTimeout: {host}: {what} did not answer within {timeout:g} s (the session will be re-opened)"
        )
        self.host = host
        self.what = what
        self.timeout = timeout


class ProbeError(DriverError):
    """A probe function failed on the host; carries its error records."""

    def __init__(self, host: str, function: str, errors: list[ErrorRecord]) -> None:
        first = errors[0].message if errors else "no error record"
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{host}: {function} failed: {first}{more}")
        self.host = host
        self.function = function
        self.errors = list(errors)

    @property
    def error_ids(self) -> list[str]:
        return [e.fully_qualified_error_id for e in self.errors]


class HostLost(SessionLost):
    """The host stopped answering: every later call to it fails at once with this one line.

    The message starts with ``HostLost:``; it is a :class:`SessionLost`, so code that handles a
    lost session handles it too.
    """

    def __init__(self, host: str, cause: str) -> None:
        TransportError.__init__(self, f"HostLost: {host} stopped answering: {cause}", lost=True)
        self.host = host
        self.what = "the host"
        self.cause = cause
