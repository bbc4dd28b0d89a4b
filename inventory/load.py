"""Load and validate an inventory file, turning every problem into one clear error.

Errors name the file, the host and the field, e.g.::

    inventory/lab.yml: host 'ws2022-lab': field 'winrm.auth': Input should be 'basic', 'ntlm', ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from inventory.model import HostSpec, Inventory

DEFAULT_INVENTORY = Path(__file__).with_name("sim.yml")
SECRET_KEYS = {"password", "passwd", "secret", "token"}
# A lab of a thousand hosts is ~200 KB.  PyYAML's Python loader takes ~10 s of CPU per MB (libyaml's
# is faster but overflows the C stack on deeply nested input), so a larger file is refused unread.
MAX_BYTES = 256 * 1024


class InventoryError(ValueError):
    """A bad inventory: the message names file, host and field."""


def _host_label(raw_hosts: Any, index: int) -> str:
    if isinstance(raw_hosts, list) and index < len(raw_hosts) and isinstance(raw_hosts[index], dict):
        name = raw_hosts[index].get("name")
        if name:
            return f"host {name!r}"
    return f"host #{index + 1}"


def _find_plaintext_secret(node: Any, path: str = "", seen: set[int] | None = None) -> str | None:
    if isinstance(node, dict):
        # YAML anchors can make a mapping its own descendant: visit each mapping once
        seen = set() if seen is None else seen
        if id(node) in seen:
            return None
        seen.add(id(node))
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if str(key).lower() in SECRET_KEYS:
                return where
            found = _find_plaintext_secret(value, where, seen)
            if found:
                return found
    return None


def _read_text(path: Path) -> str:
    """The file as text, or one line naming the file and what is wrong with its bytes."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read inventory: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise InventoryError(
            f"{path}: inventory is larger than {MAX_BYTES // 1024} KiB; an inventory lists hosts, not data"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InventoryError(
            f"{path}: not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} (line {line}); "
            "save the file as UTF-8"
        ) from None


def _parse(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InventoryError(
            f"{path}: not valid YAML at line {line}: character U+{exc.character:04X} is not allowed ({exc.reason})"
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InventoryError(f"{path}: not valid YAML{where}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InventoryError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise InventoryError(f"{path}: not valid YAML: nested too deeply") from None


def _format_validation(path: Path, raw: dict[str, Any], exc: ValidationError) -> str:
    raw_hosts = raw.get("hosts")
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "hosts" and isinstance(loc[1], int):
            where = _host_label(raw_hosts, loc[1]) + ": "
            loc = loc[2:]
        # pydantic puts union/literal branch names in loc; keep only real field names
        field = ".".join(str(p) for p in loc if not str(p).startswith(("function-", "literal[")))
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling; see inventory/lab.example.yml for every key)"
        elif err["type"] == "missing":
            msg = "required field is missing"
        lines.append(f"{path}: {where}field {field!r}: {msg}" if field else f"{path}: {where}{msg}")
    return "\n".join(lines)


def load_inventory(path: str | Path = DEFAULT_INVENTORY, check_env: bool = True) -> Inventory:
    """Read ``path``; raise :class:`InventoryError` naming file, host and field on any problem.

    With ``check_env`` every ``password_env`` must name a variable that is set, so a run fails
    at start, not halfway through a host.
    """
    path = Path(path)
    raw = _parse(path, _read_text(path))
    if not isinstance(raw, dict) or "hosts" not in raw:
        raise InventoryError(f"{path}: an inventory is a mapping with a 'hosts:' list")
    raw_hosts = raw.get("hosts")
    if not isinstance(raw_hosts, list) or not raw_hosts:
        raise InventoryError(f"{path}: 'hosts' must be a non-empty list")
    for index, host in enumerate(raw_hosts):
        secret = _find_plaintext_secret(host)
        if secret:
            raise InventoryError(
                f"{path}: {_host_label(raw_hosts, index)}: field {secret!r}: plaintext secrets are refused; "
                f"put the value in an environment variable and name it with 'password_env: WCC_<HOST>_PASSWORD'"
            )
    seen: dict[str, int] = {}
    for index, host in enumerate(raw_hosts):
        name = host.get("name") if isinstance(host, dict) else None
        if isinstance(name, str):
            if name.lower() in seen:
                raise InventoryError(
                    f"{path}: host {name!r}: field 'name': duplicate host name (also host #{seen[name.lower()] + 1})"
                )
            seen[name.lower()] = index
    try:
        inventory = Inventory.model_validate(raw)
    except ValidationError as exc:
        raise InventoryError(_format_validation(path, raw, exc)) from None
    for host in inventory.hosts:
        _check_base_image(path, inventory, host)
    if check_env:
        for host in inventory.hosts:
            _check_env(path, host)
    return inventory


def _check_base_image(path: Path, inventory: Inventory, host: HostSpec) -> None:
    """Every test that creates a container needs the host's base image: know it before the run."""
    if host.transport == "sim" or host.base_image:
        return  # a simulated host comes with its profile's image
    if not inventory.base_images:
        raise InventoryError(
            f"{path}: host {host.name!r}: field 'base_image': no base image for this host; give "
            "'base_image', or a top-level 'base_images' entry per OS build (see inventory/lab.example.yml)"
        )
    if host.os_build is not None and host.os_build not in inventory.base_images:
        builds = ", ".join(map(str, sorted(inventory.base_images)))
        raise InventoryError(
            f"{path}: host {host.name!r}: field 'base_image': 'base_images' has no entry for os_build "
            f"{host.os_build} (it has {builds}); add one or give the host 'base_image'"
        )


def _check_env(path: Path, host: HostSpec) -> None:
    if host.password_env and host.password_env not in os.environ:
        raise InventoryError(
            f"{path}: host {host.name!r}: field 'password_env': environment variable {host.password_env} is not set"
        )
