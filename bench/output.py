"""The benchmark's table (stdout), JSON (``bench.json``) and chart (``bench.png``)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.probes import Method
from bench.suite import SuiteRun


def summary(methods: list[Method], round_trip: float, runs: list[SuiteRun]) -> dict[str, Any]:
    naive = methods[0]
    base = runs[0] if runs else None
    return {
        "round_trip_seconds": round_trip,
        "probes": [
            {
                **asdict(m),
                "round_trips_per_probe": m.round_trips_per_probe,
                "wire_requests_per_probe": m.wire_requests / m.probes,
                "wall_per_probe": m.wall_per_probe,
                "ratio_to_one_round_trip": m.wall_per_probe / round_trip,
                "naive_over_this": naive.wall_per_probe / m.wall_per_probe,
            }
            for m in methods
        ],
        "suite": [
            {
                **asdict(r),
                # each host's floor beside the run's wall (every host is busy for the whole run)
                "floors": [
                    {
                        **asdict(f),
                        "floor_seconds": f.seconds,
                        "wall_seconds": r.seconds,
                        "wall_over_floor": r.seconds / f.seconds if f.seconds else 0.0,
                    }
                    for f in r.floors
                ],
                "tests_per_second": r.tests_per_second,
                "speed_up": r.tests_per_second / base.tests_per_second
                if base and base.tests_per_second
                else 0.0,
            }
            for r in runs
        ],
    }


def table(data: dict[str, Any]) -> str:
    rtt_ms = data["round_trip_seconds"] * 1000
    lines = [
        f"Twenty probes on one simulated host, lab latency ({rtt_ms:g} ms round trip):",
        f"{'method':<44} {'round trips/probe':>17} {'wire req/probe':>14} {'wall/probe':>11} "
        f"{'x one RTT':>9} {'naive/this':>10}",
    ]
    for p in data["probes"]:
        lines.append(
            f"{p['name']:<44} {p['round_trips_per_probe']:>17.2f} {p['wire_requests_per_probe']:>14.2f} "
            f"{p['wall_per_probe'] * 1000:>8.1f} ms {p['ratio_to_one_round_trip']:>9.2f} {p['naive_over_this']:>9.1f}x"
        )
    if data["suite"]:
        lines += [
            "",
            "The conformance suite, one worker per simulated host (lab latency):",
            f"{'hosts':>5} {'workers':>7} {'tests':>6} {'failed':>6} {'wall':>8} {'tests/s':>8} {'speed-up':>8} "
            f"{'CPU busy':>14}",
        ]
        for r in data["suite"]:
            lines.append(
                f"{r['hosts']:>5} {r['workers']:>7} {r['tests']:>6} {r['failed']:>6} {r['seconds']:>7.1f}s "
                f"{r['tests_per_second']:>8.2f} {r['speed_up']:>7.2f}x {r['cpu_busy'] * 100:>6.0f}% of {r['cores']} cores"
            )
        lines += [
            "",
            "Wall per host beside its floor (lifecycles x their charged time + round trips x RTT, lab latency):",
            f"{'hosts':>5} {'host':<12} {'lifecycles':>10} {'round trips':>11} {'host time':>10} {'floor':>8} "
            f"{'wall':>8} {'wall/floor':>10}",
        ]
        for r in data["suite"]:
            for f in r["floors"]:
                lines.append(
                    f"{r['hosts']:>5} {f['host']:<12} {f['lifecycles']:>10} {f['round_trips']:>11} "
                    f"{f['host_seconds']:>9.1f}s {f['floor_seconds']:>7.1f}s {f['wall_seconds']:>7.1f}s "
                    f"{f['wall_over_floor']:>9.2f}x"
                )
    return "\n".join(lines)


def write(data: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "bench.json"
    json_path.write_text(json.dumps(data, indent=2) + "\n")
    png_path = out / "bench.png"
    chart(data, png_path)
    return json_path, png_path


def chart(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.2))
    probes = data["probes"]
    names = [p["name"].replace(", ", ",\n", 1) for p in probes]
    walls = [p["wall_per_probe"] * 1000 for p in probes]
    bars = left.barh(names, walls, color=["#c0504d", "#4f81bd", "#4f81bd", "#9bbb59"][: len(probes)])
    left.invert_yaxis()
    left.set_xscale("log")
    left.set_xlabel("wall time per probe (ms, log scale)")
    rtt_ms = data["round_trip_seconds"] * 1000
    left.axvline(rtt_ms, color="gray", linestyle="--", linewidth=1)
    left.text(rtt_ms, len(probes) - 0.45, f" one round trip ({rtt_ms:g} ms)", color="gray", fontsize=8)
    for bar, p in zip(bars, probes, strict=True):
        left.text(
            bar.get_width() * 1.08,
            bar.get_y() + bar.get_height() / 2,
            f"{p['wall_per_probe'] * 1000:.1f} ms, {p['round_trips_per_probe']:.2f} RT",
            va="center",
            fontsize=8,
        )
    left.set_xlim(right=max(walls) * 6)
    left.set_title("20 probes, one simulated host, lab latency")

    runs = data["suite"]
    if runs:
        hosts = [r["hosts"] for r in runs]
        right.plot(hosts, [r["speed_up"] for r in runs], "o-", label="speed-up (tests/s vs 1 host)")
        right.plot(hosts, hosts, ":", color="gray", label="linear")
        right.set_xscale("log", base=2)
        right.set_xticks(hosts, [str(h) for h in hosts])
        right.set_xlabel("simulated hosts (= pytest-xdist workers)")
        right.set_ylabel("speed-up")
        busy = right.twinx()
        busy.bar(
            hosts,
            [r["cpu_busy"] * 100 for r in runs],
            width=[h * 0.25 for h in hosts],
            alpha=0.25,
            color="#c0504d",
        )
        busy.set_ylim(0, 100)
        busy.set_ylabel(f"CPU busy, % of {runs[0]['cores']} cores (bars)")
        right.set_zorder(busy.get_zorder() + 1)  # the line over the bars
        right.patch.set_visible(False)
        right.legend(loc="upper left", fontsize=8)
        right.set_title("conformance suite: scaling with hosts")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
