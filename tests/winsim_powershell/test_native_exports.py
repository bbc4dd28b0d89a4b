"""Add-Type of P/Invoke declarations binds each extern to winsim's vmcompute.dll exports."""

from __future__ import annotations

import pytest

from winsim.native import find_export
from winsim.native.memory import AccessViolation, NativeHeap
from winsim.native.signatures import Pointer
from winsim.powershell.addtype import read_declarations
from winsim.powershell.csharp_decls import ManagedParam

DECLARATIONS = r"""
using System;
using System.Runtime.InteropServices;
namespace T.Native
{
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct DriverInfo { public int Flavour; [MarshalAs(UnmanagedType.LPWStr)] public string HomeDir; }
    public static class Vm
    {
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsOpenComputeSystem(string id, out IntPtr computeSystem, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int NameToGuid(string name, out Guid guid);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HNSCall(string method, string path, string request, out IntPtr response);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int ExportLayer(ref DriverInfo info, string id, string path, IntPtr descriptors, int count);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int ActivateLayer(ref DriverInfo info, string id, int extra);
        [DllImport("nosuch.dll")]
        public static extern int Anything();
    }
}
"""


def _load(source: str = DECLARATIONS) -> str:
    return "Add-Type -TypeDefinition @'\r\n" + source.strip() + "\r\n'@\r\n"


def test_declarations_are_read_as_structs_and_externs():
    types = read_declarations(DECLARATIONS)
    assert types["T.Native.DriverInfo"].fields == {"Flavour": "int", "HomeDir": "string"}
    extern = types["T.Native.Vm"].externs["hcsopencomputesystem"]
    assert (extern.dll, extern.charset) == ("vmcompute.dll", "Unicode")
    assert extern.params[1] == ManagedParam("out", "IntPtr", "computeSystem")
    assert types["T.Native.DriverInfo"].field_marshal == {"HomeDir": "LPWStr"}
    assert types["T.Native.DriverInfo"].charset == "Unicode"


def test_a_missing_system_answers_its_hresult_and_result_document(ps):
    result = ps(
        _load()
        + "$h = [IntPtr]::Zero; $r = [IntPtr]::Zero\r\n"
        + "$hr = [T.Native.Vm]::HcsOpenComputeSystem('nope', [ref]$h, [ref]$r)\r\n"
        + "'{0:x8}' -f $hr; $h\r\n"
        + "[Runtime.InteropServices.Marshal]::PtrToStringUni($r)\r\n"
        + "[Runtime.InteropServices.Marshal]::FreeCoTaskMem($r)\r\n"
    )
    assert result.lines[:2] == ["c037010e", "0"], result.error_text
    assert '"Error": -1070137074' in result.lines[2]


def test_out_guid_and_returned_strings(ps):
    result = ps(
        _load()
        + "$g = [Guid]::Empty; [void][T.Native.Vm]::NameToGuid('abc', [ref]$g); $g.ToString()\r\n"
        + "$p = [IntPtr]::Zero; [T.Native.Vm]::HNSCall('GET', '/globals/version', '', [ref]$p)\r\n"
        + "[Runtime.InteropServices.Marshal]::PtrToStringUni($p)\r\n"
    )
    assert result.lines[0] == "9cce6c1d-ef44-5d09-890e-0ccc1fc3b6d1", result.error_text
    assert result.lines[1] == "0"
    assert '"Success": true' in result.lines[2]


def test_an_unmodelled_export_is_entry_point_not_found(ps):
    result = ps(
        _load()
        + "$i = New-Object T.Native.DriverInfo; $i.Flavour = 1\r\n"
        + "try { [T.Native.Vm]::ExportLayer([ref]$i, 'x', 'y', [IntPtr]::Zero, 0) }\r\n"
        + "catch { $_.FullyQualifiedErrorId; $_.Exception.Message }\r\n"
    )
    assert result.lines[0] == "EntryPointNotFoundException", result.error_text
    assert "Unable to find an entry point named 'ExportLayer' in DLL 'vmcompute.dll'." in result.lines[1]


def test_a_missing_dll_fails_and_an_extra_argument_is_ignored_as_on_x64(ps):
    # The caller cleans the stack on x64: an extra argument is never read, so the call goes
    # through and fails only as the export fails (a DriverInfo of Flavour 0: E_INVALIDARG).
    result = ps(
        _load()
        + "try { [T.Native.Vm]::Anything() } catch { $_.FullyQualifiedErrorId }\r\n"
        + "$i = New-Object T.Native.DriverInfo\r\n"
        + "'{0:x8}' -f [T.Native.Vm]::ActivateLayer([ref]$i, 'x', 1)\r\n"
    )
    assert result.lines[0] == "DllNotFoundException", result.error_text
    assert result.lines[1] == "80070057"


def test_add_type_refuses_code_it_cannot_run(ps):
    result = ps(_load("namespace N { public static class C { public static int F() { return 1; } } }"))
    assert (
        "COMPILER_ERRORS" in result.error_text
        or "winsim reads only P/Invoke declarations" in result.error_text
    )


def test_the_heap_catches_a_double_free():
    heap = NativeHeap()
    address = heap.alloc_string("x")
    heap.free(address, "cotask")
    with pytest.raises(AccessViolation):
        heap.free(address, "cotask")


def test_exports_carry_hcsshim_signatures():
    export = find_export("vmcompute", "HcsCreateProcess")
    assert export.signature.render() == (
        "HRESULT HcsCreateProcess(HANDLE computeSystem, LPCWSTR processParameters, "
        "HcsProcessInformation* processInformation, HANDLE* process, LPWSTR* result)"
    )
    assert [p.type.access for p in export.signature.params if isinstance(p.type, Pointer)] == ["out"] * 3
