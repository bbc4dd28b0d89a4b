"""Why each survivor of `make mutation` cannot change documented behaviour (see equivalent.md).

``python -m tests.mutation.classify`` lists the last session's survivors with their class;
a survivor no rule covers is printed as UNCLASSIFIED: a gap for the suite to close.
"""

from __future__ import annotations

import sys

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import TestOutcome, WorkerOutcome

from tests.mutation.run import SESSION

# (file, first line, last line, operator prefix or "") -> class (a heading of equivalent.md).
# Lines are those of the commit the session ran on; re-check them when the code moves.
RULES: list[tuple[str, int, int, str, str]] = [
    ("winsim/model/docker_containers.py", 306, 308, "core/ReplaceBinaryOperator_BitOr", "A annotation"),
    ("winsim/model/docker_containers.py", 334, 334, "core/ReplaceBinaryOperator_BitOr", "A annotation"),
    ("winsim/model/docker_containers.py", 320, 323, "", "B deviation-gated"),
    ("winsim/model/docker_containers.py", 328, 332, "", "C undocumented wait condition"),
    ("winsim/model/docker_containers.py", 336, 340, "", "D unreachable or unobservable path"),
    (
        "winsim/model/docker_containers.py",
        341,
        341,
        "core/NumberReplacer",
        "G poll interval of a notified wait",
    ),
    ("winsim/docker_api/handlers.py", 220, 224, "", "D unreachable or unobservable path"),
    ("winsim/model/windowsfilter.py", 152, 157, "", "B deviation-gated"),
    ("winsim/model/windowsfilter.py", 194, 194, "", "B deviation-gated"),
    ("winsim/model/windowsfilter.py", 167, 169, "", "B deviation-gated"),
    ("winsim/model/hns.py", 351, 358, "", "B deviation-gated"),
    ("winsim/model/hns.py", 312, 320, "", "E input the seed's lifecycles never give"),
    ("winsim/model/hns.py", 328, 343, "", "E input the seed's lifecycles never give"),
    ("winsim/model/hns.py", 345, 346, "", "E input the seed's lifecycles never give"),
    ("winsim/model/hns.py", 366, 367, "", "F one network, one attach per container"),
    ("winsim/model/hcs.py", 340, 340, "", "F one network, one attach per container"),
    ("winsim/model/hcs.py", 341, 341, "", "B deviation-gated"),
    ("winsim/model/hcs.py", 348, 349, "", "B deviation-gated"),
    ("winsim/model/netstack.py", 162, 162, "core/NumberReplacer", "H alias suffix the seed does not state"),
    ("winsim/model/netstack.py", 163, 164, "", "B deviation-gated"),
]


def classify(module: str, line: int, operator: str) -> str:
    for path, first, last, prefix, name in RULES:
        if module == path and first <= line <= last and operator.startswith(prefix):
            return name
    return "UNCLASSIFIED"


def main() -> int:
    unclassified = 0
    with use_db(str(SESSION), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result is None or result.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if result.test_outcome != TestOutcome.SURVIVED:
                continue
            m = item.mutations[0]
            name = classify(str(m.module_path), m.start_pos[0], m.operator_name)
            unclassified += name == "UNCLASSIFIED"
            added = [line for line in (result.diff or "").splitlines() if line.startswith("+ ")]
            print(
                f"{name:45} {m.module_path}:{m.start_pos[0]} {m.operator_name}  {added[-1].strip() if added else ''}"
            )
    return 1 if unclassified else 0


if __name__ == "__main__":
    sys.exit(main())
