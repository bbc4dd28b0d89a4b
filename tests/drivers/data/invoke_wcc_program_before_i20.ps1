# Invoke-WccProgram as it was before issue 20 (commit 851c7fb): ReadToEnd() on stdout before
# WaitForExit, and Kill() of the child alone. Kept so tests/drivers/test_program_deadline.py can
# show that it does not return at its deadline when a program never exits.

function Invoke-WccProgram {
    # Runs a program with its arguments quoted one by one; stdout and stderr apart, as UTF-8.
    param([string] $File, [string[]] $Arguments = @(), [int] $TimeoutMs)
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
    $process = [Diagnostics.Process]::Start($info)
    try {
        $process.StandardInput.Close()
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        if (-not $process.WaitForExit($TimeoutMs)) {
            try { $process.Kill() } catch { }
            throw ('{0} did not exit within {1} ms' -f $File, $TimeoutMs)
        }
        [pscustomobject]@{ ExitCode = $process.ExitCode; Stdout = $stdout; Stderr = $stderr.Result }
    }
    finally {
        $process.Dispose()
    }
}
