"""Night to night: a change in the matrix names what moved on the host, on real simulated hosts.

Three nightly runs of one simulated host into one output folder (each compares with the last):
the second is patched to a new build revision and breaks one behaviour, the third keeps that
revision and conforms again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.reports import sample

HOST = "ws2022-night"
BEHAVIOUR = "compartments/default-is-native"


def _night(tmp_path: Path, out: Path, revision: int, deviations: list[str]) -> tuple[dict[str, Any], str]:
    inventory = tmp_path / "inventory.yml"
    sim = {"profile": "ws2022", "via": "winrm", "revision": revision, "deviations": deviations}
    host = {"name": HOST, "transport": "sim", "sim": sim, "os_build": 20348}
    inventory.write_text(yaml.safe_dump({"hosts": [host]}))
    args = ["--out", str(out), "--no-html", "--", "-q", "-p", "no:cacheprovider"]
    args += [f"--inventory={inventory}", "-k", "default_compartment_id_and_type"]
    proc = sample.run("reports.run", *args, cwd=sample.ROOT)
    assert (out / "matrix.json").is_file(), proc.stdout + proc.stderr
    matrix: dict[str, Any] = json.loads((out / "matrix.json").read_text())
    return matrix, proc.stdout


def test_a_change_names_the_revision_the_host_moved_to_or_says_it_is_unchanged(tmp_path: Path):
    out = tmp_path / "out"
    first, _ = _night(tmp_path, out, 2849, [])
    facts = first["hosts"][0]["facts"]
    assert (facts["os_revision"], facts["engine"], facts["isolation"]) == (
        "20348.2849",
        "Docker Engine - Community",
        "process",  # a stock simulated host: vmcompute of Containers, no Hyper-V role (no vmms)
    )
    assert first["changes"] == []

    second, stdout = _night(tmp_path, out, 2966, ["default-compartment-not-native"])
    assert second["hosts"][0]["facts"]["os_revision"] == "20348.2966"
    moved = "OS 20348.2849 → 20348.2966 (engine unchanged)"
    assert second["changes"] == [
        {
            "behaviour": BEHAVIOUR,
            "host": HOST,
            "isolation": "process",  # under hyperv it is n/a both nights: the host offers no hyperv
            "change": "newly-failing",
            "from": "pass",
            "to": "fail",
            "host_change": moved,
        }
    ]
    assert f"newly-failing: {BEHAVIOUR} on {HOST} under process (pass -> fail); {moved}" in stdout
    hyperv = second["behaviours"][0]["cells"][HOST]["isolation"]["hyperv"]
    assert (hyperv["status"], hyperv["via"]["direct"]["reason"]) == (
        "na",
        f"setup: not applicable: needs hyperv isolation; {HOST} offers process (services: no vmms)",
    )
    page = (out / "matrix.html").read_text()
    assert f"; {moved}</li>" in page

    third, _ = _night(tmp_path, out, 2966, [])
    assert [(c["change"], c["host_change"]) for c in third["changes"]] == [
        ("newly-passing", "host unchanged")
    ]
