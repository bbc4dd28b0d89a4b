"""azure-pipelines.yml validates against Microsoft's published Azure Pipelines schema.

The schema is the one check-jsonschema vendors as ``vendor.azure-pipelines`` (from
microsoft/azure-pipelines-vscode, pinned with check-jsonschema in requirements/dev.txt).  That
schema types every scalar as a string (its ``boolean`` is the strings true/yes/on/false/...,
``timeoutInMinutes`` a string): Azure Pipelines reads scalars as strings and converts them
itself.  So the file is loaded as Azure loads it, every scalar a string (PyYAML's BaseLoader),
not with YAML 1.1 types, where ``always: true`` would be a Python bool the schema refuses.
The one exception is a task step: the schema types its ``continueOnError``, retry count, timeout
and boolean inputs (DownloadPipelineArtifact's ``allowFailedBuilds``) as JSON booleans and
integers, so those are read with YAML's types.  The schema itself is used as published.
"""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from typing import Any

import jsonschema
import pytest
import yaml

from tests.reports.sample import ROOT

PIPELINE = ROOT / "azure-pipelines.yml"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(
        files("check_jsonschema.builtin_schemas.vendor").joinpath("azure-pipelines.json").read_text()
    )
    return jsonschema.Draft7Validator(schema)


# the keys of a task step the schema types as JSON (boolean, integer), besides its inputs
TASK_TYPED = ("continueOnError", "retryCountOnTaskFailure", "timeoutInMinutes")


def as_azure_reads_it(text: str) -> Any:
    data = yaml.load(text, Loader=yaml.BaseLoader)  # BaseLoader builds only str/list/dict
    typed = yaml.safe_load(text)
    for stage, typed_stage in zip(data.get("stages", []), typed.get("stages", []), strict=True):
        for job, typed_job in zip(stage.get("jobs", []), typed_stage.get("jobs", []), strict=True):
            for step, typed_step in zip(job.get("steps", []), typed_job.get("steps", []), strict=True):
                if "task" in step:
                    step.update({k: typed_step[k] for k in (*TASK_TYPED, "inputs") if k in typed_step})
    return data


def problems(validator: jsonschema.Draft7Validator, data: Any) -> list[str]:
    """The innermost complaints (a pipeline is a oneOf/anyOf tree: the leaves say what is wrong)."""

    def leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
        return [leaf for sub in error.context for leaf in leaves(sub)] if error.context else [error]

    found = {
        f"{'.'.join(map(str, leaf.absolute_path)) or '<top>'}: {leaf.message}"
        for error in validator.iter_errors(data)
        for leaf in leaves(error)
    }
    return sorted(found)


def test_pipeline_validates_against_the_published_schema(validator):
    data = as_azure_reads_it(PIPELINE.read_text())
    assert validator.is_valid(data), "\n".join(problems(validator, data)[:20])


def test_the_schema_check_catches_a_misspelt_key(validator):
    data = as_azure_reads_it(PIPELINE.read_text())
    broken = copy.deepcopy(data)
    broken["stages"][1]["dependOn"] = broken["stages"][1].pop("dependsOn")
    assert not validator.is_valid(broken)
    assert any("'dependOn' was unexpected" in p for p in problems(validator, broken))


def test_scalars_reach_the_schema_as_azure_reads_them():
    data = as_azure_reads_it(PIPELINE.read_text())
    (schedule,) = data["schedules"]
    assert schedule["always"] == "true"
    assert yaml.safe_load(PIPELINE.read_text())["schedules"][0]["always"] is True
