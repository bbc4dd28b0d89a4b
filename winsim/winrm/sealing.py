"""MS-WSMV message encryption over HTTP: the ``multipart/encrypted`` body both sides exchange.

One part announces ``application/HTTP-SPNEGO-session-encrypted`` and the plain length, the next
carries ``<4-byte LE signature length><signature><sealed SOAP>``.  The sealing itself belongs
to the connection's NTLM context (:class:`~winsim.winrm.auth.NTLMAcceptor`).

>>> body, content_type = seal(acceptor, b"<s:Envelope/>")   # doctest: +SKIP
>>> unseal(acceptor, content_type, body)                     # doctest: +SKIP
b'<s:Envelope/>'
"""

from __future__ import annotations

import re
import struct

from winsim.winrm.auth import NTLMAcceptor

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = b"--Encrypted Boundary"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_LENGTH = re.compile(rb"Length=(\d+)")
_OCTET_HEADER = b"\tContent-Type: application/octet-stream\r\n"


class SealingError(ValueError):
    """The encrypted body is not in the MS-WSMV shape or does not verify."""


def is_sealed(content_type: str) -> bool:
    ctype = content_type.lower()
    return ctype.startswith("multipart/encrypted") and PROTOCOL.lower() in ctype


def seal(context: NTLMAcceptor, message: bytes) -> tuple[bytes, str]:
    """The sealed body for ``message`` and the Content-Type to send it with."""
    signature, sealed = context.wrap(message)
    body = (
        BOUNDARY + b"\r\n"
        b"\tContent-Type: " + PROTOCOL.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(message)).encode()
        + b"\r\n"
        + BOUNDARY
        + b"\r\n"
        + _OCTET_HEADER
        + struct.pack("<I", len(signature))
        + signature
        + sealed
        + BOUNDARY
        + b"--\r\n"
    )
    return body, CONTENT_TYPE


def unseal(context: NTLMAcceptor, body: bytes) -> bytes:
    """The plain SOAP message in a sealed request body; :class:`SealingError` if malformed."""
    head_start = body.find(BOUNDARY + b"\r\n")
    if head_start < 0:
        raise SealingError("no MIME boundary in the encrypted body")
    head_end = body.find(BOUNDARY + b"\r\n", head_start + len(BOUNDARY))
    if head_end < 0:
        raise SealingError("the encrypted body has no data part")
    header = body[head_start:head_end]
    length = _LENGTH.search(header)
    if PROTOCOL.encode() not in header or not length:
        raise SealingError("the encrypted body does not announce its protocol and length")
    payload = body[head_end + len(BOUNDARY) + 2 :]
    if not payload.startswith(_OCTET_HEADER):
        raise SealingError("the data part is not application/octet-stream")
    payload = payload[len(_OCTET_HEADER) :]
    trailer = BOUNDARY + b"--\r\n"
    if payload.endswith(trailer):
        payload = payload[: -len(trailer)]
    if len(payload) < 4:
        raise SealingError("the data part is truncated")
    (sig_len,) = struct.unpack("<I", payload[:4])
    if sig_len != 16 or len(payload) < 4 + sig_len:
        raise SealingError(f"unexpected signature length {sig_len}")
    message = context.unwrap(payload[4 : 4 + sig_len], payload[4 + sig_len :])
    if len(message) != int(length.group(1)):
        raise SealingError("the decrypted length differs from the announced length")
    return message
