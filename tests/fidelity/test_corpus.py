"""winsim held to the fidelity corpus: each real sample against winsim on the sample's build and engine.

A sample winsim cannot match yet is a strict expected failure with its reason (``EXPECTED``); the
count is printed at the end of the run (``conftest.py``).  Every sample must carry its provenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.fidelity.corpus import REQUIRED, samples
from tests.fidelity.scenarios import SCENARIOS, host_for

# sample -> why winsim does not match it (yet)
EXPECTED: dict[str, str] = {
    "docker-info-ws2016-1.12": "engine 1.12 printed only the edition ('Windows Server 2016 Standard'); "
    "winsim's engines print the 18.09 form",
    "docker-network-inspect-nat-2016tp5": "the 1.12-dev engine of TP5 used the 'default' IPAM driver",
    "hns-network-nat-raw-rke2": "a network RKE2 made with a VLAN policy; a stock nat network has none",
    "hns-endpoint-policy-json-ws2025": "ACL isolation policy resources (cloudfoundry winc) are not modelled",
    "error-preparelayer-ltsc2025": "winsim has no layers of an unrecognized format",
    "error-hns-endpoint-17.12": "HNS 'Unspecified error' failures are not modelled",
    "error-hns-create-network-2016": "HNS failures to create a network are not modelled",
    "error-start-daemon-hns": "HNS failures at daemon start are not modelled",
    "error-os-mismatch-api-ws2022": "that engine named the call without the hcs:: prefix; winsim's engine 24 says hcs::",
    "hyperv-compute-warning-12003": "the Hyper-V container template limit is not modelled",
    "hnsdiag-list-all-k8s": "hnsdiag.exe is not modelled",
    "docker-info-1809-master": "a Windows 10 client (hyperv default isolation, client product line) on a master "
    "build; winsim models Server hosts and released engines",
    "docker-version-1809-master": "a master build's version string",
    "get-hnsendpoint-select-containerd": "Select-Object keeps the typed property names' case and the table's "
    "column gaps differ (winsim/powershell, issue 10's area)",
    "get-hnsnetwork-select-containerd": "Select-Object keeps the typed property names' case and the table's "
    "column gaps differ (winsim/powershell, issue 10's area)",
}


def _params() -> list[Any]:
    out = []
    for s in samples():
        marks = [pytest.mark.xfail(strict=True, reason=EXPECTED[s.name])] if s.name in EXPECTED else []
        out.append(pytest.param(s, id=s.name, marks=marks))
    return out


def test_the_corpus_is_large_and_cited() -> None:
    all_samples = samples()
    builds = {s.build for s in all_samples if s.build}
    assert len(all_samples) >= 40 and len(builds) >= 3
    for s in all_samples:
        assert all(s.meta.get(k) for k in REQUIRED), s.name
        assert s.kind in SCENARIOS, f"{s.name}: no scenario for kind {s.kind}"
    assert set(EXPECTED) <= {s.name for s in all_samples}


@pytest.mark.parametrize("sample", _params())
def test_winsim_matches_the_sample(sample, tmp_path: Path) -> None:
    host = host_for(sample, tmp_path / "state")
    problems = SCENARIOS[sample.kind](sample, host)
    assert problems == [], f"{sample.name} ({sample.meta['source']}):\n  " + "\n  ".join(problems)
