"""fltmc and hcsdiag: the text formats of windows-internals.md §5.8 and §5.3, from PowerShell and cmd.exe."""

from __future__ import annotations

import pytest

from winsim.deviations import Deviation
from winsim.processes import spawn

FLTMC_HEADER = "Filter Name                     Num Instances    Altitude    Frame"
FLTMC_DASHES = "------------------------------  -------------  ------------  -----"


def _wcifs(lines: list[str]) -> list[str]:
    return [line for line in lines if line.split()[:1] == ["wcifs"]]


def test_fltmc_filters_layout(ps):
    lines = ps("fltmc filters").objects
    assert lines[0] == ""
    assert lines[1] == FLTMC_HEADER
    assert lines[2] == FLTMC_DASHES
    (row,) = _wcifs(lines)
    assert row == "wcifs                                   0       189900         0"
    assert ps("$LASTEXITCODE").objects == [0]


def test_wcifs_instances_follow_running_containers(ps, start_container):
    start_container("one")
    assert _wcifs(ps("fltmc").objects)[0].split()[1] == "1"
    start_container("two")
    assert _wcifs(ps("fltmc filters").objects)[0].split()[1] == "2"


@pytest.mark.parametrize("deviations", [frozenset({Deviation.FILTER_NOT_WCIFS})])
def test_filter_name_deviation_has_no_wcifs(ps):
    assert _wcifs(ps("fltmc filters").objects) == []


def test_hcsdiag_list(ps, start_container):
    assert ps("hcsdiag list").objects == []
    c = start_container()
    lines = ps("hcsdiag list").objects
    assert lines[0] == c.id
    fields = [f.strip() for f in lines[1].split(",")]
    assert lines[1].startswith("    Windows Server Container,")
    assert fields[1:] == ["Running", "", "docker"]


def test_programs_run_from_cmd(sim_host, start_container):
    c = start_container()
    proc = spawn(sim_host, "cmd.exe /c hcsdiag list && fltmc filters")
    assert proc.wait(10) == 0
    out = proc.read_output(0).stdout.decode()
    assert out.startswith(c.id + "\r\n")
    assert FLTMC_HEADER + "\r\n" in out


def test_docker_cli_on_the_host(ps, start_container):
    c = start_container()
    result = ps("docker ps --no-trunc --format '{{.ID}} {{.Names}}'")
    assert result.objects == [f"{c.id} {c.name}"]
    assert ps("$LASTEXITCODE").objects == [0]


def _instance_rows(lines: list[str]) -> list[list[str]]:
    return [line.split() for line in lines[3:] if line.strip()]


def test_fltmc_instances_on_one_volume(ps, sim_host, start_container):
    one, two = start_container("one"), start_container("two")
    volumes = {
        cid: next(
            lay.volume_path
            for lay in sim_host.model.windowsfilter.layers()
            if lay.volume_path and lay.path.lower().endswith(cid)
        )
        for cid in (one.id, two.id)
    }
    everything = _instance_rows(ps("fltmc instances").objects)
    assert sum(row[0] == "wcifs" for row in everything) == 2
    for volume in volumes.values():
        # -v keeps that volume's rows only, with or without the trailing backslash, either prefix
        for name in (volume, volume.rstrip("\\"), "\\??\\" + volume[4:]):
            rows = _instance_rows(ps(f"fltmc instances -v '{name}'").objects)
            assert rows == [["wcifs", volume.rstrip("\\"), "189900", "wcifs", "Instance", "0", "0000000f"]]
    assert [r[0] for r in _instance_rows(ps("fltmc instances -f FileInfo").objects)] == ["FileInfo"] * 4
    assert [r[1] for r in _instance_rows(ps("fltmc instances -v C: -f wcifs").objects)] == []


def test_fltmc_instances_of_an_unknown_volume_fail(ps):
    out = ps(
        "fltmc instances -v '\\\\?\\Volume{00000000-0000-0000-0000-000000000000}\\'; $LASTEXITCODE"
    ).objects
    assert out[-1] == 1
    assert "Instances enumeration failed with error: 0x80070002" in out
