# Wcc.psm1 - the wcc conformance suite's probe module for Windows PowerShell 5.1 on Windows Server 2016-2025.
#
# The suite loads it once per session with New-Module and then calls one line per round trip:
#     Invoke-WccCall '<base64 of {"id": N, "calls": [{"fn": "Get-WccCompartment", "args": {}}]}>'
# Invoke-WccCall answers with ONE line on stdout:  <<wcc:N>>{"id":N,"results":[...]}<<wcc-end:N>>
# Every input arrives as JSON data and is splatted as parameters; nothing is ever spliced into script text.
# Every probe returns objects with stable field names (documented in drivers/probe/__init__.py).
#
# Native calls follow hcsshim and Microsoft's hns.psm1: the C# handed to Add-Type holds only the P/Invoke
# declarations of vmcompute.dll (HCS v1, HNSCall, NameToGuid and the layer calls) and the structs they take;
# the logic (HRESULT checks, freeing returned strings, waiting for a state, layer descriptors) is PowerShell below.
# The modern calling convention: DriverInfo Flavour 1, empty HomeDir, the full layer path as the layer id.
# The declarations are compiled lazily (Initialize-WccNative) so that loading the module stays cheap.

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$WccModuleVersion = '1.0.0'
$WccWindowsFilterRoot = 'C:\ProgramData\docker\windowsfilter'
$WccDaemonConfigPath = 'C:\ProgramData\docker\config\daemon.json'
$WccHcsLogName = 'Microsoft-Windows-Hyper-V-Compute-Operational'
$WccDockerService = 'docker'
$WccTaskKillTimeoutMs = 10000   # taskkill ends a tree in well under a second; bounded all the same

# MSFT_NetCompartment.CompartmentType values, as the class documentation lists them
# (learn.microsoft.com, previous-versions/windows/desktop/nettcpipprov/msft-netcompartment).
$WccCompartmentTypeNames = @{ 0 = 'Unspecified'; 1 = 'Native'; 2 = 'RoutingDomain' }

# HRESULTs (winerror.h) as the signed 32-bit values the externs return.
$WccHcsOperationPending = -1070137085   # 0xC0370103 HCS_E_OPERATION_PENDING: v1 completes asynchronously
$WccHcsSystemNotFound = -1070137074     # 0xC037010E HCS_E_SYSTEM_NOT_FOUND

$WccNativeSource = @'
using System;
using System.Runtime.InteropServices;

namespace Wcc.Native
{
    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct DriverInfo
    {
        public int Flavour;                 // 1 = the Windows filter driver (windowsfilter)
        [MarshalAs(UnmanagedType.LPWStr)]
        public string HomeDir;              // empty: ids are full layer paths
    }

    [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
    public struct WC_LAYER_DESCRIPTOR
    {
        public Guid LayerId;
        public uint Flags;
        [MarshalAs(UnmanagedType.LPWStr)]
        public string Path;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct HcsProcessInformation
    {
        public uint ProcessId;
        public uint Reserved;
        public IntPtr StdInput;
        public IntPtr StdOutput;
        public IntPtr StdError;
    }

    public static class Vmcompute
    {
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsEnumerateComputeSystems(string query, out IntPtr computeSystems, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsOpenComputeSystem(string id, out IntPtr computeSystem, out IntPtr result);
        [DllImport("vmcompute.dll")]
        public static extern int HcsCloseComputeSystem(IntPtr computeSystem);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsGetComputeSystemProperties(IntPtr computeSystem, string propertyQuery, out IntPtr properties, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsCreateComputeSystem(string id, string configuration, IntPtr identity, out IntPtr computeSystem, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsStartComputeSystem(IntPtr computeSystem, string options, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsTerminateComputeSystem(IntPtr computeSystem, string options, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsShutdownComputeSystem(IntPtr computeSystem, string options, out IntPtr result);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HcsCreateProcess(IntPtr computeSystem, string processParameters, out HcsProcessInformation processInformation, out IntPtr process, out IntPtr result);
        [DllImport("vmcompute.dll")]
        public static extern int HcsCloseProcess(IntPtr process);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int HNSCall(string method, string path, string request, out IntPtr response);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int NameToGuid(string name, out Guid guid);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int CreateSandboxLayer(ref DriverInfo info, string id, IntPtr parent, [In] WC_LAYER_DESCRIPTOR[] descriptors, int descriptorCount);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int ActivateLayer(ref DriverInfo info, string id);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int PrepareLayer(ref DriverInfo info, string id, [In] WC_LAYER_DESCRIPTOR[] descriptors, int descriptorCount);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int GetLayerMountPath(ref DriverInfo info, string id, ref UIntPtr length, IntPtr buffer);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int UnprepareLayer(ref DriverInfo info, string id);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int DeactivateLayer(ref DriverInfo info, string id);
        [DllImport("vmcompute.dll", CharSet = CharSet.Unicode)]
        public static extern int DestroyLayer(ref DriverInfo info, string id);
    }
}
'@

# ---------------------------------------------------------------------------------------------------------------
# Plumbing: framing, error records, native setup
# ---------------------------------------------------------------------------------------------------------------

function Initialize-WccNative {
    if (-not ('Wcc.Native.Vmcompute' -as [type])) {
        Add-Type -TypeDefinition $script:WccNativeSource -Language CSharp
    }
}

function ConvertTo-WccErrorRecord {
    param($Record)
    if ($Record -is [System.Management.Automation.ErrorRecord]) {
        $exception = $Record.Exception
        # .NET exceptions thrown by a method call arrive wrapped in MethodInvocationException.
        while ($exception -is [System.Management.Automation.MethodInvocationException] -and $null -ne $exception.InnerException) {
            $exception = $exception.InnerException
        }
        return @{
            Message               = [string]$exception.Message
            FullyQualifiedErrorId = [string]$Record.FullyQualifiedErrorId
            Category              = [string]$Record.CategoryInfo.Category
        }
    }
    return @{ Message = [string]$Record; FullyQualifiedErrorId = ''; Category = 'NotSpecified' }
}

function ConvertTo-WccJson {
    param($InputObject)
    $json = ConvertTo-Json -InputObject $InputObject -Depth 32 -Compress
    # Keep the frame pure ASCII whatever the console code page is.
    return [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

function ConvertTo-WccHashtable {
    param($Object)
    $table = @{}
    if ($null -ne $Object) {
        foreach ($property in $Object.PSObject.Properties) { $table[$property.Name] = $property.Value }
    }
    return $table
}

function Invoke-WccCall {
    param([Parameter(Mandatory = $true, Position = 0)][string] $Request)
    $text = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($Request))
    $request = ConvertFrom-Json -InputObject $text
    $results = @()
    foreach ($call in @($request.calls)) {
        $name = [string]$call.fn
        # Get-Command's "not recognized" for an unknown name is the answer here, not an error to pass on.
        if ($name -notlike '*-Wcc*' -or $null -eq (Get-Command -Name $name -Module Wcc -ErrorAction SilentlyContinue)) {
            $results += , @{ ok = $false; errors = @(@{ Message = "unknown probe function '$name'"; FullyQualifiedErrorId = 'WccUnknownProbe'; Category = 'ObjectNotFound' }) }
            continue
        }
        $splat = ConvertTo-WccHashtable $call.args
        try {
            $value = @(& $name @splat)
            $results += , @{ ok = $true; value = $value }
        }
        catch {
            $results += , @{ ok = $false; errors = @(ConvertTo-WccErrorRecord $_) }
        }
    }
    $frame = ConvertTo-WccJson @{ id = $request.id; results = $results }
    [Console]::Out.Write('<<wcc:' + $request.id + '>>' + $frame + '<<wcc-end:' + $request.id + ">>`r`n")
    [Console]::Out.Flush()
}

function Invoke-WccScript {
    # Runs arbitrary script text in a fresh runspace, so `exit` or a changed preference cannot end the session.
    param([Parameter(Mandatory = $true)][string] $Script, $Arguments)
    $shell = [PowerShell]::Create()
    try {
        [void]$shell.AddScript($Script)
        $bound = ConvertTo-WccHashtable $Arguments
        foreach ($key in $bound.Keys) { [void]$shell.AddParameter($key, $bound[$key]) }
        $output = @()
        $errors = @()
        $exitCode = $null
        try {
            $output = @($shell.Invoke())
        }
        catch {
            $errors += , (ConvertTo-WccErrorRecord $_)
            $exitCode = 1
        }
        foreach ($record in $shell.Streams.Error) { $errors += , (ConvertTo-WccErrorRecord $record) }
        $last = $shell.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        if ($null -eq $exitCode) {
            if ($null -ne $last) { $exitCode = [int]$last }
            elseif ($errors.Count -gt 0) { $exitCode = 1 }
            else { $exitCode = 0 }
        }
        $stdout = ($output | Out-String)
        $stderr = (@($errors | ForEach-Object { $_.Message }) -join "`r`n")
        [pscustomobject]@{ ExitCode = $exitCode; Stdout = $stdout; Stderr = $stderr; Errors = $errors }
    }
    finally {
        $shell.Dispose()
    }
}

function ConvertTo-WccArgument {
    # Windows command-line quoting (the rules CommandLineToArgvW undoes), so arguments with
    # spaces, quotes or backslashes reach the program unchanged.
    param([string] $Argument)
    if ($Argument.Length -gt 0 -and $Argument -notmatch '[ \t"]') { return $Argument }
    $quoted = '"'
    $slashes = 0
    foreach ($c in $Argument.ToCharArray()) {
        if ($c -eq '\') { $slashes++; continue }
        if ($c -eq '"') { $quoted += ('\' * ($slashes * 2 + 1)) + '"' }
        else { $quoted += ('\' * $slashes) + $c }
        $slashes = 0
    }
    return $quoted + ('\' * ($slashes * 2)) + '"'
}

function Invoke-WccProgram {
    # Runs a program with its arguments quoted one by one; stdout and stderr apart, as UTF-8.
    # Both streams are read asynchronously, so the deadline holds whatever the child does: a pipe
    # stays open while any process holding it lives (a child's own children too), and a blocking
    # ReadToEnd() would wait for all of them. On expiry the whole tree is ended (Kill() ends only
    # the child on .NET Framework 4.x) and the call fails naming the program and the deadline.
    param(
        [Parameter(Mandatory = $true)][string] $File,
        [string[]] $Arguments = @(),
        [Parameter(Mandatory = $true)][ValidateRange(1, 2147483647)][int] $TimeoutMs
    )
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $File
    $info.Arguments = (@($Arguments | ForEach-Object { ConvertTo-WccArgument $_ }) -join ' ')
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.RedirectStandardInput = $true
    $info.CreateNoWindow = $true
    $info.StandardOutputEncoding = [Text.Encoding]::UTF8
    $info.StandardErrorEncoding = [Text.Encoding]::UTF8
    $deadline = (Get-Date).AddMilliseconds($TimeoutMs)
    $process = [Diagnostics.Process]::Start($info)
    try {
        $started = $process.StartTime
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $finished = $process.WaitForExit($TimeoutMs)
        # After the exit, the streams end once every process that inherited them has exited too.
        if ($finished) { $finished = $stdout.Wait([int][Math]::Max(0, ($deadline - (Get-Date)).TotalMilliseconds)) }
        if ($finished) { $finished = $stderr.Wait([int][Math]::Max(0, ($deadline - (Get-Date)).TotalMilliseconds)) }
        if (-not $finished) {
            $message = '{0} did not finish within its deadline of {1} ms' -f $File, $TimeoutMs
            try { Stop-WccProcessTree -ProcessId $process.Id -StartTime $started }
            catch { throw ('{0}; ending its process tree failed: {1}' -f $message, $_.Exception.Message) }
            throw ('{0}; its process tree was ended' -f $message)
        }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout.Result; Stderr = $stderr.Result }
    }
    finally {
        $process.Dispose()
    }
}

function Stop-WccProcessTree {
    # taskkill /T ends a live process and its descendants. A root that already exited cannot be
    # named to taskkill: its children still running (which may hold its pipes) are found by their
    # ParentProcessId and ended as trees. The caller still holds the root's handle, so its id
    # cannot have been reused; a child created before the root started is not its child.
    param([Parameter(Mandatory = $true)][int] $ProcessId, [Parameter(Mandatory = $true)][datetime] $StartTime)
    Invoke-WccTaskKill -ProcessId $ProcessId
    $orphans = @(Get-CimInstance -ClassName Win32_Process -Filter ('ParentProcessId = {0}' -f $ProcessId) |
            Where-Object { $_.CreationDate -ge $StartTime })
    foreach ($orphan in $orphans) { Invoke-WccTaskKill -ProcessId ([int]$orphan.ProcessId) }
}

function Invoke-WccTaskKill {
    # taskkill /T /F /PID n, itself bounded. Exit code 128 is "not found": the process has already ended.
    param([Parameter(Mandatory = $true)][int] $ProcessId)
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = 'taskkill.exe'
    $info.Arguments = '/T /F /PID ' + $ProcessId
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.CreateNoWindow = $true
    $killer = [Diagnostics.Process]::Start($info)
    try {
        $stdout = $killer.StandardOutput.ReadToEndAsync()
        $stderr = $killer.StandardError.ReadToEndAsync()
        if (-not $killer.WaitForExit($script:WccTaskKillTimeoutMs)) {
            $killer.Kill()
            throw ('taskkill /T /F /PID {0} did not exit within {1} ms' -f $ProcessId, $script:WccTaskKillTimeoutMs)
        }
        if ($killer.ExitCode -ne 0 -and $killer.ExitCode -ne 128) {
            throw ('taskkill /T /F /PID {0} failed with exit code {1}: {2}{3}' -f $ProcessId, $killer.ExitCode, $stdout.Result, $stderr.Result)
        }
    }
    finally {
        $killer.Dispose()
    }
}

# ---------------------------------------------------------------------------------------------------------------
# vmcompute.dll: HRESULTs and the strings it returns
# ---------------------------------------------------------------------------------------------------------------

function Read-WccNativeString {
    # vmcompute returns strings allocated with CoTaskMemAlloc; the caller frees them.
    param([IntPtr] $Pointer)
    if ($Pointer -eq [IntPtr]::Zero) { return $null }
    try { return [Runtime.InteropServices.Marshal]::PtrToStringUni($Pointer) }
    finally { [Runtime.InteropServices.Marshal]::FreeCoTaskMem($Pointer) }
}

function Assert-WccHResult {
    # A failed HRESULT throws; HCS_E_OPERATION_PENDING is how HCS v1 accepts an asynchronous operation.
    param([string] $Operation, [int] $HResult, [string] $ResultJson = '')
    if ($HResult -lt 0 -and $HResult -ne $script:WccHcsOperationPending) {
        $detail = ''
        if ($ResultJson) { $detail = ': ' + $ResultJson }
        throw ('{0} failed with HRESULT 0x{1:x8}{2}' -f $Operation, $HResult, $detail)
    }
}

function Open-WccComputeSystem {
    param([string] $Id)
    $handle = [IntPtr]::Zero
    $result = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HcsOpenComputeSystem($Id, [ref]$handle, [ref]$result)
    Assert-WccHResult ('HcsOpenComputeSystem ' + $Id) $hr (Read-WccNativeString $result)
    return $handle
}

function Close-WccComputeSystem {
    param([IntPtr] $Handle)
    [void][Wcc.Native.Vmcompute]::HcsCloseComputeSystem($Handle)
}

function Get-WccHandleProperties {
    # The properties JSON of an open compute system; nothing once it no longer exists.
    param([IntPtr] $Handle, [string] $Query = '{}')
    $properties = [IntPtr]::Zero
    $result = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HcsGetComputeSystemProperties($Handle, $Query, [ref]$properties, [ref]$result)
    $resultJson = Read-WccNativeString $result
    $json = Read-WccNativeString $properties
    if ($hr -eq $script:WccHcsSystemNotFound) { return }
    Assert-WccHResult 'HcsGetComputeSystemProperties' $hr $resultJson
    return $json
}

function Wait-WccComputeSystemState {
    # HCS v1 completes create/start/terminate asynchronously; without a callback we watch the
    # system's State until it reaches one of the wanted states.
    param([IntPtr] $Handle, [string[]] $State, [int] $TimeoutMs)
    $deadline = (Get-Date).AddMilliseconds($TimeoutMs)
    while ($true) {
        $json = Get-WccHandleProperties -Handle $Handle
        if ($null -eq $json) { return }
        if ($State -contains [string](ConvertFrom-Json -InputObject $json).State) { return $json }
        if ((Get-Date) -gt $deadline) {
            throw ('compute system did not reach state {0}; last: {1}' -f ($State -join '/'), $json)
        }
        Start-Sleep -Milliseconds 50
    }
}

# ---------------------------------------------------------------------------------------------------------------
# The host
# ---------------------------------------------------------------------------------------------------------------

function Get-WccHostInfo {
    $current = Get-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    [pscustomobject]@{
        ComputerName  = [string]$env:COMPUTERNAME
        OsBuild       = [int]$current.CurrentBuildNumber
        OsVersion     = '10.0.' + $current.CurrentBuildNumber + '.' + $current.UBR
        Revision      = [int]$current.UBR
        Isolation     = @(Get-WccIsolationModes)
        ProductName   = [string]$current.ProductName
        PSVersion     = $PSVersionTable.PSVersion.ToString()
        ModuleVersion = $script:WccModuleVersion
        HnsVersion    = Get-WccHnsVersion
    }
}

function Get-WccIsolationModes {
    # The isolation modes the host can run: process with the Containers feature (its compute
    # service, vmcompute), hyperv when the Hyper-V role is there too (its management service,
    # vmms). INFERRED from the services each feature installs; no round trip of its own.
    $modes = @()
    foreach ($service in @(@('vmcompute', 'process'), @('vmms', 'hyperv'))) {
        try {
            $null = Get-Service -Name $service[0] -ErrorAction Stop
            $modes += $service[1]
        }
        catch {
            # the feature is not installed: Get-Service's "cannot find any service" error; any other is passed on
            if ($_.FullyQualifiedErrorId -notlike 'NoServiceFoundForGivenName*') { throw }
        }
    }
    $modes
}

function Get-WccHnsVersion {
    # As hcsshim's hcn.GetGlobals(): HNSCall GET /globals/version -> {"Major":N,"Minor":N}.
    # $null when HNS does not answer, so a host without the service still loads the module.
    try {
        $answer = ConvertFrom-Json -InputObject (Invoke-WccHnsCall -Method GET -Path '/globals/version')
        if ($answer.Success -and $null -ne $answer.Output) {
            return ('{0}.{1}' -f $answer.Output.Major, $answer.Output.Minor)
        }
    }
    catch { }
    return $null
}

# ---------------------------------------------------------------------------------------------------------------
# HCS (vmcompute.dll, schema1). Raw JSON documents pass through as strings; the suite parses them.
# ---------------------------------------------------------------------------------------------------------------

function Get-WccComputeSystem {
    param([string] $Query = '{}')
    Initialize-WccNative
    $systems = [IntPtr]::Zero
    $result = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HcsEnumerateComputeSystems($Query, [ref]$systems, [ref]$result)
    Assert-WccHResult 'HcsEnumerateComputeSystems' $hr (Read-WccNativeString $result)
    $json = Read-WccNativeString $systems
    if ($null -eq $json) { $json = '[]' }
    $json
}

function Get-WccComputeSystemProperties {
    # Returns nothing when the compute system does not exist.
    param([Parameter(Mandatory = $true)][string] $Id, [string] $Query = '{}')
    Initialize-WccNative
    $handle = [IntPtr]::Zero
    $result = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HcsOpenComputeSystem($Id, [ref]$handle, [ref]$result)
    $resultJson = Read-WccNativeString $result
    if ($hr -eq $script:WccHcsSystemNotFound) { return }
    Assert-WccHResult ('HcsOpenComputeSystem ' + $Id) $hr $resultJson
    try { Get-WccHandleProperties -Handle $handle -Query $Query }
    finally { Close-WccComputeSystem $handle }
}

function New-WccComputeSystem {
    param([Parameter(Mandatory = $true)][string] $Id, [Parameter(Mandatory = $true)][string] $Configuration, [int] $TimeoutMs = 60000)
    Initialize-WccNative
    $handle = [IntPtr]::Zero
    $result = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HcsCreateComputeSystem($Id, $Configuration, [IntPtr]::Zero, [ref]$handle, [ref]$result)
    Assert-WccHResult ('HcsCreateComputeSystem ' + $Id) $hr (Read-WccNativeString $result)
    try { Wait-WccComputeSystemState -Handle $handle -State @('Created', 'Running') -TimeoutMs $TimeoutMs }
    finally { Close-WccComputeSystem $handle }
}

function Start-WccComputeSystem {
    param([Parameter(Mandatory = $true)][string] $Id, [int] $TimeoutMs = 60000)
    Initialize-WccNative
    $handle = Open-WccComputeSystem $Id
    try {
        $result = [IntPtr]::Zero
        $hr = [Wcc.Native.Vmcompute]::HcsStartComputeSystem($handle, '', [ref]$result)
        Assert-WccHResult ('HcsStartComputeSystem ' + $Id) $hr (Read-WccNativeString $result)
        Wait-WccComputeSystemState -Handle $handle -State @('Running') -TimeoutMs $TimeoutMs
    }
    finally { Close-WccComputeSystem $handle }
}

function Stop-WccComputeSystem {
    # -Shutdown first asks HCS to shut the system down and terminates it only if it has not stopped
    # within -ShutdownTimeoutMs, as docker stop -t does.
    param([Parameter(Mandatory = $true)][string] $Id, [int] $TimeoutMs = 60000, [switch] $Shutdown, [int] $ShutdownTimeoutMs = 10000)
    Initialize-WccNative
    $handle = Open-WccComputeSystem $Id
    try {
        $result = [IntPtr]::Zero
        if ($Shutdown) {
            $hr = [Wcc.Native.Vmcompute]::HcsShutdownComputeSystem($handle, '', [ref]$result)
            Assert-WccHResult ('HcsShutdownComputeSystem ' + $Id) $hr (Read-WccNativeString $result)
            $deadline = (Get-Date).AddMilliseconds($ShutdownTimeoutMs)
            while ((Get-Date) -lt $deadline) {
                $json = Get-WccHandleProperties -Handle $handle
                if ($null -eq $json -or [string](ConvertFrom-Json -InputObject $json).State -eq 'Stopped') { return $json }
                Start-Sleep -Milliseconds 50
            }
        }
        $hr = [Wcc.Native.Vmcompute]::HcsTerminateComputeSystem($handle, '', [ref]$result)
        Assert-WccHResult ('HcsTerminateComputeSystem ' + $Id) $hr (Read-WccNativeString $result)
        Wait-WccComputeSystemState -Handle $handle -State @('Stopped') -TimeoutMs $TimeoutMs
    }
    finally { Close-WccComputeSystem $handle }
}

function New-WccProcess {
    param([Parameter(Mandatory = $true)][string] $Id, [Parameter(Mandatory = $true)][string] $Parameters)
    Initialize-WccNative
    $handle = Open-WccComputeSystem $Id
    try {
        $information = New-Object Wcc.Native.HcsProcessInformation
        $process = [IntPtr]::Zero
        $result = [IntPtr]::Zero
        $hr = [Wcc.Native.Vmcompute]::HcsCreateProcess($handle, $Parameters, [ref]$information, [ref]$process, [ref]$result)
        Assert-WccHResult ('HcsCreateProcess ' + $Id) $hr (Read-WccNativeString $result)
        [void][Wcc.Native.Vmcompute]::HcsCloseProcess($process)
        [pscustomobject]@{ ProcessId = [int]$information.ProcessId }
    }
    finally { Close-WccComputeSystem $handle }
}

# ---------------------------------------------------------------------------------------------------------------
# HNS (HNSCall v1). The answer is HNS's own envelope {"Success":..,"Error":..,"Output":..} as a string.
# ---------------------------------------------------------------------------------------------------------------

function Invoke-WccHnsCall {
    param([Parameter(Mandatory = $true)][string] $Method, [Parameter(Mandatory = $true)][string] $Path, [string] $Request = '')
    Initialize-WccNative
    $response = [IntPtr]::Zero
    $hr = [Wcc.Native.Vmcompute]::HNSCall($Method, $Path, $Request, [ref]$response)
    $text = Read-WccNativeString $response
    Assert-WccHResult ('HNSCall ' + $Method + ' ' + $Path) $hr $text
    $text
}

function Get-WccHnsObject {
    # Read-only GET of /networks/, /endpoints/ or /namespaces/ (optionally one id).
    param([Parameter(Mandatory = $true)][ValidateSet('networks', 'endpoints', 'namespaces')][string] $Kind, [string] $Id = '')
    Invoke-WccHnsCall -Method GET -Path ('/' + $Kind + '/' + $Id)
}

# ---------------------------------------------------------------------------------------------------------------
# Layers (windowsfilter folder and the vmcompute layer calls)
# ---------------------------------------------------------------------------------------------------------------

function New-WccDriverInfo {
    $info = New-Object Wcc.Native.DriverInfo
    $info.Flavour = 1
    $info.HomeDir = ''
    return $info
}

function Assert-WccLayerResult {
    param([string] $Operation, [string] $Path, [int] $HResult)
    if ($HResult -lt 0) { throw ('hcsshim::{0} {1} failed with HRESULT 0x{2:x8}' -f $Operation, $Path, $HResult) }
}

function Get-WccLayerDescriptor {
    # One WC_LAYER_DESCRIPTOR per parent layer: its folder name's GUID, no flags, its path.
    param([string[]] $ParentPaths = @())
    $descriptors = @(foreach ($parent in $ParentPaths) {
            $descriptor = New-Object Wcc.Native.WC_LAYER_DESCRIPTOR
            $descriptor.LayerId = [guid](Get-WccNameToGuid -Name ([IO.Path]::GetFileName($parent.TrimEnd('\'))))
            $descriptor.Flags = 0
            $descriptor.Path = $parent
            $descriptor
        })
    return , [Wcc.Native.WC_LAYER_DESCRIPTOR[]]$descriptors
}

function Get-WccLayerFolder {
    param([string] $Root = $script:WccWindowsFilterRoot)
    Get-ChildItem -LiteralPath $Root -Directory -Force | ForEach-Object { $_.Name }
}

function Test-WccPath {
    param([Parameter(Mandatory = $true)][string] $Path)
    Test-Path -LiteralPath $Path
}

function Get-WccLayerChain {
    # The raw text of <layer>\layerchain.json; nothing when the file does not exist.
    param([Parameter(Mandatory = $true)][string] $Path)
    $file = [IO.Path]::Combine($Path, 'layerchain.json')
    if (Test-Path -LiteralPath $file) { [IO.File]::ReadAllText($file) }
}

function Get-WccLayerMountPath {
    # GetLayerMountPath twice, as hcsshim does: once for the length, once into a buffer of that size.
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    $info = New-WccDriverInfo
    $length = [UIntPtr]::Zero
    Assert-WccLayerResult 'GetLayerMountPath (first call)' $Path ([Wcc.Native.Vmcompute]::GetLayerMountPath([ref]$info, $Path, [ref]$length, [IntPtr]::Zero))
    $chars = [int]$length.ToUInt64()
    if ($chars -eq 0) { return '' }
    $buffer = [Runtime.InteropServices.Marshal]::AllocHGlobal(($chars + 1) * 2)
    try {
        Assert-WccLayerResult 'GetLayerMountPath (second call)' $Path ([Wcc.Native.Vmcompute]::GetLayerMountPath([ref]$info, $Path, [ref]$length, $buffer))
        return [Runtime.InteropServices.Marshal]::PtrToStringUni($buffer)
    }
    finally { [Runtime.InteropServices.Marshal]::FreeHGlobal($buffer) }
}

function Get-WccNameToGuid {
    param([Parameter(Mandatory = $true)][string] $Name)
    Initialize-WccNative
    $guid = [Guid]::Empty
    $hr = [Wcc.Native.Vmcompute]::NameToGuid($Name, [ref]$guid)
    Assert-WccLayerResult 'NameToGuid' $Name $hr
    $guid.ToString()
}

function New-WccScratchLayer {
    # As windowsfilter's create(): mount path of the parent, then CreateSandboxLayer, then layerchain.json.
    param([Parameter(Mandatory = $true)][string] $Path, [string[]] $ParentPaths = @())
    Initialize-WccNative
    $parentMount = ''
    if ($ParentPaths.Count -gt 0) { $parentMount = Get-WccLayerMountPath -Path $ParentPaths[0] }
    $info = New-WccDriverInfo
    $descriptors = Get-WccLayerDescriptor -ParentPaths $ParentPaths
    Assert-WccLayerResult 'CreateSandboxLayer' $Path ([Wcc.Native.Vmcompute]::CreateSandboxLayer([ref]$info, $Path, [IntPtr]::Zero, $descriptors, $descriptors.Length))
    $chain = ConvertTo-Json -InputObject @($ParentPaths) -Compress
    # File.WriteAllText writes UTF-8 without a byte order mark.
    [IO.File]::WriteAllText([IO.Path]::Combine($Path, 'layerchain.json'), $chain)
    [pscustomobject]@{ Path = $Path; ParentMountPath = $parentMount }
}

function Enable-WccLayer {
    # As windowsfilter's Get(): ActivateLayer, PrepareLayer, GetLayerMountPath.
    param([Parameter(Mandatory = $true)][string] $Path, [string[]] $ParentPaths = @())
    Initialize-WccNative
    $info = New-WccDriverInfo
    Assert-WccLayerResult 'ActivateLayer' $Path ([Wcc.Native.Vmcompute]::ActivateLayer([ref]$info, $Path))
    $descriptors = Get-WccLayerDescriptor -ParentPaths $ParentPaths
    Assert-WccLayerResult 'PrepareLayer' $Path ([Wcc.Native.Vmcompute]::PrepareLayer([ref]$info, $Path, $descriptors, $descriptors.Length))
    [pscustomobject]@{ Path = $Path; MountPath = (Get-WccLayerMountPath -Path $Path) }
}

function Disable-WccLayer {
    # As windowsfilter's Put(): UnprepareLayer, DeactivateLayer.
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    $info = New-WccDriverInfo
    Assert-WccLayerResult 'UnprepareLayer' $Path ([Wcc.Native.Vmcompute]::UnprepareLayer([ref]$info, $Path))
    Assert-WccLayerResult 'DeactivateLayer' $Path ([Wcc.Native.Vmcompute]::DeactivateLayer([ref]$info, $Path))
}

function Remove-WccLayer {
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    $info = New-WccDriverInfo
    Assert-WccLayerResult 'DestroyLayer' $Path ([Wcc.Native.Vmcompute]::DestroyLayer([ref]$info, $Path))
}

# ---------------------------------------------------------------------------------------------------------------
# Host folders a test maps into containers (bind mounts, MappedDirectories)
# ---------------------------------------------------------------------------------------------------------------

function Get-WccHostFolder {
    # What the host sees in a folder: each entry with its text (files, read as UTF-8); nothing if the folder is absent.
    param([Parameter(Mandatory = $true)][string] $Path)
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { return }
    foreach ($item in @(Get-ChildItem -LiteralPath $Path -Force)) {
        $directory = $item.PSIsContainer
        $content = $null
        if (-not $directory) { $content = [IO.File]::ReadAllText($item.FullName) }
        [pscustomobject]@{ Name = $item.Name; Directory = $directory; Content = $content }
    }
}

function New-WccHostFolder {
    # Creates the folder (and its parents), then writes one file into it (UTF-8, no BOM) when FileName is given.
    param([Parameter(Mandatory = $true)][string] $Path, [string] $FileName = '', [string] $Content = '')
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) { [void](New-Item -ItemType Directory -Path $Path) }
    if ($FileName) { [IO.File]::WriteAllText([IO.Path]::Combine($Path, $FileName), $Content) }
    Get-WccHostFolder -Path $Path
}

function Remove-WccHostFolder {
    # Removes the folder and all it holds; an absent folder is already removed.
    param([Parameter(Mandatory = $true)][string] $Path)
    if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Recurse -Force }
}

# ---------------------------------------------------------------------------------------------------------------
# Network compartments, interfaces, routes
# ---------------------------------------------------------------------------------------------------------------

function ConvertTo-WccCompartmentType {
    param($Value)
    if ($Value -is [int] -or $Value -is [uint32] -or $Value -is [uint16] -or $Value -is [byte]) {
        $name = $script:WccCompartmentTypeNames[[int]$Value]
        if ($null -ne $name) { return $name }
    }
    return [string]$Value
}

function Get-WccCompartment {
    Get-NetCompartment | ForEach-Object {
        [pscustomobject]@{
            Id          = [int]$_.CompartmentId
            Description = [string]$_.CompartmentDescription
            Guid        = [string]$_.CompartmentGuid
            Type        = ConvertTo-WccCompartmentType $_.CompartmentType
        }
    }
}

function Get-WccCompartmentCommand {
    # A host without the NetCompartment cmdlets answers with no names (a -Noun filter that matched nothing).
    Get-Command -Noun NetCompartment | ForEach-Object { $_.Name }
}

function Get-WccInterface {
    # The seed's query: Get-NetIPInterface -AddressFamily IPv4 -IncludeAllCompartments [-CompartmentId N] [| Where InterfaceAlias -Like X]
    param([int] $CompartmentId = -1, [string] $AliasLike = '')
    $query = @{ AddressFamily = 'IPv4'; IncludeAllCompartments = $true }
    if ($CompartmentId -ge 0) { $query['CompartmentId'] = $CompartmentId }
    $interfaces = @(Get-NetIPInterface @query)
    if ($AliasLike) { $interfaces = @($interfaces | Where-Object InterfaceAlias -Like $AliasLike) }
    foreach ($interface in $interfaces) {
        try {
            $addresses = @(Get-NetIPAddress -InterfaceIndex $interface.ifIndex -AddressFamily IPv4 -IncludeAllCompartments |
                    ForEach-Object { [string]$_.IPAddress })
        }
        catch {
            # An interface without an IPv4 address: the CDXML cmdlet's "no matching object" error.
            if ($_.FullyQualifiedErrorId -notlike 'CmdletizationQuery_NotFound*') { throw }
            $addresses = @()
        }
        [pscustomobject]@{
            IfIndex         = [int]$interface.ifIndex
            Alias           = [string]$interface.InterfaceAlias
            CompartmentId   = [int]$interface.CompartmentId
            AddressFamily   = [string]$interface.AddressFamily
            IPv4Addresses   = $addresses
            ConnectionState = [string]$interface.ConnectionState
        }
    }
}

function Get-WccRoute {
    param([Parameter(Mandatory = $true)][int] $CompartmentId)
    try { $routes = @(Get-NetRoute -CompartmentId $CompartmentId) }
    catch {
        # A compartment with no route: the CDXML cmdlet's "no matching object" error; any other is passed on.
        if ($_.FullyQualifiedErrorId -notlike 'CmdletizationQuery_NotFound*') { throw }
        $routes = @()
    }
    $routes | ForEach-Object {
        [pscustomobject]@{
            DestinationPrefix = [string]$_.DestinationPrefix
            NextHop           = [string]$_.NextHop
            IfIndex           = [int]$_.ifIndex
            CompartmentId     = [int]$_.CompartmentId
            Metric            = [int]$_.RouteMetric
        }
    }
}

function Get-WccNat {
    # WinNAT's instances: HNS makes one per nat network (its prefix is the network's).
    Get-NetNat | ForEach-Object {
        [pscustomobject]@{
            Name                             = [string]$_.Name
            InternalIPInterfaceAddressPrefix = [string]$_.InternalIPInterfaceAddressPrefix
            Active                           = [bool]$_.Active
        }
    }
}

function Get-WccNatStaticMapping {
    # WinNAT's static port mappings: one per NAT policy of an HNS endpoint (docker run -p).
    Get-NetNatStaticMapping | ForEach-Object {
        [pscustomobject]@{
            StaticMappingId   = [int]$_.StaticMappingID
            NatName           = [string]$_.NatName
            Protocol          = [string]$_.Protocol
            ExternalIPAddress = [string]$_.ExternalIPAddress
            ExternalPort      = [int]$_.ExternalPort
            InternalIPAddress = [string]$_.InternalIPAddress
            InternalPort      = [int]$_.InternalPort
        }
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Event log, filter drivers
# ---------------------------------------------------------------------------------------------------------------

function Get-WccEvent {
    # Every record of the log from Since on (StartTime), never a newest-N window that a busy host overflows.
    param([string] $LogName = $script:WccHcsLogName, [string] $Since = '')
    $filter = @{ LogName = $LogName }
    if ($Since) { $filter['StartTime'] = [DateTime]::Parse($Since, $null, [Globalization.DateTimeStyles]::RoundtripKind).ToLocalTime() }
    try {
        $events = @(Get-WinEvent -FilterHashtable $filter)
    }
    catch {
        # Get-WinEvent's documented answer to a selection with no record: an error, not an empty list.
        if ($_.FullyQualifiedErrorId -like 'NoMatchingEventsFound*') { return }
        throw
    }
    foreach ($event in $events) {
        $systemId = ''
        $node = ([xml]$event.ToXml()).SelectSingleNode("//*[local-name()='SystemId']")
        if ($null -ne $node) { $systemId = [string]$node.InnerText }
        [pscustomobject]@{
            TimeCreated = $event.TimeCreated.ToUniversalTime().ToString('o')
            Id          = [int]$event.Id
            Level       = [int]$event.Level
            Message     = [string]$event.Message
            SystemId    = $systemId
        }
    }
}

function Get-WccFilter {
    $result = Invoke-WccProgram -File 'fltmc.exe' -Arguments @('filters') -TimeoutMs 30000
    if ($result.ExitCode -ne 0) { throw ('fltmc filters failed with exit code ' + $result.ExitCode + ': ' + $result.Stdout + $result.Stderr) }
    foreach ($line in ($result.Stdout -split "`r?`n")) {
        if ($line -match '^(?<name>\S+)\s+(?<instances>\d+)\s+(?<altitude>[\d.]+)\s+(?<frame>\d+)\s*$') {
            [pscustomobject]@{
                Name      = $Matches['name']
                Instances = [int]$Matches['instances']
                Altitude  = $Matches['altitude']
                Frame     = [int]$Matches['frame']
            }
        }
    }
}

function Get-WccFilterInstance {
    # The filter instances attached to one volume (fltmc instances -v), e.g. a layer's \\?\Volume{GUID}\:
    # what this container's start prepared, whatever other containers run on the host.
    param([Parameter(Mandatory = $true)][string] $Volume)
    $result = Invoke-WccProgram -File 'fltmc.exe' -Arguments @('instances', '-v', $Volume) -TimeoutMs 30000
    if ($result.ExitCode -ne 0) { throw ('fltmc instances -v ' + $Volume + ' failed with exit code ' + $result.ExitCode + ': ' + $result.Stdout + $result.Stderr) }
    foreach ($line in ($result.Stdout -split "`r?`n")) {
        # Filter, Volume Name (may be empty), Altitude, Instance Name (may hold spaces), Frame, SprtFtrs
        if ($line -match '^(?<filter>\S+)\s+(?<volume>\S*)\s+(?<altitude>\d[\d.]*)\s+(?<instance>\S.*?)\s+(?<frame>\d+)\s+(?<features>[0-9A-Fa-f]{8})\b') {
            [pscustomobject]@{
                Filter   = $Matches['filter']
                Volume   = $Matches['volume']
                Altitude = $Matches['altitude']
                Instance = $Matches['instance']
                Frame    = [int]$Matches['frame']
            }
        }
    }
}

# ---------------------------------------------------------------------------------------------------------------
# dockerd: the service, its process, daemon.json and its debug log; the host's docker CLI
# ---------------------------------------------------------------------------------------------------------------

function Get-WccDaemon {
    $service = Get-Service -Name $script:WccDockerService
    $processId = $null
    try { $processId = [int](@(Get-Process -Name dockerd)[0].Id) }
    catch {
        # dockerd not running: Get-Process's "cannot find a process" error; any other is passed on.
        if ($_.FullyQualifiedErrorId -notlike 'NoProcessFoundForGivenName*') { throw }
    }
    [pscustomobject]@{
        Status     = [string]$service.Status
        ProcessId  = $processId
        ConfigPath = $script:WccDaemonConfigPath
        LogPath    = 'Application:' + $script:WccDockerService
    }
}

function Stop-WccDaemon {
    # -Kill ends the process the hard way (as a crash would); otherwise the service is stopped.
    param([switch] $Kill)
    if ($Kill) { Stop-Process -Name dockerd -Force }
    else { Stop-Service -Name $script:WccDockerService }
    Get-WccDaemon
}

function Start-WccDaemon {
    # Never throws for a daemon that refuses to start: the caller reads Error and the debug log.
    $errorText = ''
    try { Start-Service -Name $script:WccDockerService }
    catch { $errorText = [string]$_.Exception.Message }
    $state = Get-WccDaemon
    [pscustomobject]@{
        Status     = $state.Status
        ProcessId  = $state.ProcessId
        ConfigPath = $state.ConfigPath
        LogPath    = $state.LogPath
        Error      = $errorText
    }
}

function Get-WccDaemonLog {
    # dockerd as a service logs to the Application event log (source docker); Mark is a RecordId.
    # -MarkOnly answers just the current end of the log (for a later -Since).
    param([long] $Since = 0, [switch] $MarkOnly)
    $lines = @()
    $mark = $Since
    $events = @()
    try {
        if ($MarkOnly) {
            # Records come newest first: the first one is the end of the log.
            $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $script:WccDockerService } -MaxEvents 1)
        }
        else {
            # Exactly the records after the mark, however many: the event log filters on EventRecordID.
            $query = "*[System[Provider[@Name='{0}'] and (EventRecordID > {1})]]" -f $script:WccDockerService, $Since
            $events = @(Get-WinEvent -LogName Application -FilterXPath $query | Sort-Object RecordId)
        }
    }
    catch {
        # Get-WinEvent's documented answer to a selection with no record: an error, not an empty list.
        if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw }
    }
    if ($MarkOnly) {
        if ($events.Count -gt 0) { $mark = [long]$events[0].RecordId }
        return [pscustomobject]@{ Mark = $mark; Lines = @() }
    }
    foreach ($event in $events) {
        $lines += [string]$event.Message
        $mark = [long]$event.RecordId
    }
    [pscustomobject]@{ Mark = $mark; Lines = $lines }
}

function Get-WccDaemonConfig {
    $exists = Test-Path -LiteralPath $script:WccDaemonConfigPath
    $content = ''
    if ($exists) { $content = [IO.File]::ReadAllText($script:WccDaemonConfigPath) }
    [pscustomobject]@{ Path = $script:WccDaemonConfigPath; Exists = $exists; Content = $content }
}

function Set-WccDaemonConfig {
    # Writes daemon.json (UTF-8, no BOM), or removes it with -Remove.
    param([string] $Content = '', [switch] $Remove)
    if ($Remove) {
        if (Test-Path -LiteralPath $script:WccDaemonConfigPath) { Remove-Item -LiteralPath $script:WccDaemonConfigPath -Force }
    }
    else {
        $folder = [IO.Path]::GetDirectoryName($script:WccDaemonConfigPath)
        if (-not (Test-Path -LiteralPath $folder)) { [void](New-Item -ItemType Directory -Path $folder) }
        # File.WriteAllText writes UTF-8 without a byte order mark.
        [IO.File]::WriteAllText($script:WccDaemonConfigPath, $Content)
    }
    Get-WccDaemonConfig
}

function Invoke-WccDocker {
    # The host's own docker CLI; arguments are passed one by one with Windows quoting.
    param([string[]] $Arguments = @(), [Parameter(Mandatory = $true)][int] $TimeoutMs)
    $result = Invoke-WccProgram -File 'docker.exe' -Arguments $Arguments -TimeoutMs $TimeoutMs
    [pscustomobject]@{ ExitCode = $result.ExitCode; Stdout = $result.Stdout; Stderr = $result.Stderr; Errors = @() }
}
