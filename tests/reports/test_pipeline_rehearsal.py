"""The nightly LabVMs and Report stages as written, rehearsed here on simulated hosts.

Their script steps are read from ``azure-pipelines.yml`` and run with bash, translated as an agent
would see them: the pipeline's macros become this machine's paths (the secure files, the
workspace, the matrix's ``hostTags``), ``reports/out`` a folder per job, ``.venv/bin/python`` the
project's interpreter.  The lab shards run at once, in parallel processes; each ``publish`` is a
copy into the workspace, the last night's report download a copy of the previous rehearsal's;
the merge skips the Allure HTML (``--no-html``: its generation is tested on its own).
Install steps are checked to be the commands the HostedWindows rehearsal
(tests/foundation/test_pipeline_steps.py) runs on a fresh clone, and not run again.  A macro or
program this translation does not know fails the test, and so does an option ``reports.run`` or
``reports.build`` no longer accepts: the pipeline cannot drift from what is checked.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.reports.sample import ROOT

pytestmark = pytest.mark.slow

INSTALL = [
    "set -eu",
    "python -m venv .venv",
    ".venv/bin/python -m pip install -r requirements/base.txt",
    "npm ci --no-audit --no-fund",
]
SECURE_FILES = ("labCA", "labSshKey", "dockerCA", "dockerCert", "dockerKey")
SELECT = "-k layerchain"  # a short selection: the whole suite runs in `make conformance`
# The HostedWindows stage is not rehearsed here (its own test runs it): its hosts are not expected.
HOSTED = re.compile(r" --expect-host=windows-\S+")
MACRO = re.compile(r"\$\((?P<name>[A-Za-z_.]+)\)")


def pipeline() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "azure-pipelines.yml").read_text())
    return data


def job(stage_name: str) -> dict[str, Any]:
    stage = next(s for s in pipeline()["stages"] if s["stage"] == stage_name)
    (only,) = stage["jobs"]
    found: dict[str, Any] = only
    return found


def scripts(job_data: dict[str, Any]) -> dict[str, str]:
    return {s["displayName"]: s["script"] for s in job_data["steps"] if "script" in s}


def step(job_data: dict[str, Any], key: str) -> dict[str, Any]:
    return next(s for s in job_data["steps"] if key in s)


@dataclass
class Agent:
    """One job's view of this machine: its macros and its reports/out."""

    workspace: Path
    out: Path
    macros: dict[str, str]

    def translate(self, script: str) -> str:
        text = script.replace("/tmp/wcc-lab", str(self.workspace / "wcc-lab"))
        text = text.replace(".venv/bin/python", sys.executable).replace("reports/out", str(self.out))
        text = HOSTED.sub("", text)

        def macro(match: re.Match[str]) -> str:
            name = match["name"]
            if name not in self.macros:
                raise AssertionError(f"the pipeline uses $({name}), which this rehearsal cannot translate")
            return self.macros[name]

        return MACRO.sub(macro, text)

    def run(self, script: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        text = self.translate(script)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        programs = {
            ln.split()[0]
            for ln in lines
            if not ln.startswith(("set ", "#", "fi", "else", "if ", "last=", "baseline="))
        }
        assert programs <= {sys.executable, "install", "mkdir", "echo", "place()", "place"}, programs
        if "reports.run" in text:
            text = text.replace('--host-tags="', f'{SELECT} --host-tags="')
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        return subprocess.Popen(
            ["bash", "-c", text],
            cwd=ROOT,
            env={**clean, **(env or {}), "PYTHONDONTWRITEBYTECODE": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=600)
    return proc.returncode, out


def write_inventory(path: Path, night: int) -> None:
    """Two build shards; on the second night ws2022 is patched and breaks its layer chain."""
    ws2022: dict[str, Any] = {"profile": "ws2022", "revision": 2849 if night == 1 else 2966}
    if night == 2:
        ws2022["deviations"] = ["layerchain-base-first"]
    hosts = [
        {"name": "lab-19-01", "transport": "sim", "sim": {"profile": "ws2019"}, "tags": ["lab", "ltsc2019"]},
        {"name": "lab-22-01", "transport": "sim", "sim": ws2022, "tags": ["lab", "ltsc2022"]},
    ]
    path.write_text(yaml.safe_dump({"hosts": hosts}))


def lab_night(
    workspace: Path, inventory: Path, shards: list[str], night: int = 1
) -> tuple[float, dict[str, str]]:
    """The LabVMs stage: one job per shard, all at once; returns its wall time and each job's log."""
    lab = job("LabVMs")
    steps = scripts(lab)
    assert [
        ln.strip() for ln in steps["Install (venv with the pinned requirements, Allure)"].splitlines()
    ] == INSTALL
    secure = workspace / "secure"
    secure.mkdir(exist_ok=True)
    for name in SECURE_FILES:
        (secure / name).write_text(f"{name} (rehearsal)\n")
    suite_env = step(lab, "env")["env"]
    started = time.monotonic()
    running = {}
    for tags in shards:
        agent = Agent(
            workspace,
            workspace / f"night-{night}" / f"job-{tags}" / "out",  # each night a fresh agent
            {
                "labInventory.secureFilePath": str(inventory),
                "hostTags": tags,
                **{f"{n}.secureFilePath": str(secure / n) for n in SECURE_FILES},
                **dict.fromkeys(suite_env, ""),  # the secrets: none for simulated hosts
            },
        )
        script = "\n".join(
            [
                steps["Place the keys and certificates where the lab inventory names them"],
                steps["Conformance suite"],
            ]
        )
        running[tags] = (agent, agent.run(script, {k: agent.translate(v) for k, v in suite_env.items()}))
    logs = {}
    for tags, (agent, proc) in running.items():
        _, logs[tags] = finish(proc)
        publish = step(lab, "publish")
        artifact = agent.translate(publish["artifact"].replace("$(System.JobAttempt)", "1"))
        assert (agent.out / "matrix.json").is_file(), logs[tags]
        shutil.copytree(agent.out, workspace / artifact)
    return time.monotonic() - started, logs


def report(workspace: Path, inventory: Path, night: int) -> tuple[int, str, Path]:
    merge = job("Report")
    steps = scripts(merge)
    assert [
        ln.strip() for ln in steps["Install (venv with the pinned requirements, Allure)"].splitlines()
    ] == INSTALL
    assert step(merge, "download")["patterns"] == "conformance-*/**"
    last = next(s for s in merge["steps"] if s.get("task") == "DownloadPipelineArtifact@2")
    assert last["inputs"]["itemPattern"] == "conformance-report-*/**"
    out = workspace / f"report-{night}" / "out"
    agent = Agent(
        workspace,
        out,
        {"labInventory.secureFilePath": str(inventory), "Pipeline.Workspace": str(workspace)},
    )
    rc, log = finish(
        agent.run(
            steps["Merge matrix and Allure report"].replace(
                "--out reports/out", "--out reports/out --no-html"
            )
        )
    )
    artifact = agent.translate(step(merge, "publish")["artifact"].replace("$(System.JobAttempt)", "1"))
    last_night = Path(agent.translate(last["inputs"]["targetPath"]))
    shutil.rmtree(last_night, ignore_errors=True)  # the next night downloads this night's report
    shutil.copytree(out, last_night / artifact)
    return rc, log, out


def matrix(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "matrix.json").read_text())
    for key in ("generated", "baseline", "changes"):
        data.pop(key)
    for row in data["behaviours"]:
        for cell in row["cells"].values():
            cell.update(change="", previous="", host_change="")
    return data


def test_two_nights_of_sharded_lab_runs_merge_with_a_baseline_and_fan_in(tmp_path: Path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    inventory = tmp_path / "lab.yml"
    write_inventory(inventory, night=1)
    seconds, logs = lab_night(workspace, inventory, ["ltsc2019", "ltsc2022"])
    rc, log, first = report(workspace, inventory, night=1)
    assert rc == 0, log + "\n".join(logs.values())
    assert "No report of a previous nightly: tonight has no baseline" in log
    hosts = {h["name"]: h for h in json.loads((first / "matrix.json").read_text())["hosts"]}
    assert sorted(hosts) == ["lab-19-01", "lab-22-01"] and all(
        h["verdict"] == "conforms" for h in hosts.values()
    )
    assert (first / "junit.xml").is_file()

    # a fan-in: a merge per shard, then a merge of those, equals the report's merge of the shards
    shard_merges = []
    for tags in ("ltsc2019", "ltsc2022"):
        merged = tmp_path / f"fan-{tags}"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "reports.build",
                "--out",
                str(merged),
                "--no-html",
                str(workspace / f"conformance-lab-{tags}-1"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        shard_merges.append(str(merged))
    fan_in = tmp_path / "fan-in"
    subprocess.run(
        [sys.executable, "-m", "reports.build", "--out", str(fan_in), "--no-html", *shard_merges],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert matrix(fan_in) == matrix(first)

    # the second night: Patch Tuesday on lab-22-01, which now lists its layer chain base-first
    for old in workspace.glob("conformance-lab-*"):
        shutil.rmtree(old)
    write_inventory(inventory, night=2)
    _, logs = lab_night(workspace, inventory, ["ltsc2019", "ltsc2022"], night=2)
    rc, log, second = report(workspace, inventory, night=2)
    assert rc == 1, log + "\n".join(logs.values())
    changes = json.loads((second / "matrix.json").read_text())["changes"]
    assert changes == [
        {
            "behaviour": "layers/layerchain-nearest-first",
            "host": "lab-22-01",
            "isolation": "process",
            "change": "newly-failing",
            "from": "pass",
            "to": "fail",
            "host_change": "OS 20348.2849 → 20348.2966 (engine unchanged)",
        }
    ]
    print(f"\nrehearsal: lab stage of 2 shards in parallel took {seconds:.1f} s")


def test_a_missing_shard_shows_its_hosts_not_run_by_that_job(tmp_path: Path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    inventory = tmp_path / "lab.yml"
    write_inventory(inventory, night=1)
    lab_night(workspace, inventory, ["ltsc2019"])  # the ltsc2022 job died before publishing
    rc, log, out = report(workspace, inventory, night=1)
    assert rc == 1
    assert (
        "reports.build: expected host lab-22-01 is not run: no results from job lab.ltsc2022"
        in log.splitlines()
    )
    hosts = {h["name"]: h["verdict"] for h in json.loads((out / "matrix.json").read_text())["hosts"]}
    assert hosts == {"lab-19-01": "conforms", "lab-22-01": "not run"}


def test_every_password_env_of_the_lab_inventory_is_mapped_and_nothing_is_retried_but_installs():
    inventory = yaml.safe_load((ROOT / "inventory" / "lab.example.yml").read_text())
    names = {h["password_env"] for h in inventory["hosts"] if h.get("password_env")}
    lab = job("LabVMs")
    assert {k: v for k, v in step(lab, "env")["env"].items() if k in names} == {n: f"$({n})" for n in names}
    for stage_job in (lab, job("Report"), job("HostedWindows")):
        retried = [s.get("displayName") for s in stage_job["steps"] if s.get("retryCountOnTaskFailure")]
        assert retried == ["Install (venv with the pinned requirements, Allure)"]
    assert {tags["hostTags"] for tags in lab["strategy"]["matrix"].values()} == {
        "ltsc2019",
        "ltsc2022",
        "ltsc2025",
    }
    merge = scripts(job("Report"))["Merge matrix and Allure report"]
    for key, tags in lab["strategy"]["matrix"].items():
        assert f"--expect-tags={tags['hostTags']}=lab.{key}" in merge  # each shard's hosts, by its job


@pytest.mark.parametrize(
    ("stage", "name", "option", "drifted"),
    [
        ("Report", "Merge matrix and Allure report", "--latest-attempt", "--latest-attempts"),
        ("LabVMs", "Conformance suite", "--workers auto", "--parallel auto"),
    ],
)
def test_an_option_the_tools_do_not_accept_fails_the_rehearsal(tmp_path: Path, stage, name, option, drifted):
    script = scripts(job(stage))[name]
    assert option in script
    agent = Agent(
        tmp_path,
        tmp_path / "out",
        {
            "labInventory.secureFilePath": str(tmp_path / "none.yml"),
            "Pipeline.Workspace": str(tmp_path),
            "hostTags": "x",
        },
    )
    rc, log = finish(agent.run(script.replace(option, drifted)))
    assert rc == 2 and "unrecognized arguments" in log, log
