# Daily runs with a state at their edges, against the Graph emulator: each case checks what the emulator's directory
# ends with and how many operations it received, not only what the cmdlets print.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Mapping = @{ externalId = 'Id'; userName = 'Upn'; displayName = 'Name'; title = 'Title'; active = { $_.Status -eq 'Active' } }

    . (Join-Path $PSScriptRoot 'DeltaRunHelpers.ps1')
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'a state run with -JournalPath and -Resume' {
    It 'sends every later change of a worker, and the leaver, instead of taking them for requests already accepted' {
        $job = NewJob 'Resume'
        $state = Join-Path $TestDrive 'resume.state'
        $journal = Join-Path $TestDrive 'resume.jsonl'
        $rows = @(Workers 'R' 3)
        function Day([string] $Csv, [hashtable] $More = @{}) {
            ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -StatePath $state @More |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -JournalPath $journal -Resume
        }

        @(Day (Save $rows 'resume0.csv')).Status | Should -Be 'Accepted'
        RunCycle $job
        foreach ($title in 'Senior Clerk', 'Principal Clerk') {
            $rows[0].Title = $title
            $results = @(Day (Save $rows "resume-$title.csv"))
            $results.Status | Should -Be 'Accepted'
            RunCycle $job
            (User 'R1').attributes.title | Should -Be $title
        }

        # Day 3: R1 leaves.
        $results = @(Day (Save $rows[1..2] 'resume3.csv') @{ LeaverThreshold = 1 })
        $results.Status | Should -Be 'Accepted'
        $results.ExternalIds | Should -Be 'R1'
        RunCycle $job
        (User 'R1').enabled | Should -BeFalse
        Operations $job 'R1' | Should -Be 4
        (Get-ProvisioningState $state -ExternalId R1).Left | Should -BeTrue

        # The same export again: nothing.
        @(Day (Save $rows[1..2] 'resume4.csv') @{ LeaverThreshold = 1 }).Count | Should -Be 0
    }

    It 'still skips a request of the same content that an interrupted run got accepted' {
        $job = NewJob 'Resume content'
        $journal = Join-Path $TestDrive 'content.jsonl'
        $csv = Save @(Workers 'C' 4) 'content.csv'
        $first = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -OperationsPerRequest 2 | Select-Object -First 1 |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -JournalPath $journal -Resume)
        $first.Status | Should -Be 'Accepted'
        $second = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -OperationsPerRequest 2 |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -JournalPath $journal -Resume)
        $second.Status | Should -Be @('AlreadyAccepted', 'Accepted')
        Calls $job | Should -Be 2
    }
}

Describe 'a leaver whose disable failed in the provisioning cycle' {
    It 'is sent again, without the userName the service refused, until a cycle confirms the disable' {
        $job = NewJob 'Failed leaver'
        $state = Join-Path $TestDrive 'leaver.state'
        $rows = @(Workers 'L' 4)
        function Day([object[]] $Rows, [string] $Name) {
            ConvertTo-ScimBulkRequest -Path (Save $Rows $Name) -AttributeMapping $Mapping -StatePath $state -LeaverThreshold 1 |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state
        }

        Day $rows 'leaver0.csv' | Out-Null
        RunCycle $job
        Learn $job $state
        (User 'L1').enabled | Should -BeTrue

        # L1's userName goes bad (the update fails in the next cycle), and before that cycle runs, L1 leaves.
        $rows[0].Upn = 'not a upn'
        Day $rows 'leaver1.csv' | Out-Null
        (Day $rows[1..3] 'leaver2.csv').ExternalIds | Should -Be 'L1'
        (Get-ProvisioningState $state).DisablesPending | Should -Be 1
        RunCycle $job
        Learn $job $state
        (User 'L1').enabled | Should -BeTrue
        $worker = Get-ProvisioningState $state -ExternalId L1
        $worker.Left | Should -BeTrue
        $worker.DisablePending | Should -BeTrue
        $worker.LastError | Should -Match 'AzureActiveDirectoryInvalidUserPrincipalName'

        # The next run sends the disable again, says why, and this time the cycle disables the account.
        $results = @(ConvertTo-ScimBulkRequest -Path (Join-Path $TestDrive 'leaver2.csv') -AttributeMapping $Mapping -StatePath $state -LeaverThreshold 1 -WarningVariable warns -WarningAction SilentlyContinue -InformationVariable info |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.ExternalIds | Should -Be 'L1'
        ($warns.Message -join "`n") | Should -Match "'L1'.*AzureActiveDirectoryInvalidUserPrincipalName"
        ($info | Where-Object Tags -contains 'Summary').MessageData.Retries | Should -Be 1
        RunCycle $job
        (User 'L1').enabled | Should -BeFalse
        Learn $job $state
        (Get-ProvisioningState $state -ExternalId L1).DisablePending | Should -BeFalse
        (Get-ProvisioningState $state).DisablesPending | Should -Be 0
        Operations $job 'L1' | Should -Be 4

        # Confirmed: later runs leave L1 alone.
        @(Day $rows[1..3] 'leaver3.csv').Count | Should -Be 0
    }
}

Describe 'an externalId with stray whitespace' {
    It 'is the same worker: nobody is disabled, no second account appears, and the row is named in a warning' {
        $job = NewJob 'Whitespace'
        $state = Join-Path $TestDrive 'space.state'
        $rows = @(Workers 'S' 3)
        ConvertTo-ScimBulkRequest -Path (Save $rows 'space0.csv') -AttributeMapping $Mapping -StatePath $state |
            Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        RunCycle $job

        $rows[1].Id = 'S2 '
        $rows[2].Id = ' S3'
        $csv = Save $rows 'space1.csv'
        $results = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WarningVariable warns -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $results.Count | Should -Be 0
        ($warns.Message | Where-Object { $_ -match 'row 2' }) | Should -Match "'S2 '.*'S2'"
        ($warns.Message | Where-Object { $_ -match 'row 3' }) | Should -Match "' S3'.*'S3'"
        RunCycle $job
        (User 'S2').enabled | Should -BeTrue
        (User 'S3').enabled | Should -BeTrue
        @(Directory | Where-Object { $_.externalId -match '^\s|\s$' }).Count | Should -Be 0
        Operations $job 'S2' | Should -Be 1

        # A changed worker keyed with a space is a mover of the same worker, sent under the trimmed externalId.
        $rows[1].Title = 'Cashier'
        $sent = @(ConvertTo-ScimBulkRequest -Path (Save $rows 'space2.csv') -AttributeMapping $Mapping -StatePath $state -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $sent.ExternalIds | Should -Be 'S2'
        $sent[0].Status | Should -Be 'Accepted'
        RunCycle $job
        (User 'S2').attributes.title | Should -Be 'Cashier'
    }
}

Describe 'an empty or header-only export' {
    It 'is a NoRecords error naming the file, and makes no call' {
        $job = NewJob 'Empty'
        $header = Join-Path $TestDrive 'header.csv'
        Set-Content -LiteralPath $header -Value 'Id,Upn,Name,Title,Status'
        $empty = Join-Path $TestDrive 'empty.csv'
        Set-Content -LiteralPath $empty -Value '' -NoNewline
        foreach ($file in $header, $empty) {
            $out = @(ConvertTo-ScimBulkRequest -Path $file -AttributeMapping $Mapping -ErrorVariable errs -ErrorAction SilentlyContinue)
            $out.Count | Should -Be 0
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'NoRecords,*'
            $errs[0].Exception.Message | Should -BeLike "*$file*"
        }

        $state = Join-Path $TestDrive 'empty.state'
        ConvertTo-ScimBulkRequest -Path (Save @(Workers 'E' 3) 'empty0.csv') -AttributeMapping $Mapping -StatePath $state |
            Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        RunCycle $job
        $before = Calls $job
        $err = { ConvertTo-ScimBulkRequest -Path $header -AttributeMapping $Mapping -StatePath $state -ErrorAction SilentlyContinue | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state } |
            Should -Throw -ErrorId 'TooManyLeavers,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
        $err.Exception.Message | Should -Match 'no records'
        $err.Exception.Message | Should -Match '3 of the 3 active workers.*100 %'
        Calls $job | Should -Be $before
        (User 'E1').enabled | Should -BeTrue
    }
}

Describe '-WhatIf on a run with a state' {
    It 'is a clean dry run of both cmdlets under ErrorAction Stop, and only a real run changes the last run' {
        $job = NewJob 'WhatIf'
        $state = Join-Path $TestDrive 'whatif.state'
        $rows = @(Workers 'W' 4)
        ConvertTo-ScimBulkRequest -Path (Save $rows 'whatif0.csv') -AttributeMapping $Mapping -StatePath $state |
            Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        RunCycle $job
        $saved = Get-ProvisioningState $state
        $rows[0].Title = 'Manager'
        $csv = Save $rows 'whatif1.csv'
        $calls = Calls $job

        $dry = & {
            $ErrorActionPreference = 'Stop'
            ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -WhatIf -WarningVariable warns
        }
        $dry | Should -BeNullOrEmpty
        $warns | Should -BeNullOrEmpty

        # Only the conversion in WhatIf: Send gets nothing to send, and leaves the state as it was.
        & {
            $ErrorActionPreference = 'Stop'
            ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state
        } | Should -BeNullOrEmpty
        Calls $job | Should -Be $calls
        $after = Get-ProvisioningState $state
        $after.SavedAt | Should -Be $saved.SavedAt
        $after.LastRun.Plan.Joiners | Should -Be 4
        (User 'W1').attributes.title | Should -Be 'Clerk'

        # The plan is still there to read, and the real run then sends the one mover.
        (ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf).Movers | Should -Be 1
        @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state).Status | Should -Be 'Accepted'
        (Get-ProvisioningState $state).LastRun.Plan.Movers | Should -Be 1
    }

    It 'warns about a state given to the conversion only when no cmdlet downstream records into it' {
        $job = NewJob 'One state'
        $state = Join-Path $TestDrive 'onestate.state'
        $csv = Save @(Workers 'O' 2) 'onestate.csv'
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WarningVariable warns |
            Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -WhatIf
        $warns | Should -BeNullOrEmpty
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WarningVariable warns -WarningAction SilentlyContinue |
            Send-ScimBulkRequest -ServicePrincipalId $job.id | Out-Null
        $warns.Message | Should -Match 'Send-ScimBulkRequest -StatePath'
        $requests = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WarningVariable warns
        $warns | Should -BeNullOrEmpty
        @($requests | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state).Status | Should -Be 'Accepted'
        (Get-ProvisioningState $state).Workers | Should -Be 2
    }

    It 'warns LeaversNotInferred for -PartialInput' {
        $state = Join-Path $TestDrive 'partial.state'
        ConvertTo-ScimBulkRequest -Path (Save @(Workers 'P' 2) 'partial.csv') -AttributeMapping $Mapping -StatePath $state -PartialInput -WhatIf -WarningVariable warns | Out-Null
        $warns.Message | Should -Match '-PartialInput'
    }
}

Describe 'a mapping change' {
    It 'says how many movers come from it and how many days the quota needs, and -DailyRequestLimit spreads the work' {
        $job = NewJob 'Mapping change'
        $state = Join-Path $TestDrive 'mapping.state'
        $csv = Save @(Workers 'M' 12) 'mapping.csv'
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -OperationsPerRequest 6 |
            Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -DailyRequestLimit 2 | Out-Null

        $changed = $Mapping.Clone()
        $changed.nickName = 'Name'
        $plan = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $changed -StatePath $state -OperationsPerRequest 3 -WhatIf -WarningVariable warns -WarningAction SilentlyContinue
        $plan.Movers | Should -Be 12
        $plan.MoversFromMappingChange | Should -Be 12
        $plan.MappingChanged | Should -BeTrue
        $plan.Requests | Should -Be 4
        ($warns.Message -join "`n") | Should -Match 'mapping.*changed.*12 of the 12 movers'
        ($warns.Message -join "`n") | Should -Match '2 days'

        # The limit is per 24 hours and these "days" are minutes apart: each day's limit adds 2 calls to what the
        # state's earlier runs made (2, then 4).
        $day1 = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $changed -StatePath $state -OperationsPerRequest 3 -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -DailyRequestLimit 4 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        @($day1 | Where-Object Status -eq 'Accepted').Count | Should -Be 2
        @($day1 | Where-Object Status -eq 'NotSent').Count | Should -Be 2
        $day2 = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $changed -StatePath $state -OperationsPerRequest 3 -WarningAction SilentlyContinue |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -DailyRequestLimit 6)
        $day2.Status | Should -Be @('Accepted', 'Accepted')
        RunCycle $job
        foreach ($i in 1..12) {
            Operations $job "M$i" | Should -Be 2
            (User "M$i").attributes.nickName | Should -Be "Worker M$i"
        }

        # Settled: the same mapping and export send nothing, and nothing is said about a change.
        $again = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $changed -StatePath $state -WhatIf -WarningVariable warns
        $again.Requests | Should -Be 0
        $again.MappingChanged | Should -BeFalse
        $warns | Should -BeNullOrEmpty
    }

    It 'does not come from the order in which a hashtable lists its keys in another process' {
        $job = NewJob 'Process order'
        $state = Join-Path $TestDrive 'order.state'
        $csv = Save @(Workers 'K' 5) 'order.csv'
        $run = @"
Import-Module '$ModuleManifest'
Connect-EntraProvisioning -TenantId '$($Emulator.TenantId)' -ClientId '$($Emulator.ClientId)' -ClientSecret (ConvertTo-SecureString '$($Emulator.ClientSecret)' -AsPlainText -Force) -TestEndpoint '$($Emulator.BaseUri)' -TestCertificate ([System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String('$([Convert]::ToBase64String($Emulator.Certificate.RawData))'))) | Out-Null
`$mapping = @{ externalId = 'Id'; userName = 'Upn'; active = { `$_.Status -eq 'Active' }; nickName = 'Name'; title = 'Title'; profileUrl = { 'https://hr/' + `$_.Id }
    'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{ Alpha = 'Name'; Bravo = 'Title'; Charlie = 'Upn'; Delta = 'Status'; Echo = 'Id'; Foxtrot = 'Name' } }
`$summary = ConvertTo-ScimBulkRequest -Path '$csv' -AttributeMapping `$mapping -StatePath '$state' -InformationVariable info | Send-ScimBulkRequest -ServicePrincipalId '$($job.id)' -StatePath '$state' | Out-Null
(`$info | Where-Object Tags -contains 'Summary').MessageData.Requests
"@
        $first = Invoke-PowerShellChild $run
        $first | Should -Be '1'
        foreach ($i in 1..3) {
            Invoke-PowerShellChild $run | Should -Be '0'
        }
        Calls $job | Should -Be 1
    }
}

Describe 'the last run after a stop' {
    It 'counts what the state recorded, when an error stops the run under ErrorAction Stop' {
        $job = NewJob 'Stopped'
        $state = Join-Path $TestDrive 'stopped.state'
        $csv = Save @(Workers 'F' 60) 'stopped.csv'
        # The daily limit runs out after 3 requests: the 4th is not sent, and its error stops the pipeline (as in a
        # runbook with $ErrorActionPreference = 'Stop'), while requests may still be in flight.
        { ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -OperationsPerRequest 5 |
                Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state -DailyRequestLimit 3 -ErrorAction Stop } | Should -Throw -ErrorId 'BulkUploadNotSent,*'

        $info = Get-ProvisioningState $state
        $accepted = @((Invoke-Emulator $Emulator GET "_emulator/jobs/$($job.jobId)/operations").counts.PSObject.Properties).Count
        $accepted | Should -BeGreaterThan 0
        $info.Workers | Should -Be $accepted
        $info.LastRun.AcceptedRecords | Should -Be $accepted
        $info.LastRun.Accepted | Should -Be ($accepted / 5)
        $info.LastRun.Stopped | Should -BeTrue

        # The next run sends exactly the rest.
        $rest = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -OperationsPerRequest 5 | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        ($rest.OperationCount | Measure-Object -Sum).Sum | Should -Be (60 - $accepted)
        (Get-ProvisioningState $state).LastRun.AcceptedRecords | Should -Be (60 - $accepted)
    }
}

Describe 'several sources of one job' {
    BeforeAll {
        $script:MappingDir = Join-Path $Samples 'mappings'
        $script:AllRows = @(Import-Csv (Join-Path $Samples 'hr-workers.csv'))
        function script:SourceList([string] $Csv) {
            @(
                @{ Name = 'employees'; Path = $Csv; AttributeMapping = (Join-Path $MappingDir 'Employees.psd1'); Where = { $_.WorkerType -eq 'Employee' } }
                @{ Name = 'contractors'; Path = $Csv; AttributeMapping = (Join-Path $MappingDir 'Contractors.psd1'); Where = { $_.WorkerType -eq 'Contractor' } }
                @{ Name = 'interns'; Path = $Csv; AttributeMapping = (Join-Path $MappingDir 'Interns.psd1'); Where = { $_.WorkerType -eq 'Intern' } }
            )
        }
    }

    It 'go through one state in one run, and a worker who moves from one source to another is a mover, never a leaver' {
        $job = NewJob 'Sources'
        $state = Join-Path $TestDrive 'sources.state'
        $csv = Save $AllRows 'sources0.csv'
        $results = @(ConvertTo-ScimBulkRequest -Source (SourceList $csv) -StatePath $state -DateAttribute HireDate | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        ($results.OperationCount | Measure-Object -Sum).Sum | Should -Be 25
        RunCycle $job
        $contractor = ($AllRows | Where-Object WorkerType -eq 'Contractor' | Where-Object WorkerStatus -eq 'Active')[0]
        (User $contractor.WorkerID).attributes.userType | Should -Be 'Contractor'
        (User $contractor.WorkerID).attributes.displayName | Should -BeLike '*(External)'

        # The contractor is hired as an employee.
        $rows = $AllRows | ForEach-Object { $copy = $_.PSObject.Copy(); if ($copy.WorkerID -eq $contractor.WorkerID) { $copy.WorkerType = 'Employee' }; $copy }
        $plan = ConvertTo-ScimBulkRequest -Source (SourceList (Save $rows 'sources1.csv')) -StatePath $state -DateAttribute HireDate -WhatIf
        ($plan.Joiners, $plan.Movers, $plan.Leavers) | Should -Be @(0, 1, 0)
        $moved = @(ConvertTo-ScimBulkRequest -Source (SourceList (Join-Path $TestDrive 'sources1.csv')) -StatePath $state -DateAttribute HireDate | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state)
        $moved.ExternalIds | Should -Be $contractor.WorkerID
        RunCycle $job
        (User $contractor.WorkerID).attributes.userType | Should -Be 'Employee'
        (User $contractor.WorkerID).enabled | Should -BeTrue
        Operations $job $contractor.WorkerID | Should -Be 2
    }

    It 'names the sources a run left out when their workers would all be leavers, and points to -Source' {
        $job = NewJob 'Sources apart'
        $state = Join-Path $TestDrive 'apart.state'
        $byType = @{}
        foreach ($type in 'Employee', 'Contractor', 'Intern') { $byType[$type] = Save ($AllRows | Where-Object WorkerType -eq $type) "$type.csv" }
        $sources = @(
            @{ Name = 'employees'; Path = $byType.Employee; AttributeMapping = (Join-Path $MappingDir 'Employees.psd1') }
            @{ Name = 'contractors'; Path = $byType.Contractor; AttributeMapping = (Join-Path $MappingDir 'Contractors.psd1') }
            @{ Name = 'interns'; Path = $byType.Intern; AttributeMapping = (Join-Path $MappingDir 'Interns.psd1') }
        )
        ConvertTo-ScimBulkRequest -Source $sources -StatePath $state -DateAttribute HireDate | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state | Out-Null
        $before = Calls $job

        $err = { ConvertTo-ScimBulkRequest -Path $byType.Contractor -AttributeMapping (Join-Path $MappingDir 'Contractors.psd1') -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $job.id -StatePath $state } |
            Should -Throw -ErrorId 'TooManyLeavers,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
        $err.Exception.Message | Should -Match "'employees'"
        $err.Exception.Message | Should -Match "'interns'"
        $err.Exception.Message | Should -Match '-Source'
        Calls $job | Should -Be $before
    }
}
