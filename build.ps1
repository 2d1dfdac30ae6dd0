<#
.SYNOPSIS
    Builds EntraInboundProvisioning into an importable module folder, and optionally tests and packages it.

.DESCRIPTION
    The one entry point for PowerShell users and CI:
      ./build.ps1                  build Release and lay out out/EntraInboundProvisioning
      ./build.ps1 -Test            ... then run the C# suites and the Pester suite (in a child pwsh)
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

    # Run only the Pester suite (the module must be built); CI uses it after running dotnet test itself.
    [switch] $PesterOnly,

    # Produce out/EntraInboundProvisioning.<version>.nupkg for the PowerShell Gallery.
    [switch] $Package
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleDir = Join-Path $out 'EntraInboundProvisioning'
$solution = Join-Path $root 'EntraInboundProvisioning.sln'

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

function Invoke-PesterSuite {
    # A child pwsh imports the built module, so no DLL stays loaded (and locked) in this session.
    $pwsh = (Get-Process -Id $PID).Path
    $script = {
        param($TestsPath, $ModulePath)
        $ErrorActionPreference = 'Stop'
        Import-Module Pester -MinimumVersion 5.0
        $env:EIP_MODULE_PATH = $ModulePath
        $configuration = New-PesterConfiguration
        $configuration.Run.Path = $TestsPath
        $configuration.Run.Exit = $true
        $configuration.Output.Verbosity = 'Detailed'
        $configuration.TestResult.Enabled = $false
        Invoke-Pester -Configuration $configuration
    }
    & $pwsh -NoProfile -NonInteractive -Command $script -args (Join-Path $root 'tests/Pester'), (Join-Path $moduleDir 'EntraInboundProvisioning.psd1')
    if ($LASTEXITCODE -ne 0) { throw "Pester reported $LASTEXITCODE failed test(s)." }
}

if (-not $PesterOnly) {
    Build-Module
}

if ($Test) {
    if (-not $PesterOnly) {
        Invoke-Native dotnet @('test', $solution, '-c', $Configuration, '--nologo')
    }
    Invoke-PesterSuite
}
elseif ($PesterOnly) {
    Invoke-PesterSuite
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
