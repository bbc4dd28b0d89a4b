"""How the Docker Engine API answers a failed dockerd call: the one table from error kind to HTTP status.

The kinds are moby's ``errdefs`` classes; the statuses are what moby's ``httpstatus`` maps them to.

>>> error_response(DockerError(ErrorKind.NOT_FOUND, "No such container: web")).status
404
"""

from __future__ import annotations

from winsim.docker_api.protocol import Response
from winsim.model import DockerError, ErrorKind

HTTP_STATUS: dict[ErrorKind, int] = {
    ErrorKind.NOT_MODIFIED: 304,
    ErrorKind.INVALID_PARAMETER: 400,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.SYSTEM: 500,
    ErrorKind.UNAVAILABLE: 503,
}


def error_response(exc: DockerError) -> Response:
    """The reply for ``exc``: ``{"message": ...}`` with its status; a 304 has no body."""
    status = HTTP_STATUS[exc.kind]
    return Response(status) if status == 304 else Response(status, {"message": exc.message})
