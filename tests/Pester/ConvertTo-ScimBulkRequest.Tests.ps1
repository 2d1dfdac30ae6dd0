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
        It 'converts the bundled sample: the two managers first, then their 23 reports' {
            $requests = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping)
            $requests.Count | Should -Be 2
            $requests | Should -BeOfType [EntraInboundProvisioning.Scim.BulkRequest]
            $requests.OperationCount | Should -Be @(2, 23)
            $requests[0].ExternalIds | Should -Be @('21000', '21007')
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
            $user = Get-Users (ConvertTo-ScimBulkRequest -Path $file -Delimiter ';' -Encoding latin1 -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; displayName = 'Name'; active = { $true } })
            $user.displayName | Should -Be 'Zoë Ærø'
        }

        It 'resolves wildcards and writes one UTF-8 file per request with -OutDirectory' {
            $out = Join-Path $TestDrive 'requests'
            $files = @(ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-work*.csv') -AttributeMapping $Mapping -OperationsPerRequest 10 -OutDirectory $out)
            # The two managers go first, alone; their 23 reports fill 10 + 10 + 3.
            $files.Count | Should -Be 4
            $files[0] | Should -BeOfType ([IO.FileInfo])
            $files.Name | Should -Be @('ScimBulkRequest-0001.json', 'ScimBulkRequest-0002.json', 'ScimBulkRequest-0003.json', 'ScimBulkRequest-0004.json')
            $bytes = [IO.File]::ReadAllBytes($files[0].FullName)
            $bytes[0] | Should -Be ([byte][char]'{')
            (Get-Content -Raw $files[3].FullName | ConvertFrom-Json).Operations.Count | Should -Be 3
        }

        It 'stops with MappedColumnNotFound naming the column and listing the available ones' {
            $err = { ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping @{ externalId = 'WorkerID'; active = { $true }; title = 'Position' } } |
                Should -Throw -ErrorId 'MappedColumnNotFound,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
            $err.Exception.Message | Should -Match "'Position'"
            $err.Exception.Message | Should -Match 'Available columns: WorkerID, WorkerStatus'
        }

        It 'reports a malformed row with CsvRowMalformed and goes on' {
            $file = Join-Path $TestDrive 'bad.csv'
            Set-Content $file "Id,Upn`n1,a@x.com`n2,b@x.com,extra`n3,c@x.com"
            $requests = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = { $true } } -ErrorVariable errs -ErrorAction SilentlyContinue
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
            $users = @(Get-Users ($inputs | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title'; active = { $true } }))
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
            $requests = $records | ConvertTo-ScimBulkRequest -AttributeMapping $mapping -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('1')
            ($errs | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Be @('MissingExternalId', 'MissingUserName', 'InvalidAttributeValue', 'MappingExpressionFailed')
            $errs[2].TargetObject.RecordNumber | Should -Be 4
            $errs[2].TargetObject.Attribute | Should -Be 'active'
            $errs[3].Exception.Message | Should -Match 'no title for 6'
            # The repeated worker 1: the last row (5, active false) wins, and the warning names both rows.
            $warns.Count | Should -Be 1
            $warns[0].Message | Should -Match '^Input object 5: .* repeats input object 1'
            ((Get-Users $requests) | Where-Object externalId -eq '1').active | Should -BeFalse
        }

        It 'converts only -ExternalId records and warns about ids it did not find' {
            $requests = Import-Csv $Csv | ConvertTo-ScimBulkRequest -AttributeMapping $Mapping -ExternalId '21007', '21014', 'nope' -WarningVariable warns -WarningAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('21007', '21014')
            $warns | Should -Match '1 of the 3'
        }

        It 'batches by -OperationsPerRequest and rejects values above 50' {
            $requests = @(1..23 | ForEach-Object { @{ Id = "$_"; Upn = "u$_@x.com" } } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = { $true } } -OperationsPerRequest 10)
            $requests.OperationCount | Should -Be @(10, 10, 3)
            { @{ Id = '1' } | ConvertTo-ScimBulkRequest -OperationsPerRequest 51 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand'
        }

        It 'sends explicit nulls with -EmptyValue Null and nothing otherwise' {
            $record = [pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; Title = '' }
            $omit = $record | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title'; active = { $true } } -AsJson
            $omit | Should -Not -Match '"title"'
            $null = $record | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title'; active = { $true } } -EmptyValue Null -AsJson -OutVariable nulls
            $nulls | Should -Match '"title":null'
        }

        It 'puts every column under -ScimSchemaNamespace' {
            $urn = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
            $user = Get-Users ([pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; HireDate = '2020-01-01' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = { $true } } -ScimSchemaNamespace $urn)
            $user.$urn.HireDate | Should -Be '2020-01-01'
            $user.schemas | Should -Contain $urn
        }
    }

    Context 'what the service would do with each record' {
        BeforeAll {
            $script:Enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'
            $script:Contoso = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
            $script:WithManager = @{
                externalId = 'Id'; userName = 'Upn'; title = 'Title'; active = { $_.Status -eq 'Active' }
                'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{ manager = @{ value = 'Manager' } }
            }
            function script:New-Csv([string] $Name, [string[]] $Lines) {
                $file = Join-Path $TestDrive $Name
                Set-Content -LiteralPath $file -Value $Lines
                $file
            }
        }

        It 'refuses a mapping that cannot produce active, explaining why, unless -AllowMissingActive' {
            $err = { @{ Id = '1'; Upn = 'a@x.com' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } } |
                Should -Throw -ErrorId 'InvalidAttributeMapping,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
            $err.Exception.Message | Should -Match 'active is not mapped'
            $err.Exception.Message | Should -Match 'disable'
            $user = Get-Users (@{ Id = '1'; Upn = 'a@x.com' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' } -AllowMissingActive)
            $user.PSObject.Properties.Name | Should -Not -Contain 'active'
            # Without a mapping, same-named columns must include active.
            { [pscustomobject]@{ externalId = 'E1'; userName = 'e1@x.com' } | ConvertTo-ScimBulkRequest } | Should -Throw -ErrorId 'InvalidAttributeMapping,*'
        }

        It 'does not send a record whose active is empty, naming file, row and attribute, and sends the others (-Path)' {
            $file = New-Csv 'active.csv' 'Id,Upn,Enabled', '1,a@x.com,True', '2,b@x.com,', '3,c@x.com,False'
            $requests = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = 'Enabled' } -ErrorVariable errs -ErrorAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('1', '3')
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'MissingActive,*'
            $errs[0].Exception.Message | Should -Match ([regex]::Escape("'$file', row 2: active (column 'Enabled') is empty"))
            $errs[0].TargetObject.Attribute | Should -Be 'active'
            $errs[0].TargetObject.RecordNumber | Should -Be 2
        }

        It 'does not send a record whose active is empty (pipeline), and -EmptyValue Null does not turn it into a null' {
            $records = @([pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; Enabled = 'yes' }, [pscustomobject]@{ Id = '2'; Upn = 'b@x.com'; Enabled = $null })
            $json = $records | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; active = 'Enabled' } -EmptyValue Null -AsJson -ErrorVariable errs -ErrorAction SilentlyContinue
            $json | Should -Not -Match '"externalId":"2"'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'MissingActive,*'
            $errs[0].Exception.Message | Should -Match '^Input object 2: active'
        }

        It 'sends the last row of a repeated worker, warning with both rows (-Path), as the service would end' {
            $file = New-Csv 'repeats.csv' 'Id,Upn,Title,Status,Manager', '7,a@x.com,Clerk,Active,', '8,b@x.com,Chef,Active,', '7,a@x.com,Manager,Inactive,'
            $requests = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $WithManager -WarningVariable warns -WarningAction SilentlyContinue
            $users = @(Get-Users $requests)
            $users.externalId | Should -Be @('8', '7')
            ($users | Where-Object externalId -eq '7').title | Should -Be 'Manager'
            ($users | Where-Object externalId -eq '7').active | Should -BeFalse
            $warns.Count | Should -Be 1
            $warns[0].Message | Should -Match ([regex]::Escape("'$file', row 3: externalId '7' repeats '$file', row 1"))
        }

        It 'keeps the first row with -DuplicateExternalId First (pipeline)' {
            $records = @(
                [pscustomobject]@{ Id = 'A'; Upn = 'a@x.com'; Title = 'first'; Status = 'Active'; Manager = '' }
                [pscustomobject]@{ Id = 'a'; Upn = 'a@x.com'; Title = 'second'; Status = 'Active'; Manager = '' }
            )
            $user = Get-Users ($records | ConvertTo-ScimBulkRequest -AttributeMapping $WithManager -DuplicateExternalId First -WarningVariable warns -WarningAction SilentlyContinue)
            $user.title | Should -Be 'first'
            $warns[0].Message | Should -Match '^Input object 2: .*repeats input object 1.*first row wins'
        }

        It 'converts nothing with -DuplicateExternalId Error and lists every repeated externalId with its rows' {
            $file = New-Csv 'error.csv' 'Id,Upn,Title,Status,Manager', 'A,a@x.com,t,Active,', 'B,b@x.com,t,Active,', 'A,a@x.com,t,Active,', 'C,c@x.com,t,Active,', 'B,b@x.com,t,Active,'
            $out = [Collections.Generic.List[object]]::new()
            $err = $null
            try {
                ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $WithManager -DuplicateExternalId Error -ErrorVariable errs -ErrorAction SilentlyContinue | ForEach-Object { $out.Add($_) }
            }
            catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'DuplicateExternalIdsFound,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand'
            $err.Exception.Message | Should -Match '2 externalId\(s\) appear in more than one row \(4 rows'
            $out.Count | Should -Be 0
            $listed = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'DuplicateExternalId,*' })
            $listed.Count | Should -Be 2
            $listed.Exception.Message | Should -Contain "externalId 'A' appears in 2 rows: '$file', rows 1 and 3."
            $listed.Exception.Message | Should -Contain "externalId 'B' appears in 2 rows: '$file', rows 2 and 5."
        }

        It 'sends every manager in an earlier request than their reports, from -Path and from the pipeline' {
            $file = New-Csv 'hierarchy.csv' 'Id,Upn,Title,Status,Manager', 'E1,e1@x.com,t,Active,M1', 'E2,e2@x.com,t,Active,M2', 'M1,m1@x.com,t,Active,CEO', 'M2,m2@x.com,t,Active,CEO', 'CEO,ceo@x.com,t,Active,', 'X,x@x.com,t,Active,Elsewhere'
            foreach ($requests in @(
                    @(ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $WithManager -OperationsPerRequest 2),
                    @(Import-Csv $file | ConvertTo-ScimBulkRequest -AttributeMapping $WithManager -OperationsPerRequest 2))) {
                $at = @{}
                foreach ($request in $requests) { foreach ($id in $request.ExternalIds) { $at[$id] = $request.Index } }
                $at.Count | Should -Be 6
                $at['CEO'] | Should -BeLessThan $at['M1']
                $at['CEO'] | Should -BeLessThan $at['M2']
                $at['M1'] | Should -BeLessThan $at['E1']
                $at['M2'] | Should -BeLessThan $at['E2']
                $requests[0].ExternalIds | Should -Be @('CEO', 'X')
            }
        }

        It 'warns about a cycle in the hierarchy, naming the workers, and still sends them' {
            $file = New-Csv 'cycle.csv' 'Id,Upn,Title,Status,Manager', 'A,a@x.com,t,Active,B', 'B,b@x.com,t,Active,A'
            $requests = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $WithManager -WarningVariable warns -WarningAction SilentlyContinue
            $requests.ExternalIds | Should -Be @('A', 'B')
            $warns.Count | Should -Be 1
            $warns[0].Message | Should -Match "cycle: 'A' .* → 'B' .* → 'A'"
        }

        It 'sends declared date attributes as ISO 8601 in UTC and refuses a date it cannot read (-Path)' {
            $file = New-Csv 'dates.csv' 'Id,Upn,Status,Hired', '1,a@x.com,Active,03/01/2024', '2,b@x.com,Active,1 Mar 2024', '3,c@x.com,Active,01.03.2024'
            $mapping = @{ externalId = 'Id'; userName = 'Upn'; active = { $true }; 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{ HireDate = 'Hired' } }
            $json = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $mapping -DateAttribute "$Contoso`:HireDate" -AsJson -ErrorVariable errs -ErrorAction SilentlyContinue
            ([regex]::Matches($json, '"HireDate":"2024-03-01T00:00:00Z"')).Count | Should -Be 2
            $json | Should -Not -Match '"externalId":"3"'
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'InvalidAttributeValue,*'
            $errs[0].Exception.Message | Should -Match ([regex]::Escape("'$file', row 3: '$Contoso`:HireDate' (column 'Hired'): '01.03.2024'"))
            $errs[0].Exception.Message | Should -Match '-DateFormat'

            $german = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $mapping -DateAttribute HireDate -DateFormat 'dd.MM.yyyy' -AsJson -ErrorAction SilentlyContinue
            $german | Should -Match '"externalId":"3".*"HireDate":"2024-03-01T00:00:00Z"'
            $culture = ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $mapping -DateAttribute HireDate -DateCulture de-DE -AsJson -ErrorAction SilentlyContinue
            $culture | Should -Match '"externalId":"3".*"HireDate":"2024-03-01T00:00:00Z"'
        }

        It 'sends date values from the pipeline and from scriptblocks in UTC, and warns about a date attribute it cannot find' {
            $mapping = @{ externalId = 'Id'; userName = 'Upn'; active = { $true }; 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{ HireDate = 'Hired'; LeaveDate = { [datetimeoffset]::new(2025, 6, 30, 18, 0, 0, [timespan]::FromHours(2)) } } }
            $json = [pscustomobject]@{ Id = '1'; Upn = 'a@x.com'; Hired = [datetime]'2024-03-01' } |
                ConvertTo-ScimBulkRequest -AttributeMapping $mapping -DateAttribute HireDate, LeaveDate, Typo -AsJson -WarningVariable warns -WarningAction SilentlyContinue
            $json | Should -Match '"HireDate":"2024-03-01T00:00:00Z"'
            $json | Should -Match '"LeaveDate":"2025-06-30T16:00:00Z"'
            $warns.Message | Should -Match "-DateAttribute 'Typo' matches no attribute"
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
