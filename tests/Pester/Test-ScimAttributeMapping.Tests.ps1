BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
}

Describe 'Test-ScimAttributeMapping' {
    It 'finds nothing wrong with the sample mapping and the sample CSV' {
        Test-ScimAttributeMapping -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -Path (Join-Path $Samples 'hr-workers.csv') | Should -BeNullOrEmpty
        Test-ScimAttributeMapping -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -Quiet | Should -BeTrue
    }

    It 'returns one finding per problem with code and attribute' {
        $findings = @(Test-ScimAttributeMapping -AttributeMapping @{
                externalId   = 'Id'
                name         = 'FullName'
                phoneNumbers = @{ value = 'Phone' }
                groups       = @(@{ value = 'G' })
                'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{ 'Hire Date' = 'HireDate' }
            })
        $findings | Should -BeOfType [EntraInboundProvisioning.Mapping.MappingFinding]
        ($findings | Sort-Object Code).Code | Should -Be @('ActiveNotMapped', 'ComplexExpected', 'InvalidAttributeName', 'MultiValuedNotArray', 'ReadOnlyAttribute', 'UserNameNotMapped')
        ($findings | Where-Object Code -eq 'UserNameNotMapped').Severity | Should -Be 'Warning'
    }

    It 'refuses a mapping without active, explaining that the service would disable the accounts, unless -AllowMissingActive' {
        $finding = Test-ScimAttributeMapping -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' }
        $finding.Code | Should -Be 'ActiveNotMapped'
        $finding.Severity | Should -Be 'Error'
        $finding.Message | Should -Match 'disable'
        Test-ScimAttributeMapping -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -Quiet | Should -BeFalse
        Test-ScimAttributeMapping -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -AllowMissingActive -Quiet | Should -BeTrue
        Test-ScimAttributeMapping -AttributeMapping (Join-Path $Anchors 'AttributeMapping.psd1') -Quiet | Should -BeTrue
    }

    It 'checks columns against CSV headers and pipeline objects' {
        $mapping = @{ externalId = 'WorkerID'; userName = 'Upn'; active = { $_.Status -eq 'Active' } }
        $fromCsv = @(Test-ScimAttributeMapping -AttributeMapping $mapping -Path (Join-Path $Samples 'hr-workers.csv'))
        $fromCsv.Column | Sort-Object | Should -Be @('Status', 'Upn')
        $fromObjects = @([pscustomobject]@{ WorkerID = 1; Upn = 'x' } | Test-ScimAttributeMapping -AttributeMapping $mapping)
        $fromObjects.Column | Should -Be @('Status')
        $fromObjects.Attribute | Should -Be @('active')
    }

    It 'returns $false with -Quiet when there are errors' {
        Test-ScimAttributeMapping -AttributeMapping @{ userName = 'U' } -Quiet | Should -BeFalse
    }

    It 'reports values that are not mapping forms with their line' {
        $file = Join-Path $TestDrive 'odd.psd1'
        Set-Content $file "@{`n externalId = 'Id'`n title = Get-Date`n}"
        $finding = Test-ScimAttributeMapping -AttributeMapping $file | Where-Object Code -eq 'UnsupportedMappingValue'
        $finding.Message | Should -Match 'line 3'
        $finding.Attribute | Should -Be 'title'
    }
}
