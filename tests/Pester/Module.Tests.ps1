BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Module = Get-Module EntraInboundProvisioning
    $script:Commands = @(Get-Command -Module EntraInboundProvisioning -CommandType Cmdlet)
}

Describe 'EntraInboundProvisioning module' {
    It 'has a manifest ready for the PowerShell Gallery' {
        $manifest = Test-ModuleManifest $ModuleManifest
        $manifest.Version | Should -Not -Be ([version]'0.0.0')
        $manifest.CompatiblePSEditions | Should -Be @('Core', 'Desktop')
        $manifest.PowerShellVersion | Should -Be ([version]'5.1')
        $manifest.PrivateData.PSData.ProjectUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $manifest.PrivateData.PSData.Tags | Should -Contain 'SCIM'
        $manifest.ExportedFunctions.Count | Should -Be 0
        $manifest.ExportedVariables.Count | Should -Be 0
        $manifest.ExportedAliases.Count | Should -Be 0
    }

    It 'exports exactly the cmdlets the manifest names, and every cmdlet class' {
        $listed = (Import-PowerShellDataFile $ModuleManifest).CmdletsToExport | Sort-Object
        ($Commands.Name | Sort-Object) | Should -Be $listed
        $assembly = [EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand].Assembly
        $classes = $assembly.GetTypes() | Where-Object { $_.IsSubclassOf([System.Management.Automation.Cmdlet]) -and -not $_.IsAbstract }
        $classes.Count | Should -Be $listed.Count
    }

    It 'does not load MSAL or Microsoft.Graph when importing and converting' {
        $script = "Import-Module '$ModuleManifest'; @{ Id = '1'; Upn = 'a@x' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = { `$true } } | Out-Null; [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -join ','"
        $loaded = Invoke-PowerShellChild $script
        $loaded | Should -Not -Match 'Microsoft\.Identity\.Client'
        $loaded | Should -Not -Match 'Microsoft\.Graph'
    }

    It 'loads its dependencies in its own load context, unaffected by another CsvHelper already in the session' {
        # A fake CsvHelper 0.0 in the default context: had the module resolved CsvHelper from there, converting would fail.
        $fake = Join-Path $TestDrive 'CsvHelper.dll'
        $name = [Reflection.AssemblyName]::new('CsvHelper')
        $name.Version = [version]'1.0.0.0'
        $builder = [System.Reflection.Emit.PersistedAssemblyBuilder]::new($name, [object].Assembly)
        $null = $builder.DefineDynamicModule('CsvHelper').DefineType('CsvHelper.Decoy', 'Public').CreateType()
        $builder.Save($fake)
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$fake'
Import-Module '$ModuleManifest'
`$requests = ConvertTo-ScimBulkRequest -Path '$(Join-Path $Samples 'hr-workers.csv')' -AttributeMapping '$(Join-Path $Samples 'AttributeMapping.psd1')'
`$contexts = [System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object { foreach (`$a in `$_.Assemblies) { '{0}={1}' -f `$a.GetName().Name, `$_.Name } }
'operations=' + (`$requests.OperationCount | Measure-Object -Sum).Sum
'typed=' + (`$requests[0] -is [EntraInboundProvisioning.Scim.BulkRequest])
`$contexts | Where-Object { `$_ -match '^(CsvHelper|EntraInboundProvisioning[.A-Za-z]*)=' }
"@
        $output = Invoke-PowerShellChild $script
        $output | Should -Contain 'operations=25'
        $output | Should -Contain 'EntraInboundProvisioning.Core=EntraInboundProvisioning'
        $output | Should -Contain 'CsvHelper=EntraInboundProvisioning'
        $output | Should -Contain 'CsvHelper=Default'
        $output | Should -Contain 'EntraInboundProvisioning=Default'
        # The public types: one copy, in the default context, whatever else the session holds.
        $output | Should -Contain 'EntraInboundProvisioning.Contracts=Default'
        $output | Should -Not -Contain 'EntraInboundProvisioning.Contracts=EntraInboundProvisioning'
        $output | Should -Contain 'typed=True'
    }

    It 'serves compiled help for every cmdlet: synopsis, examples and every parameter' {
        foreach ($command in $Commands) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -Match '^\s*\S+ \[' -Because "$($command.Name) needs a synopsis, not generated syntax"
            @($help.examples.example).Count | Should -BeGreaterOrEqual 2 -Because "$($command.Name) needs examples in Get-Help"
            foreach ($parameter in @($help.parameters.parameter)) {
                ($parameter.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$($command.Name) -$($parameter.name) needs a description"
            }
        }
    }

    It 'declares output types on every cmdlet' {
        foreach ($command in $Commands) {
            $command.OutputType.Count | Should -BeGreaterThan 0 -Because "$($command.Name) needs [OutputType]"
        }
    }

    It 'has a help page in docs/en-US for every cmdlet, covering every parameter' {
        foreach ($command in $Commands) {
            $page = Join-Path $RepoRoot "docs/en-US/$($command.Name).md"
            Test-Path $page | Should -BeTrue -Because "$($command.Name) needs $page"
            $text = Get-Content -Raw $page
            $text | Should -Match '## SYNOPSIS\s+\S'
            ([regex]::Matches($text, '### Example')).Count | Should -BeGreaterOrEqual 2 -Because "$($command.Name) needs examples"
            $common = [System.Management.Automation.Internal.CommonParameters].GetProperties().Name + [System.Management.Automation.Internal.ShouldProcessParameters].GetProperties().Name
            foreach ($parameter in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
                $text | Should -Match "### -$parameter\b" -Because "$($command.Name) -$parameter needs help"
            }
        }
    }
}
