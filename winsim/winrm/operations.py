"""The WinRS shell operations of WS-Management: Create, Command, Send, Receive, Signal, Delete.

Each handler takes a parsed :class:`~winsim.winrm.soap.Request` and the authenticated user and
returns the response envelope; problems are raised as :class:`~winsim.winrm.faults.WSManFault`.

>>> ops = Operations(shells, machine="ws2022-sim")       # doctest: +SKIP
>>> ops.handle(parse_request(body), user="administrator")  # doctest: +SKIP
b'<s:Envelope ...'
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from winsim.winrm import faults
from winsim.winrm.shells import Shell, ShellManager
from winsim.winrm.soap import NS, Request, attr, envelope, parse_duration, text

SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
CMD_RESOURCE = f"{SHELL_URI}/cmd"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
ACTION_CREATE = f"{TRANSFER}/Create"
ACTION_DELETE = f"{TRANSFER}/Delete"
ACTION_COMMAND = f"{SHELL_URI}/Command"
ACTION_SEND = f"{SHELL_URI}/Send"
ACTION_RECEIVE = f"{SHELL_URI}/Receive"
ACTION_SIGNAL = f"{SHELL_URI}/Signal"
SIGNAL_TERMINATE = f"{SHELL_URI}/signal/terminate"
SIGNAL_CTRL_C = f"{SHELL_URI}/signal/ctrl_c"
STATE_DONE = f"{SHELL_URI}/CommandState/Done"
STATE_RUNNING = f"{SHELL_URI}/CommandState/Running"

# Room left in a Receive response for the envelope around the base64 streams.
_ENVELOPE_OVERHEAD = 4096


def cmd_shell_line(command_line: str) -> str:
    """How WinRS runs a command when WINRS_SKIP_CMD_SHELL is false (INFERRED: no extra quoting)."""
    return f"cmd.exe /c {command_line}"


def _flag(value: str | None, default: bool) -> bool:
    return default if value is None else value.strip().upper() == "TRUE"


class Operations:
    def __init__(self, shells: ShellManager, machine: str, address: str = "") -> None:
        self.shells = shells
        self.machine = machine
        self.address = address  # the endpoint URL echoed in Create's ResourceCreated
        self._handlers: dict[str, Callable[[Request, Shell], str]] = {
            ACTION_DELETE: self._delete,
            ACTION_COMMAND: self._command,
            ACTION_SEND: self._send,
            ACTION_RECEIVE: self._receive,
            ACTION_SIGNAL: self._signal,
        }

    def handle(self, req: Request, user: str) -> bytes:
        handler = self._handlers.get(req.action)
        if handler is None and req.action != ACTION_CREATE:
            raise faults.action_not_supported(req.action)
        if req.resource_uri.rstrip("/").lower() != CMD_RESOURCE:
            raise faults.resource_not_found(req.resource_uri or "(none)")
        if handler is None:
            body = self._create(req, user)
        else:
            # the shell is resolved (and kept from idling out) before the body is looked at
            if not req.shell_id:
                raise faults.schema_validation("the request needs a ShellId selector")
            with _ShellUse(self.shells, req.shell_id) as shell:
                body = handler(req, shell)
        return envelope(f"{req.action}Response", req.message_id, body)

    # -- shell lifetime ----------------------------------------------------------------------------

    def _create(self, req: Request, user: str) -> str:
        spec = req.body.find("rsp:Shell", NS)
        if spec is None:
            raise faults.schema_validation("Create needs an rsp:Shell element in the Body")
        idle: float | None = None
        idle_text = spec.findtext("rsp:IdleTimeOut", default=None, namespaces=NS)
        if idle_text is not None:
            try:
                idle = parse_duration(idle_text)
            except ValueError:
                raise faults.schema_validation(
                    f"rsp:IdleTimeOut {idle_text!r} is not an xs:duration"
                ) from None
        env = {
            var.get("Name", ""): var.text or ""
            for var in spec.findall("rsp:Environment/rsp:Variable", NS)
            if var.get("Name")
        }
        codepage_text = req.options.get("WINRS_CODEPAGE", "437")
        if not codepage_text.isdigit():
            raise faults.schema_validation(f"WINRS_CODEPAGE {codepage_text!r} is not a number")
        shell = self.shells.create(
            owner=user,
            idle_timeout=idle,
            env=env,
            cwd=spec.findtext("rsp:WorkingDirectory", default=None, namespaces=NS),
            codepage=int(codepage_text),
            noprofile=_flag(req.options.get("WINRS_NOPROFILE"), False),
        )
        return (
            f"<x:ResourceCreated><a:Address>{text(self.address)}</a:Address><a:ReferenceParameters>"
            f"<w:ResourceURI>{CMD_RESOURCE}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell.id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters></x:ResourceCreated>"
            f"<rsp:Shell><rsp:ShellId>{shell.id}</rsp:ShellId><rsp:ResourceUri>{CMD_RESOURCE}</rsp:ResourceUri>"
            f"<rsp:Owner>{text(user)}</rsp:Owner><rsp:IdleTimeOut>PT{shell.idle_timeout:.3f}S</rsp:IdleTimeOut>"
            "<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            "</rsp:Shell>"
        )

    def _delete(self, req: Request, shell: Shell) -> str:
        self.shells.delete(shell.id)
        return ""

    # -- commands ----------------------------------------------------------------------------------

    def _command(self, req: Request, shell: Shell) -> str:
        line = req.body.find("rsp:CommandLine", NS)
        command = line.findtext("rsp:Command", default=None, namespaces=NS) if line is not None else None
        if line is None or command is None or not command.strip():
            raise faults.schema_validation("Command needs rsp:CommandLine/rsp:Command")
        # WinRS joins the command and each rsp:Arguments element with single spaces.
        parts = [command.strip()] + [(arg.text or "") for arg in line.findall("rsp:Arguments", NS)]
        command_line = " ".join(p for p in parts if p)
        if not _flag(req.options.get("WINRS_SKIP_CMD_SHELL"), False):
            command_line = cmd_shell_line(command_line)
        started = self.shells.start_command(shell, command_line)
        return f"<rsp:CommandResponse><rsp:CommandId>{started.id}</rsp:CommandId></rsp:CommandResponse>"

    def _send(self, req: Request, shell: Shell) -> str:
        streams = req.body.findall("rsp:Send/rsp:Stream", NS)
        if not streams:
            raise faults.schema_validation("Send needs rsp:Send/rsp:Stream")
        for stream in streams:
            if stream.get("Name", "stdin") != "stdin":
                raise faults.schema_validation(f"Send stream {stream.get('Name')!r} is not an input stream")
            data = _b64(stream.text or "", "rsp:Stream")
            end = stream.get("End", "false").lower() == "true"
            self.shells.send(shell, stream.get("CommandId", ""), data, end)
        return "<rsp:SendResponse/>"

    def _receive(self, req: Request, shell: Shell) -> str:
        desired = req.body.find("rsp:Receive/rsp:DesiredStream", NS)
        if desired is None or not desired.get("CommandId"):
            raise faults.schema_validation("Receive needs rsp:Receive/rsp:DesiredStream with a CommandId")
        command_id = desired.get("CommandId", "")
        limit = self.shells.config.max_operation_timeout
        timeout = min(req.operation_timeout if req.operation_timeout is not None else limit, limit)
        max_env = req.max_envelope_size or self.shells.config.max_envelope_size
        max_bytes = max(1024, (max_env - _ENVELOPE_OVERHEAD) * 3 // 4)
        chunk = self.shells.receive(shell, command_id, timeout, max_bytes)
        cid = attr(command_id)
        done = chunk.exit_code is not None
        end = ' End="true"' if done else ""
        parts = ["<rsp:ReceiveResponse>"]
        for name, data in (("stdout", chunk.stdout), ("stderr", chunk.stderr)):
            if data:
                parts.append(
                    f'<rsp:Stream Name="{name}" CommandId={cid}>{base64.b64encode(data).decode()}</rsp:Stream>'
                )
            if done:
                parts.append(f'<rsp:Stream Name="{name}" CommandId={cid}{end}></rsp:Stream>')
        if done:
            code = (chunk.exit_code or 0) & 0xFFFFFFFF  # a DWORD on the wire
            parts.append(
                f'<rsp:CommandState CommandId={cid} State="{STATE_DONE}"><rsp:ExitCode>{code}</rsp:ExitCode></rsp:CommandState>'
            )
        else:
            parts.append(f'<rsp:CommandState CommandId={cid} State="{STATE_RUNNING}"/>')
        parts.append("</rsp:ReceiveResponse>")
        return "".join(parts)

    def _signal(self, req: Request, shell: Shell) -> str:
        signal = req.body.find("rsp:Signal", NS)
        if signal is None or not signal.get("CommandId"):
            raise faults.schema_validation("Signal needs rsp:Signal with a CommandId")
        code = (signal.findtext("rsp:Code", default="", namespaces=NS) or "").strip()
        if code not in (SIGNAL_TERMINATE, SIGNAL_CTRL_C):
            raise faults.schema_validation(f"unknown signal code {code!r}")
        self.shells.signal(shell, signal.get("CommandId", ""), remove=code == SIGNAL_TERMINATE)
        return "<rsp:SignalResponse/>"


class _ShellUse:
    """``with`` block that keeps a shell from idling out while a request works on it."""

    def __init__(self, shells: ShellManager, shell_id: str) -> None:
        self._shells = shells
        self._shell_id = shell_id
        self._shell: Shell | None = None

    def __enter__(self) -> Shell:
        self._shell = self._shells.use(self._shell_id)
        return self._shell

    def __exit__(self, *exc: object) -> None:
        if self._shell is not None:
            self._shells.release(self._shell)


def _b64(data: str, where: str) -> bytes:
    try:
        return base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise faults.schema_validation(f"{where} content is not base64") from None
