"""The P/Invoke marshaller binds and marshals as the CLR does, against vmcompute's native signatures."""

from __future__ import annotations

from typing import Any

import pytest

from winsim.native import NativeProcess
from winsim.native.vmcompute import EXPORTS
from winsim.powershell import pinvoke
from winsim.powershell.addtype import read_declarations
from winsim.powershell.csharp_decls import AddedType, Extern
from winsim.powershell.netbase import Ref
from winsim.powershell.registry import PSError

SOURCE = r"""
namespace P
{
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct DriverInfo { public int Flavour; [MarshalAs(UnmanagedType.LPWStr)] public string HomeDir; }
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct BadInfo { public int Flavour; [MarshalAs(UnmanagedType.I4)] public string HomeDir; }
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct PathFirst { [MarshalAs(UnmanagedType.LPWStr)] public string Path; public Guid LayerId; public uint Flags; }
    public static class V
    {
        [DllImport("vmcompute.dll")]
        public static extern void HNSCall([MarshalAs(UnmanagedType.LPWStr)] string method, [MarshalAs(UnmanagedType.LPWStr)] string path, [MarshalAs(UnmanagedType.LPWStr)] string request, [MarshalAs(UnmanagedType.LPWStr)] out string response);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int NameToGuid(string name, out Guid guid);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsOpenComputeSystem(string id, out IntPtr computeSystem, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode, EntryPoint = "ActivateLayer")]
        public static extern int ActivateBad(ref BadInfo info, string id);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode, EntryPoint = "ActivateLayer")]
        public static extern int ActivateShort(ref DriverInfo info);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int PrepareLayer(ref DriverInfo info, string id, [In] PathFirst[] descriptors, int descriptorCount);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsCloseComputeSystem(int computeSystem);
    }
}
"""
TYPES = read_declarations(SOURCE)


def lookup(name: str) -> AddedType | None:
    return TYPES.get(f"P.{name}") or TYPES.get(name)


class Box:
    """A PowerShell variable behind a [ref]."""

    def __init__(self, value: Any = None) -> None:
        self.value = value
        self.ref = Ref(lambda: self.value, self._set)

    def _set(self, value: Any) -> None:
        self.value = value


def call(process: NativeProcess, name: str, *args: Any) -> Any:
    return pinvoke.call(process, TYPES["P.V"].externs[name.lower()], lookup, list(args))


def info() -> Any:
    value = TYPES["P.DriverInfo"].new()
    value.props.update(Flavour=1, HomeDir="")
    return value


def test_entry_points_are_probed_with_the_suffix_of_the_charset():
    table = {"GetThingW": EXPORTS["HNSCall"], "PlainA": EXPORTS["NameToGuid"]}

    def bound(name: str, charset: str, exact: bool = False) -> str | None:
        export = pinvoke.resolve_entry_point(table, Extern(name, "x.dll", name, "int", [], charset, exact))
        return None if export is None else next(k for k, v in table.items() if v is export)

    assert bound("GetThing", "Unicode") == "GetThingW"
    assert bound("GetThing", "Auto") == "GetThingW"
    assert bound("GetThing", "Ansi") is None  # Ansi probes GetThing, then GetThingA
    assert bound("GetThing", "Unicode", exact=True) is None
    assert bound("Plain", "Ansi") == "PlainA"
    assert bound("Plain", "Unicode") is None


def test_hns_psm1s_declaration_gets_the_answer_and_the_clr_frees_it(host):
    # Microsoft's hns.psm1 declares HNSCall void with an out LPWStr string: the CLR copies the
    # answer and frees the native string, so nothing is left on the heap.
    process = NativeProcess(host)
    response = Box()
    assert call(process, "HNSCall", "GET", "/globals/version", "", response.ref) is None
    assert '"Success": true' in response.value
    assert process.heap.live() == 0


def test_temporary_native_memory_is_released_and_returned_strings_are_the_callers(host):
    process = NativeProcess(host)
    guid = Box("00000000-0000-0000-0000-000000000000")
    assert call(process, "NameToGuid", "abc", guid.ref) == 0
    assert guid.value == "9cce6c1d-ef44-5d09-890e-0ccc1fc3b6d1"
    assert process.heap.live() == 0
    handle, result = Box(0), Box(0)
    assert call(process, "HcsOpenComputeSystem", "nope", handle.ref, result.ref) == -1070137074
    assert handle.value == 0 and result.value != 0
    assert process.heap.live() == 1  # the result document, for the caller to free
    process.heap.free(result.value, "cotask")


def test_a_string_field_paired_with_i4_is_a_type_load_exception(host):
    bad = TYPES["P.BadInfo"].new()
    with pytest.raises(PSError) as caught:
        call(NativeProcess(host), "ActivateBad", Box(bad).ref, "x")
    message, error_id = str(caught.value), caught.value.error_id
    assert (
        "Cannot marshal field 'HomeDir' of type 'P.BadInfo': Invalid managed/unmanaged type combination "
        in message
    )
    assert "(String fields must be paired with LPStr, LPWStr, LPTStr, BStr, or ByValTStr)." in message
    assert error_id == "TypeLoadException"


def test_a_missing_argument_leaves_a_junk_register_and_the_export_faults(host):
    with pytest.raises(PSError) as caught:
        call(NativeProcess(host), "ActivateShort", Box(info()).ref)
    message = str(caught.value)
    assert caught.value.error_id == "AccessViolationException"
    assert "Attempted to read or write protected memory." in message


def test_a_descriptor_with_its_path_first_is_read_at_the_wrong_offset(host):
    # Path moves to offset 0; the export reads its Path at offset 24, where Flags (0) now is.
    descriptor = TYPES["P.PathFirst"].new()
    descriptor.props.update(Path="C:\\ProgramData\\docker\\windowsfilter\\base", Flags=0)
    code = call(NativeProcess(host), "PrepareLayer", Box(info()).ref, "C:\\nowhere\\layer", [descriptor], 1)
    assert code == -2147024893  # 0x80070003: an empty parent path names nothing


def test_a_handle_beyond_the_declared_int_does_not_convert(host):
    with pytest.raises(PSError) as caught:
        call(NativeProcess(host), "HcsCloseComputeSystem", 0x1E4_5A3F_0060)
    message = str(caught.value)
    assert (
        'Cannot convert argument "computeSystem", with value: "2080278249568", for "HcsCloseComputeSystem"'
        in message
    )
    assert 'Error: "Value was either too large or too small for an Int32."' in message
