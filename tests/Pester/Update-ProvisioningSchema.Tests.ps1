BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Urn = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
    function script:ApiAttributes {
        $file = Join-Path $TestDrive "schema-$([guid]::NewGuid()).json"
        Export-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $file | Out-Null
        $schema = Get-Content -Raw $file | ConvertFrom-Json
        ($schema.directories | Where-Object name -eq 'API').objects[0].attributes
    }
    function script:Mappings {
        $file = Join-Path $TestDrive "schema-$([guid]::NewGuid()).json"
        Export-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $file | Out-Null
        (Get-Content -Raw $file | ConvertFrom-Json).synchronizationRules[0].objectMappings[0].attributeMappings
    }
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Update-ProvisioningSchema' {
    It 'adds the columns of a semicolon-delimited CSV with quoted headers, typed, and says so on a re-run' {
        $csv = Join-Path $TestDrive 'hr.csv'
        Set-Content $csv "`"WorkerID`";`"HireDate`";`"Job-Code`"`n1;2024-01-01;J1"
        $added = Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $csv -Delimiter ';' -ScimSchemaNamespace $Urn -Type String -PassThru -Confirm:$false
        ($added | Where-Object Kind -eq 'AttributeAdded').Attribute | Should -Be @("$($Urn):WorkerID", "$($Urn):HireDate", "$($Urn):Job-Code")
        $names = (ApiAttributes).name
        $names | Should -Contain "$($Urn):HireDate"
        $names | Should -Not -Contain "$($Urn):`"HireDate`""
        $again = Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $csv -Delimiter ';' -ScimSchemaNamespace $Urn -PassThru -Confirm:$false -Verbose 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message | Should -Contain 'Nothing to add: the schema already has every attribute and mapping given.'
        (($again | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Kind | Sort-Object -Unique) | Should -Be 'AttributeExists'
    }

    It 'adds typed attributes and their mappings, leaves existing mappings alone unless -Force, and backs up' {
        $backup = Join-Path $TestDrive 'before.json'
        $changes = Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -Attribute @(@{ Name = 'StartDate'; Type = 'DateTime' }, @{ Name = 'Grade'; Type = 'Integer' }) -TargetAttribute @{ StartDate = 'employeeHireDate'; Grade = 'jobTitle' } -BackupPath $backup -PassThru -Confirm:$false
        ($changes | Where-Object Kind -eq 'MappingAdded').TargetAttribute | Should -Be 'employeeHireDate'
        ($changes | Where-Object Kind -eq 'MappingExists').PreviousSource | Should -Be '[title]'
        ((ApiAttributes) | Where-Object name -eq "$($Urn):StartDate").type | Should -Be 'DateTime'
        (Mappings | Where-Object targetAttributeName -eq 'jobTitle').source.name | Should -Be 'title'
        (Get-Content -Raw $backup | ConvertFrom-Json).directories | Should -Not -BeNullOrEmpty
        ((Get-Content -Raw $backup) -match 'StartDate') | Should -BeFalse

        Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -AttributeName Grade -TargetAttribute @{ Grade = 'jobTitle' } -Force -Confirm:$false
        (Mappings | Where-Object targetAttributeName -eq 'jobTitle').source.name | Should -Be "$($Urn):Grade"
    }

    It 'completes -AttributeName with the attributes the job already has under the namespace' {
        $line = "Update-ProvisioningSchema -ServicePrincipalId $($Emulator.ServicePrincipalId) -ScimSchemaNamespace $Urn -AttributeName "
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'HireDate'
        $completions | Should -Contain 'StartDate'
    }

    It 'writes nothing with -WhatIf' {
        $before = (ApiAttributes).Count
        Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -AttributeName NotAdded -WhatIf
        (ApiAttributes).Count | Should -Be $before
    }

    It 'adds the custom attributes a mapping file sends' {
        $changes = Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -AttributeMapping (Join-Path $Samples 'mappings/Employees.psd1') -Type DateTime -PassThru -Confirm:$false
        $changes.Attribute | Should -Be "$($Urn):HireDate"
    }

    It 'refuses attribute names that SCIM does not allow' {
        { Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -AttributeName 'Hire Date' -Confirm:$false } | Should -Throw -ErrorId 'InvalidAttributeName,*'
    }

    It 'names the permission a 403 lacks' {
        $clientId = [guid]::NewGuid().ToString()
        Invoke-Emulator $Emulator POST '_emulator/apps' @{ clientId = $clientId; secret = 'reader-secret-1'; roles = @('Synchronization.Read.All', 'Application.Read.All') } | Out-Null
        Connect-TestEmulator $Emulator -ClientId $clientId -Secret 'reader-secret-1' | Out-Null
        try {
            $err = { Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -AttributeName Forbidden -Confirm:$false } | Should -Throw -ErrorId 'PermissionDenied,*' -PassThru
            $err.Exception.Message | Should -Match 'Synchronization.ReadWrite.All'
        }
        finally {
            Connect-TestEmulator $Emulator | Out-Null
        }
    }

    It 'exports a schema and imports it into a second app, showing the diff first' {
        $other = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Second app' }
        $file = Join-Path $TestDrive 'export.json'
        Export-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $file | Should -BeOfType ([IO.FileInfo])
        { Export-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -Path $file } | Should -Throw -ErrorId 'OutFileExists,*'
        Import-ProvisioningSchema -ServicePrincipalId $other.id -Path $file -WhatIf
        $lines = Import-ProvisioningSchema -ServicePrincipalId $other.id -Path $file -PassThru -Confirm:$false
        $lines | Should -Contain "+ attribute API: User.$($Urn):StartDate (DateTime)"
        $lines | Should -Contain "+ mapping API->Azure Active Directory User.employeeHireDate <- [$($Urn):StartDate] (Always)"
        $copy = Join-Path $TestDrive 'copy.json'
        Export-ProvisioningSchema -ServicePrincipalId $other.id -Path $copy | Out-Null
        (Get-Content -Raw $copy | ConvertFrom-Json).directories.objects.attributes.name | Should -Contain "$($Urn):Grade"
        Import-ProvisioningSchema -ServicePrincipalId $other.id -Path $file -PassThru -Confirm:$false | Should -BeNullOrEmpty
    }

    It 'tells ConvertTo-ScimBulkRequest -ServicePrincipalId which attributes land on date-time attributes, and the service accepts them' {
        Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $Urn -Attribute @{ Name = 'Hired'; Type = 'String' } -TargetAttribute @{ Hired = 'employeeLeaveDateTime' } -Force -Confirm:$false | Out-Null
        $csv = Join-Path $TestDrive 'dates.csv'
        Set-Content $csv "Id,Upn,Hired`nD1,d1@contoso.com,03/01/2024"
        $mapping = @{ externalId = 'Id'; userName = 'Upn'; active = { $true }; $Urn = @{ Hired = 'Hired' } }
        $json = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -ServicePrincipalId $Emulator.ServicePrincipalId -AsJson -Verbose 4>&1 | Tee-Object -Variable all | Where-Object { $_ -is [string] }
        $json | Should -Match '"Hired":"2024-03-01T00:00:00Z"'
        ($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -match 'date-time' | Should -Not -BeNullOrEmpty
        # Without the schema the bare date goes out as written, and the service refuses the record.
        (ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -AsJson) | Should -Match '"Hired":"03/01/2024"'
        { ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -JobId $Emulator.JobId } | Should -Throw -ErrorId 'JobIdWithoutServicePrincipal,*'

        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -ServicePrincipalId $Emulator.ServicePrincipalId | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId | Out-Null
        Invoke-Emulator $Emulator POST "_emulator/jobs/$($Emulator.JobId)/cycle" | Out-Null
        (Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -ExternalId D1).Status | Should -Be 'success'
    }
}
