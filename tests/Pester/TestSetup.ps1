# Dot-sourced by every test file: imports the BUILT module (out/EntraInboundProvisioning) fresh.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
. (Join-Path $PSScriptRoot 'PowerShellProcess.ps1')
$script:ModuleManifest = if ($env:EIP_MODULE_PATH) { $env:EIP_MODULE_PATH } else { Join-Path $script:RepoRoot 'out/EntraInboundProvisioning/EntraInboundProvisioning.psd1' }
if (-not (Test-Path $script:ModuleManifest)) {
    throw "The built module is missing at '$script:ModuleManifest'. Run ./build.ps1 first."
}
Import-Module $script:ModuleManifest -Force -ErrorAction Stop
$script:Samples = Join-Path $script:RepoRoot 'samples'
$script:Anchors = Join-Path $script:RepoRoot 'tests/EntraInboundProvisioning.Core.Tests/assets/anchors'
