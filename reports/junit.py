"""The merged run as JUnit XML: one ``<testsuite>`` per host, each test with its wcc properties.

CI systems (Azure's PublishTestResults, GitLab, Jenkins) read it; every ``<testcase>`` carries
``behaviour``, ``host``, ``via``, ``isolation`` and ``build`` as properties, and a test that should have run
but did not report is an ``<error>`` (as in the matrix), never missing.

    write_junit(matrix, Path("merged/junit.xml"))
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from reports.matrix_model import ERR, FAIL, NA, Matrix, TestResult
from reports.records import write_atomic


def _split(nodeid: str) -> tuple[str, str]:
    """(classname, name) the way pytest's junitxml names them."""
    path, _, name = nodeid.partition("::")
    module = path.removesuffix(".py").replace("/", ".")
    klass, _, function = name.rpartition("::")
    return (f"{module}.{klass}" if klass else module), function or name


def _case(test: TestResult, behaviour: str, host: str, via: str, isolation: str, build: str) -> ET.Element:
    classname, name = _split(test.nodeid)
    case = ET.Element("testcase", classname=classname, name=name, time=f"{test.duration:.3f}")
    props = ET.SubElement(case, "properties")
    fields = (
        ("behaviour", behaviour),
        ("host", host),
        ("via", via),
        ("isolation", isolation),
        ("build", build),
    )
    for key, value in fields:
        ET.SubElement(props, "property", name=key, value=value)
    tag = {FAIL: "failure", ERR: "error", NA: "skipped"}.get(test.status)
    if tag:
        element = ET.SubElement(case, tag, message=test.reason.split("\n", 1)[0])
        if tag != "skipped":
            element.text = test.reason
    return case


def render(matrix: Matrix) -> str:
    suites = ET.Element("testsuites", name="wcc conformance")
    for host in matrix.hosts:
        facts = matrix.facts.get(host, {})
        build = str(facts.get("os_version") or facts.get("os_build") or "")
        cases = [
            _case(test, row.id, host, via, isolation, build)
            for row in matrix.rows
            for isolation, via, result in row.cells[host].results()
            for test in result.tests
        ]
        if host in matrix.not_run:
            cases = [
                _case(
                    TestResult(f"{host}::{row.id}", ERR, row.cells[host].reason), row.id, host, "", "", build
                )
                for row in matrix.rows
            ]
        cases.sort(key=lambda c: (c.get("classname", ""), c.get("name", "")))
        counts = {
            tag: sum(1 for c in cases if c.find(tag) is not None) for tag in ("failure", "error", "skipped")
        }
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=host,
            tests=str(len(cases)),
            failures=str(counts["failure"]),
            errors=str(counts["error"]),
            skipped=str(counts["skipped"]),
            time=f"{sum(float(c.get('time', 0)) for c in cases):.3f}",
        )
        suite.extend(cases)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def write_junit(matrix: Matrix, path: Path) -> Path:
    write_atomic(path, render(matrix))
    return path
