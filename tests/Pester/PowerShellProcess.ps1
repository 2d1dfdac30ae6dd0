# How to start another PowerShell like the one running now, however it was installed. Dot-sourced by build.ps1 (the
# Pester runner) and by TestSetup.ps1 (tests that need a fresh process), so there is one answer to the question:
#   - a package install (pwsh, pwsh.exe, powershell.exe): the process is PowerShell itself;
#   - a .NET tool (`dotnet pwsh` from a local tool manifest, `dotnet tool run pwsh`): the process is `dotnet` and
#     PowerShell is pwsh.dll in $PSHOME, so the child is `dotnet <PSHOME>/pwsh.dll`: one process, the one that does
#     the work, which is what a test that kills it must hit (`dotnet pwsh` itself would start a second process).
# A global .NET tool (`dotnet tool install -g PowerShell`) runs through an apphost named pwsh, so it is the first case.

function Get-PowerShellLauncher {
    $path = if ($PSVersionTable.PSEdition -eq 'Desktop') { (Get-Process -Id $PID).Path } else { [Environment]::ProcessPath }
    $name = [IO.Path]::GetFileNameWithoutExtension($path)
    if ($name -eq 'dotnet') {
        $dll = Join-Path $PSHOME 'pwsh.dll'
        if (-not (Test-Path -LiteralPath $dll)) { throw "PowerShell runs under '$path' but '$dll' is missing; cannot start a child PowerShell." }
        return [pscustomobject]@{ FilePath = $path; Arguments = @($dll) }
    }
    if ($name -in 'pwsh', 'powershell') {
        return [pscustomobject]@{ FilePath = $path; Arguments = @() }
    }
    # Another host (an editor, a service) embedding PowerShell: start the pwsh that sits in $PSHOME.
    $exe = if ($PSVersionTable.PSEdition -eq 'Desktop') { 'powershell.exe' } elseif ($IsWindows) { 'pwsh.exe' } else { 'pwsh' }
    $candidate = Join-Path $PSHOME $exe
    if (Test-Path -LiteralPath $candidate) { return [pscustomobject]@{ FilePath = $candidate; Arguments = @() } }
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path -LiteralPath $dll) { return [pscustomobject]@{ FilePath = 'dotnet'; Arguments = @($dll) } }
    throw "Cannot tell how to start a child PowerShell from host process '$path' (PSHOME '$PSHOME')."
}

# The arguments for a child that runs $Command: -EncodedCommand, so no quoting rule of any platform touches it.
function Get-PowerShellArguments([string] $Command) {
    $launcher = Get-PowerShellLauncher
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command))
    [pscustomobject]@{
        FilePath  = $launcher.FilePath
        Arguments = @($launcher.Arguments) + @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded)
    }
}

# Runs $Command in a child PowerShell and returns its output lines, as `pwsh -Command $Command` would.
function Invoke-PowerShellChild([string] $Command) {
    $child = Get-PowerShellArguments $Command
    $arguments = $child.Arguments
    & $child.FilePath @arguments
}

# Starts $Command in a child PowerShell and returns the process (the one running PowerShell, safe to kill).
# Its output goes to this console unless -RedirectOutput, which returns it readable from the process object.
function Start-PowerShellChild([string] $Command, [switch] $RedirectOutput) {
    $child = Get-PowerShellArguments $Command
    $info = [System.Diagnostics.ProcessStartInfo]::new($child.FilePath)
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = [bool] $RedirectOutput
    $info.RedirectStandardError = [bool] $RedirectOutput
    if ($null -ne $info.PSObject.Properties['ArgumentList']) {
        foreach ($argument in $child.Arguments) { $info.ArgumentList.Add($argument) }
    }
    else {
        # .NET Framework (Windows PowerShell 5.1) has no ArgumentList; none of these arguments holds a space or quote
        # but the path of pwsh.dll, so quoting each is enough.
        $info.Arguments = ($child.Arguments | ForEach-Object { '"' + $_ + '"' }) -join ' '
    }
    [System.Diagnostics.Process]::Start($info)
}

# Ends a process and everything it started (emulators, jobs), on every platform.
function Stop-ProcessTree([System.Diagnostics.Process] $Process) {
    if ($Process.HasExited) { return }
    if ($PSVersionTable.PSEdition -eq 'Desktop') {
        & taskkill.exe /PID $Process.Id /T /F 2>&1 | Out-Null
    }
    else {
        $Process.Kill($true)
    }
    $null = $Process.WaitForExit(10000)
}
