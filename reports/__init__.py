"""wcc reports: per-test result records, the conformance matrix, Allure and JUnit output.

    python -m reports.run --out reports/out --workers auto  # run the suite, write every report
    python -m reports.build --out reports/out DIR [DIR...]  # merge result dirs (xdist, CI jobs) again

Layout of an output directory::

    results/<worker>.jsonl   one JSON record per conformance test (reports.records);
                             merged.jsonl (+ problems.json) in a folder reports.build wrote
    results/hosts.json       hosts expected, their facts, the tests selected
    allure-results/          allure-pytest output + environment.properties + categories.json
    allure-report/           Allure 3 HTML (when node is available)
    junit.xml                JUnit for CI systems (merged: one testsuite per host, wcc properties)
    matrix.html, matrix.json behaviours x hosts (cells link into allure-report, behaviours into seed.html)
    seed.html                the seed, one anchor per line
    catalogue.html           the catalogue, one anchor per behaviour (Allure's "catalogue" links)
    matrix.previous.json     the last complete run's matrix (the baseline after an interrupted run)
    .run-<pid>-*/            a run in progress; swapped in when it has produced its reports (outdir.py)
"""
