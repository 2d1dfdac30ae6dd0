# What keeps a daily run from disabling the wrong people or leaving a leaver enabled, tried as a careless export and
# a hostile admin would, against the Graph emulator: each case checks the emulator's directory, not only the output.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Mapping = @{ externalId = 'Id'; userName = 'Upn'; displayName = 'Name'; title = 'Title'; active = { $_.Status -eq 'Active' } }
    $script:MappingDir = Join-Path $Samples 'mappings'
    $script:AllRows = @(Import-Csv (Join-Path $Samples 'hr-workers.csv'))

    . (Join-Path $PSScriptRoot 'DeltaRunHelpers.ps1')
    function script:CopyRows([object[]] $Rows) { $Rows | ForEach-Object { $_.PSObject.Copy() } }
    # A new job whose first day sent every file given and whose cycle ran: the job, its state and its calls so far.
    function script:FirstDay([string] $Name, [string] $StateName, [string[]] $Files) {
        $job = NewJob $Name
        $state = Join-Path $TestDrive $StateName
        ConvertTo-ScimBulkRequest -Path $Files -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        RunCycle $job
        [pscustomobject]@{ Job = $job; State = $state; Calls = (Calls $job) }
    }
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'a worker in the export whose record no -Source takes' {
    It 'is neither disabled nor sent, and the run names the row; a Where that throws is an error naming it' {
        $job = NewJob 'No source'
        $state = Join-Path $TestDrive 'nosource.state'
        $csv = Join-Path $TestDrive 'nosource.csv'
        $sources = @(
            @{ Name = 'employees'; Path = $csv; AttributeMapping = (Join-Path $MappingDir 'Employees.psd1'); Where = { $_.WorkerType -eq 'Employee' } }
            @{ Name = 'contractors'; Path = $csv; AttributeMapping = (Join-Path $MappingDir 'Contractors.psd1'); Where = { $_.WorkerType -eq 'Contractor' } }
            @{ Name = 'interns'; Path = $csv; AttributeMapping = (Join-Path $MappingDir 'Interns.psd1'); Where = { if ($_.WorkerType -eq 'Boom') { throw 'boom in Where' }; $_.WorkerType -eq 'Intern' } }
        )
        $AllRows | Export-Csv $csv -NoTypeInformation
        ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -DateAttribute HireDate | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        RunCycle $job
        $active = @($AllRows | Where-Object WorkerStatus -eq 'Active' | Where-Object WorkerType -eq 'Employee')
        $typo, $boom = $active[0].WorkerID, $active[1].WorkerID

        # An HR typo in the field Where reads, and a value that makes a Where throw.
        $rows = CopyRows $AllRows
        ($rows | Where-Object WorkerID -eq $typo).WorkerType = 'contractor '
        ($rows | Where-Object WorkerID -eq $boom).WorkerType = 'Boom'
        $rows | Export-Csv $csv -NoTypeInformation
        $results = @(ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -DateAttribute HireDate -WarningVariable warns -WarningAction SilentlyContinue -ErrorVariable errs -ErrorAction SilentlyContinue -InformationVariable info |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.Count | Should -Be 0
        $plan = ($info | Where-Object Tags -contains 'Summary').MessageData
        ($plan.RecordsInNoSource, $plan.Leavers, $plan.RecordsWithErrors) | Should -Be @(1, 0, 1)
        ($warns.Message -join "`n") | Should -Match "1 record\(s\) matched no source's Where \(first: '.*nosource\.csv', row \d+, externalId '$typo'\)"
        $where = @($errs | Where-Object { $_.FullyQualifiedErrorId -like 'WhereFailed*' })
        $where.Count | Should -Be 1
        $where[0].Exception.Message | Should -Match "nosource\.csv', row \d+: the Where of source 'interns' failed: boom in Where"
        RunCycle $job
        (User $typo).enabled | Should -BeTrue
        (User $boom).enabled | Should -BeTrue
        Operations $job $typo | Should -Be 1
    }

    It 'refuses two sources of one name' {
        $csv = Save (Workers 'N' 2) 'names.csv'
        { ConvertTo-ScimBulkRequest -Source @{ Name = 'staff'; Path = $csv; AttributeMapping = $Mapping }, @{ Name = 'STAFF'; Path = $csv; AttributeMapping = $Mapping } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidSource,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -ExpectedMessage "*items 1 and 2 are both named 'STAFF'*"
    }
}

Describe 'an input file that is missing tonight' {
    It 'infers no leaver, whether the path is named, matched by a wildcard, or given in a -Source' {
        $staff = Save (Workers 'S' 30) 'staff.csv'
        $interns = Save (Workers 'I' 4) 'interns.csv'
        $day = FirstDay 'Missing file' 'missing.state' $staff, $interns
        $job, $state, $before = $day.Job, $day.State, $day.Calls
        Remove-Item $interns

        foreach ($second in $interns, (Join-Path $TestDrive 'intern*.csv')) {
            $results = @(ConvertTo-ScimBulkRequest -Path $staff, $second -AttributeMapping $Mapping -StatePath $state -LeaverThreshold '25%' -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue |
                    Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
            $results.Count | Should -Be 0
            $errs.FullyQualifiedErrorId | Should -BeLike 'InputFileNotFound*'
            ($warns.Message -join "`n") | Should -Match ([regex]::Escape("'$second' was not found; any worker there would look like a leaver, so none is inferred in this run."))
        }

        $sources = @(
            @{ Name = 'staff'; Path = $staff; AttributeMapping = $Mapping }
            @{ Name = 'interns'; Path = $interns; AttributeMapping = $Mapping }
        )
        $results = @(ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -LeaverThreshold '25%' -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.Count | Should -Be 0
        Calls $job | Should -Be $before
        1..4 | ForEach-Object { (User "I$_").enabled | Should -BeTrue }
    }
}

Describe 'an input that arrives empty tonight' {
    It 'infers no leaver when one of several inputs is empty (a header-only file, a -Source whose query returned nothing), unless -Force' {
        $staff = Save (Workers 'S' 60) 'e-staff.csv'
        $interns = Save (Workers 'J' 2) 'e-interns.csv'
        $day = FirstDay 'Empty input' 'empty.state' $staff, $interns
        $job, $state, $before = $day.Job, $day.State, $day.Calls
        Set-Content -Path $interns -Value '"Id","Upn","Name","Title","Status","Boss"'

        $results = @(ConvertTo-ScimBulkRequest -Path $staff, $interns -AttributeMapping $Mapping -StatePath $state -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue -InformationVariable info |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.Count | Should -Be 0
        $errs.FullyQualifiedErrorId | Should -BeLike 'NoRecords*'
        ($warns.Message -join "`n") | Should -Match ([regex]::Escape("'$interns' has no records (-Force if its workers really all left); any worker there would look like a leaver, so none is inferred in this run."))
        ($info | Where-Object Tags -contains 'Summary').MessageData.LeaversInferred | Should -BeFalse

        # A -Source given records by a query that returned none.
        $sources = @(
            @{ Name = 'staff'; Path = $staff; AttributeMapping = $Mapping }
            @{ Name = 'interns'; InputObject = @(); AttributeMapping = $Mapping }
        )
        $results = @(ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -WarningVariable warns -WarningAction SilentlyContinue | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.Count | Should -Be 0
        ($warns.Message -join "`n") | Should -Match "The source 'interns' has no records"
        Calls $job | Should -Be $before
        RunCycle $job
        1..2 | ForEach-Object { (User "J$_").enabled | Should -BeTrue }

        # The interns really all left: said so, they are disabled.
        $results = @(ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -Force -WarningAction SilentlyContinue | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        ($results.OperationCount | Measure-Object -Sum).Sum | Should -Be 2
        RunCycle $job
        1..2 | ForEach-Object { (User "J$_").enabled | Should -BeFalse }
    }
}

Describe 'a run the leaver threshold refuses' {
    It 'is on the state''s record, and the report of that day says it was refused' {
        $job = NewJob 'Refused run'
        $state = Join-Path $TestDrive 'refused.state'
        $csv = Save (Workers 'R' 40) 'refused.csv'
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        $half = @(Import-Csv $csv | Select-Object -First 20)
        $half | Export-Csv $csv -NoTypeInformation
        { ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state } |
            Should -Throw -ErrorId 'TooManyLeavers,*'
        $history = @(Get-ProvisioningState -StatePath $state -History)
        $history.Count | Should -Be 2
        $history[-1].Refused | Should -Match '^TooManyLeavers: .*20 of the 40 active workers'
        $history[-1].Calls | Should -Be 0
        ($history | Format-Table | Out-String -Width 400) | Should -Match 'refused: TooManyLeavers'
        (Export-ProvisioningReport -StatePath $state -AsMarkdown) | Should -Match 'was refused; nothing was sent: TooManyLeavers'
        $page = Get-Content -Raw (Export-ProvisioningReport -StatePath $state -Path (Join-Path $TestDrive 'refused.html'))
        $page | Should -Match 'The last run was refused; nothing was sent'

        # A dry run that would be refused leaves no trace.
        { ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf } | Should -Throw -ErrorId 'TooManyLeavers,*'
        @(Get-ProvisioningState -StatePath $state -History).Count | Should -Be 2
    }
}

Describe 'rows of empty fields at the end of an export' {
    It 'hide nobody: they are skipped like blank lines, and the day''s leaver is disabled' {
        $job = NewJob 'Commas'
        $state = Join-Path $TestDrive 'commas.state'
        $rows = @(Workers 'C' 30)
        ConvertTo-ScimBulkRequest -Path (Save $rows 'commas0.csv') -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        $csv = Save $rows[1..29] 'commas1.csv'
        Add-Content $csv ',,,,,', '"","","","","",""', '   '
        $results = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -ErrorVariable errs -ErrorAction SilentlyContinue | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $errs.Count | Should -Be 0
        $results.ExternalIds | Should -Be 'C1'
        RunCycle $job
        (User 'C1').enabled | Should -BeFalse

        # Import-Csv turns such rows into objects of empty properties: the same rule holds for pipeline input.
        @(Import-Csv $csv).Count | Should -BeGreaterThan 29
        $plan = Import-Csv $csv | ConvertTo-ScimBulkRequest -AttributeMapping $Mapping -StatePath $state -WhatIf
        ($plan.RecordsRead, $plan.RecordsWithErrors, $plan.LeaversInferred) | Should -Be @(29, 0, $true)
    }
}

Describe 'a worker HR marks inactive whose record the service refuses' {
    It 'is disabled by a disable sent alone the next day, and counted as a pending disable until then' {
        $job = NewJob 'Inactive refused'
        $state = Join-Path $TestDrive 'inactive.state'
        $rows = @(Workers 'T' 5)
        function Day([object[]] $Rows, [string] $Name) {
            ConvertTo-ScimBulkRequest -Path (Save $Rows $Name) -AttributeMapping $Mapping -StatePath $state -WarningVariable dayWarns -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state
            $script:warns = $dayWarns
            RunCycle $job
            Learn $job $state
        }

        Day $rows 'inactive0.csv' | Out-Null
        $rows[2].Status = 'Terminated'
        $rows[2].Upn = 'not a upn'
        (Day $rows 'inactive1.csv').ExternalIds | Should -Be 'T3'
        (User 'T3').enabled | Should -BeTrue
        (Get-ProvisioningState $state).DisablesPending | Should -Be 1
        (Get-ProvisioningState $state -ExternalId T3).DisablePending | Should -BeTrue

        (Day $rows 'inactive2.csv').ExternalIds | Should -Be 'T3'
        ($warns.Message -join "`n") | Should -Match "sent as a disable only.*'T3' \(AzureActiveDirectoryInvalidUserPrincipalName"
        (User 'T3').enabled | Should -BeFalse
        (Get-ProvisioningState $state).DisablesPending | Should -Be 0

        # Settled: HR's bad row is not sent again while it stays as it is.
        @(Day $rows 'inactive3.csv').Count | Should -Be 0
        Operations $job 'T3' | Should -Be 3
    }
}

Describe 'a manager reference with stray whitespace' {
    It 'is trimmed, so the manager is set and the record is not resent every day' {
        $job = NewJob 'Manager whitespace'
        $state = Join-Path $TestDrive 'boss.state'
        $mapping = $Mapping.Clone()
        $mapping['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] = @{ manager = @{ value = 'Boss' } }
        $rows = @(Workers 'B' 3)
        $rows[1].Boss = 'B1 '
        foreach ($day in 1..2) {
            ConvertTo-ScimBulkRequest -Path (Save $rows "boss$day.csv") -AttributeMapping $mapping -StatePath $state -WarningVariable warns -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
            ($warns.Message -join "`n") | Should -Match "manager reference 'B1 ' of externalId 'B2'.*sent as 'B1'"
            RunCycle $job
            Learn $job $state
        }

        (User 'B2').manager | Should -Be 'B1'
        Operations $job 'B2' | Should -Be 1
    }
}

Describe 'a dry run of a new state' {
    It 'creates no state file, so the real run can go to any job' {
        $test = NewJob 'Dry test app'
        $prod = NewJob 'Dry prod app'
        $state = Join-Path $TestDrive 'dry.state'
        $csv = Save (Workers 'D' 3) 'dry.csv'
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf | Send-ScimBulkRequest -ServicePrincipalId $test.id -StatePath $state -ErrorAction Stop
        Test-Path $state | Should -BeFalse
        @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $prod.id -StatePath $state -ErrorAction Stop).Status | Should -Be 'Accepted'
        (Get-ProvisioningState $state).JobId | Should -Be $prod.jobId
    }
}

Describe 'a mapping loaded with Import-PowerShellDataFile' {
    It 'sends what its scriptblocks compute, not their source text' {
        $imported = Import-PowerShellDataFile (Join-Path $Samples 'AttributeMapping.psd1')
        $row = $AllRows | Where-Object WorkerStatus -eq 'Active' | Select-Object -First 1
        $data = ($row | ConvertTo-ScimBulkRequest -AttributeMapping $imported -AsJson -ErrorAction Stop | ConvertFrom-Json).Operations[0].data
        $data.nickName | Should -Be $row.FirstName
        $data.active | Should -BeTrue
        $data.addresses[0].type | Should -Be 'work'
    }
}

Describe 'the runs of a day and the daily request limit' {
    It 'counts the calls of earlier runs in the state, so runs in a row share one quota, and the history shows each' {
        $job = NewJob 'Quota'
        $state = Join-Path $TestDrive 'quota.state'
        $rows = @(Workers 'Q' 40)
        function Day([object[]] $Rows, [string] $Name) {
            ConvertTo-ScimBulkRequest -Path (Save $Rows $Name) -AttributeMapping $Mapping -StatePath $state -OperationsPerRequest 5 -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -DailyRequestLimit 5 -WarningVariable dayWarns -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            $script:warns = $dayWarns
        }

        @(Day $rows 'quota0.csv' | Where-Object Status -eq 'Accepted').Count | Should -Be 5
        ($warns.Message -join "`n") | Should -Match 'daily request limit \(5 calls in 24 hours'
        { Day $rows 'quota1.csv' } | Should -Throw -ExpectedMessage '*made 5 calls in the last 24 hours*'
        Calls $job | Should -Be 5

        $history = @(Get-ProvisioningState $state -History)
        $history.Count | Should -Be 1
        ($history[0].Joiners, $history[0].Calls, $history[0].Accepted, $history[0].Stopped) | Should -Be @(40, 5, 5, $true)
        RunCycle $job
        Learn $job $state
        (Get-ProvisioningState $state -History -Last 1).CycleSuccesses | Should -Be 25
        (Get-ProvisioningState $state -History | Format-Table | Out-String) | Should -Match '5/8'
    }
}
