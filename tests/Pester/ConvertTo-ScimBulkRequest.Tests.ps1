BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    $script:Csv = Join-Path $Samples 'hr-workers.csv'
    $script:Mapping = Join-Path $Samples 'AttributeMapping.psd1'

    function script:Get-Users([object[]] $Requests) {
        foreach ($request in $Requests) {
            $json = if ($request -is [string]) { $request } else { $request.Json }
            ($json | ConvertFrom-Json).Operations | ForEach-Object data
        }
    }
}

Describe 'ConvertTo-ScimBulkRequest' {
    Context 'CSV files with -Path' {
        It 'converts the bundled sample into one request of 25 operations' {
            $requests = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping)
            $requests.Count | Should -Be 1
            $requests[0].PSObject.TypeNames[0] | Should -Be 'EntraInboundProvisioning.Scim.BulkRequest'
            $requests[0].OperationCount | Should -Be 25
            $requests[0].Source | Should -Be (Resolve-Path $Csv).Path
            $users = @(Get-Users $requests)
            $users.Count | Should -Be 25
            $first = $users | Where-Object externalId -eq '21000'
            $first.userName | Should -Be 'ava.okafor@contoso.com'
            $first.active | Should -BeFalse
            $first.nickName | Should -Be 'Ava'
            $first.addresses[0].type | Should -Be 'work'
            $first.'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.department | Should -Be 'Finance'
            ($users | Where-Object externalId -eq '21007').active | Should -BeTrue
        }

        It 'gives the same documents as the Import-Csv pipeline path' {
            $fromPath = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -AsJson
            $fromPipeline = Import-Csv $Csv | ConvertTo-ScimBulkRequest -AttributeMapping $Mapping -AsJson
            $fromPipeline | Should -Be $fromPath
        }

        It 'evaluates scriptblocks exactly as PowerShell does, fast path or not' {
            $mapping = @{
                externalId  = 'WorkerID'
                userName    = 'UserID'
                displayName = { "$($_.LastName), $($_.FirstName)" }
                nickName    = { $_.FirstName + '-' + $_.WorkerType }
                title       = { if ($_.JobTitle -like '*Engineer*') { 'Engineer' } else { $_.JobTitle.ToUpper() } }
                active      = { $_.WorkerStatus -eq 'Active' -and -not ($_.WorkerType -eq 'Intern') }
            }
            $users = Get-Users (ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $mapping)
            foreach ($row in Import-Csv $Csv) {
                $user = $users | Where-Object externalId -eq $row.WorkerID
                $_ = $row
                $user.displayName | Should -Be "$($row.LastName), $($row.FirstName)"
                $user.nickName | Should -Be ($row.FirstName + '-' + $row.WorkerType)
                $user.title | Should -Be $(if ($row.JobTitle -like '*Engineer*') { 'Engineer' } else { $row.JobTitle.ToUpper() })
                $user.active | Should -Be ($row.WorkerStatus -eq 'Active' -and -not ($row.WorkerType -eq 'Intern'))
            }
        }

        It 'reads Microsoft''s sample mapping file unchanged' {
            $users = @(Get-Users (ConvertTo-ScimBulkRequest -Path (Join-Path $Anchors 'csv-with-2-records.csv') -AttributeMapping (Join-Path $Anchors 'AttributeMapping.psd1')))
            $users.Count | Should -Be 2
            ($users | Where-Object externalId -eq '1513').active | Should -BeTrue
            ($users | Where-Object externalId -eq '1222').'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'.manager.value | Should -Be '1684'
        }

        It 'honours -Delimiter and -Encoding' {
            $file = Join-Path $TestDrive 'latin1.csv'
            [IO.File]::WriteAllText($file, "Id;Upn;Name`n1;a@contoso.com;Zoë Ærø`n", [Text.Encoding]::GetEncoding(28591))
            $user = Get-Users (ConvertTo-ScimBulkRequest -Path $file -Delimiter ';' -Encoding latin1 -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; displayName = 'Name' })
            $user.displayName | Should -Be 'Zoë Ærø'
        }

        It 'resolves wildcards and writes one UTF-8 file per request with -OutDirectory' {
            $out = Join-Path $TestDrive 'requests'
            $files = @(ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-work*.csv') -AttributeMapping $Mapping -OperationsPerRequest 10 -OutDirectory $out)
            $files.Count | Should -Be 3
            $files[0] | Should -BeOfType ([IO.FileInfo])
            $files.Name | Should -Be @('ScimBulkRequest-0001.json', 'ScimBulkRequest-0002.json', 'ScimBulkRequest-0003.json')
            $bytes = [IO.File]::ReadAllBytes($files[0].FullName)
            $bytes[0] | Should -Be ([byte][char]'{')
            (Get-Content -Raw $files[2].FullName | ConvertFrom-Json).Operations.Count | Should -Be 5
        }

        It 'stops with MappedColumnNotFound naming the column and listing the available ones' {
            $err = { ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping @{ externalId = 'WorkerID'; title = 'Position' } } |
                Should -Throw -ErrorId 'MappedColumnNotFound,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
            $err.Exception.Message | Should -Match "'Position'"
            $err.Exception.Message | Should -Match 'Available columns: WorkerID, WorkerStatus'
        }

        It 'reports a malformed row with CsvRowMalformed and goes on' {
            $file = Join-Path $TestDrive 'bad.csv'
            Set-Content $file "Id,Upn`n1,a@x.com`n2,b@x.com,extra`n3,c@x.com"
            $requests = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -ErrorVariable errs -ErrorAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('1', '3')
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'CsvRowMalformed,*'
            $errs[0].Exception.Message | Should -Match 'row 2 \(line 3\)'
        }
    }

    Context 'pipeline input' {
        It 'takes hashtables, PSCustomObjects and DataRows' {
            $table = [Data.DataTable]::new()
            [void]$table.Columns.Add('Id'); [void]$table.Columns.Add('Upn'); [void]$table.Columns.Add('Title')
            [void]$table.Rows.Add('3', 'c@contoso.com', [DBNull]::Value)
            $inputs = @(
                @{ Id = '1'; Upn = 'a@contoso.com'; Title = 'Chef' }
                [pscustomobject]@{ Id = '2'; Upn = 'b@contoso.com'; Title = 'Baker' }
                $table.Rows[0]
            )
            $users = @(Get-Users ($inputs | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title' }))
            $users.externalId | Should -Be @('1', '2', '3')
            $users[0].title | Should -Be 'Chef'
            $users[2].PSObject.Properties.Name | Should -Not -Contain 'title'
        }

        It 'maps same-named columns when no mapping is given' {
            $user = Get-Users ([pscustomobject]@{ externalId = 'E1'; userName = 'e1@contoso.com'; active = 'yes'; Department = 'x' } | ConvertTo-ScimBulkRequest)
            $user.externalId | Should -Be 'E1'
            $user.active | Should -BeTrue
        }

        It 'reports bad records with stable ErrorIds, row numbers and attributes, and converts the rest' {
            $records = @(
                [pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; Active = 'true' }
                [pscustomobject]@{ Id = ''; Upn = 'b@x.com'; Active = 'true' }
                [pscustomobject]@{ Id = '3'; Upn = ''; Active = 'true' }
                [pscustomobject]@{ Id = '4'; Upn = 'd@x.com'; Active = 'maybe' }
                [pscustomobject]@{ Id = '1'; Upn = 'e@x.com'; Active = 'false' }
                [pscustomobject]@{ Id = '6'; Upn = 'f@x.com'; Active = 'true' }
            )
            $mapping = @{ externalId = 'Id'; userName = 'Upn'; active = 'Active'; title = { if ($_.Id -eq '6') { throw 'no title for 6' } else { 'T' } } }
            $requests = $records | ConvertTo-ScimBulkRequest -AttributeMapping $mapping -ErrorVariable errs -ErrorAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('1')
            ($errs | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Be @('MissingExternalId', 'MissingUserName', 'InvalidAttributeValue', 'DuplicateExternalId', 'MappingExpressionFailed')
            $errs[2].TargetObject.RecordNumber | Should -Be 4
            $errs[2].TargetObject.Attribute | Should -Be 'active'
            $errs[3].Exception.Message | Should -Match 'input object 1'
            $errs[4].Exception.Message | Should -Match 'no title for 6'
        }

        It 'converts only -ExternalId records and warns about ids it did not find' {
            $requests = Import-Csv $Csv | ConvertTo-ScimBulkRequest -AttributeMapping $Mapping -ExternalId '21007', '21014', 'nope' -WarningVariable warns -WarningAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('21007', '21014')
            $warns | Should -Match '1 of the 3'
        }

        It 'batches by -OperationsPerRequest and rejects values above 50' {
            $requests = @(1..23 | ForEach-Object { @{ Id = "$_"; Upn = "u$_@x.com" } } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -OperationsPerRequest 10)
            $requests.OperationCount | Should -Be @(10, 10, 3)
            { @{ Id = '1' } | ConvertTo-ScimBulkRequest -OperationsPerRequest 51 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand'
        }

        It 'sends explicit nulls with -EmptyValue Null and nothing otherwise' {
            $record = [pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; Title = '' }
            $omit = $record | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title' } -AsJson
            $omit | Should -Not -Match '"title"'
            $null = $record | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title' } -EmptyValue Null -AsJson -OutVariable nulls
            $nulls | Should -Match '"title":null'
        }

        It 'puts every column under -ScimSchemaNamespace' {
            $urn = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
            $user = Get-Users ([pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; HireDate = '2020-01-01' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -ScimSchemaNamespace $urn)
            $user.$urn.HireDate | Should -Be '2020-01-01'
            $user.schemas | Should -Contain $urn
        }
    }

    Context 'mapping errors' {
        It 'refuses an invalid mapping with InvalidAttributeMapping listing the problems' {
            $err = { @{ Id = '1' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; dispalyName = 'X'; emails = @{ value = 'E' } } } |
                Should -Throw -ErrorId 'InvalidAttributeMapping,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
            $err.Exception.Message | Should -Match "Did you mean 'displayName'"
            $err.Exception.Message | Should -Match 'emails'
        }

        It 'names the file and line of a mapping file with syntax errors' {
            $file = Join-Path $TestDrive 'broken.psd1'
            Set-Content $file "@{`n externalId = 'Id'`n name = @{ givenName = 'F' `n}"
            $err = { @{ Id = '1' } | ConvertTo-ScimBulkRequest -AttributeMapping $file } | Should -Throw -ErrorId 'InvalidAttributeMapping,*' -PassThru
            $err.Exception.Message | Should -Match ([regex]::Escape($file))
            $err.Exception.Message | Should -Match 'line \d+'
        }

        It 'never runs code in a mapping file' {
            $marker = Join-Path $TestDrive 'ran.txt'
            $file = Join-Path $TestDrive 'evil.psd1'
            Set-Content $file "@{ externalId = 'Id'; userName = (Set-Content '$marker' 'x') }"
            { @{ Id = '1'; Upn = 'a@x' } | ConvertTo-ScimBulkRequest -AttributeMapping $file } | Should -Throw -ErrorId 'InvalidAttributeMapping,*'
            Test-Path $marker | Should -BeFalse
        }
    }
}
