"""``make bench``: what reaching a Windows host costs, side by side in one run (``python -m bench``).

* :mod:`bench.probes`: the same twenty probes on one simulated host with the ``lab`` latency
  profile, four ways: pywinrm's ``run_ps`` per probe (what people write by hand), the drivers one
  call per probe over WinRM and over SSH, and the drivers in one batch;
* :mod:`bench.suite`: the conformance suite on 1, 2, 4 and 8 simulated hosts with as many workers;
* :mod:`bench.output`: the table, ``reports/out/bench.json`` and ``reports/out/bench.png``.

A benchmark, not a timed test: the machine may be shared, so figures are ratios taken in one
run; the round-trip counts are deterministic and the project's tests check them exactly.
"""
