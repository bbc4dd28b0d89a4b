"""How many network-bound hosts one core drives: a worker's CPU share under the ``lab`` latency.

``python -m bench.workers``: the conformance suite on one simulated host with the ``lab`` latency
profile (winsim.profiles: round trips, handshakes, container operations as a lab's), in one
pytest process without xdist.  The simulated host runs in processes of its own (on a real lab it
is the Windows VM), so the worker's own CPU time over its wall time is what one worker costs a
core: ``wall / cpu`` workers fit on a core before the cores, not the network, limit a shard.
Reported, never asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from bench.suite import ROOT

# pytest in this process, timed by the process itself (its children, the simulated host, excluded)
CHILD = """
import json, sys, time
import pytest
wall, cpu = time.monotonic(), time.process_time()
rc = pytest.main(["suites", "--inventory=" + sys.argv[1], "-n", "0", "-p", "no:cacheprovider", "-q"])
print("WCC-BENCH " + json.dumps({"rc": int(rc), "wall": time.monotonic() - wall, "cpu": time.process_time() - cpu}))
"""


def measure(profile: str, via: str, folder: Path) -> dict[str, float]:
    inventory = folder / f"{profile}-{via}.yml"
    host = {
        "name": f"{profile}-{via}-lab",
        "transport": "sim",
        "sim": {"profile": profile, "via": via, "latency": "lab"},
    }
    inventory.write_text(yaml.safe_dump({"hosts": [host]}))
    env = dict(os.environ, TMPDIR=str(folder))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(inventory)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WCC-BENCH ")), None)
    if line is None:
        raise RuntimeError(f"the bench run printed no result: {proc.stdout[-1000:]}{proc.stderr[-1000:]}")
    result: dict[str, float] = json.loads(line.removeprefix("WCC-BENCH "))
    return result


def main() -> int:
    print("one worker, one lab-latency simulated host, the whole suite:")
    with tempfile.TemporaryDirectory(prefix="wcc-bench-workers-") as tmp:
        for profile, via in (("ws2022", "winrm"), ("ws2019", "ssh")):
            r = measure(profile, via, Path(tmp))
            print(
                f"  {profile} over {via}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s worker CPU "
                f"-> {r['wall'] / r['cpu']:.1f} workers per core (pytest exit {r['rc']:.0f})"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
