"""The inventory loader answers any file with an inventory or with errors naming the file, never a crash.

Hypothesis feeds it arbitrary bytes, and YAML documents built from the inventory's own keys and
values (so many get past parsing into validation).  Derandomized: the same examples every run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory import Inventory, InventoryError, load_inventory

FUZZ = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = st.sampled_from(
    ["name", "transport", "address", "port", "password", "password_env", "winrm", "ssh", "tls", "docker"]
    + ["sim", "profile", "via", "deviations", "os_build", "base_image", "base_images", "tags", "hosts"]
    + ["scheme", "auth", "url", "ca_cert", "insecure", "lost_after", "adress", ""]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.sampled_from(["sim", "winrm", "ssh", "local", "ws2022", "https", "ntlm", "lab1", "HOME", ""]),
    st.text(max_size=8),
)
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=20,
)
HOSTS = st.lists(st.dictionaries(KEYS, VALUES, max_size=7), max_size=3)
DOCUMENTS = st.one_of(
    st.fixed_dictionaries({"hosts": HOSTS}, optional={"base_images": VALUES}),
    VALUES,
)


def _check(path: Path) -> None:
    try:
        assert isinstance(load_inventory(path, check_env=False), Inventory)
    except InventoryError as exc:
        lines = str(exc).splitlines()
        assert lines, "an empty error"
        # every line is one problem, and says which file it is about
        assert all(line.startswith(f"{path}: ") for line in lines), lines


@FUZZ
@given(data=st.binary(max_size=200))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "inv.yml"
    path.write_bytes(data)
    _check(path)


@FUZZ
@given(document=DOCUMENTS, flow=st.booleans())
def test_any_yaml_document(tmp_path: Path, document: Any, flow: bool) -> None:
    path = tmp_path / "inv.yml"
    path.write_text(yaml.safe_dump(document, default_flow_style=flow), encoding="utf-8")
    _check(path)


@FUZZ
@given(document=DOCUMENTS, cut=st.integers(0, 400), junk=st.binary(max_size=4))
def test_a_yaml_document_cut_short_or_spliced(tmp_path: Path, document: Any, cut: int, junk: bytes) -> None:
    path = tmp_path / "inv.yml"
    text = yaml.safe_dump(document).encode()
    path.write_bytes(text[:cut] + junk + text[cut:])
    _check(path)
