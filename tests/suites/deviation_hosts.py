"""Which deviations share a simulated host in the deviation proof: 46 deviations on 20 hosts, not 46.

A cell is one behaviour through one via.  A deviation *declares* the cells it breaks (its behaviour
through every via, and its ``ALSO_BREAKS``).  A host carrying deviations G must fail exactly the
cells some member declares and pass the rest.  For a deviation d, a cell is *settled* on a host of
d where no other member declares it: there its outcome is d's alone.  The plan puts every deviation
on hosts enough that each of its cells is settled on one of them, so a passing proof shows, for each
deviation, every cell it declares failing and every other cell passing with nothing else to blame.

Two deviations that break one behaviour never share a host: they are two ways of getting one fact
wrong, and together they make a third (a layerchain reversed, then cut to its base, keeps only the
nearest layer).  Beyond that the plan rests on one assumption, said where the proof is read: a
deviation that breaks a cell alone still breaks it in company (no deviation repairs another's
fault).  Two that compose into a further fault show as an unexpected outcome on their shared host.

>>> vias = {"hcs/operational-log": ["docker", "direct"], ...}          # doctest: +SKIP
>>> hosts = plan(sorted(DEVIATION_BREAKS), vias)                       # doctest: +SKIP
>>> declared = {d: declared_cells(d, vias) for d in DEVIATION_BREAKS}  # doctest: +SKIP
>>> settled_on(Deviation.NO_HCS_EVENTS, ("hcs/operational-log", "docker"), hosts, declared)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tests.suites.deviation_map import ALSO_BREAKS, DEVIATION_BREAKS
from winsim.deviations import Deviation

Cell = tuple[str, str]  # (behaviour, via)

# A host's deviations at most, and the hosts a round may open before it shares one: found by trying
# (46 deviations then take 20 hosts; other values took 20 to 30).
SIZE, ROUND_HOSTS = 10, 9


def declared_cells(deviation: Deviation, vias: Mapping[str, Sequence[str]]) -> frozenset[Cell]:
    """The cells ``deviation`` breaks: its behaviour through every via, and its ALSO_BREAKS
    (an entry "behaviour[via]" through that via only)."""
    own = DEVIATION_BREAKS[deviation]
    cells = {(own, via) for via in vias[own]}
    for entry in ALSO_BREAKS.get(deviation, frozenset()):
        behaviour, _, via = entry.rstrip("]").partition("[")
        cells |= {(behaviour, via)} if via else {(behaviour, v) for v in vias[behaviour]}
    return frozenset(cells)


def others_declare(
    deviation: Deviation, host: Iterable[Deviation], declared: Mapping[Deviation, frozenset[Cell]]
) -> set[Cell]:
    """The cells another deviation on ``host`` declares (those not settled there for ``deviation``)."""
    return set().union(*(declared[p] for p in host if p != deviation))


def plan(
    deviations: Sequence[Deviation],
    vias: Mapping[str, Sequence[str]],
    size: int = SIZE,
    round_hosts: int = ROUND_HOSTS,
) -> list[frozenset[Deviation]]:
    """Hosts, each a set of deviations, in rounds: a round places every deviation that still has an
    unsettled cell on the host where it and its partners unsettle the fewest (a new host while the
    round has fewer than ``round_hosts``), until every cell of every deviation is settled (a
    deviation alone on a host settles all its cells: a round that settles nothing ends so)."""
    cells = {(b, v) for b, vs in vias.items() for v in vs}
    declared = {d: declared_cells(d, vias) for d in deviations}
    unsettled = {d: set(cells) for d in deviations}
    hosts: list[frozenset[Deviation]] = []
    while todo := sorted((d for d in deviations if unsettled[d]), key=lambda d: (-len(unsettled[d]), d)):
        groups: list[list[Deviation]] = []
        for d in todo:
            best: tuple[int, list[Deviation]] | None = None
            for group in groups:
                if len(group) < size and all(DEVIATION_BREAKS[p] != DEVIATION_BREAKS[d] for p in group):
                    harm = len(unsettled[d] & others_declare(d, group, declared))
                    harm += sum(len(unsettled[p] & declared[d]) for p in group)
                    if best is None or harm < best[0]:
                        best = (harm, group)
            if best is None or (best[0] > 0 and len(groups) < round_hosts):
                groups.append([d])
            else:
                best[1].append(d)
        before = sum(len(unsettled[d]) for d in todo)
        for group in groups:
            for d in group:
                unsettled[d] &= others_declare(d, group, declared)
        hosts += [frozenset(g) for g in groups]
        if sum(len(unsettled[d]) for d in todo) == before:  # a round that settled nothing: one host each
            hosts += [frozenset({d}) for d in todo]
            break
    return hosts


def settled_on(
    deviation: Deviation,
    cell: Cell,
    hosts: Sequence[frozenset[Deviation]],
    declared: Mapping[Deviation, frozenset[Cell]],
) -> int | None:
    """The first host (its index) where ``cell``'s outcome is ``deviation``'s alone, or None."""
    for index, host in enumerate(hosts):
        if deviation in host and cell not in others_declare(deviation, host, declared):
            return index
    return None
