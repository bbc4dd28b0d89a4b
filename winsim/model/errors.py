"""Errors the simulated Windows components return, with the codes and texts Windows uses.

Each class renders its message the way the real caller prints it, so protocol layers can pass
``str(exc)`` through unchanged:

>>> str(HcsError.of(HCS_E_SYSTEM_NOT_FOUND, "hcsshim::OpenComputeSystem", "abc"))
'hcsshim::OpenComputeSystem abc: A virtual machine or container with the specified identifier does not exist.'
"""

from __future__ import annotations

from enum import Enum
from typing import Any

# HRESULTs (winerror.h / hcsshim internal/hcs/errors.go).  Messages are the system texts.
HCS_E_SYSTEM_NOT_FOUND = 0xC037010E
HCS_E_SYSTEM_ALREADY_EXISTS = 0xC037010F
HCS_E_SYSTEM_ALREADY_STOPPED = 0xC0370110
HCS_E_INVALID_STATE = 0xC0370105
HCS_E_INVALID_JSON = 0xC037010D
HCS_E_PROCESS_ALREADY_STOPPED = 0x8037011F
HCS_E_IMAGE_MISMATCH = 0xC0370101
# golang.org/x/sys/windows zerrors_windows.go (HCS_E_HYPERV_NOT_INSTALLED); its text from daemons on hosts
# without the Hyper-V role (tests/fidelity/samples/error-hyperv-not-installed-*.txt)
HCS_E_HYPERV_NOT_INSTALLED = 0x80370102
E_NOT_FOUND = 0x80070490
E_FILE_NOT_FOUND = 0x80070002
E_PATH_NOT_FOUND = 0x80070003
E_INVALID_PARAMETER = 0x80070057
E_ALREADY_EXISTS = 0x800700B7
E_SHARING_VIOLATION = 0x80070020  # ERROR_SHARING_VIOLATION (32)
E_FAIL = 0x80004005

MESSAGES: dict[int, str] = {
    HCS_E_SYSTEM_NOT_FOUND: "A virtual machine or container with the specified identifier does not exist.",
    HCS_E_SYSTEM_ALREADY_EXISTS: "A virtual machine or container with the specified identifier already exists.",
    HCS_E_SYSTEM_ALREADY_STOPPED: "The virtual machine or container with the specified identifier is not running.",
    HCS_E_INVALID_STATE: "The requested compute system operation is not valid in the current state.",
    HCS_E_INVALID_JSON: "The virtual machine or container JSON document is invalid.",
    HCS_E_PROCESS_ALREADY_STOPPED: "The process has already exited.",
    # tests/fidelity/samples/error-os-mismatch-*.txt: the text from 1809 on; older builds said
    # IMAGE_MISMATCH_TEXT_BEFORE_1809 (the 17133 sample)
    HCS_E_IMAGE_MISMATCH: "The container operating system does not match the host operating system.",
    HCS_E_HYPERV_NOT_INSTALLED: "The virtual machine could not be started because a required feature is not installed.",
    E_NOT_FOUND: "Element not found.",
    E_FILE_NOT_FOUND: "The system cannot find the file specified.",
    E_PATH_NOT_FOUND: "The system cannot find the path specified.",
    E_INVALID_PARAMETER: "The parameter is incorrect.",
    E_ALREADY_EXISTS: "Cannot create a file when that file already exists.",
    E_SHARING_VIOLATION: "The process cannot access the file because it is being used by another process.",
    E_FAIL: "Unspecified error",
}


IMAGE_MISMATCH_TEXT_BEFORE_1809 = (
    "The operating system of the container does not match the operating system of the host."
)


def signed32(hresult: int) -> int:
    """HRESULT as the signed int32 HCS puts in its result JSON (``"Error": -1070137083``)."""
    return hresult - (1 << 32) if hresult & 0x80000000 else hresult


class ModelError(Exception):
    """Base of every error the simulated host raises."""


class HcsError(ModelError):
    """A failed HCS call: ``<op> <id>: <message>`` like hcsshim's SystemError."""

    def __init__(self, hresult: int, message: str, op: str, subject: str) -> None:
        super().__init__(f"{op} {subject}: {message}" if subject else f"{op}: {message}")
        self.hresult = hresult
        self.message = message
        self.op = op
        self.subject = subject

    @classmethod
    def of(cls, hresult: int, op: str, subject: str) -> HcsError:
        return cls(hresult, MESSAGES[hresult], op, subject)

    def result_document(self) -> dict[str, Any]:
        """The ``result`` JSON HCS writes next to the HRESULT."""
        return {"Error": signed32(self.hresult), "ErrorMessage": self.message}


class LayerError(ModelError):
    """A failed vmcompute layer call: ``hcsshim::X failed in Win32: <text> (0x..)``."""

    def __init__(self, hresult: int, title: str) -> None:
        code = hresult & 0xFFFF if (hresult >> 16) & 0x1FFF == 7 else hresult
        super().__init__(f"{title} failed in Win32: {MESSAGES[hresult]} (0x{code:x})")
        self.hresult = hresult
        self.title = title


class HnsError(ModelError):
    """A failed HNSCall; ``str`` is the envelope's ``Error`` text."""

    def __init__(self, message: str, hresult: int = E_NOT_FOUND, call_fails: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.hresult = hresult
        # HNSCall itself returns ``hresult`` (no envelope): hcsshim then says "hnsCall failed in Win32"
        self.call_fails = call_fails


class ErrorKind(Enum):
    """What went wrong in a dockerd call, in moby's ``errdefs`` classes.

    The model says only the kind; each protocol maps it (the Docker API: ``docker_api.errors``).
    """

    NOT_FOUND = "not found"
    CONFLICT = "conflict"
    INVALID_PARAMETER = "invalid parameter"
    NOT_MODIFIED = "not modified"
    FORBIDDEN = "forbidden"
    UNAVAILABLE = "unavailable"
    SYSTEM = "system"


class DockerError(ModelError):
    """A failed dockerd call: its kind and dockerd's message.

    >>> DockerError(ErrorKind.NOT_FOUND, "No such container: web").kind
    <ErrorKind.NOT_FOUND: 'not found'>
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class DaemonNotRunning(ModelError):
    """dockerd is stopped or was killed: nothing answers on its socket."""


class DaemonStartError(ModelError):
    """dockerd refused to start (the message is dockerd's own)."""
