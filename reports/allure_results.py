"""allure-pytest's results made readable before Allure renders them, and their ids in the report.

allure-pytest records every fixture as a setup step and every finalizer as a teardown step;
the report should show what a reader needs:

* fixtures whose name starts with ``_`` are the suite's plumbing (``_wcc_host_name``,
  ``_wcc_stack``, ``_conformance_gates``): hidden;
* pytest's own bookkeeping finalizer (``<fixture>::<lambda>``, never given a status) is dropped;
  a fixture's teardown is named ``<fixture> (teardown)``;
* parameter values are shown as written (``ws2022-sim``), not as Python literals (``'ws2022-sim'``);
* a failure's message is the fact it states, without ``AssertionError: ``, and is shown once:
  a failed step that repeats the test's message keeps its status and drops the copy.

Allure 3 names a test's page after ``md5(uuid)``: :func:`report_ids` maps pytest node ids to
them, so the matrix can link each cell to its test (``allure-report/index.html#/<id>``).

    tidy(Path("reports/out/allure-results"))
    report_ids([Path("reports/out/allure-results")])["suites/test_x.py::test_y[ws2022-sim-docker]"]
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reports.records import write_atomic

ASSERTION = "AssertionError: "
TEARDOWN = re.compile(r"^(?P<fixture>[^:]+)::(?P<finalizer>.+)$")


def tidy(allure_dir: Path) -> int:
    """Rewrite the results in ``allure_dir`` in place (idempotent); returns how many files changed."""
    changed = 0
    for path in sorted(allure_dir.glob("*-container.json")) + sorted(allure_dir.glob("*-result.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        tidied = _container(data) if path.name.endswith("-container.json") else _result(data)
        if tidied != data:
            write_atomic(path, json.dumps(tidied))
            changed += 1
    return changed


def _container(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["befores"] = [b for b in data.get("befores", []) if not _internal(b.get("name", ""))]
    afters = []
    for step in data.get("afters", []):
        match = TEARDOWN.match(step.get("name", ""))
        fixture = match["fixture"] if match else step.get("name", "")
        if _internal(fixture) or (match and match["finalizer"] == "<lambda>" and not step.get("status")):
            continue
        afters.append({**step, "name": f"{fixture} (teardown)"} if match else step)
    out["afters"] = afters
    return out


def _result(data: dict[str, Any]) -> dict[str, Any]:
    out = {
        **data,
        "parameters": [{**p, "value": _plain(p.get("value"))} for p in data.get("parameters", [])],
    }
    details = data.get("statusDetails")
    if isinstance(details, dict) and isinstance(details.get("message"), str):
        message = details["message"].removeprefix(ASSERTION)
        out["statusDetails"] = {**details, "message": message}
        if "steps" in data:
            out["steps"] = [_step(s, message) for s in data["steps"]]
    return out


def _step(step: dict[str, Any], message: str) -> dict[str, Any]:
    """A step without the test's failure message repeated (its status still says it failed)."""
    details = step.get("statusDetails") or {}
    out = {**step, "steps": [_step(s, message) for s in step.get("steps", [])]}
    if isinstance(details, dict) and str(details.get("message", "")).removeprefix(ASSERTION) == message:
        out.pop("statusDetails")
    return out


def _internal(fixture: str) -> bool:
    return fixture.startswith("_")


def _plain(value: Any) -> Any:
    """``"'ws2022-sim'"`` -> ``"ws2022-sim"``; anything that is not a quoted string stays."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        try:
            literal = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
        if isinstance(literal, str):
            return literal
    return value


def report_ids(allure_dirs: Iterable[Path]) -> dict[str, str]:
    """pytest node id -> the id of its page in the Allure 3 report (the latest result of a node)."""
    latest: dict[str, tuple[int, str]] = {}
    for folder in allure_dirs:
        for path in folder.glob("*-result.json"):
            data = json.loads(path.read_text(encoding="utf-8"))
            nodeid = nodeid_of(data)
            if nodeid and data.get("uuid") and data.get("stop", 0) >= latest.get(nodeid, (-1, ""))[0]:
                latest[nodeid] = (
                    data.get("stop", 0),
                    hashlib.md5(data["uuid"].encode(), usedforsecurity=False).hexdigest(),
                )
    return {nodeid: page for nodeid, (_, page) in latest.items()}


def nodeid_of(result: dict[str, Any]) -> str | None:
    """``suites.test_x#test_y`` named ``test_y[ws2022-sim-docker]`` -> ``suites/test_x.py::test_y[...]``."""
    module, _, function = str(result.get("fullName", "")).partition("#")
    name = str(result.get("name", ""))
    if not module or not function or not name.startswith(function.rsplit(".", 1)[-1]):
        return None  # renamed with a title: no way back to the node
    path = module.replace(".", "/") + ".py"
    scope = function.rsplit(".", 1)[0].replace(".", "::") + "::" if "." in function else ""
    return f"{path}::{scope}{name}"
