r"""``Get-WinEvent``: records of the host's event logs, newest first.

>>> # PS> Get-WinEvent -FilterHashtable @{LogName='Microsoft-Windows-Hyper-V-Compute-Operational'} -MaxEvents 5
>>> # PS> Get-WinEvent -LogName Application -FilterXPath "*[System[Provider[@Name='docker'] and (EventRecordID > 41)]]"

No matching record is the error "No events were found that match the specified selection
criteria." (NoMatchingEventsFound); an unknown log is NoMatchingLogsFound.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from winsim.model.eventlog import HCS_OPERATIONAL, EventRecord
from winsim.powershell import dates
from winsim.powershell.hostcommands._common import matches, not_modeled
from winsim.powershell.objects import PSObject
from winsim.powershell.registry import Invocation, Param, PSError, cmdlet
from winsim.powershell.values import as_list, to_int, to_string

RECORD_TYPE = "System.Diagnostics.Eventing.Reader.EventLogRecord"
GET_WINEVENT = "Microsoft.PowerShell.Commands.GetWinEventCommand"
# Logs every Windows Server container host has, even while empty (INFERRED minimal set).
STANDARD_LOGS = (
    "Application",
    "System",
    "Security",
    "Windows PowerShell",
    "Microsoft-Windows-Hyper-V-Compute-Admin",
    HCS_OPERATIONAL,
)
PROVIDER_GUIDS = {"Microsoft-Windows-Hyper-V-Compute": "17103e3f-3c6e-4677-bb17-3b267eb5be57"}
# FilterHashtable keys winsim filters on (case-insensitive); others get a "does not model" error.
US_DATE_FORMAT = "%m/%d/%Y %I:%M:%S %p"  # [datetime] as text on an en-US host
KNOWN_KEYS = ("LogName", "ProviderName", "Id", "Level", "StartTime", "EndTime")


def event_object(rec: EventRecord, machine: str) -> PSObject:
    props: dict[str, Any] = {
        "Message": rec.message,
        "Id": rec.id,
        "Version": 0,
        "Level": rec.level,
        "RecordId": rec.record_id,
        "ProviderName": rec.provider_name,
        "ProviderId": PROVIDER_GUIDS.get(rec.provider_name),
        "LogName": rec.log_name,
        "MachineName": machine,
        "TimeCreated": dates.local(rec.time_created),  # EventRecord.TimeCreated is Local
        "LevelDisplayName": rec.level_display_name,
        "Properties": [
            PSObject.of("System.Diagnostics.Eventing.Reader.EventProperty", {"Value": rec.system_id})
        ]
        if rec.system_id
        else [],
    }
    obj = PSObject(
        [RECORD_TYPE, "System.Diagnostics.Eventing.Reader.EventRecord", "System.Object"],
        props,
        ["TimeCreated", "Id", "LevelDisplayName", "Message"],
        "table",
    )
    obj.methods["toxml"] = lambda args: event_xml(rec, machine)
    return obj


def event_xml(rec: EventRecord, machine: str) -> str:
    """``EventRecord.ToXml()``: the System section, and for HCS events the UserData with the
    SystemId (windows-internals.md §5.9, event 2010)."""
    provider_guid = PROVIDER_GUIDS.get(rec.provider_name)
    guid_attr = f" Guid='{{{provider_guid}}}'" if provider_guid else ""
    stamp = rec.time_created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    user_data = (
        "<UserData><VmlEventLog xmlns='http://www.microsoft.com/Windows/Virtualization/Events'>"
        f"<SystemId>{escape(rec.system_id)}</SystemId></VmlEventLog></UserData>"
        if rec.system_id
        else f"<EventData><Data>{escape(rec.message)}</Data></EventData>"
    )
    return (
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        f"<Provider Name='{escape(rec.provider_name)}'{guid_attr}/><EventID>{rec.id}</EventID><Version>0</Version>"
        f"<Level>{rec.level}</Level><TimeCreated SystemTime='{stamp}'/><EventRecordID>{rec.record_id}</EventRecordID>"
        f"<Channel>{escape(rec.log_name)}</Channel><Computer>{escape(machine)}</Computer></System>"
        f"{user_data}</Event>"
    )


def _no_events() -> PSError:
    return PSError(
        "No events were found that match the specified selection criteria.",
        f"NoMatchingEventsFound,{GET_WINEVENT}",
        "ObjectNotFound",
        exception_type="System.Exception",
    )


def _no_log(name: str) -> PSError:
    return PSError(
        f'There is not an event log on the localhost computer that matches "{name}".',
        f"NoMatchingLogsFound,{GET_WINEVENT}",
        "ObjectNotFound",
        target=name,
        exception_type="System.Exception",
    )


def _time(value: Any, key: str) -> datetime:
    """A StartTime/EndTime value: a datetime, or text in ISO or en-US (``11/27/2026 9:03:12 PM``) form."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = to_string(value).strip()
    for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, US_DATE_FORMAT)):
        try:
            parsed = parse(text)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise PSError(
        f'Cannot convert value "{text}" of the {key} key to type "System.DateTime".',
        f"InvalidCastParseTargetInvocation,{GET_WINEVENT}",
        "InvalidArgument",
        terminating=True,
    )


def _filter(records: list[EventRecord], table: dict[str, Any]) -> list[EventRecord]:
    keys = {str(k).casefold(): v for k, v in table.items()}
    for key in keys:
        if key not in {k.casefold() for k in KNOWN_KEYS}:
            raise not_modeled(f"the FilterHashtable key '{key}'")
    out = records
    if "providername" in keys:
        out = [
            r for r in out if matches(r.provider_name, [to_string(v) for v in as_list(keys["providername"])])
        ]
    if "id" in keys:
        ids = {to_int(v) for v in as_list(keys["id"])}
        out = [r for r in out if r.id in ids]
    if "level" in keys:
        levels = {to_int(v) for v in as_list(keys["level"])}
        out = [r for r in out if r.level in levels]
    if "starttime" in keys:
        start = _time(keys["starttime"], "StartTime")
        out = [r for r in out if r.time_created >= start]
    if "endtime" in keys:
        end = _time(keys["endtime"], "EndTime")
        out = [r for r in out if r.time_created <= end]
    return out


# The structured XPath 1.0 subset the event log accepts (Event Selection): ``*[System[...]]`` with
# terms joined by ``and``.  winsim reads the terms a script selects records by; others are refused.
_XPATH = re.compile(r"^\s*\*\s*\[\s*System\s*\[(?P<terms>.*)\]\s*\]\s*$", re.S)
_XPATH_PROVIDER = re.compile(r"^Provider\s*\[\s*@Name\s*=\s*(['\"])(?P<name>[^'\"]*)\1\s*\]$")
_XPATH_COMPARE = re.compile(
    r"^(?P<field>EventRecordID|EventID|Level)\s*(?P<op><=|>=|!=|=|<|>)\s*(?P<value>\d+)$"
)
_OPS: dict[str, Callable[[int, int], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _provider_is(name: str) -> Callable[[EventRecord], bool]:
    return lambda r: r.provider_name.casefold() == name.casefold()


def _compares(field: str, op: Callable[[int, int], bool], value: int) -> Callable[[EventRecord], bool]:
    return lambda r: op(int(getattr(r, field)), value)


def _xpath_filter(query: str) -> Callable[[EventRecord], bool]:
    """A predicate for ``*[System[Provider[@Name='x'] and (EventRecordID > n)]]`` and the like."""
    whole = _XPATH.match(query)
    if whole is None:
        raise not_modeled(f"the event query '{query}'")
    tests: list[Callable[[EventRecord], bool]] = []
    for raw in re.split(r"\s+and\s+", whole.group("terms").strip()):
        term = raw.strip()
        while term.startswith("(") and term.endswith(")"):
            term = term[1:-1].strip()
        provider = _XPATH_PROVIDER.match(term)
        compare = _XPATH_COMPARE.match(term)
        if provider is not None:
            tests.append(_provider_is(provider.group("name")))
        elif compare is not None:
            field = {"EventRecordID": "record_id", "EventID": "id", "Level": "level"}[compare.group("field")]
            tests.append(_compares(field, _OPS[compare.group("op")], int(compare.group("value"))))
        else:
            raise not_modeled(f"the event query term '{term}'")
    return lambda r: all(t(r) for t in tests)


@cmdlet(
    "Get-WinEvent",
    Param("LogName", position=0, type="string[]"),
    Param("FilterHashtable", type="object"),
    Param("ProviderName", type="string[]"),
    Param("MaxEvents", type="int"),
    Param("Oldest", switch=True),
    Param("FilterXPath", type="string"),
)
def get_win_event(inv: Invocation) -> Iterable[PSObject]:
    events = inv.host.model.events
    known = {n.casefold(): n for n in (*STANDARD_LOGS, *events.log_names())}
    selections: list[tuple[list[str], dict[str, Any]]] = []
    if "FilterHashtable" in inv.args:
        for table in as_list(inv.args["FilterHashtable"]):
            if not isinstance(table, dict):
                raise PSError(
                    f"Cannot bind parameter 'FilterHashtable'. Cannot convert the \"{to_string(table)}\" value of type "
                    '"System.String" to type "System.Collections.Hashtable".',
                    "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.GetWinEventCommand",
                    "InvalidArgument",
                    terminating=True,
                    exception_type="System.Management.Automation.ParameterBindingException",
                )
            logs = next((as_list(v) for k, v in table.items() if str(k).casefold() == "logname"), [])
            selections.append(([to_string(v) for v in logs], table))
    elif "LogName" in inv.args:
        selections.append(([to_string(v) for v in as_list(inv.args["LogName"])], {}))
    elif "ProviderName" in inv.args:
        selections.append(([], {"ProviderName": inv.args["ProviderName"]}))
    else:
        raise PSError(
            "Cannot process command because of one or more missing mandatory parameters: LogName.",
            "MissingMandatoryParameter,Microsoft.PowerShell.Commands.GetWinEventCommand",
            "InvalidArgument",
            terminating=True,
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    if "FilterXPath" in inv.args and ("FilterHashtable" in inv.args or "LogName" not in inv.args):
        raise PSError(
            "Parameter set cannot be resolved using the specified named parameters.",
            "AmbiguousParameterSet,Microsoft.PowerShell.Commands.GetWinEventCommand",
            "InvalidArgument",
            terminating=True,
            exception_type="System.Management.Automation.ParameterBindingException",
        )
    selected = _xpath_filter(to_string(inv.args["FilterXPath"])) if "FilterXPath" in inv.args else None
    found: dict[tuple[str, int], EventRecord] = {}  # record ids are per log
    for logs, table in selections:
        names: list[str] = []
        for pattern in logs:
            hits = [real for low, real in known.items() if matches(real, [pattern])]
            if not hits:
                raise _no_log(pattern)
            names.extend(hits)
        pool = [r for name in names for r in events.records(name)] if logs else events.records()
        for rec in _filter(pool, table):
            if selected is None or selected(rec):
                found[(rec.log_name.casefold(), rec.record_id)] = rec
    ordered = sorted(
        found.values(), key=lambda r: (r.time_created, r.record_id), reverse=not inv.switch("Oldest")
    )
    if "MaxEvents" in inv.args:
        ordered = ordered[: max(0, to_int(inv.args["MaxEvents"]))]
    if not ordered:
        raise _no_events()
    machine = inv.host.name
    return [event_object(r, machine) for r in ordered]
