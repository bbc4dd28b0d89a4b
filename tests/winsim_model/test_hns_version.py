"""HNS answers its version the way hcsshim's hcn.GetGlobals() asks for it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.winsim_model.conftest import MakeModel
from winsim.model import HostModel
from winsim.native.hnscall import hns_call
from winsim.profiles import PROFILES


def _globals(model: HostModel, path: str = "/globals/version") -> dict:
    envelope = json.loads(hns_call(model.hns, "GET", path, ""))
    assert envelope["Success"] is True, envelope
    return envelope["Output"]


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_globals_version_is_the_profiles_value_as_major_minor(make_model: MakeModel, profile: str) -> None:
    major, minor = PROFILES[profile].hns_version.split(".")
    assert _globals(make_model(profile)) == {"Major": int(major), "Minor": int(minor)}


def test_the_two_profiles_differ(make_model: MakeModel) -> None:
    assert _globals(make_model("ws2019")) != _globals(make_model("ws2022"))


def test_the_path_is_case_insensitive_and_takes_a_trailing_slash(model: HostModel) -> None:
    assert _globals(model, "/Globals/Version/") == _globals(model)


def test_other_methods_and_paths_under_globals_are_refused(model: HostModel) -> None:
    for method, path in (("POST", "/globals/version"), ("GET", "/globals/"), ("GET", "/globals/other")):
        envelope = json.loads(hns_call(model.hns, method, path, "{}"))
        assert envelope["Success"] is False, (method, path)
        assert "not supported" in envelope["Error"]


def test_a_malformed_profile_version_names_itself(tmp_path: Path) -> None:
    bad = replace(PROFILES["ws2022"], hns_version="fifteen")
    with pytest.raises(ValueError, match="HNS version .*'fifteen'"):
        HostModel(bad, tmp_path / "host")
