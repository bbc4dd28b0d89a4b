"""pytest plugin: a verdict record per conformance test, Allure labels and attachments, host facts.

Loaded beside ``fixtures.plugin`` by the root ``conftest.py`` (elsewhere: ``-p reports.plugin``);
it learns the run's hosts, their facts and secrets through the historic hooks
``fixtures/newhooks.py`` declares, and neither imports that plugin nor depends on plugin order.
With ``--wcc-results DIR`` every conformance test (one carrying ``@behaviour``) appends a :class:`reports.records.Record` to
``DIR/<worker>.jsonl`` when it finishes, and the run's expectations go to ``DIR/hosts.json``.
With ``--alluredir`` the tests get the catalogue's labels, ``environment.properties`` and
``categories.json`` are written, and each test carries its probe calls as a JSON attachment:
the totals (``host.stats.since``) and one entry per call (``host.stats.calls_since``: fn, args,
output, errors, round_trips, seconds, ok), secrets masked.

Whoever learns a host's facts hands them over with the hook (or this module's function)::

    config.hook.pytest_wcc_host_facts.call_historic(kwargs={"config": config, "facts": {
        "name": "ws2022-sim", "os_build": 20348, "docker_version": "27.5.1", "hns_version": "15.2"}})
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from fixtures.behaviour import Behaviour, behaviour_of
from fixtures.identity import host_of
from reports import allure_meta, catalogue_html
from reports.records import Record, RunInfo, append_record, update_run_info
from reports.redact import Redactor, env_secrets
from reports.verdict import Verdict

DEFAULT_CATALOGUE_URL = catalogue_html.ALLURE_LINK  # the catalogue rendered beside the matrix


@dataclass
class _Item:
    meta: Behaviour
    host: str
    via: str
    isolation: str
    verdict: Verdict = field(default_factory=Verdict)
    host_obj: Any = None
    before: Any = None  # host.stats snapshot: end of the host's previous test here, or end of this setup
    round_trips: int | None = None
    wire_round_trips: int | None = None
    wire_requests: int | None = None
    bytes: int | None = None


@dataclass
class _State:
    results: Path | None
    allure_dir: Path | None
    catalogue_url: str
    worker: str
    redactor: Redactor
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)
    selected: list[str] = field(default_factory=list)  # the run's hosts (pytest_wcc_hosts_selected)
    secret_envs: list[str] = field(default_factory=list)  # their password variables
    items: dict[str, _Item] = field(default_factory=dict)
    # host -> (its stats object, snapshot at the end of its last test); a reconnected host has new stats
    marks: dict[str, tuple[Any, Any]] = field(default_factory=dict)


STATE = pytest.StashKey[_State]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("wcc-reports", "wcc: result records and reports")
    group.addoption(
        "--wcc-results",
        default=os.environ.get("WCC_RESULTS") or None,
        metavar="DIR",
        help="append one JSON record per conformance test to DIR/<worker>.jsonl (reports.matrix reads them)",
    )
    group.addoption(
        "--wcc-catalogue-url",
        default=os.environ.get("WCC_CATALOGUE_URL", DEFAULT_CATALOGUE_URL),
        metavar="TEMPLATE",
        help="Allure link to a behaviour's catalogue entry; {id}, {area}, {slug} are filled in",
    )


def _state(config: pytest.Config) -> _State:
    """This plugin's state, made by whichever hook comes first (the fixtures plugin fires its hooks
    from its own ``pytest_configure``), so nothing here depends on the order plugins configure in."""
    if STATE not in config.stash:
        results = config.getoption("--wcc-results", None)
        allure_dir = getattr(config.option, "allure_report_dir", None)
        config.stash[STATE] = _State(
            results=Path(results) if results else None,
            allure_dir=Path(allure_dir) if allure_dir else None,
            catalogue_url=config.getoption("--wcc-catalogue-url", DEFAULT_CATALOGUE_URL),
            worker=str(getattr(config, "workerinput", {}).get("workerid", "main")),
            redactor=Redactor(env_secrets()),
        )
    return config.stash[STATE]


def record_host_facts(config: pytest.Config, facts: Mapping[str, Any]) -> None:
    """Remember a host's facts (``name`` required; os_build, docker_version, hns_version...).

    They label the host's tests, fill Allure's ``environment.properties`` and the matrix header.
    """
    name = facts.get("name")
    if not name:
        raise ValueError(f"record_host_facts: facts need a 'name' (got keys {sorted(facts)})")
    state = _state(config)
    clean = {k: v for k, v in facts.items() if k != "name" and v not in (None, "")}
    state.facts.setdefault(str(name), {}).update(clean)
    _publish_facts(state, {str(name): state.facts[str(name)]})


def register_secret(config: pytest.Config, value: str) -> None:
    """Mask ``value`` wherever the reports would show it."""
    _state(config).redactor.add(value)


@pytest.hookimpl(optionalhook=True)
def pytest_wcc_hosts_selected(config: pytest.Config, names: list[str], secret_envs: list[str]) -> None:
    state = _state(config)
    state.selected = list(names)
    state.secret_envs = list(secret_envs)


@pytest.hookimpl(optionalhook=True)
def pytest_wcc_host_facts(config: pytest.Config, facts: Mapping[str, Any]) -> None:
    record_host_facts(config, facts)


@pytest.hookimpl(optionalhook=True)
def pytest_wcc_secret(config: pytest.Config, value: str) -> None:
    register_secret(config, value)


def pytest_sessionstart(session: pytest.Session) -> None:
    state = _state(session.config)
    for secret in env_secrets(names=state.secret_envs):
        state.redactor.add(secret)
    if state.allure_dir is not None:
        allure_meta.write_categories(state.allure_dir)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Record what the run means to cover, so a host without results shows as an error."""
    state = _state(session.config)
    if state.results is None:
        return
    info = RunInfo(expected=set(state.selected), secret_envs=set(state.secret_envs))
    for item in session.items:
        meta, host, via, isolation = _identify(item)
        if meta is not None and host:
            info.expected.add(host)
            info.selected.add((item.nodeid, meta.id, host, via, isolation))
    update_run_info(state.results, info)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    state = _state(item.config)
    meta, host, via, isolation = _identify(item)
    tracked = meta is not None and bool(host)
    if tracked:
        assert meta is not None
        state.items[item.nodeid] = _Item(meta, host, via, isolation)
        if state.allure_dir is not None:
            allure_meta.label_behaviour(meta, host, via, isolation, state.catalogue_url)
    yield
    if tracked:
        entry = state.items[item.nodeid]
        funcargs = getattr(item, "funcargs", {})
        entry.host_obj = funcargs.get("host")
        stats = getattr(entry.host_obj, "stats", None)
        if stats is not None and hasattr(stats, "snapshot"):
            stats_then, mark = state.marks.get(host, (None, None))
            # calls made between two tests (fixtures) count for the later one; the first test on
            # a connection carries its opening, from the first byte (an empty snapshot)
            entry.before = mark if stats_then is stats else type(stats.snapshot())()
        if entry.host_obj is not None and host not in state.facts:
            os_build = getattr(entry.host_obj, "os_build", None)
            if os_build is not None:
                record_host_facts(item.config, {"name": host, "os_build": os_build})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    state = _state(item.config)
    entry = state.items.get(item.nodeid)
    if entry is None:
        return
    if call.when == "setup" and state.allure_dir is not None:
        allure_meta.describe(entry.meta)
        allure_meta.label_build(state.facts.get(entry.host, {}).get("os_build"))
    xfail = hasattr(report, "wasxfail")
    entry.verdict.add(
        call.when,
        duration=report.duration,
        failed=report.failed,
        skipped=report.skipped and not xfail,
        exc=call.excinfo.value if call.excinfo is not None else None,
        message=state.redactor.text(call.excinfo.exconly()) if call.excinfo is not None else "",
        xfail=xfail,
    )
    if call.when == "teardown":
        state.items.pop(item.nodeid)
        if state.results is not None:
            append_record(state.results, state.worker, _record(item, state, entry))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    yield
    state = _state(item.config)
    entry = state.items.get(item.nodeid)
    if entry is None:
        return
    calls = _probe_calls(state, entry)
    if calls is not None:
        totals = calls["totals"]
        entry.round_trips = totals.get("round_trips")
        entry.wire_round_trips = totals.get("wire_round_trips")
        entry.wire_requests = totals.get("wire_requests")
        entry.bytes = (totals.get("bytes_sent") or 0) + (totals.get("bytes_received") or 0)
        if state.allure_dir is not None:
            allure_meta.attach_json(f"probe calls on {entry.host}", calls)


def _record(item: pytest.Item, state: _State, entry: _Item) -> Record:
    verdict = entry.verdict
    return Record(
        behaviour=entry.meta.id,
        host=entry.host,
        via=entry.via,
        isolation=entry.isolation,
        outcome=verdict.outcome,
        nodeid=item.nodeid,
        reason=verdict.full_reason,
        category=verdict.category,
        duration=round(verdict.duration, 3),
        worker=state.worker,
        must=entry.meta.must,
        seed=entry.meta.seed,
        source=entry.meta.source,
        os_build=state.facts.get(entry.host, {}).get("os_build"),
        round_trips=entry.round_trips,
        wire_round_trips=entry.wire_round_trips,
        wire_requests=entry.wire_requests,
        bytes=entry.bytes,
    )


def _probe_calls(state: _State, entry: _Item) -> dict[str, Any] | None:
    """The calls this test made on its host: totals always, one entry per call when the driver logs them."""
    stats = getattr(entry.host_obj, "stats", None)
    if stats is None or entry.before is None:
        return None
    now = stats.snapshot()
    state.marks[entry.host] = (stats, now)
    totals = _plain(now - entry.before)
    calls_since = getattr(stats, "calls_since", None)
    calls = [_plain(c) for c in calls_since(entry.before)] if callable(calls_since) else []
    # this test's share, and the whole connection so far (its opening included)
    data = {"host": entry.host, "totals": totals, "session": _plain(now), "calls": calls}
    redacted: dict[str, Any] = state.redactor.data(data)
    return redacted


def _plain(value: Any) -> Any:
    """JSON-able form of a driver's record (dataclass, as_dict(), mapping or plain value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "as_dict"):
        return _plain(value.as_dict())
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _identify(item: pytest.Item) -> tuple[Behaviour | None, str, str, str]:
    """The behaviour, host, via and isolation mode of a test (unparametrized: the daemon's default, process)."""
    meta = behaviour_of(item)
    if meta is None:
        return None, "", "", ""
    params: Mapping[str, Any] = getattr(getattr(item, "callspec", None), "params", {})
    via = params.get("via") or (meta.via[0] if len(meta.via) == 1 else "")
    return meta, host_of(item), str(via), str(params.get("isolation") or "process")


def _publish_facts(state: _State, facts: dict[str, dict[str, Any]]) -> None:
    if state.allure_dir is not None:
        allure_meta.write_environment(state.allure_dir, facts)
    if state.results is not None:
        update_run_info(state.results, RunInfo(expected=set(facts), facts=facts))
