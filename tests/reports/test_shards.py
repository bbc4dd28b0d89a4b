"""A merge of CI shards: only the latest attempt of a re-run job, every inventory host expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.shards import expected_hosts, latest_attempts
from tests.reports.sample import ROOT

LAB = ROOT / "inventory" / "lab.example.yml"


def test_only_the_latest_attempt_of_each_shard_is_merged():
    inputs = [Path(p) for p in ("w/conformance-lab-ltsc2022-1", "w/conformance-lab-ltsc2022-2", "w/merged")]
    kept, dropped = latest_attempts([*inputs, Path("w/conformance-lab-ltsc2019-1")])
    assert kept == [inputs[1], inputs[2], Path("w/conformance-lab-ltsc2019-1")]
    assert dropped == [
        "w/conformance-lab-ltsc2022-1 is an earlier attempt of conformance-lab-ltsc2022-2: left out"
    ]


def test_the_inventory_names_the_hosts_each_shard_must_deliver():
    assert expected_hosts(LAB, []) == {"ws2019-lab": "", "ws2022-lab": ""}
    assert expected_hosts(LAB, ["ltsc2019=lab.ltsc2019", "ltsc2022=lab.ltsc2022"]) == {
        "ws2019-lab": "lab.ltsc2019",
        "ws2022-lab": "lab.ltsc2022",
    }
    assert expected_hosts(LAB, ["lab,ltsc2022=lab.ltsc2022"]) == {"ws2022-lab": "lab.ltsc2022"}
    with pytest.raises(ValueError, match="--expect-tags ltsc2019: give TAGS=JOB"):
        expected_hosts(LAB, ["ltsc2019"])
