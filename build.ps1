<#
.SYNOPSIS
    Builds EntraInboundProvisioning into an importable module folder, and optionally tests and packages it.

.DESCRIPTION
    The one entry point for PowerShell users and CI:
      ./build.ps1                  build Release and lay out out/EntraInboundProvisioning
      ./build.ps1 -Demo            ... then convert and send the bundled samples to the project's Graph emulator
      ./build.ps1 -Test            ... then run the C# suites and every Pester file (each in a child PowerShell)
      ./build.ps1 -Package         ... then write the .nupkg a PowerShell Gallery publish would upload
    The module folder gets an explicit list of files; a missing or unexpected assembly fails the build,
    so a dependency change is always a deliberate edit here.

.EXAMPLE
    ./build.ps1 -Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Run the xunit suites, then Pester against the built module in a child pwsh.
    [switch] $Test,

    # Run only the Pester suite against the module already built in out/.
    [switch] $PesterOnly,

    # After building, run the module's main job on the bundled samples against the project's Graph emulator (no tenant
    # needed): convert samples/hr-workers.csv with samples/AttributeMapping.psd1, send it, and read each record's outcome.
    [switch] $Demo,

    # Produce out/EntraInboundProvisioning.<version>.nupkg for the PowerShell Gallery.
    [switch] $Package,

    # Run only these Pester files (names or wildcards, e.g. 'DeltaRuns', 'Send-*'); all of them by default.
    [string[]] $PesterFile = '*',

    # How long one Pester file may run before it is stopped and counted as failed.
    [timespan] $PesterFileTimeout = '00:05:00',

    # How long one C# test may run before its test host is stopped (dotnet test --blame-hang-timeout).
    [string] $DotnetTestTimeout = '5m'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'EntraInboundProvisioning'
$solution = Join-Path $root 'EntraInboundProvisioning.sln'
. (Join-Path $root 'tests/Pester/PowerShellProcess.ps1')

# The files the module folder holds, and nothing else. The cmdlet assembly, the module's public types (Contracts:
# no dependencies, loaded once in the default context so scripts can name them) and the PowerShell 7 load context
# sit in the module root; everything else goes to Dependencies/, which the module's own AssemblyLoadContext serves
# on PowerShell 7 (and an AssemblyResolve handler on Windows PowerShell 5.1).
$rootAssemblies = @(
    'EntraInboundProvisioning.dll'
    'EntraInboundProvisioning.Contracts.dll'
    'EntraInboundProvisioning.LoadContext.dll'
)
$dependencyAssemblies = @(
    'EntraInboundProvisioning.Core.dll'
    'CsvHelper.dll'
    'Microsoft.Bcl.AsyncInterfaces.dll'
    'Microsoft.Bcl.HashCode.dll'
    'Microsoft.CSharp.dll'
    'Microsoft.Identity.Client.dll'
    'Microsoft.IdentityModel.Abstractions.dll'
    'System.Buffers.dll'
    'System.Diagnostics.DiagnosticSource.dll'
    'System.IO.Pipelines.dll'
    'System.Memory.dll'
    'System.Numerics.Vectors.dll'
    'System.Runtime.CompilerServices.Unsafe.dll'
    'System.Text.Encodings.Web.dll'
    'System.Text.Json.dll'
    'System.Threading.Tasks.Extensions.dll'
)

function Invoke-Native {
    param([string] $FilePath, [string[]] $Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath $($Arguments -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw -LiteralPath (Join-Path $root 'Directory.Build.props')
    $version = $props.Project.PropertyGroup | ForEach-Object { $_.VersionPrefix } | Where-Object { $_ } | Select-Object -First 1
    if (-not $version) { throw 'Directory.Build.props has no VersionPrefix.' }
    return $version
}

function Build-Module {
    $publish = Join-Path $root "obj/publish/$Configuration"
    if (Test-Path $publish) { Remove-Item -Recurse -Force $publish }
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/EntraInboundProvisioning/EntraInboundProvisioning.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/EntraInboundProvisioning.LoadContext/EntraInboundProvisioning.LoadContext.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'quiet')

    $expected = $rootAssemblies + $dependencyAssemblies
    $published = Get-ChildItem -LiteralPath $publish -Filter '*.dll' | ForEach-Object Name
    $missing = $expected | Where-Object { $_ -notin $published }
    $unexpected = $published | Where-Object { $_ -notin $expected }
    if ($missing -or $unexpected) {
        throw "The published assemblies differ from build.ps1's lists. Missing: $($missing -join ', '). Unexpected: $($unexpected -join ', '). Update `$rootAssemblies/`$dependencyAssemblies deliberately."
    }

    if (Test-Path $moduleDir) { Remove-Item -Recurse -Force $moduleDir }
    $dependencyDir = Join-Path $moduleDir 'Dependencies'
    $null = New-Item -ItemType Directory -Path $dependencyDir
    foreach ($assembly in $rootAssemblies) {
        Copy-Item -LiteralPath (Join-Path $publish $assembly) -Destination $moduleDir
    }
    foreach ($assembly in $dependencyAssemblies) {
        Copy-Item -LiteralPath (Join-Path $publish $assembly) -Destination $dependencyDir
    }

    Copy-Item -LiteralPath (Join-Path $root 'src/EntraInboundProvisioning/Formats/EntraInboundProvisioning.format.ps1xml') -Destination $moduleDir
    Copy-Item -LiteralPath (Join-Path $root 'LICENSE') -Destination $moduleDir

    # Stamp the one version into the manifest copy.
    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw -LiteralPath (Join-Path $root 'EntraInboundProvisioning.psd1')
    $manifest = $manifest -replace "ModuleVersion(\s*)=(\s*)'[^']*'", "ModuleVersion`$1=`$2'$version'"
    Set-Content -LiteralPath (Join-Path $moduleDir 'EntraInboundProvisioning.psd1') -Value $manifest -Encoding utf8

    $helpCompiler = Join-Path $root 'src/EntraInboundProvisioning.HelpCompiler/EntraInboundProvisioning.HelpCompiler.csproj'
    if (Test-Path $helpCompiler) {
        $helpDir = Join-Path $moduleDir 'en-US'
        Invoke-Native dotnet @('run', '--project', $helpCompiler, '-c', $Configuration, '--', (Join-Path $root 'docs/en-US'), (Join-Path $helpDir 'EntraInboundProvisioning.dll-Help.xml'))
    }

    $null = Test-ModuleManifest -Path (Join-Path $moduleDir 'EntraInboundProvisioning.psd1')
    Write-Host "Built EntraInboundProvisioning $version into $moduleDir"
}

# Pester comes pinned from NuGet: tests/Toolchain/Toolchain.csproj downloads the package (its tools/ folder is the
# module) into the NuGet packages folder, and the suite imports it from there by path. Where that restore cannot run
# (an offline admin), a Pester 5 the admin installed with PowerShellGet is used instead, with a warning.
function Find-Pester {
    $project = Join-Path $root 'tests/Toolchain/Toolchain.csproj'
    [xml] $xml = Get-Content -Raw -LiteralPath $project
    $version = ($xml.Project.ItemGroup.PackageDownload | Where-Object { $_.Include -eq 'Pester' }).Version.Trim('[', ']')
    & dotnet restore $project --nologo -v quiet | Out-Host
    if ($LASTEXITCODE -eq 0) {
        $assets = Get-Content -Raw -LiteralPath (Join-Path $root 'tests/Toolchain/obj/project.assets.json') | ConvertFrom-Json
        foreach ($folder in $assets.packageFolders.PSObject.Properties.Name) {
            $manifest = Join-Path $folder "pester/$version/tools/Pester.psd1"
            if (Test-Path -LiteralPath $manifest) { return $manifest }
        }
    }
    $installed = Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -eq 5 } | Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) {
        Write-Warning "Pester $version could not be restored from NuGet; using the installed Pester $($installed.Version) at $($installed.Path)."
        return $installed.Path
    }
    throw "Pester $version could not be restored from NuGet (dotnet restore $project) and no Pester 5 is installed."
}

# Each Pester file runs in a child PowerShell of its own (see tests/Pester/PowerShellProcess.ps1 for how it is started)
# with a time limit, so a hang fails the run within minutes, naming the file, and no DLL stays loaded in this session.
function Invoke-PesterSuite {
    $pester = Find-Pester
    $files = @(Get-ChildItem -LiteralPath (Join-Path $root 'tests/Pester') -Filter '*.Tests.ps1' | Where-Object {
            $file = $_
            # 'A,B' as one argument too: pwsh -File passes a comma list from a shell as one string.
            @($PesterFile -split ',' | Where-Object { ($file.Name -replace '\.Tests\.ps1$') -like $_ -or $file.Name -like $_ }).Count
        } | Sort-Object Name)
    if ($files.Count -eq 0) { throw "No Pester file matches $($PesterFile -join ', ')." }
    $manifest = Join-Path $moduleDir 'EntraInboundProvisioning.psd1'
    $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
    $totals = @{ Passed = 0; Failed = 0; Skipped = 0 }
    $broken = [Collections.Generic.List[string]]::new()
    $failures = [Collections.Generic.List[string]]::new()
    $suite = [Diagnostics.Stopwatch]::StartNew()
    foreach ($file in $files) {
        $resultFile = [IO.Path]::GetTempFileName()
        $command = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module $(& $quote $pester)
`$env:EIP_MODULE_PATH = $(& $quote $manifest)
`$configuration = New-PesterConfiguration
`$configuration.Run.Path = $(& $quote $file.FullName)
`$configuration.Run.PassThru = `$true
`$configuration.Output.Verbosity = 'Detailed'
`$result = Invoke-Pester -Configuration `$configuration
`$broken = `$result.FailedBlocksCount + `$result.FailedContainersCount
'{0} {1} {2} {3}' -f `$result.PassedCount, `$result.FailedCount, `$result.SkippedCount, `$broken | Set-Content -LiteralPath $(& $quote $resultFile)
# What failed and why, one line each, for the closing lines of the run (CI shows only the tail of a long log).
`$why = { param(`$records) if (@(`$records).Count) { ((@(`$records)[0].Exception.Message) -replace '\s+', ' ').Trim() } else { '(no error of its own: its block failed)' } }
@(
    foreach (`$test in `$result.Failed) { '{0}: {1}' -f `$test.ExpandedPath, (& `$why `$test.ErrorRecord) }
    foreach (`$block in `$result.FailedBlocks) { '{0} (setup or teardown): {1}' -f `$block.ExpandedPath, (& `$why `$block.ErrorRecord) }
    foreach (`$container in `$result.FailedContainers) { '(file): {0}' -f (& `$why `$container.ErrorRecord) }
) | Set-Content -LiteralPath $(& $quote "$resultFile.failed")
"@
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $process = Start-PowerShellChild $command
        if (-not $process.WaitForExit([int] $PesterFileTimeout.TotalMilliseconds)) {
            Stop-ProcessTree $process
            Write-Host "TIMED OUT: $($file.Name) ran longer than $PesterFileTimeout and was stopped." -ForegroundColor Red
            $broken.Add("$($file.Name) (timed out after $PesterFileTimeout)")
            $totals.Failed++
        }
        else {
            $process.WaitForExit()
            $counts = @(Get-Content -LiteralPath $resultFile -ErrorAction SilentlyContinue) -split ' ' | Where-Object { $_ } | ForEach-Object { [int] $_ }
            if ($counts.Count -ne 4) {
                $broken.Add("$($file.Name) (exited with code $($process.ExitCode) before Pester reported)")
                $totals.Failed++
            }
            else {
                $totals.Passed += $counts[0]; $totals.Skipped += $counts[2]
                # A failed BeforeAll/AfterAll or a file that does not parse fails no single test: count it as one.
                $failed = $counts[1] + $counts[3]
                $totals.Failed += $failed
                if ($failed) { $broken.Add("$($file.Name) ($failed failed)") }
            }
        }
        foreach ($line in @(Get-Content -LiteralPath "$resultFile.failed" -ErrorAction SilentlyContinue)) { $failures.Add("FAILED: [$($file.Name)] $line") }
        Remove-Item -LiteralPath $resultFile, "$resultFile.failed" -ErrorAction SilentlyContinue
        Write-Host ("[{0}] {1:n1} s" -f $file.Name, $watch.Elapsed.TotalSeconds)
    }
    Write-Host ("Pester: {0} passed, {1} failed, {2} skipped in {3} files, {4:n0} s" -f $totals.Passed, $totals.Failed, $totals.Skipped, $files.Count, $suite.Elapsed.TotalSeconds)
    foreach ($key in 'Passed', 'Failed', 'Skipped') { $script:Counts[$key] += $totals[$key] }
    foreach ($line in $failures) { Write-Host $line -ForegroundColor Red }
    if ($broken.Count) { throw "Pester failures in: $($broken -join '; ')." }
    if ($totals.Passed -eq 0) { throw 'No Pester test ran.' }
}

# The C# suites. --blame-hang-timeout ends a test host that hangs (and names the test it was running), so a hang
# fails within minutes instead of holding CI until its own limit.
function Invoke-DotnetTests {
    $arguments = @('test', $solution, '-c', $Configuration, '--nologo', '--blame-hang-timeout', $DotnetTestTimeout, '--blame-hang-dump-type', 'none')
    # Each test assembly ends with 'Passed!  - Failed: 0, Passed: 258, Skipped: 0, ...': sum them for the closing line.
    & dotnet @arguments | ForEach-Object {
        Write-Host $_
        if ("$_" -match 'Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)') {
            $script:Counts.Failed += [int] $Matches[1]; $script:Counts.Passed += [int] $Matches[2]; $script:Counts.Skipped += [int] $Matches[3]
        }
    }
    if ($LASTEXITCODE -ne 0) { throw "dotnet test failed with exit code $LASTEXITCODE." }
}

if (-not $PesterOnly) {
    Build-Module
}

# The main job on the samples, end to end, against the emulator on a free loopback port. It runs in a child PowerShell,
# so the module's DLLs are not left loaded in this session.
function Invoke-Demo {
    $RepoRoot = $root
    . (Join-Path $root 'tests/Pester/Emulator.ps1')
    Invoke-Native dotnet @('build', (Join-Path $root 'tests/EntraInboundProvisioning.GraphEmulator'), '-c', 'Release', '--nologo', '-v', 'quiet')
    $emulator = Start-TestEmulator
    try {
        $demo = Join-Path $out 'demo'
        if (Test-Path $demo) { Remove-Item -Recurse -Force $demo }
        $null = New-Item -ItemType Directory -Path $demo
        $quote = { param($text) "'" + ($text -replace "'", "''") + "'" }
        $command = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module $(& $quote (Join-Path $moduleDir 'EntraInboundProvisioning.psd1'))
`$certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new([Convert]::FromBase64String('$([Convert]::ToBase64String($emulator.Certificate.RawData))'))
`$secret = ConvertTo-SecureString $(& $quote $emulator.ClientSecret) -AsPlainText -Force
Connect-EntraProvisioning -TenantId $(& $quote $emulator.TenantId) -ClientId $(& $quote $emulator.ClientId) -ClientSecret `$secret -TestEndpoint $(& $quote $emulator.BaseUri) -TestCertificate `$certificate | Out-Null
`$state = $(& $quote (Join-Path $demo 'demo.state'))
Write-Host '1+2. ConvertTo-ScimBulkRequest -Path samples/hr-workers.csv -AttributeMapping samples/AttributeMapping.psd1 -StatePath out/demo/demo.state | Send-ScimBulkRequest -StatePath out/demo/demo.state'
`$results = ConvertTo-ScimBulkRequest -Path $(& $quote (Join-Path $root 'samples/hr-workers.csv')) -AttributeMapping $(& $quote (Join-Path $root 'samples/AttributeMapping.psd1')) -StatePath `$state -InformationVariable plan |
    Send-ScimBulkRequest -ServicePrincipalId $(& $quote $emulator.ServicePrincipalId) -StatePath `$state
(`$plan | Where-Object Tags -contains 'Summary').MessageData | Format-List | Out-String | Write-Host
`$results | Format-Table | Out-String | Write-Host
Invoke-RestMethod -Method Post -Uri $(& $quote ([uri]::new($emulator.BaseUri, "_emulator/jobs/$($emulator.JobId)/cycle"))) -SkipCertificateCheck | Out-Null
Write-Host '3. Get-ProvisioningCycleLog -Wait -StatePath out/demo/demo.state (the emulator ran a provisioning cycle)'
`$results | Get-ProvisioningCycleLog -ServicePrincipalId $(& $quote $emulator.ServicePrincipalId) -Wait -StatePath `$state -PollInterval 00:00:01 | Format-Table | Out-String | Write-Host
Write-Host '4. Get-ProvisioningState out/demo/demo.state'
Get-ProvisioningState `$state | Format-List | Out-String | Write-Host
"@
        Invoke-PowerShellChild $command | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "The demo failed with exit code $LASTEXITCODE." }
    }
    finally {
        Stop-TestEmulator $emulator
    }
}

if ($Demo) {
    Invoke-Demo
}

# Test counts of the whole run (C# and Pester), for the closing line CI reads.
$script:Counts = @{ Passed = 0; Failed = 0; Skipped = 0 }
if ($Test -or $PesterOnly) {
    # A failing C# suite does not keep the Pester suite from running: one run tells everything that fails.
    $broken = [Collections.Generic.List[string]]::new()
    try {
        if (-not $PesterOnly) {
            try { Invoke-DotnetTests } catch { $broken.Add($_.Exception.Message) }
        }
        try { Invoke-PesterSuite } catch { $broken.Add($_.Exception.Message) }
    }
    finally {
        Write-Host ("Tests: {0} passed, {1} failed, {2} skipped" -f $Counts.Passed, $Counts.Failed, $Counts.Skipped)
    }
    if ($broken.Count) { throw ($broken -join ' ') }
}

if ($Package) {
    $version = Get-ModuleVersion
    $nuspec = Join-Path $out 'EntraInboundProvisioning.nuspec'
    $data = Import-PowerShellDataFile -LiteralPath (Join-Path $moduleDir 'EntraInboundProvisioning.psd1')
    $tags = ($data.PrivateData.PSData.Tags + 'PSModule' + ($data.CmdletsToExport | ForEach-Object { "PSCmdlet_$_", "PSCommand_$_" })) -join ' '
    $files = Get-ChildItem -LiteralPath $moduleDir -Recurse -File | ForEach-Object {
        $relative = [IO.Path]::GetRelativePath($moduleDir, $_.FullName)
        "    <file src=`"$([Security.SecurityElement]::Escape($_.FullName))`" target=`"$([Security.SecurityElement]::Escape($relative))`" />"
    }
    @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd">
  <metadata>
    <id>EntraInboundProvisioning</id>
    <version>$version</version>
    <authors>$([Security.SecurityElement]::Escape($data.Author))</authors>
    <description>$([Security.SecurityElement]::Escape($data.Description))</description>
    <projectUrl>$($data.PrivateData.PSData.ProjectUri)</projectUrl>
    <license type="expression">MIT</license>
    <releaseNotes>$([Security.SecurityElement]::Escape($data.PrivateData.PSData.ReleaseNotes))</releaseNotes>
    <tags>$([Security.SecurityElement]::Escape($tags))</tags>
  </metadata>
  <files>
$($files -join "`n")
  </files>
</package>
"@ | Set-Content -LiteralPath $nuspec -Encoding utf8
    # 'dotnet pack' needs a project; a tiny one with NuspecFile packs the module folder exactly as listed.
    $packProject = Join-Path $out 'pack/EntraInboundProvisioning.Pack.csproj'
    $null = New-Item -ItemType Directory -Force -Path (Split-Path $packProject)
    @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <NuspecFile>$nuspec</NuspecFile>
    <IncludeBuildOutput>false</IncludeBuildOutput>
    <NoWarn>`$(NoWarn);NU5100;NU5110;NU5111</NoWarn>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
</Project>
"@ | Set-Content -LiteralPath $packProject -Encoding utf8
    Invoke-Native dotnet @('pack', $packProject, '-o', $out, '--nologo', '-v', 'quiet')
    Write-Host "Packaged $(Join-Path $out "EntraInboundProvisioning.$version.nupkg")"
}
