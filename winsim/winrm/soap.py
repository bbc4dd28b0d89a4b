"""Parse WS-Management request envelopes and render response and fault envelopes.

Parsing goes through defusedxml (no DTDs, no entity expansion), so a hostile envelope gets a
fault rather than a billion laughs.  Only what the shell operations need is extracted.

>>> req = parse_request(body)                               # doctest: +SKIP
>>> req.action, req.shell_id, req.operation_timeout         # doctest: +SKIP
('http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive', '5C6E...', 20.0)
"""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from winsim.winrm import faults
from winsim.winrm.faults import WSManFault

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?)?$")


def parse_duration(text: str) -> float:
    """Seconds in an xs:duration such as ``PT20S`` or ``PT1M30.5S``; ValueError otherwise."""
    match = _DURATION.match(text.strip())
    if not match or text.strip() in ("P", "PT"):
        raise ValueError(f"not an xs:duration: {text!r}")
    days, hours, minutes, seconds = match.groups()
    return int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)


@dataclass
class Request:
    """The parts of one WS-Man request the shell operations use."""

    action: str
    message_id: str
    resource_uri: str
    body: ET.Element
    shell_id: str | None = None
    operation_timeout: float | None = None
    max_envelope_size: int | None = None
    options: dict[str, str] = field(default_factory=dict)


def _tag(prefix: str, local: str) -> str:
    return f"{{{NS[prefix]}}}{local}"


def parse_request(data: bytes) -> Request:
    """Parse an envelope; raise :class:`WSManFault` naming what is wrong."""
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise faults.malformed_xml(f"forbidden XML construct ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise faults.malformed_xml(f"not well-formed ({exc})") from None
    if root.tag != _tag("s", "Envelope"):
        raise faults.malformed_xml(f"root element is {root.tag}, not a SOAP 1.2 Envelope")
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise faults.schema_validation("the Envelope needs a Header and a Body")

    def text(path: str) -> str | None:
        node = header.find(path, NS)
        return node.text.strip() if node is not None and node.text else None

    action = text("a:Action")
    if not action:
        raise faults.schema_validation("the a:Action header is missing")
    message_id = text("a:MessageID")
    if not message_id:
        raise faults.schema_validation("the a:MessageID header is missing")
    req = Request(action=action, message_id=message_id, resource_uri=text("w:ResourceURI") or "", body=body)

    timeout = text("w:OperationTimeout")
    if timeout is not None:
        try:
            req.operation_timeout = parse_duration(timeout)
        except ValueError:
            raise faults.schema_validation(f"w:OperationTimeout {timeout!r} is not an xs:duration") from None
    size = text("w:MaxEnvelopeSize")
    if size is not None:
        if not size.isdigit():
            raise faults.schema_validation(f"w:MaxEnvelopeSize {size!r} is not a number")
        req.max_envelope_size = int(size)
    for selector in header.findall("w:SelectorSet/w:Selector", NS):
        if selector.get("Name") == "ShellId" and selector.text:
            req.shell_id = selector.text.strip()
    for option in header.findall("w:OptionSet/w:Option", NS):
        name = option.get("Name")
        if name:
            req.options[name] = (option.text or "").strip()
    return req


# -- rendering ------------------------------------------------------------------------------------

_ENVELOPE_NS = " ".join(f'xmlns:{p}="{uri}"' for p, uri in NS.items() if p != "f")


def envelope(action: str, relates_to: str | None, body: str) -> bytes:
    """A response envelope around ``body`` (already-escaped XML)."""
    relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
    return (
        f'<s:Envelope xml:lang="en-US" {_ENVELOPE_NS}><s:Header>'
        f"<a:Action>{escape(action)}</a:Action>"
        f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
        f"<a:To>{ANONYMOUS}</a:To>{relates}"
        f"</s:Header><s:Body>{body}</s:Body></s:Envelope>"
    ).encode()


def fault_envelope(fault: WSManFault, relates_to: str | None, machine: str) -> bytes:
    detail = f"<w:FaultDetail>{escape(fault.detail)}</w:FaultDetail>" if fault.detail else ""
    body = (
        "<s:Fault>"
        f"<s:Code><s:Value>{fault.code}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value></s:Subcode></s:Code>"
        f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
        "<s:Detail>"
        f'<f:WSManFault xmlns:f="{NS["f"]}" Code="{fault.wsman_code}" Machine={quoteattr(machine)}>'
        f"<f:Message>{escape(fault.reason)}</f:Message></f:WSManFault>{detail}"
        "</s:Detail></s:Fault>"
    )
    return envelope(fault.action, relates_to, body)


def attr(value: str) -> str:
    return quoteattr(value)


def text(value: str) -> str:
    return escape(value)
