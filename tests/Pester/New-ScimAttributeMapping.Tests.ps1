BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
}

Describe 'New-ScimAttributeMapping' {
    It 'writes a mapping for the sample CSV that validates and converts every record' {
        $csv = Join-Path $Samples 'hr-workers.csv'
        $file = New-ScimAttributeMapping -Path $csv -OutFile (Join-Path $TestDrive 'mapping.psd1')
        $file | Should -BeOfType ([IO.FileInfo])
        Test-ScimAttributeMapping -AttributeMapping $file.FullName -Path $csv | Where-Object Severity -eq 'Error' | Should -BeNullOrEmpty
        $requests = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $file.FullName
        ($requests.OperationCount | Measure-Object -Sum).Sum | Should -Be 25
        $user = ($requests[0].Json | ConvertFrom-Json).Operations[1].data
        $user.name.givenName | Should -Be 'Liam'
        $user.active | Should -BeTrue
        $user.'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager | Should -BeNullOrEmpty
        ($requests[1].Json | ConvertFrom-Json).Operations[0].data.'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager.value | Should -Be '21000'
        Get-Content -Raw $file.FullName | Should -Match '#   HireDate'
    }

    It 'emits the text without -OutFile and honours -WhatIf and -Force' {
        $text = [pscustomobject]@{ EmployeeID = 1; Email = 'a@x'; Department = 'D' } | New-ScimAttributeMapping
        $text | Should -Match "externalId = 'EmployeeID'"
        $target = Join-Path $TestDrive 'whatif.psd1'
        New-ScimAttributeMapping -Path (Join-Path $Samples 'hr-workers.csv') -OutFile $target -WhatIf
        Test-Path $target | Should -BeFalse
        Set-Content $target 'keep me'
        { New-ScimAttributeMapping -Path (Join-Path $Samples 'hr-workers.csv') -OutFile $target } | Should -Throw -ErrorId 'OutFileExists,*'
        Get-Content $target | Should -Be 'keep me'
        New-ScimAttributeMapping -Path (Join-Path $Samples 'hr-workers.csv') -OutFile $target -Force | Should -Not -BeNullOrEmpty
        Get-Content -Raw $target | Should -Match 'externalId'
    }

    It 'warns when no column looks like a worker id' {
        $null = [pscustomobject]@{ Name = 'x'; HireDate = 'y' } | New-ScimAttributeMapping -WarningVariable warns -WarningAction SilentlyContinue
        $warns.Message -match 'worker id' | Should -Not -BeNullOrEmpty
    }

    It 'warns that the mapping needs an active line when no column looks like a status, and leaves it as a REQUIRED comment' {
        $text = [pscustomobject]@{ EmployeeID = 1; Email = 'a@x' } | New-ScimAttributeMapping -WarningVariable warns -WarningAction SilentlyContinue
        $warns.Message -match 'disables the account' | Should -Not -BeNullOrEmpty
        $text | Should -Match '# active = .*REQUIRED'
        $file = Join-Path $TestDrive 'no-active.psd1'
        Set-Content $file $text
        (Test-ScimAttributeMapping -AttributeMapping $file | Where-Object Code -eq 'ActiveNotMapped').Severity | Should -Be 'Error'
    }
}
