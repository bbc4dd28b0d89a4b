"""WS-Management faults in the shape Windows' WinRM service sends them.

pywinrm recognises a fault by the SOAP ``Code/Subcode`` values and the ``WSManFault Code``
attribute (2150858793 turns into ``WinRMOperationTimeoutError``).  Codes marked INFERRED
were not captured from a real host; they are data here so they are easy to correct.

>>> raise shell_not_found("0A1B...")   # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

WSMAN_FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ADDRESSING_FAULT_ACTION = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"

SENDER = "s:Sender"
RECEIVER = "s:Receiver"


@dataclass
class WSManFault(Exception):
    """A fault to send back; raised anywhere below the HTTP layer, rendered by :mod:`.soap`."""

    code: str  # s:Sender | s:Receiver
    subcode: str  # e.g. w:TimedOut
    reason: str
    wsman_code: int  # WSManFault/@Code (an HRESULT as unsigned decimal)
    http_status: int = 500
    action: str = WSMAN_FAULT_ACTION
    detail: str | None = None  # w:FaultDetail URI, when Windows adds one

    def __str__(self) -> str:
        return f"{self.subcode} ({self.wsman_code}): {self.reason}"


# -- the catalogue -------------------------------------------------------------------------------


def operation_timed_out() -> WSManFault:
    return WSManFault(
        RECEIVER,
        "w:TimedOut",
        "The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ",
        2150858793,
    )


def shell_not_found(shell_id: str) -> WSManFault:
    return WSManFault(
        SENDER,
        "w:InvalidSelectors",
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not found "
        "on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer exists on "
        "the server. Provide the correct ShellId or create a new shell and retry the operation. ",
        2150858843,
        detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/InvalidValue",
    )


def command_not_found(shell_id: str, command_id: str) -> WSManFault:  # INFERRED code and wording
    return WSManFault(
        SENDER,
        "w:InvalidParameter",
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the command with "
        f"CommandId {command_id} was not found. ",
        2150858862,
    )


def shell_quota_exceeded(limit: int) -> WSManFault:  # code 0x803381A5 INFERRED
    return WSManFault(
        SENDER,
        "w:QuotaLimit",
        f"The WS-Management service cannot process the request. This user is allowed a maximum number of {limit} "
        "concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. ",
        2150859173,
    )


def process_quota_exceeded(limit: int) -> WSManFault:  # INFERRED code
    return WSManFault(
        SENDER,
        "w:QuotaLimit",
        f"The WS-Management service cannot process the request. This shell is allowed a maximum number of {limit} "
        "concurrent processes, which has been exceeded. ",
        2150859174,
    )


def envelope_too_large(size: int, limit: int) -> WSManFault:  # INFERRED code
    return WSManFault(
        SENDER,
        "w:EncodingLimit",
        f"The WS-Management service cannot process the request because the request packet size ({size} bytes) "
        f"exceeds the maximum envelope size ({limit} bytes). ",
        2150858817,
        detail="http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/ServiceEnvelopeLimit",
    )


def malformed_xml(why: str) -> WSManFault:  # INFERRED code
    return WSManFault(
        SENDER,
        "w:SchemaValidationError",
        f"The WS-Management service cannot process the request because the XML is invalid: {why}. ",
        2150858819,
        http_status=400,
    )


def schema_validation(what: str) -> WSManFault:  # INFERRED code
    return WSManFault(
        SENDER,
        "w:SchemaValidationError",
        f"The SOAP XML in the message does not match the corresponding XML schema definition: {what}. "
        "Change the XML and retry. ",
        2150858819,
    )


def action_not_supported(action: str) -> WSManFault:
    return WSManFault(
        SENDER,
        "a:ActionNotSupported",
        f"The action is not supported by the service: {action}. ",
        2150858771,
        action=ADDRESSING_FAULT_ACTION,
    )


def resource_not_found(uri: str) -> WSManFault:
    return WSManFault(
        SENDER,
        "w:DestinationUnreachable",
        f"The WS-Management service cannot process the request. The resource URI {uri} was not found in the "
        "WS-Management catalog. ",
        2150858752,
    )
