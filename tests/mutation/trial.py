"""One mutant's trial: the conformance suite against the default simulated hosts, stopping at the first failure.

Run by cosmic-ray with the mutant already written to disk.  Bytecode is neither read nor
written (an empty cache prefix), so every process, the simulated hosts included, compiles the
mutated source rather than a cached original.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="wcc-mutant-") as tmp:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPYCACHEPREFIX=tmp, PYTHONPATH=str(ROOT))
        for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # the simulated hosts' CA is private
            env.pop(name, None)
        cmd = [sys.executable, "-m", "pytest", "suites", "-x", "-q", "-p", "no:cacheprovider", "-n", "2"]
        cmd += ["--basetemp", str(Path(tmp) / "pytest")]
        return subprocess.run(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ).returncode


if __name__ == "__main__":
    sys.exit(main())
