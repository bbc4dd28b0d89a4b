# Wcc.psm1 - the wcc conformance suite's probe module for Windows PowerShell 5.1 on Windows Server 2019/2022.
#
# The suite loads it once per session with New-Module and then calls one line per round trip:
#     Invoke-WccCall '<base64 of {"id": N, "calls": [{"fn": "Get-WccCompartment", "args": {}}]}>'
# Invoke-WccCall answers with ONE line on stdout:  <<wcc:N>>{"id":N,"results":[...]}<<wcc-end:N>>
# Every input arrives as JSON data and is splatted as parameters; nothing is ever spliced into script text.
# Every probe returns objects with stable field names (documented in drivers/probe/__init__.py).
#
# Native calls follow hcsshim: P/Invoke into vmcompute.dll (HCS v1, HNSCall, NameToGuid and the layer calls)
# with the modern calling convention (DriverInfo Flavour 1, empty HomeDir, the full layer path as id).
# The C# is compiled lazily (Initialize-WccNative) so that loading the module stays cheap.

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$WccModuleVersion = '1.0.0'
$WccWindowsFilterRoot = 'C:\ProgramData\docker\windowsfilter'
$WccDaemonConfigPath = 'C:\ProgramData\docker\config\daemon.json'
$WccHcsLogName = 'Microsoft-Windows-Hyper-V-Compute-Operational'
$WccDockerService = 'docker'

# MSFT_NetCompartment.CompartmentType values. INFERRED (not captured on a real host yet): keep as data.
$WccCompartmentTypeNames = @{ 0 = 'Unspecified'; 1 = 'Native' }

$WccNativeSource = @'
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Wcc
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

    public class HcsException : Exception
    {
        public int HResult32;
        public string ResultJson;
        public HcsException(string operation, int hr, string resultJson)
            : base(string.Format("{0} failed with HRESULT 0x{1:x8}{2}", operation, hr,
                   string.IsNullOrEmpty(resultJson) ? "" : ": " + resultJson))
        {
            HResult32 = hr;
            ResultJson = resultJson;
            HResult = hr;
        }
    }

    public static class NativeMethods
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
        [DllImport("ole32.dll")]
        public static extern void CoTaskMemFree(IntPtr ptr);
    }

    public static class Hcs
    {
        public const int Pending = unchecked((int)0xC0370103);
        public const int DoesNotExist = unchecked((int)0xC037010E);

        // vmcompute returns strings allocated with CoTaskMemAlloc; the caller frees them.
        public static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUni(p); }
            finally { NativeMethods.CoTaskMemFree(p); }
        }

        static void Check(string operation, int hr, IntPtr result)
        {
            string json = TakeString(result);
            if (hr < 0 && hr != Pending) throw new HcsException(operation, hr, json);
        }

        public static string Enumerate(string query)
        {
            IntPtr systems, result;
            int hr = NativeMethods.HcsEnumerateComputeSystems(query, out systems, out result);
            Check("HcsEnumerateComputeSystems", hr, result);
            return TakeString(systems) ?? "[]";
        }

        public static IntPtr Open(string id)
        {
            IntPtr handle, result;
            int hr = NativeMethods.HcsOpenComputeSystem(id, out handle, out result);
            Check("HcsOpenComputeSystem " + id, hr, result);
            return handle;
        }

        // null when the compute system does not exist.
        public static string TryProperties(string id, string query)
        {
            IntPtr handle, result;
            int hr = NativeMethods.HcsOpenComputeSystem(id, out handle, out result);
            string json = TakeString(result);
            if (hr == DoesNotExist) return null;
            if (hr < 0) throw new HcsException("HcsOpenComputeSystem " + id, hr, json);
            try { return Properties(handle, query); }
            finally { NativeMethods.HcsCloseComputeSystem(handle); }
        }

        public static string Properties(IntPtr handle, string query)
        {
            IntPtr props, result;
            int hr = NativeMethods.HcsGetComputeSystemProperties(handle, query, out props, out result);
            Check("HcsGetComputeSystemProperties", hr, result);
            return TakeString(props);
        }

        // HCS v1 completes create/start/terminate asynchronously; without a callback we watch the
        // system's State until it reaches one of the wanted states.
        public static string WaitForState(IntPtr handle, string[] states, int timeoutMs)
        {
            Stopwatch watch = Stopwatch.StartNew();
            string last = null;
            while (true)
            {
                try { last = Properties(handle, "{}"); }
                catch (HcsException e) { if (e.HResult32 == DoesNotExist) return null; }
                if (last != null)
                    foreach (string s in states)
                        if (last.Contains("\"State\":\"" + s + "\"")) return last;
                if (watch.ElapsedMilliseconds > timeoutMs)
                    throw new TimeoutException("compute system did not reach state " + string.Join("/", states) + "; last: " + last);
                Thread.Sleep(50);
            }
        }

        public static string Create(string id, string configuration, int timeoutMs)
        {
            IntPtr handle, result;
            int hr = NativeMethods.HcsCreateComputeSystem(id, configuration, IntPtr.Zero, out handle, out result);
            Check("HcsCreateComputeSystem " + id, hr, result);
            try { return WaitForState(handle, new[] { "Created", "Running" }, timeoutMs); }
            finally { NativeMethods.HcsCloseComputeSystem(handle); }
        }

        public static string Start(string id, int timeoutMs)
        {
            IntPtr handle = Open(id);
            try
            {
                IntPtr result;
                int hr = NativeMethods.HcsStartComputeSystem(handle, "", out result);
                Check("HcsStartComputeSystem " + id, hr, result);
                return WaitForState(handle, new[] { "Running" }, timeoutMs);
            }
            finally { NativeMethods.HcsCloseComputeSystem(handle); }
        }

        public static string Terminate(string id, int timeoutMs)
        {
            IntPtr handle = Open(id);
            try
            {
                IntPtr result;
                int hr = NativeMethods.HcsTerminateComputeSystem(handle, "", out result);
                Check("HcsTerminateComputeSystem " + id, hr, result);
                return WaitForState(handle, new[] { "Stopped" }, timeoutMs);
            }
            finally { NativeMethods.HcsCloseComputeSystem(handle); }
        }

        public static uint CreateProcess(string id, string parameters)
        {
            IntPtr handle = Open(id);
            try
            {
                HcsProcessInformation info;
                IntPtr process, result;
                int hr = NativeMethods.HcsCreateProcess(handle, parameters, out info, out process, out result);
                Check("HcsCreateProcess " + id, hr, result);
                NativeMethods.HcsCloseProcess(process);
                return info.ProcessId;
            }
            finally { NativeMethods.HcsCloseComputeSystem(handle); }
        }

        public static string HnsCall(string method, string path, string request)
        {
            IntPtr response;
            int hr = NativeMethods.HNSCall(method, path, request ?? "", out response);
            string text = TakeString(response);
            if (hr < 0) throw new HcsException("HNSCall " + method + " " + path, hr, text);
            return text;
        }
    }

    public static class Layers
    {
        static DriverInfo Info() { DriverInfo d; d.Flavour = 1; d.HomeDir = ""; return d; }

        static void Check(string op, string path, int hr)
        {
            if (hr < 0) throw new HcsException("hcsshim::" + op + " " + path, hr, null);
        }

        public static Guid NameToGuid(string name)
        {
            Guid g;
            int hr = NativeMethods.NameToGuid(name, out g);
            if (hr < 0) throw new HcsException("hcsshim::NameToGuid " + name, hr, null);
            return g;
        }

        static WC_LAYER_DESCRIPTOR[] Descriptors(string[] parents)
        {
            var list = new List<WC_LAYER_DESCRIPTOR>();
            foreach (string p in parents ?? new string[0])
            {
                WC_LAYER_DESCRIPTOR d;
                d.LayerId = NameToGuid(System.IO.Path.GetFileName(p.TrimEnd('\\')));
                d.Flags = 0;
                d.Path = p;
                list.Add(d);
            }
            return list.ToArray();
        }

        public static string GetMountPath(string path)
        {
            DriverInfo info = Info();
            UIntPtr length = UIntPtr.Zero;
            Check("GetLayerMountPath (first call)", path, NativeMethods.GetLayerMountPath(ref info, path, ref length, IntPtr.Zero));
            ulong chars = length.ToUInt64();
            if (chars == 0) return "";
            IntPtr buffer = Marshal.AllocHGlobal((int)(chars + 1) * 2);
            try
            {
                Check("GetLayerMountPath (second call)", path, NativeMethods.GetLayerMountPath(ref info, path, ref length, buffer));
                return Marshal.PtrToStringUni(buffer);
            }
            finally { Marshal.FreeHGlobal(buffer); }
        }

        public static void CreateSandbox(string path, string[] parents)
        {
            DriverInfo info = Info();
            var d = Descriptors(parents);
            Check("CreateSandboxLayer", path, NativeMethods.CreateSandboxLayer(ref info, path, IntPtr.Zero, d, d.Length));
        }

        public static void Activate(string path) { DriverInfo i = Info(); Check("ActivateLayer", path, NativeMethods.ActivateLayer(ref i, path)); }
        public static void Prepare(string path, string[] parents)
        {
            DriverInfo info = Info();
            var d = Descriptors(parents);
            Check("PrepareLayer", path, NativeMethods.PrepareLayer(ref info, path, d, d.Length));
        }
        public static void Unprepare(string path) { DriverInfo i = Info(); Check("UnprepareLayer", path, NativeMethods.UnprepareLayer(ref i, path)); }
        public static void Deactivate(string path) { DriverInfo i = Info(); Check("DeactivateLayer", path, NativeMethods.DeactivateLayer(ref i, path)); }
        public static void Destroy(string path) { DriverInfo i = Info(); Check("DestroyLayer", path, NativeMethods.DestroyLayer(ref i, path)); }
    }

    public class ExecResult
    {
        public int ExitCode;
        public string Stdout;
        public string Stderr;
    }

    public static class Exec
    {
        // Windows command-line quoting (the rules CommandLineToArgvW undoes), so arguments with
        // spaces, quotes or backslashes reach the program unchanged.
        public static string Quote(string arg)
        {
            if (arg.Length > 0 && arg.IndexOfAny(new[] { ' ', '\t', '"' }) < 0) return arg;
            var sb = new StringBuilder("\"");
            int slashes = 0;
            foreach (char c in arg)
            {
                if (c == '\\') { slashes++; continue; }
                if (c == '"') { sb.Append('\\', slashes * 2 + 1); sb.Append('"'); }
                else { sb.Append('\\', slashes); sb.Append(c); }
                slashes = 0;
            }
            sb.Append('\\', slashes * 2);
            sb.Append('"');
            return sb.ToString();
        }

        public static ExecResult Run(string file, string[] args, int timeoutMs)
        {
            var parts = new List<string>();
            foreach (string a in args ?? new string[0]) parts.Add(Quote(a));
            var psi = new ProcessStartInfo(file, string.Join(" ", parts));
            psi.UseShellExecute = false;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.RedirectStandardInput = true;
            psi.CreateNoWindow = true;
            psi.StandardOutputEncoding = Encoding.UTF8;
            psi.StandardErrorEncoding = Encoding.UTF8;
            using (var p = Process.Start(psi))
            {
                p.StandardInput.Close();
                var err = p.StandardError.ReadToEndAsync();
                string output = p.StandardOutput.ReadToEnd();
                if (!p.WaitForExit(timeoutMs)) { try { p.Kill(); } catch { } throw new TimeoutException(file + " did not exit within " + timeoutMs + " ms"); }
                return new ExecResult { ExitCode = p.ExitCode, Stdout = output, Stderr = err.Result };
            }
        }
    }
}
'@

# ---------------------------------------------------------------------------------------------------------------
# Plumbing: framing, error records, native setup
# ---------------------------------------------------------------------------------------------------------------

function Initialize-WccNative {
    if (-not ('Wcc.Hcs' -as [type])) {
        Add-Type -TypeDefinition $script:WccNativeSource -Language CSharp
    }
}

function ConvertTo-WccErrorRecord {
    param($Record)
    if ($Record -is [System.Management.Automation.ErrorRecord]) {
        $exception = $Record.Exception
        # .NET exceptions thrown by our C# arrive wrapped in MethodInvocationException.
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
    $results = New-Object System.Collections.Generic.List[object]
    foreach ($call in @($request.calls)) {
        $name = [string]$call.fn
        if ($name -notlike '*-Wcc*' -or $null -eq (Get-Command -Name $name -Module Wcc -ErrorAction SilentlyContinue)) {
            $results.Add(@{ ok = $false; errors = @(@{ Message = "unknown probe function '$name'"; FullyQualifiedErrorId = 'WccUnknownProbe'; Category = 'ObjectNotFound' }) })
            continue
        }
        $splat = ConvertTo-WccHashtable $call.args
        try {
            $value = @(& $name @splat)
            $results.Add(@{ ok = $true; value = $value })
        }
        catch {
            $results.Add(@{ ok = $false; errors = @(ConvertTo-WccErrorRecord $_) })
        }
    }
    $frame = ConvertTo-WccJson @{ id = $request.id; results = $results.ToArray() }
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
        $errors = New-Object System.Collections.Generic.List[object]
        $exitCode = $null
        try {
            $output = @($shell.Invoke())
        }
        catch {
            $errors.Add((ConvertTo-WccErrorRecord $_))
            $exitCode = 1
        }
        foreach ($record in $shell.Streams.Error) { $errors.Add((ConvertTo-WccErrorRecord $record)) }
        $last = $shell.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        if ($null -eq $exitCode) {
            if ($null -ne $last) { $exitCode = [int]$last }
            elseif ($errors.Count -gt 0) { $exitCode = 1 }
            else { $exitCode = 0 }
        }
        $stdout = ($output | Out-String)
        $stderr = (@($errors | ForEach-Object { $_.Message }) -join "`r`n")
        [pscustomobject]@{ ExitCode = $exitCode; Stdout = $stdout; Stderr = $stderr; Errors = $errors.ToArray() }
    }
    finally {
        $shell.Dispose()
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
        ProductName   = [string]$current.ProductName
        PSVersion     = $PSVersionTable.PSVersion.ToString()
        ModuleVersion = $script:WccModuleVersion
        HnsVersion    = Get-WccHnsVersion
    }
}

function Get-WccHnsVersion {
    # As hcsshim's hcn.GetGlobals(): HNSCall GET /globals/version -> {"Major":N,"Minor":N}.
    # $null when HNS does not answer, so a host without the service still loads the module.
    try {
        Initialize-WccNative
        $answer = ConvertFrom-Json -InputObject ([Wcc.Hcs]::HnsCall('GET', '/globals/version', ''))
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
    [Wcc.Hcs]::Enumerate($Query)
}

function Get-WccComputeSystemProperties {
    # Returns nothing when the compute system does not exist.
    param([Parameter(Mandatory = $true)][string] $Id, [string] $Query = '{}')
    Initialize-WccNative
    $json = [Wcc.Hcs]::TryProperties($Id, $Query)
    if ($null -ne $json) { $json }
}

function New-WccComputeSystem {
    param([Parameter(Mandatory = $true)][string] $Id, [Parameter(Mandatory = $true)][string] $Configuration, [int] $TimeoutMs = 60000)
    Initialize-WccNative
    [Wcc.Hcs]::Create($Id, $Configuration, $TimeoutMs)
}

function Start-WccComputeSystem {
    param([Parameter(Mandatory = $true)][string] $Id, [int] $TimeoutMs = 60000)
    Initialize-WccNative
    [Wcc.Hcs]::Start($Id, $TimeoutMs)
}

function Stop-WccComputeSystem {
    param([Parameter(Mandatory = $true)][string] $Id, [int] $TimeoutMs = 60000)
    Initialize-WccNative
    $json = [Wcc.Hcs]::Terminate($Id, $TimeoutMs)
    if ($null -ne $json) { $json }
}

function New-WccProcess {
    param([Parameter(Mandatory = $true)][string] $Id, [Parameter(Mandatory = $true)][string] $Parameters)
    Initialize-WccNative
    [pscustomobject]@{ ProcessId = [int][Wcc.Hcs]::CreateProcess($Id, $Parameters) }
}

# ---------------------------------------------------------------------------------------------------------------
# HNS (HNSCall v1). The answer is HNS's own envelope {"Success":..,"Error":..,"Output":..} as a string.
# ---------------------------------------------------------------------------------------------------------------

function Invoke-WccHnsCall {
    param([Parameter(Mandatory = $true)][string] $Method, [Parameter(Mandatory = $true)][string] $Path, [string] $Request = '')
    Initialize-WccNative
    [Wcc.Hcs]::HnsCall($Method, $Path, $Request)
}

function Get-WccHnsObject {
    # Read-only GET of /networks/, /endpoints/ or /namespaces/ (optionally one id).
    param([Parameter(Mandatory = $true)][ValidateSet('networks', 'endpoints', 'namespaces')][string] $Kind, [string] $Id = '')
    Initialize-WccNative
    [Wcc.Hcs]::HnsCall('GET', '/' + $Kind + '/' + $Id, '')
}

# ---------------------------------------------------------------------------------------------------------------
# Layers (windowsfilter folder and the vmcompute layer calls)
# ---------------------------------------------------------------------------------------------------------------

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
    $file = Join-Path -Path $Path -ChildPath 'layerchain.json'
    if (Test-Path -LiteralPath $file) { [IO.File]::ReadAllText($file) }
}

function Get-WccLayerMountPath {
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    [Wcc.Layers]::GetMountPath($Path)
}

function Get-WccNameToGuid {
    param([Parameter(Mandatory = $true)][string] $Name)
    Initialize-WccNative
    [Wcc.Layers]::NameToGuid($Name).ToString()
}

function New-WccScratchLayer {
    # As windowsfilter's create(): mount path of the parent, then CreateSandboxLayer, then layerchain.json.
    param([Parameter(Mandatory = $true)][string] $Path, [string[]] $ParentPaths = @())
    Initialize-WccNative
    $parentMount = ''
    if ($ParentPaths.Count -gt 0) { $parentMount = [Wcc.Layers]::GetMountPath($ParentPaths[0]) }
    [Wcc.Layers]::CreateSandbox($Path, $ParentPaths)
    $chain = ConvertTo-Json -InputObject @($ParentPaths) -Compress
    [IO.File]::WriteAllText((Join-Path -Path $Path -ChildPath 'layerchain.json'), $chain, (New-Object System.Text.UTF8Encoding($false)))
    [pscustomobject]@{ Path = $Path; ParentMountPath = $parentMount }
}

function Enable-WccLayer {
    # As windowsfilter's Get(): ActivateLayer, PrepareLayer, GetLayerMountPath.
    param([Parameter(Mandatory = $true)][string] $Path, [string[]] $ParentPaths = @())
    Initialize-WccNative
    [Wcc.Layers]::Activate($Path)
    [Wcc.Layers]::Prepare($Path, $ParentPaths)
    [pscustomobject]@{ Path = $Path; MountPath = [Wcc.Layers]::GetMountPath($Path) }
}

function Disable-WccLayer {
    # As windowsfilter's Put(): UnprepareLayer, DeactivateLayer.
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    [Wcc.Layers]::Unprepare($Path)
    [Wcc.Layers]::Deactivate($Path)
}

function Remove-WccLayer {
    param([Parameter(Mandatory = $true)][string] $Path)
    Initialize-WccNative
    [Wcc.Layers]::Destroy($Path)
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
    Get-Command -Noun NetCompartment -ErrorAction SilentlyContinue | ForEach-Object { $_.Name }
}

function Get-WccInterface {
    # The seed's query: Get-NetIPInterface -AddressFamily IPv4 -IncludeAllCompartments [-CompartmentId N] [| Where InterfaceAlias -Like X]
    param([int] $CompartmentId = -1, [string] $AliasLike = '')
    $query = @{ AddressFamily = 'IPv4'; IncludeAllCompartments = $true }
    if ($CompartmentId -ge 0) { $query['CompartmentId'] = $CompartmentId }
    $interfaces = @(Get-NetIPInterface @query)
    if ($AliasLike) { $interfaces = @($interfaces | Where-Object InterfaceAlias -Like $AliasLike) }
    foreach ($interface in $interfaces) {
        $addresses = @(Get-NetIPAddress -InterfaceIndex $interface.ifIndex -AddressFamily IPv4 -IncludeAllCompartments -ErrorAction SilentlyContinue |
                ForEach-Object { [string]$_.IPAddress })
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
    Get-NetRoute -CompartmentId $CompartmentId -ErrorAction SilentlyContinue | ForEach-Object {
        [pscustomobject]@{
            DestinationPrefix = [string]$_.DestinationPrefix
            NextHop           = [string]$_.NextHop
            IfIndex           = [int]$_.ifIndex
            CompartmentId     = [int]$_.CompartmentId
            Metric            = [int]$_.RouteMetric
        }
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Event log, filter drivers
# ---------------------------------------------------------------------------------------------------------------

function Get-WccEvent {
    param([string] $LogName = $script:WccHcsLogName, [string] $Since = '', [int] $MaxEvents = 2000)
    $filter = @{ LogName = $LogName }
    if ($Since) { $filter['StartTime'] = [DateTime]::Parse($Since, $null, [Globalization.DateTimeStyles]::RoundtripKind).ToLocalTime() }
    try {
        $events = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents)
    }
    catch {
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
    Initialize-WccNative
    $result = [Wcc.Exec]::Run('fltmc.exe', @('filters'), 30000)
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

# ---------------------------------------------------------------------------------------------------------------
# dockerd: the service, its process, daemon.json and its debug log; the host's docker CLI
# ---------------------------------------------------------------------------------------------------------------

function Get-WccDaemon {
    $service = Get-Service -Name $script:WccDockerService
    $process = Get-Process -Name dockerd -ErrorAction SilentlyContinue | Select-Object -First 1
    $processId = $null
    if ($null -ne $process) { $processId = [int]$process.Id }
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
    $state | Add-Member -NotePropertyName Error -NotePropertyValue $errorText
    $state
}

function Get-WccDaemonLog {
    # dockerd as a service logs to the Application event log (source docker); Mark is a RecordId.
    # -MarkOnly answers just the current end of the log (for a later -Since).
    param([long] $Since = 0, [switch] $MarkOnly)
    $lines = @()
    $mark = $Since
    if ($MarkOnly) {
        $newest = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $script:WccDockerService } -MaxEvents 1 -ErrorAction SilentlyContinue)
        if ($newest.Count -gt 0) { $mark = [long]$newest[0].RecordId }
        return [pscustomobject]@{ Mark = $mark; Lines = @() }
    }
    try {
        $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $script:WccDockerService } -MaxEvents 5000 |
                Where-Object { $_.RecordId -gt $Since } | Sort-Object RecordId)
    }
    catch {
        if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw }
        $events = @()
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
        $folder = Split-Path -Path $script:WccDaemonConfigPath -Parent
        if (-not (Test-Path -LiteralPath $folder)) { [void](New-Item -ItemType Directory -Path $folder) }
        [IO.File]::WriteAllText($script:WccDaemonConfigPath, $Content, (New-Object System.Text.UTF8Encoding($false)))
    }
    Get-WccDaemonConfig
}

function Invoke-WccDocker {
    # The host's own docker CLI; arguments are passed one by one with Windows quoting.
    param([string[]] $Arguments = @(), [int] $TimeoutMs = 300000)
    Initialize-WccNative
    $result = [Wcc.Exec]::Run('docker.exe', $Arguments, $TimeoutMs)
    [pscustomobject]@{ ExitCode = $result.ExitCode; Stdout = $result.Stdout; Stderr = $result.Stderr; Errors = @() }
}
