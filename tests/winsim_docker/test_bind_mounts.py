"""A bind mount reaches the container: through the real docker CLI, the host folder is the
container's C:\\data (HCS MappedDirectories), read-write, or read-only refusing the container's writes."""

from __future__ import annotations

from tests.winsim_docker.conftest import MakeSim, Sim

IMAGE = "mcr.microsoft.com/windows/servercore:ltsc2022"


def _run(sim: Sim, spec: str) -> str:
    return sim.cli("run", "-id", "-v", spec, IMAGE, "powershell").stdout.strip()


def test_the_host_folder_is_the_containers_folder(sim: Sim) -> None:
    files = sim.host.model.files
    files.write_text(r"C:\bind\in.txt", "from the host\r\n")
    cid = _run(sim, r"C:\bind:C:\data")
    try:
        read = sim.cli("exec", cid, "cmd", "/c", r"type C:\data\in.txt")
        assert (read.returncode, read.stdout) == (
            0,
            "from the host\n",
        )  # the CLI's text mode reads CRLF as \n
        wrote = sim.cli("exec", cid, "cmd", "/c", r"echo from the container> C:\data\out.txt")
        assert wrote.returncode == 0
        assert files.read_text(r"C:\bind\out.txt") == "from the container\r\n"
        copied = sim.cli("exec", cid, "cmd", "/c", r"copy C:\data\in.txt C:\data\copy.txt")
        assert (copied.returncode, copied.stdout) == (0, "        1 file(s) copied.\n")
        assert files.read_text(r"C:\bind\copy.txt") == "from the host\r\n"
        # the container's own C:\ is its scratch volume, not the host's C:\
        own = sim.cli("exec", cid, "cmd", "/c", r"echo scratch> C:\own.txt")
        assert own.returncode == 0 and not files.exists(r"C:\own.txt")
        listed = sim.cli("exec", cid, "powershell", "-Command", r"Get-ChildItem C:\data -Name")
        assert listed.stdout.split() == ["copy.txt", "in.txt", "out.txt"]
    finally:
        sim.cli("rm", "-f", cid)


def test_a_read_only_bind_refuses_the_containers_writes(sim: Sim) -> None:
    files = sim.host.model.files
    files.write_text(r"C:\robind\in.txt", "read me")
    cid = _run(sim, r"C:\robind:C:\data:ro")
    try:
        assert sim.cli("exec", cid, "cmd", "/c", r"type C:\data\in.txt").stdout == "read me"
        wrote = sim.cli("exec", cid, "cmd", "/c", r"echo no> C:\data\out.txt", check=False)
        assert (wrote.returncode, wrote.stderr) == (1, "Access is denied.\n")
        copied = sim.cli("exec", cid, "cmd", "/c", r"copy C:\data\in.txt C:\data\copy.txt", check=False)
        assert (copied.returncode, copied.stdout, copied.stderr) == (
            1,
            "        0 file(s) copied.\n",
            "Access is denied.\n",
        )
        assert files.list_dir(r"C:\robind") == ["in.txt"]
    finally:
        sim.cli("rm", "-f", cid)


def test_a_missing_file_in_the_bind(sim: Sim) -> None:
    sim.host.model.files.mkdir(r"C:\emptybind")
    cid = _run(sim, r"C:\emptybind:C:\data")
    try:
        out = sim.cli("exec", cid, "cmd", "/c", r"type C:\data\none.txt", check=False)
        assert (out.returncode, out.stderr) == (1, "The system cannot find the file specified.\n")
    finally:
        sim.cli("rm", "-f", cid)


def test_deviations_break_the_mapping(make_sim: MakeSim) -> None:
    dropped = make_sim(deviations=("mapped-directories-dropped",))
    dropped.host.model.files.write_text(r"C:\bind\in.txt", "x")
    cid = _run(dropped, r"C:\bind:C:\data")
    out = dropped.cli("exec", cid, "cmd", "/c", r"type C:\data\in.txt", check=False)
    assert out.returncode == 1  # C:\data is the container's own (empty) folder
    writable = make_sim(deviations=("mapped-read-only-writable",))
    writable.host.model.files.mkdir(r"C:\robind")
    cid = _run(writable, r"C:\robind:C:\data:ro")
    assert writable.cli("exec", cid, "cmd", "/c", r"echo yes> C:\data\out.txt").returncode == 0
    assert writable.host.model.files.read_text(r"C:\robind\out.txt") == "yes\r\n"
