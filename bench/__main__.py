"""``python -m bench [--out DIR] [--sizes 1,2,4,8]``: run both benchmarks, print the table, write files."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import output, probes, suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=Path("reports/out"), help="folder for bench.json and bench.png"
    )
    parser.add_argument(
        "--sizes", default=",".join(map(str, suite.SIZES)), help="host counts for the suite (0: skip)"
    )
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",") if int(s) > 0)
    with tempfile.TemporaryDirectory(prefix="wcc-bench-") as tmp:
        methods, round_trip = probes.run(Path(tmp) / "probes")
        runs = suite.run(Path(tmp), sizes)
    data = output.summary(methods, round_trip, runs)
    print(output.table(data))
    json_path, png_path = output.write(data, args.out)
    print(f"\nwrote {json_path} and {png_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
