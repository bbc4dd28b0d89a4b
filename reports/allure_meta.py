"""What wcc adds to allure-pytest's results: labels, parameters, links, attachments, environment, categories.

Labels follow the conformance catalogue: epic = area, feature = behaviour id, story = the seed
clause, ``as_id`` = the behaviour id (stable across runs); the host, the driver and the isolation mode
are *parameters* so one test on two hosts (or under two modes) is two results with distinct history ids.

    label_behaviour(meta, host="ws2022-sim", via="docker", isolation="hyperv",
                    catalogue_url="../suites/conformance.yaml#{id}")
    write_environment(Path("reports/out/allure-results"), {"ws2022-sim": {"os_build": 20348}})
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import allure
from allure_commons.types import AttachmentType, ParameterMode

from fixtures.behaviour import Behaviour
from reports.records import reports_lock, write_atomic

CATEGORIES_FILE = Path(__file__).with_name("categories.json")
ENVIRONMENT_FILE = "environment.properties"
# Label names: allure-pytest already uses "host" for the machine running pytest.
HOST_LABEL = "target_host"
BUILD_LABEL = "os_build"
# Facts shown per host in environment.properties, in this order.
FACT_KEYS = ("os_build", "docker_version", "hns_version")


def label_behaviour(meta: Behaviour, host: str, via: str, isolation: str, catalogue_url: str) -> None:
    """Call while the test runs (setup or call phase): allure attaches to the current test."""
    allure.dynamic.epic(meta.area)
    allure.dynamic.feature(meta.id)
    allure.dynamic.story(meta.seed or "beyond the seed")
    allure.dynamic.id(meta.id)
    allure.dynamic.label("behaviour", meta.id)
    allure.dynamic.link(
        catalogue_url.format(id=meta.id, area=meta.area, slug=meta.slug), name=f"catalogue: {meta.id}"
    )
    allure.dynamic.parameter("host", host)
    allure.dynamic.parameter("via", via)
    allure.dynamic.parameter("isolation", isolation)
    # the raw fixture parameter carries the same value; keep it out of the title and history id
    allure.dynamic.parameter("_wcc_host_name", host, excluded=True, mode=ParameterMode.HIDDEN)
    allure.dynamic.label(HOST_LABEL, host)


def label_build(os_build: int | None) -> None:
    if os_build is not None:
        allure.dynamic.label(BUILD_LABEL, str(os_build))


def describe(meta: Behaviour) -> None:
    origin = f"Seed: {meta.seed}" if meta.seed else f"Beyond the seed; source: {meta.source}"
    allure.dynamic.description(f"{meta.must}\n\n{origin}")


def attach_json(name: str, data: Any) -> None:
    allure.attach(
        json.dumps(data, indent=1, sort_keys=True, default=str),
        name=name,
        attachment_type=AttachmentType.JSON,
    )


def write_categories(allure_dir: Path) -> None:
    write_atomic(allure_dir / "categories.json", CATEGORIES_FILE.read_text(encoding="utf-8"))


def categories() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return data


def write_environment(allure_dir: Path, facts: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge host facts into ``environment.properties`` (workers may write at the same time)."""
    path = allure_dir / ENVIRONMENT_FILE
    allure_dir.mkdir(parents=True, exist_ok=True)
    with reports_lock():
        props = parse_properties(path.read_text(encoding="utf-8")) if path.exists() else {}
        for host in sorted(facts):
            for key in FACT_KEYS:
                value = facts[host].get(key)
                if value not in (None, ""):
                    props[f"{host}.{key}"] = str(value)
        write_atomic(
            path, "".join(f"{_escape(k, key=True)}={_escape(v)}\n" for k, v in sorted(props.items()))
        )


def parse_properties(text: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        props[_unescape(key.strip())] = _unescape(value.strip())
    return props


def _escape(text: str, key: bool = False) -> str:
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace("=", "\\=").replace(":", "\\:").replace(" ", "\\ ") if key else text


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append("\n" if text[i + 1] == "n" else text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
