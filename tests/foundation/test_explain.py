"""Failure messages say what is wrong in the seed's terms (suites.explain), with expected and observed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from suites.explain import difference, in_order

ROOT = Path(__file__).resolve().parents[2]
WORDS = {"items": "the layers", "order": "nearest-first", "reverse": "base-first"}


def test_a_reversed_list_is_called_reversed_in_the_documents_words():
    assert difference("layerchain.json", ["b", "a"], ["a", "b"], **WORDS) == (
        "layerchain.json lists the layers base-first, not nearest-first"
    )
    with pytest.raises(AssertionError) as failed:
        in_order("ws2022-sim", "layerchain.json", ["l2", "l1"], ["l1", "l2"], **WORDS)
    assert str(failed.value) == (
        "ws2022-sim: layerchain.json lists the layers base-first, not nearest-first: "
        "expected [l2, l1], observed [l1, l2]"
    )


def test_other_differences_are_named_too():
    assert difference("x", ["c", "b", "a"], ["b", "c", "a"], **WORDS) == (
        "x lists the layers in another order, not nearest-first"
    )
    assert difference("x", ["b", "a"], ["b"], **WORDS) == "x lacks 1 of the layers (a)"
    assert difference("x", ["b"], ["b", "z"], **WORDS) == "x lists 1 unexpected (z)"
    assert difference("x", ["b", "a"], ["b", "a"], **WORDS) is None


@pytest.mark.slow
def test_the_layerchain_test_says_the_chain_is_base_first_on_a_host_that_reverses_it(tmp_path: Path):
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        "hosts:\n  - {name: reversed, transport: sim, sim: {profile: ws2022, deviations: [layerchain-base-first]}}\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"--inventory={inventory}",
            "-k",
            "layerchain",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-3000:]
    assert "reversed: layerchain.json of " in done.stdout
    assert (
        "lists the layers base-first, not nearest-first: expected [C:\\ProgramData\\docker\\" in done.stdout
    )
