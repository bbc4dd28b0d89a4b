"""A broken P/Invoke declaration in the probe module fails in winsim as it would on Windows.

Each case takes the real Wcc.psm1, breaks one declaration of its C# block one way (a width, a
CharSet, a struct layout, an entry point, a marshalling), loads it over WinRM into a simulated
host and makes the probe call that uses it: the call fails (or answers a wrong value), while
the unmodified module answers correctly.  The binder compares the declaration with the export's
native signature (winsim/native/signatures.py) the way the CLR's marshaller would.  The same
declarations are also read statically against those signatures, so a mismatch is named (which
parameter, which width or offset) without a host.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import drivers.session
from drivers.errors import ProbeError
from drivers.host import Host, connect
from drivers.probe import module_text
from tests.drivers.lab import Lab
from winsim.native import dll_exports
from winsim.native.signatures import NativeType, Pointer, Scalar, Struct
from winsim.powershell import pinvoke
from winsim.powershell.addtype import read_declarations

NAME_GUID = (
    "abc",
    "9cce6c1d-ef44-5d09-890e-0ccc1fc3b6d1",
)  # NameToGuid("abc"), as tests/winsim_powershell has it


def _declaration(name: str) -> str:
    """The [DllImport] line and extern declaration of ``name`` in the module's C# block."""
    match = re.search(
        rf"\[DllImport\([^\]]*\)\]\s*\n\s*public static extern \w+ {name}\(.*?\);", module_text()
    )
    assert match, f"the module declares no {name}"
    return match.group(0)


def _broken(old: str, new: str) -> str:
    text = module_text()
    assert text.count(old) == 1, f"{old!r} is not once in the module"
    return text.replace(old, new)


def _retyped(name: str, old: str, new: str) -> str:
    declaration = _declaration(name)
    assert old in declaration, f"{old!r} is not in {declaration!r}"
    return _broken(declaration, declaration.replace(old, new, 1))


BREAKS: dict[str, Callable[[], str]] = {
    # width: a 64-bit HCS handle declared int comes back truncated; the next call is E_HANDLE
    "handle as int": lambda: _retyped(
        "HcsOpenComputeSystem", "out IntPtr computeSystem", "out int computeSystem"
    ),
    # width: the 32-bit HRESULT read as uint is no longer negative, so "not found" is not
    # recognised and the probe goes on with a NULL handle (or, on Windows, fails to pass
    # 3224830222 to Assert-WccHResult's [int]): a missing system is an error, not "none"
    "hresult as uint": lambda: _retyped(
        "HcsOpenComputeSystem", "public static extern int", "public static extern uint"
    ),
    # width: read as long, RAX's upper half is zero (a 32-bit result zero-extends): positive too
    "hresult as long": lambda: _retyped(
        "HcsOpenComputeSystem", "public static extern int", "public static extern long"
    ),
    # CharSet: without CharSet.Unicode the id goes ANSI and the export reads other characters
    "id as ansi": lambda: _retyped("HcsOpenComputeSystem", ", CharSet = CharSet.Unicode)", ")"),
    "name as ansi": lambda: _retyped("NameToGuid", ", CharSet = CharSet.Unicode)", ")"),
    # struct layout: DriverInfo's fields swapped; the export reads HomeDir's pointer where Flavour
    # (1) now is, and faults
    "driver info swapped": lambda: _broken(
        "public int Flavour;                 // 1 = the Windows filter driver (windowsfilter)\n"
        "        [MarshalAs(UnmanagedType.LPWStr)]\n"
        "        public string HomeDir;              // empty: ids are full layer paths",
        "[MarshalAs(UnmanagedType.LPWStr)]\n        public string HomeDir;\n        public int Flavour;",
    ),
    # entry point: a name vmcompute.dll does not export
    "entry point": lambda: _retyped(
        "HcsOpenComputeSystem",
        "CharSet = CharSet.Unicode)",
        'CharSet = CharSet.Unicode, EntryPoint = "HcsOpenComputeSystemW", ExactSpelling = true)',
    ),
    # marshalling the CLR refuses: a string paired with I4
    "string as I4": lambda: _retyped(
        "NameToGuid", "(string name", "([MarshalAs(UnmanagedType.I4)] string name"
    ),
}


@pytest.fixture(scope="module")
def pinvoke_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    lab = Lab.start(tmp_path_factory.mktemp("pinvoke-lab"), name="drv-pinvoke")
    yield lab
    lab.close()


@pytest.fixture(scope="module")
def running(pinvoke_lab: Lab) -> Iterator[dict[str, Any]]:
    """One running container and one image layer folder on the host, made by this module."""
    host = connect(pinvoke_lab.spec("winrm"), run_id="pinvoke")
    client = host.docker.client
    container = client.containers.run(client.images.list()[0].tags[0], "ping -t localhost", detach=True)
    layer = next(f for f in host.layers.folders() if f != container.id)
    try:
        yield {"id": container.id, "layer": layer}
    finally:
        container.remove(force=True)
        host.close()


def _with_module(lab: Lab, text: str, monkeypatch: pytest.MonkeyPatch) -> Host:
    monkeypatch.setattr(drivers.session, "module_text", lambda: text)
    return connect(lab.spec("winrm"), run_id="pinvoke")


def _probes(host: Host, running: dict[str, Any]) -> dict[str, Any]:
    """Each probe's answer, or the ProbeError it raised (as text)."""
    calls: dict[str, Callable[[], Any]] = {
        "running": lambda: host.hcs.get(running["id"]),
        "missing": lambda: host.hcs.get("0" * 64),
        "guid": lambda: host.layers.name_to_guid(NAME_GUID[0]),
        "mount": lambda: host.layers.mount_path(running["layer"]),
    }
    answers: dict[str, Any] = {}
    for name, fn in calls.items():
        try:
            answers[name] = fn()
        except ProbeError as exc:
            answers[name] = f"ProbeError: {exc}"
    return answers


def test_the_unmodified_module_answers_every_native_probe(pinvoke_lab, running, monkeypatch):
    host = _with_module(pinvoke_lab, module_text(), monkeypatch)
    try:
        answers = _probes(host, running)
    finally:
        host.close()
    assert answers["running"] is not None and answers["running"].state == "Running", answers
    assert answers["missing"] is None
    assert answers["guid"] == NAME_GUID[1]
    assert answers["mount"].lower() == host.layers.path(running["layer"]).lower()


# break -> (probe, what its answer must show)
EXPECTED: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "handle as int": (
        "running",
        lambda a: "HcsGetComputeSystemProperties failed with HRESULT 0x80070006" in str(a),
    ),
    "hresult as uint": ("missing", lambda a: isinstance(a, str) and a.startswith("ProbeError")),
    "hresult as long": ("missing", lambda a: isinstance(a, str) and a.startswith("ProbeError")),
    "id as ansi": ("running", lambda a: a is None),
    "name as ansi": (
        "guid",
        lambda a: isinstance(a, str) and not a.startswith("ProbeError") and a != NAME_GUID[1],
    ),
    "driver info swapped": (
        "mount",
        lambda a: (
            'calling "GetLayerMountPath"' in str(a)
            and "Attempted to read or write protected memory" in str(a)
        ),
    ),
    "entry point": (
        "running",
        lambda a: (
            "Unable to find an entry point named 'HcsOpenComputeSystemW' in DLL 'vmcompute.dll'." in str(a)
        ),
    ),
    "string as I4": (
        "guid",
        lambda a: (
            "Cannot marshal 'parameter #1': Invalid managed/unmanaged type combination (String parameters"
            in str(a)
        ),
    ),
}


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_a_broken_declaration_fails_its_probe(pinvoke_lab, running, monkeypatch, kind):
    host = _with_module(pinvoke_lab, BREAKS[kind](), monkeypatch)
    try:
        probe, shows = EXPECTED[kind]
        answers = _probes(host, running)
    finally:
        host.close()
    assert shows(answers[probe]), f"{kind}: {probe} answered {answers[probe]!r}"


# ---- the same declarations read statically against the native signatures ----------------------


def _field_problems(where: str, how: pinvoke.Marshal, ctype: NativeType) -> list[str]:
    """How the managed marshalling ``how`` differs from the native ``ctype`` it meets."""
    if isinstance(ctype, Struct):
        if how.kind != "struct" or how.struct is None or how.lookup is None:
            return [f"{where}: {how.kind} where the export reads the struct {ctype.name}"]
        managed = pinvoke.struct_fields(how.struct, how.lookup)
        native = [(name, t, ctype.offsets()[name]) for name, t in ctype.fields]
        problems = [f"{where}: {len(managed)} fields, {ctype.name} has {len(native)}"] * (
            len(managed) != len(native)
        )
        for (m_name, m_how, m_at), (n_name, n_type, n_at) in zip(managed, native, strict=False):
            if m_at != n_at:
                problems.append(f"{where}.{m_name} at offset {m_at}, {ctype.name}.{n_name} is at {n_at}")
            problems += _field_problems(f"{where}.{m_name}", m_how, n_type)
        return problems
    assert isinstance(ctype, Scalar)
    if ctype.kind == "wstr":
        ok = (how.kind == "str" and how.encoding == "uni") or (how.kind == "int" and how.size == 8)
        return (
            [] if ok else [f"{where}: {how.kind}/{how.encoding or how.size} where the export reads LPCWSTR"]
        )
    if ctype.kind == "guid":
        return [] if how.kind == "guid" else [f"{where}: {how.kind} where the export reads a GUID"]
    if how.kind == "str" and ctype.kind == "address" and how.encoding == "uni":
        return []  # an out LPWStr string receiving the export's pointer
    if how.kind not in ("int", "bool") or how.size != ctype.size:
        return [f"{where}: {how.size}-byte {how.kind} where the export has a {ctype.size}-byte {ctype.name}"]
    if ctype.signed and not how.signed:
        return [f"{where}: unsigned where {ctype.name} is signed (failures are negative)"]
    return []


def _declaration_problems(text: str) -> list[str]:
    source = re.search(r"\$WccNativeSource = @'\r?\n(.*?)\r?\n'@", text, re.S)
    assert source, "the module has no $WccNativeSource"
    types = read_declarations(source.group(1))

    def lookup(name: str) -> Any:
        return types.get(f"Wcc.Native.{name}") or types.get(name)

    problems: list[str] = []
    for extern in types["Wcc.Native.Vmcompute"].externs.values():
        export = pinvoke.resolve_entry_point(dll_exports(extern.dll), extern)
        if export is None:
            problems.append(f"{extern.name}: vmcompute.dll has no entry point {extern.entry_point}")
            continue
        native = export.signature
        if len(extern.params) != len(native.params):
            problems.append(f"{extern.name}: {len(extern.params)} parameters, {native.render()}")
        try:
            returns = pinvoke.classify(extern.returns, None, extern.charset, "param", lookup)
            problems += _field_problems(f"{extern.name} returns", returns, native.returns)
            for param, slot in zip(extern.params, native.params, strict=False):
                how = pinvoke.classify(param.type, param.marshal_as, extern.charset, "param", lookup)
                where = f"{extern.name}({param.name})"
                if isinstance(slot.type, Pointer) and (param.direction != "in" or how.kind == "array"):
                    problems += _field_problems(where, how.element or how, slot.type.target)
                elif isinstance(slot.type, Pointer) and how.kind == "int" and how.size == 8:
                    pass  # a pointer passed as IntPtr
                elif isinstance(slot.type, Pointer):
                    problems.append(f"{where}: passed by value where the export takes {slot.type.name}")
                elif param.direction != "in":
                    problems.append(
                        f"{where}: {param.direction} where the export takes {slot.type.name} by value"
                    )
                else:
                    problems += _field_problems(where, how, slot.type)
        except pinvoke.BadMarshal as exc:
            problems.append(f"{extern.name}: {exc.text}")
    return problems


def test_every_module_declaration_matches_its_native_signature():
    assert _declaration_problems(module_text()) == []


@pytest.mark.parametrize("kind", sorted(BREAKS))
def test_each_broken_declaration_is_named_by_the_static_reading(kind):
    assert _declaration_problems(BREAKS[kind]()), kind
