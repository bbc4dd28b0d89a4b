"""Get-WinEvent on the Hyper-V-Compute operational log: empty at boot, a record per compute-system step."""

from __future__ import annotations

import json

import pytest

from winsim.deviations import Deviation

SEED_QUERY = 'Get-WinEvent -Filterhashtable @{LogName="Microsoft-Windows-Hyper-V-Compute-Operational"}'
NO_EVENTS = "No events were found that match the specified selection criteria."


def _events(ps, script):
    result = ps(script + " | ConvertTo-Json -Compress")
    assert result.errors == [], result.error_text
    data = json.loads(result.objects[0])
    return data if isinstance(data, list) else [data]


def test_no_events_is_the_windows_error(ps):
    result = ps(SEED_QUERY)
    assert result.objects == []
    assert result.error_ids == ["NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"]
    assert result.errors[0].message == NO_EVENTS


def test_container_start_is_logged_newest_first(ps, start_container):
    c = start_container()
    events = _events(ps, SEED_QUERY)
    assert len(events) >= 2
    assert all(c.id in e["Message"] for e in events)
    assert [e["RecordId"] for e in events] == sorted((e["RecordId"] for e in events), reverse=True)
    for e in events:
        assert e["ProviderName"] == "Microsoft-Windows-Hyper-V-Compute"
        assert e["LogName"] == "Microsoft-Windows-Hyper-V-Compute-Operational"
        assert e["LevelDisplayName"] == "Information"
        assert e["TimeCreated"]
    system_id = ps(f"({SEED_QUERY})[0].Properties[0].Value").objects
    assert system_id == [c.id]


def test_default_view_columns(ps, start_container):
    start_container()
    lines = [line for line in ps(SEED_QUERY).text.splitlines() if line.strip()]
    assert lines[0].split() == ["TimeCreated", "Id", "LevelDisplayName", "Message"]


def test_max_events_and_oldest(ps, start_container):
    start_container()
    newest = _events(ps, "Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational -MaxEvents 1")
    oldest = _events(
        ps, "Get-WinEvent -LogName Microsoft-Windows-Hyper-V-Compute-Operational -MaxEvents 1 -Oldest"
    )
    assert len(newest) == len(oldest) == 1
    assert newest[0]["RecordId"] > oldest[0]["RecordId"]


def test_filter_by_id(ps, start_container):
    start_container()
    first = _events(ps, SEED_QUERY)[-1]
    log = "Microsoft-Windows-Hyper-V-Compute-Operational"
    hits = _events(ps, f'Get-WinEvent -FilterHashtable @{{LogName="{log}"; Id={first["Id"]}}}')
    assert {e["Id"] for e in hits} == {first["Id"]}


def test_unknown_log(ps):
    result = ps("Get-WinEvent -LogName No-Such-Log")
    assert result.error_ids == ["NoMatchingLogsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"]
    assert (
        'There is not an event log on the localhost computer that matches "No-Such-Log".' in result.error_text
    )


@pytest.mark.parametrize("deviations", [frozenset({Deviation.NO_HCS_EVENTS})])
def test_no_hcs_events_deviation(ps, start_container):
    start_container()
    assert ps(SEED_QUERY).error_ids == [
        "NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"
    ]


def test_start_time_filter(ps, start_container):
    start_container()
    assert (
        len(
            _events(
                ps,
                'Get-WinEvent -FilterHashtable @{LogName="Microsoft-Windows-Hyper-V-Compute-Operational"; StartTime="2000-01-01"}',
            )
        )
        >= 2
    )
    late = ps(
        'Get-WinEvent -FilterHashtable @{LogName="Microsoft-Windows-Hyper-V-Compute-Operational"; StartTime="12/31/2999 11:59:59 PM"}'
    )
    assert late.error_ids == ["NoMatchingEventsFound,Microsoft.PowerShell.Commands.GetWinEventCommand"]


def test_filter_xpath_reads_exactly_the_records_after_a_mark(ps, start_container):
    start_container()
    log = "Microsoft-Windows-Hyper-V-Compute-Operational"
    ids = sorted(e["RecordId"] for e in _events(ps, f"Get-WinEvent -LogName {log}"))
    assert len(ids) >= 2
    mark = ids[(len(ids) - 1) // 2]
    query = f"*[System[Provider[@Name='Microsoft-Windows-Hyper-V-Compute'] and (EventRecordID > {mark})]]"
    after = _events(ps, f'Get-WinEvent -LogName {log} -FilterXPath "{query}"')
    assert sorted(e["RecordId"] for e in after) == [i for i in ids if i > mark]
    other = "*[System[Provider[@Name='docker'] and (EventRecordID > 0)]]"
    result = ps(f'Get-WinEvent -LogName {log} -FilterXPath "{other}"')
    assert result.errors[0].message == NO_EVENTS


def test_filter_xpath_winsim_cannot_read_is_an_error_not_an_empty_answer(ps):
    result = ps("Get-WinEvent -LogName Application -FilterXPath \"*[EventData[Data='x']]\"")
    assert result.objects == []
    assert "winsim does not model the event query" in result.errors[0].message


def test_filter_hashtable_start_time_keeps_the_records_from_then_on(ps, start_container):
    start_container()
    log = "Microsoft-Windows-Hyper-V-Compute-Operational"
    events = _events(ps, f"Get-WinEvent -LogName {log} -Oldest")
    newest = events[-1]["TimeCreated"]
    kept = _events(
        ps,
        f"$t = (Get-WinEvent -LogName {log} -MaxEvents 1).TimeCreated; "
        f"Get-WinEvent -FilterHashtable @{{LogName='{log}'; StartTime=$t}}",
    )
    # StartTime is inclusive: the newest record itself, and nothing written before it
    assert kept[0]["RecordId"] == events[-1]["RecordId"]
    assert all(e["TimeCreated"] == newest for e in kept)


def test_each_log_numbers_its_own_records(ps, start_container):
    """EventRecordID counts within one channel, whatever other logs were written meanwhile."""
    start_container()
    log = "Microsoft-Windows-Hyper-V-Compute-Operational"
    ids = sorted(e["RecordId"] for e in _events(ps, f"Get-WinEvent -LogName {log}"))
    assert ids == list(range(1, len(ids) + 1))
