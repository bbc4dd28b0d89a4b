"""The conformance catalogue: ``suites/conformance.yaml``, generated from the tests' ``@behaviour``.

    python -m suites.catalogue --write   # regenerate after changing a test's metadata
    python -m suites.catalogue --check   # exit 1 and show the diff when the file has drifted

It reads the decorators by importing the test modules: no pytest run, no host, no network.
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from fixtures.behaviour import Behaviour

SUITES = Path(__file__).resolve().parent
ROOT = SUITES.parent
CATALOGUE = SUITES / "conformance.yaml"
HEADER = (
    "# Conformance catalogue: one entry per documented behaviour, generated from the tests' @behaviour.\n"
    "# Do not edit: run `python -m suites.catalogue --write` (a project test fails when this file drifts).\n"
)


class CatalogueError(ValueError):
    """The tests' metadata cannot make a catalogue (names the test and the problem)."""


def _load(path: Path) -> ModuleType:
    relative = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else None
    name = ".".join(relative.with_suffix("").parts) if relative else f"_wcc_catalogue_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CatalogueError(f"{path}: cannot import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _behaviour(fn: Any) -> Behaviour | None:
    for mark in getattr(fn, "pytestmark", []):
        if mark.name == "behaviour":
            meta: Behaviour = mark.args[0]
            return meta
    return None


def _display(path: Path) -> str:
    resolved = path.resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else path.as_posix()


def collect(suites: Path = SUITES) -> list[dict[str, Any]]:
    """One entry per behaviour id, sorted by id."""
    entries: dict[str, dict[str, Any]] = {}
    metas: dict[str, Behaviour] = {}
    for path in sorted(suites.glob("test_*.py")):
        module = _load(path)
        file = _display(path)
        for name, fn in vars(module).items():
            if (
                not name.startswith("test")
                or not callable(fn)
                or getattr(fn, "__module__", None) != module.__name__
            ):
                continue
            meta = _behaviour(fn)
            if meta is None:
                raise CatalogueError(f"{file}::{name}: a conformance test needs @behaviour(...)")
            node = f"{file}::{name}"
            owed = meta.missing_isolation_evidence()
            if owed:
                raise CatalogueError(
                    f"{node}: behaviour {meta.id} gives no isolation_evidence for {', '.join(owed)} "
                    f"(why it holds there and in which form, or why it does not, with the source)"
                )
            if meta.id in metas:
                if metas[meta.id] != meta:
                    raise CatalogueError(
                        f"{node}: behaviour {meta.id} is declared with different metadata elsewhere"
                    )
                if entries[meta.id]["file"] != file:
                    raise CatalogueError(
                        f"{node}: behaviour {meta.id} already has tests in {entries[meta.id]['file']}"
                    )
                entries[meta.id]["tests"].append(node)
                continue
            metas[meta.id] = meta
            entries[meta.id] = {
                "id": meta.id,
                "must": meta.must,
                "seed": meta.seed,
                "source": meta.source,
                "area": meta.area,
                "via": list(meta.via),
                "destructive": meta.destructive,
                "gates": {
                    "min_build": meta.min_build,
                    "max_build": meta.max_build,
                    "features": list(meta.features),
                    "evidence": meta.evidence,
                },
                # the modes it holds under; per mode, why it holds there or why not (n/a with that reason)
                "isolation": list(meta.isolation),
                "isolation_evidence": {
                    m: meta.isolation_evidence[m] for m in sorted(meta.isolation_evidence)
                },
                "tests": [node],
                "file": file,
            }
            if meta.source:  # beyond the seed: the MUST's evidence instead of a seed clause
                entries[meta.id]["source"] = meta.source
    return [entries[key] for key in sorted(entries)]


def render(entries: list[dict[str, Any]]) -> str:
    body = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return HEADER + body


def load(path: Path = CATALOGUE) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(data or [])


def drift(suites: Path = SUITES, path: Path = CATALOGUE) -> str:
    """A unified diff between the checked-in catalogue and the tests ('' when they agree)."""
    wanted = render(collect(suites))
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if wanted == current:
        return ""
    diff = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        f"{_display(path)} (checked in)",
        "from the tests",
    )
    return "".join(diff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m suites.catalogue", description=__doc__.split("\n")[0] if __doc__ else None
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"regenerate {_display(CATALOGUE)}")
    action.add_argument(
        "--check", action="store_true", help="exit 1 when the checked-in catalogue has drifted"
    )
    args = parser.parse_args(argv)
    try:
        if args.write:
            entries = collect()
            CATALOGUE.write_text(render(entries), encoding="utf-8")
            print(f"wrote {_display(CATALOGUE)}: {len(entries)} behaviours")
            return 0
        diff = drift()
    except CatalogueError as exc:
        print(f"catalogue: {exc}", file=sys.stderr)
        return 2
    if diff:
        print(diff, end="")
        print(
            f"\n{_display(CATALOGUE)} has drifted from the tests: run `python -m suites.catalogue --write`",
            file=sys.stderr,
        )
        return 1
    print(f"{_display(CATALOGUE)} matches the tests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
