r"""Failure messages in the seed's terms: say what is wrong, then expected and observed.

A bare ``expected [a, b], observed [b, a]`` leaves the reader to work out that the order is
reversed; these helpers name the difference, as the seed would put it::

    explain.in_order(host, "layerchain.json", nearest_first, chain,
                     items="the layers", order="nearest-first", reverse="base-first")
    # ws2022-sim: layerchain.json lists the layers base-first, not nearest-first:
    #   expected [C:\...\4f1a, C:\...\9be0], observed [C:\...\9be0, C:\...\4f1a]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from suites.expect import Named, message, show


def difference(
    where: str, expected: Sequence[Any], observed: Sequence[Any], *, items: str, order: str, reverse: str
) -> str | None:
    """How ``observed`` differs from ``expected`` in words, or None when they are the same list."""
    want, got = list(expected), list(observed)
    if got == want:
        return None
    if len(want) > 1 and got == want[::-1]:
        return f"{where} lists {items} {reverse}, not {order}"
    missing = [x for x in want if x not in got]
    extra = [x for x in got if x not in want]
    if not missing and not extra and len(got) == len(want):
        return f"{where} lists {items} in another order, not {order}"
    parts = []
    if missing:
        parts.append(f"lacks {len(missing)} of {items} ({', '.join(map(show, missing))})")
    if extra:
        parts.append(f"lists {len(extra)} unexpected ({', '.join(map(show, extra))})")
    if not parts:  # the same items, some repeated
        parts.append(f"repeats some of {items}")
    return f"{where} " + " and ".join(parts)


def in_order(
    host: Named | str,
    where: str,
    expected: Sequence[Any],
    observed: Sequence[Any],
    *,
    items: str,
    order: str,
    reverse: str,
) -> None:
    """``observed`` must be exactly ``expected``; the failure says how it differs (reversed, reordered,
    missing or extra items), then shows both lists."""
    __tracebackhide__ = True
    problem = difference(where, expected, observed, items=items, order=order, reverse=reverse)
    if problem is not None:
        raise AssertionError(message(host, problem, list(expected), list(observed)))
