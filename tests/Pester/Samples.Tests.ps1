BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Csv = Join-Path $Samples 'hr-workers.csv'
    function script:Get-Users([object[]] $Requests) { ($Requests.Json | ForEach-Object { $_ | ConvertFrom-Json }).Operations.data }
}

Describe 'samples' {
    Context 'mapping files' {
        It '<Name> validates against the sample CSV and converts every worker' -ForEach @(
            @{ Name = 'Employees.psd1' }, @{ Name = 'Contractors.psd1' }, @{ Name = 'Interns.psd1' }, @{ Name = '../AttributeMapping.psd1' }
        ) {
            $mapping = Join-Path $Samples "mappings/$Name"
            Test-ScimAttributeMapping -AttributeMapping $mapping -Path $Csv | Where-Object Severity -eq 'Error' | Should -BeNullOrEmpty
            $requests = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $mapping -ErrorVariable errs
            $errs | Should -BeNullOrEmpty
            ($requests.OperationCount | Measure-Object -Sum).Sum | Should -Be 25
        }

        It 'Employees.psd1 sends the hire date with time and offset' {
            # Checked in the raw JSON: ConvertFrom-Json would turn the text into a [datetime].
            $json = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping (Join-Path $Samples 'mappings/Employees.psd1') -AsJson
            ($json -join "`n") | Should -Match '"externalId":"21000".*?"HireDate":"2010-01-15T00:00:00Z"'
        }

        It 'Contractors.psd1 and Interns.psd1 mark their populations' {
            (Get-Users (ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping (Join-Path $Samples 'mappings/Contractors.psd1')))[0].displayName | Should -Be 'Ava Okafor (External)'
            $interns = Get-Users (ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping (Join-Path $Samples 'mappings/Interns.psd1'))
            $interns[0].title | Should -Be 'Intern - Analyst'
            ($interns | Where-Object externalId -eq '21028').active | Should -BeTrue
            ($interns | Where-Object externalId -eq '21007').active | Should -BeFalse
        }
    }

    Context 'scripts' {
        It 'New-SyntheticWorkerCsv.ps1 writes a file the sample mapping converts without errors' {
            $file = & (Join-Path $Samples 'New-SyntheticWorkerCsv.ps1') -Count 1000 -Path (Join-Path $TestDrive 'workers.csv')
            (Get-Content $file.FullName).Count | Should -Be 1001
            $requests = ConvertTo-ScimBulkRequest -Path $file.FullName -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -ErrorVariable errs
            $errs | Should -BeNullOrEmpty
            # Managers go in earlier requests than their reports, so a few requests are not full.
            $requests.Count | Should -BeGreaterOrEqual 20
            $requests.Count | Should -BeLessThan 30
            ($requests.OperationCount | Measure-Object -Sum).Sum | Should -Be 1000
        }

        It 'Convert-SqlWorkers.ps1 converts DataRows from Invoke-Sqlcmd' {
            function Invoke-Sqlcmd {
                param($ServerInstance, $Database, $Query, $OutputAs)
                $table = [Data.DataTable]::new()
                'WorkerID', 'UserID', 'FirstName', 'LastName', 'FullName', 'JobTitle', 'WorkerStatus', 'Department', 'ManagerID' | ForEach-Object { [void]$table.Columns.Add($_) }
                [void]$table.Rows.Add('7', 'a@contoso.com', 'Ann', 'Lee', 'Ann Lee', 'Chef', 'Active', 'Kitchen', [DBNull]::Value)
                [void]$table.Rows.Add('8', 'b@contoso.com', 'Bo', 'Kim', 'Bo Kim', 'Cook', 'Leaver', 'Kitchen', '7')
                $table.Rows
            }
            $users = Get-Users (& (Join-Path $Samples 'sources/Convert-SqlWorkers.ps1') -ServerInstance hr-sql -Database HR)
            $users.externalId | Should -Be @('7', '8')
            $users[0].active | Should -BeTrue
            $users[1].active | Should -BeFalse
            $users[1].'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager.value | Should -Be '7'
        }

        It 'Convert-RestApiWorkers.ps1 follows @odata.nextLink pages' {
            Mock Invoke-RestMethod -ParameterFilter { "$Uri" -eq 'https://hr.example/api/workers' } {
                [pscustomobject]@{ value = @([pscustomobject]@{ employeeId = 'E1'; userPrincipalName = 'e1@contoso.com'; givenName = 'Eva'; surname = 'Ng'; employmentStatus = 'active'; jobTitle = 'Dev' }); '@odata.nextLink' = 'https://hr.example/api/workers?page=2' }
            }
            Mock Invoke-RestMethod -ParameterFilter { "$Uri" -eq 'https://hr.example/api/workers?page=2' } {
                [pscustomobject]@{ value = @([pscustomobject]@{ employeeId = 'E2'; userPrincipalName = 'e2@contoso.com'; givenName = 'Raj'; surname = 'Iyer'; employmentStatus = 'terminated'; jobTitle = 'Ops' }) }
            }
            $token = ConvertTo-SecureString 'not-a-real-token' -AsPlainText -Force
            $users = Get-Users (& (Join-Path $Samples 'sources/Convert-RestApiWorkers.ps1') -Uri 'https://hr.example/api/workers' -Token $token)
            $users.externalId | Should -Be @('E1', 'E2')
            $users[0].displayName | Should -Be 'Eva Ng'
            $users[1].active | Should -BeFalse
            Should -Invoke Invoke-RestMethod -Times 2 -Exactly
        }

        It 'Convert-LdapWorkers.ps1 resolves managers to their externalId' {
            function Get-ADUser {
                param($Filter, $SearchBase, $Properties, $Server)
                [pscustomobject]@{ DistinguishedName = 'CN=Boss,OU=C'; employeeID = 'C1'; userPrincipalName = 'boss@partner.com'; displayName = 'Boss'; givenName = 'B'; sn = 'Oss'; title = 'Lead'; department = 'Ops'; Enabled = $true; manager = $null }
                [pscustomobject]@{ DistinguishedName = 'CN=Worker,OU=C'; employeeID = 'C2'; userPrincipalName = 'w@partner.com'; displayName = 'Worker'; givenName = 'W'; sn = 'Orker'; title = 'Tech'; department = 'Ops'; Enabled = $false; manager = 'CN=Boss,OU=C' }
            }
            $users = Get-Users (& (Join-Path $Samples 'sources/Convert-LdapWorkers.ps1') -SearchBase 'OU=C')
            $users.externalId | Should -Be @('C1', 'C2')
            $users[0].active | Should -BeTrue
            $users[1].active | Should -BeFalse
            $users[1].'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager.value | Should -Be 'C1'
        }
    }
}
