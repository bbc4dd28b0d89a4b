"""The probe module (``Wcc.psm1``): real Windows PowerShell 5.1 the session loads once per host.

Probe functions and what they return (field names are stable):

==============================  =====================================  ==========================================
function                        arguments                              output objects
==============================  =====================================  ==========================================
Get-WccHostInfo                                                        {ComputerName, OsBuild, OsVersion, ProductName, PSVersion, ModuleVersion,
                                                                        HnsVersion ("13.2"; null without HNS), Revision (UBR),
                                                                        Isolation (["process", "hyperv"] as available)}
Get-WccHnsVersion                                                      one string "Major.Minor" (HNSCall GET /globals/version) or nothing
Get-WccComputeSystem            Query='{}'                             one string: HcsEnumerateComputeSystems JSON array
Get-WccComputeSystemProperties  Id, Query='{}'                         one string: properties JSON; nothing if it does not exist
New-WccComputeSystem            Id, Configuration (schema1 JSON)       one string: properties JSON after create
Start-WccComputeSystem          Id                                     one string: properties JSON after start
Stop-WccComputeSystem           Id, Shutdown (switch),                 one string (or nothing): properties once stopped
                                ShutdownTimeoutMs=10000
New-WccProcess                  Id, Parameters (ProcessConfig JSON)    {ProcessId}
Invoke-WccHnsCall               Method, Path, Request=''               one string: HNS envelope {Success, Error, Output}
Get-WccHnsObject                Kind (networks|endpoints|namespaces),  one string: HNS envelope (GET only)
                                Id=''
Get-WccLayerFolder              Root=windowsfilter                     folder names
Test-WccPath                    Path                                   one bool
Get-WccLayerChain               Path (layer folder)                    one string: layerchain.json text; nothing if absent
Get-WccLayerMountPath           Path                                   one string ("" for a read-only layer)
Get-WccNameToGuid               Name                                   one string (GUID)
New-WccScratchLayer             Path, ParentPaths                      {Path, ParentMountPath}
Enable-WccLayer                 Path, ParentPaths                      {Path, MountPath}
Disable-WccLayer                Path                                   nothing
Remove-WccLayer                 Path                                   nothing
Get-WccHostFolder               Path                                   {Name, Directory, Content (a file's text)}; nothing if absent
New-WccHostFolder               Path, FileName='', Content=''          as Get-WccHostFolder, after creating it
Remove-WccHostFolder            Path                                   nothing
Get-WccCompartment                                                     {Id, Description, Guid, Type}
Get-WccCompartmentCommand                                              command names
Get-WccInterface                CompartmentId=-1, AliasLike=''         {IfIndex, Alias, CompartmentId, AddressFamily, IPv4Addresses, ConnectionState}
Get-WccRoute                    CompartmentId                          {DestinationPrefix, NextHop, IfIndex, CompartmentId, Metric}
Get-WccNat                                                             {Name, InternalIPInterfaceAddressPrefix, Active}
Get-WccNatStaticMapping                                                {StaticMappingId, NatName, Protocol, ExternalIPAddress, ExternalPort,
                                                                        InternalIPAddress, InternalPort}
Get-WccEvent                    LogName, Since (ISO 8601)              {TimeCreated (ISO 8601 UTC), Id, Level, Message, SystemId}
Get-WccFilter                                                          {Name, Instances, Altitude, Frame}
Get-WccFilterInstance           Volume                                 {Filter, Volume, Altitude, Instance, Frame}
Get-WccDaemon                                                          {Status, ProcessId, ConfigPath, LogPath}
Stop-WccDaemon                  Kill (switch)                          as Get-WccDaemon
Start-WccDaemon                                                        as Get-WccDaemon + {Error}
Get-WccDaemonLog                Since (mark), MarkOnly (switch)        {Mark, Lines}
Get-WccDaemonConfig                                                    {Path, Exists, Content}
Set-WccDaemonConfig             Content, Remove (switch)               as Get-WccDaemonConfig
Invoke-WccDocker                Arguments (string[]), TimeoutMs        {ExitCode, Stdout, Stderr, Errors}
Invoke-WccScript                Script, Arguments (object)             {ExitCode, Stdout, Stderr, Errors}
==============================  =====================================  ==========================================

Internal helpers (the module's own plumbing, called by the probes above, never by the drivers):
Invoke-WccCall (the framing), ConvertTo-WccErrorRecord, ConvertTo-WccJson, ConvertTo-WccHashtable,
ConvertTo-WccArgument and Invoke-WccProgram (run fltmc.exe / docker.exe with Windows quoting and a
mandatory deadline), Stop-WccProcessTree and Invoke-WccTaskKill (end a program's tree at its deadline),
Initialize-WccNative (Add-Type of the vmcompute.dll declarations), Read-WccNativeString,
Assert-WccHResult, Assert-WccLayerResult, Open-WccComputeSystem, Close-WccComputeSystem,
Get-WccHandleProperties, Wait-WccComputeSystemState, Get-WccIsolationModes, New-WccDriverInfo, Get-WccLayerDescriptor.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

PROBE_DIR = Path(__file__).parent
MODULE_FILE = PROBE_DIR / "Wcc.psm1"


@cache
def module_text() -> str:
    """The probe module's source, as sent to the host."""
    return MODULE_FILE.read_text(encoding="utf-8")


def powershell_files() -> list[Path]:
    """Every PowerShell file the drivers ship (a project test checks each one parses)."""
    root = PROBE_DIR.parent
    return sorted(p for p in root.rglob("*") if p.suffix.lower() in (".ps1", ".psm1", ".psd1"))
