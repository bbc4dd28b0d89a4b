"""azure-pipelines.yml has the parts the nightly relies on."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.reports.sample import ROOT


@pytest.fixture(scope="module")
def pipeline() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "azure-pipelines.yml").read_text())
    assert isinstance(data, dict)
    return data


def _stage(pipeline: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in pipeline["stages"] if s["stage"] == name)


def _steps(stage: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in stage["jobs"] for step in job["steps"]]


def _text(stage: dict[str, Any]) -> str:
    return yaml.safe_dump(stage)


def test_nightly_schedule_always_runs_and_prs_run_self_tests(pipeline):
    (schedule,) = pipeline["schedules"]
    assert len(schedule["cron"].split()) == 5
    assert schedule["always"] is True
    assert "main" in pipeline["pr"]["branches"]["include"]
    assert [s["stage"] for s in pipeline["stages"]] == ["SelfTests", "HostedWindows", "LabVMs", "Report"]
    for name in ("HostedWindows", "LabVMs", "Report"):
        assert "PullRequest" in _stage(pipeline, name)["condition"], f"{name} must not run on pull requests"
    assert "PullRequest" not in str(_stage(pipeline, "SelfTests").get("condition", ""))


def test_self_tests_run_the_readme_command_on_linux(pipeline):
    stage = _stage(pipeline, "SelfTests")
    assert stage["jobs"][0]["pool"]["vmImage"].startswith("ubuntu")
    assert any(step.get("script", "").startswith("make test") for step in _steps(stage))
    assert "chromium" in _text(stage)


def test_hosted_windows_agents_wait_for_docker_and_pin_images(pipeline):
    stage = _stage(pipeline, "HostedWindows")
    (job,) = stage["jobs"]
    images = {v["image"] for v in job["strategy"]["matrix"].values()}
    assert images == {"windows-2022", "windows-2025"}
    text = _text(stage)
    assert "docker version" in text and "docker pull" in text and "OSVersion.Version.Build" in text
    assert "inventory/azure-hosted.yml" in text


def test_lab_stage_uses_secure_files_and_a_variable_group(pipeline):
    stage = _stage(pipeline, "LabVMs")
    (job,) = stage["jobs"]
    assert any("group" in v for v in job["variables"])
    assert any(step.get("task", "").startswith("DownloadSecureFile@") for step in job["steps"])
    assert "--inventory" in _text(stage)


@pytest.mark.parametrize("name", ["SelfTests", "Report"])
def test_junit_published_even_when_tests_fail(pipeline, name):
    stage = _stage(pipeline, name)
    publish = [s for s in _steps(stage) if s.get("task", "").startswith("PublishTestResults@2")]
    assert publish, f"{name} publishes no JUnit"
    for step in publish:
        assert step["condition"] == "succeededOrFailed()"
        assert step["inputs"]["testResultsFormat"] == "JUnit"


@pytest.mark.parametrize("name", ["HostedWindows", "LabVMs", "Report"])
def test_reports_are_published_as_artifacts(pipeline, name):
    published = [s for s in _steps(_stage(pipeline, name)) if "publish" in s]
    assert published and all(s["condition"] == "succeededOrFailed()" for s in published)


@pytest.mark.parametrize("name", ["HostedWindows", "LabVMs"])
def test_conformance_jobs_leave_junit_to_the_merge(pipeline, name):
    """Per job and merged, the test tab would count every test twice."""
    assert not [
        s for s in _steps(_stage(pipeline, name)) if s.get("task", "").startswith("PublishTestResults@")
    ]


def test_final_job_merges_every_host(pipeline):
    stage = _stage(pipeline, "Report")
    assert set(stage["dependsOn"]) == {"HostedWindows", "LabVMs"}
    assert "reports.build" in _text(stage)
