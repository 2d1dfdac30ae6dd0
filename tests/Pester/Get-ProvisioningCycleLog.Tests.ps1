BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Csv = Join-Path $TestDrive 'hr.csv'
    $script:Mapping = Join-Path $Samples 'AttributeMapping.psd1'
    function script:RunCycle { Invoke-Emulator $Emulator POST "_emulator/jobs/$($Emulator.JobId)/cycle" | Out-Null }
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

# Logs at scale: an app of its own, the emulator's reports limit on with a half-second window (5 reads per window) and
# pages of 50 entries, so a few hundred records make many pages; the session paces itself to the same window.
Describe 'Get-ProvisioningCycleLog at scale' {
    BeforeAll {
        Connect-TestEmulator $Emulator | Out-Null
        Connect-EntraProvisioning -TenantId $Emulator.TenantId -ClientId $Emulator.ClientId -ClientSecret (ConvertTo-SecureString $Emulator.ClientSecret -AsPlainText -Force) `
            -TestEndpoint $Emulator.BaseUri -TestCertificate $Emulator.Certificate -TestReportsWindow 00:00:00.5 | Out-Null
        Invoke-Emulator $Emulator POST '_emulator/reports' @{ limit = 5; windowMilliseconds = 500; pageLimit = 50 } | Out-Null
        $script:App = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Logs at scale' }
        $script:ScaleCsv = Join-Path $TestDrive 'scale.csv'
        # 300 workers without managers; every 20th has a userName that is not a UPN.
        $script:Header = 'WorkerID,UserID,FirstName,LastName,WorkerStatus'
        $rows = foreach ($i in 1..300) { $upn = if ($i % 20 -eq 7) { "p$i not a upn" } else { "p$i@contoso.com" }; "P$i,$upn,P,$i,Active" }
        Set-Content -Path $ScaleCsv -Value (@($Header) + $rows)
        $script:ScaleMapping = @{ externalId = 'WorkerID'; userName = 'UserID'; displayName = { "$($_.FirstName) $($_.LastName)" }; active = { $_.WorkerStatus -eq 'Active' } }
        $script:ScaleState = Join-Path $TestDrive 'scale.state'
        $script:Sent = ConvertTo-ScimBulkRequest -Path $ScaleCsv -AttributeMapping $ScaleMapping -StatePath $ScaleState | Send-ScimBulkRequest -ServicePrincipalId $App.id -StatePath $ScaleState
        Invoke-Emulator $Emulator POST "_emulator/jobs/$($App.jobId)/cycle" | Out-Null
        function script:Reports { Invoke-Emulator $Emulator GET '_emulator/reports' }
    }

    AfterAll {
        Invoke-Emulator $Emulator POST '_emulator/logFaults' @{} | Out-Null
        Invoke-Emulator $Emulator POST '_emulator/reports' @{ limit = 5; windowMilliseconds = 10000; pageLimit = 1000 } | Out-Null
        Connect-TestEmulator $Emulator | Out-Null
    }

    It 'returns every entry once in every form with a fifth of the reads faulted, paced so the limit never throttles it' {
        @($Sent).Count | Should -Be 6
        $before = Reports
        Invoke-Emulator $Emulator POST '_emulator/logFaults' @{ Throttle429 = 0.05; Error503 = 0.05; DropBeforeAccept = 0.05; DropAfterAccept = 0.05 } | Out-Null
        try {
            $detail = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Detail
            $detail.Count | Should -Be 300
            ($detail.Id | Sort-Object -Unique).Count | Should -Be 300
            ($detail | Where-Object RawJson).Count | Should -Be 0

            $cycle = Get-ProvisioningCycleLog -ServicePrincipalId $App.id
            $cycle.Changes | Should -Be 300
            $cycle.Users | Should -Be 300
            $cycle.Failed | Should -Be 15
            $cycle.Entries.Count | Should -Be 0

            $failed = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Status Failure
            ($failed.ExternalId | Sort-Object -Unique).Count | Should -Be 15

            $some = 1..300 | Where-Object { $_ % 3 -eq 0 } | ForEach-Object { "P$_" }
            $chosen = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -ExternalId $some
            ($chosen.ExternalId | Sort-Object) | Should -Be ($some | Sort-Object)

            $outcomes = $Sent | Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Wait -PollInterval 00:00:01 -Timeout 00:02:00 -Since (Get-Date).AddMinutes(-10)
            $outcomes.Count | Should -Be 300
            ($outcomes.ExternalId | Sort-Object -Unique).Count | Should -Be 300
        }
        finally {
            Invoke-Emulator $Emulator POST '_emulator/logFaults' @{} | Out-Null
        }

        $after = Reports
        ($after.faulted - $before.faulted) | Should -BeGreaterThan 0
        ($after.throttled - $before.throttled) | Should -Be 0 -Because 'the session keeps under the reports limit'
        ($after.pagesServed - $before.pagesServed) | Should -BeGreaterOrEqual 20
    }

    It '-Wait -StatePath without records waits for the ones the state awaits outcomes for, and learns them all' {
        Invoke-Emulator $Emulator POST '_emulator/logFaults' @{ Throttle429 = 0.05; Error503 = 0.05; DropBeforeAccept = 0.05; DropAfterAccept = 0.05 } | Out-Null
        try {
            (Get-ProvisioningState $ScaleState).AwaitingOutcome | Should -Be 300
            $outcomes = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Wait -StatePath $ScaleState -Since (Get-Date).AddMinutes(-10) -PollInterval 00:00:01 -Timeout 00:02:00 -Verbose 4>&1
            $verbose = $outcomes | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $entries = $outcomes | Where-Object { $_ -is [EntraInboundProvisioning.Logs.ProvisioningLogEntry] }
        }
        finally {
            Invoke-Emulator $Emulator POST '_emulator/logFaults' @{} | Out-Null
        }

        $entries.Count | Should -Be 300
        ($entries.ExternalId | Sort-Object -Unique).Count | Should -Be 300
        $state = Get-ProvisioningState $ScaleState
        $state.AwaitingOutcome | Should -Be 0
        $state.PendingRetries | Should -Be 15
        ($verbose | Out-String) | Should -Match '300 of 300 record\(s\) the state holds as awaiting an outcome have an outcome'
        ($verbose | Out-String) | Should -Match 'page\(s\), 300 entries in [\d.]+ s \([\d.]+ s waiting for the reports limit'

        # Nothing left to wait for: it says so and returns nothing.
        Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Wait -StatePath $ScaleState -Since (Get-Date).AddMinutes(-10) | Should -BeNullOrEmpty
    }

    It 'stops with an error saying how far it read once a page''s retries are spent, and the state keeps what it learned' {
        $state = Join-Path $TestDrive 'partial.state'
        # A second state sends the 300 again, and a second cycle runs.
        $again = ConvertTo-ScimBulkRequest -Path $ScaleCsv -AttributeMapping $ScaleMapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $App.id -StatePath $state
        @($again).Count | Should -Be 6
        Invoke-Emulator $Emulator POST "_emulator/jobs/$($App.jobId)/cycle" | Out-Null
        # Three pages go through; then every read is throttled (Retry-After: 1) until the reader gives up.
        Invoke-Emulator $Emulator POST '_emulator/logFaults' @{ Throttle429 = 1; SkipFirst = 3 } | Out-Null
        try {
            $err = { Get-ProvisioningCycleLog -ServicePrincipalId $App.id -StatePath $state } | Should -Throw -ErrorId 'GetProvisioningLogsFailed,*' -PassThru
        }
        finally {
            Invoke-Emulator $Emulator POST '_emulator/logFaults' @{} | Out-Null
        }

        $err.Exception.Message | Should -Match 'stopped after 3 page\(s\), 150 entries'
        $err.Exception.Message | Should -Match 'Gave up after 8 attempt\(s\)'
        $err.Exception.Message | Should -Match 'kept what the pages read taught it: 150 outcome\(s\)'
        (Get-ProvisioningState $state).AwaitingOutcome | Should -Be 150
    }

    It 'filters many records on the server in groups, for far fewer reads than their cycle' {
        $ids = 1..300 | Where-Object { $_ % 5 -eq 1 } | ForEach-Object { "P$_" }
        $before = (Reports).pagesServed
        $all = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Detail
        $cyclePages = (Reports).pagesServed - $before
        $before = (Reports).pagesServed
        $chosen = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -ExternalId $ids -Verbose 4>&1
        $recordPages = (Reports).pagesServed - $before
        ($chosen | Where-Object { $_ -is [EntraInboundProvisioning.Logs.ProvisioningLogEntry] }).Count | Should -Be 60
        $all.Count | Should -Be 300
        # The cycle is 6 pages (and the first entry of the cycle before it says it ended); the 60 records are 2 groups.
        $cyclePages | Should -BeIn 6, 7
        $recordPages | Should -BeLessThan 4
        ($chosen | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match 'as \d+ groups of records|60 record change'
    }

    It 'keeps the raw entry only with -Raw, and bounds -Since and -Until inclusively with the operators Graph documents' {
        $first = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Detail | Select-Object -First 3
        $raw = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -ExternalId $first[1].ExternalId -Raw
        ($raw.RawJson | ConvertFrom-Json).id | Should -Be $raw.Id
        $at = $first[1].ActivityDateTime
        $between = Get-ProvisioningCycleLog -ServicePrincipalId $App.id -Since $at -Until $at -Detail
        $between.Id | Should -Be $first[1].Id
    }

    It 'shows progress on a long read and always completes it' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; Get-ProvisioningCycleLog -ServicePrincipalId '$($App.id)' | Out-Null")
            $null = $ps.Invoke()
            $ps.Streams.Error | Should -BeNullOrEmpty
            $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Reading provisioning logs')
            $records.Count | Should -BeGreaterThan 3
            $records[0].StatusDescription | Should -Match 'entries in \d+ page\(s\), \d+ s waiting for the reports limit'
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally {
            $ps.Dispose()
        }
    }
}

Describe 'Get-ProvisioningCycleLog' {
    It 'reports cycles with statistics and each record''s outcome, and the re-send loop ends with every record successful' {
        # Cycle 1: 25 workers, two with user names that are not UPNs.
        $rows = Import-Csv (Join-Path $Samples 'hr-workers.csv')
        $rows[3].UserID = 'mia nguyen'; $rows[4].UserID = 'no-at-sign'
        $rows | Export-Csv $Csv -NoTypeInformation
        $results = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId
        RunCycle

        $cycle = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId
        $cycle | Should -BeOfType [EntraInboundProvisioning.Logs.ProvisioningCycle]
        $cycle.Changes | Should -Be 25
        $cycle.Users | Should -Be 25
        $cycle.Count('Create', 'Success') | Should -Be 23
        $cycle.Count('Create', 'Failure') | Should -Be 2

        $failed = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -Status Failure
        ($failed.ExternalId | Sort-Object) | Should -Be @('21021', '21028')
        $failed[0].ErrorCode | Should -Be 'AzureActiveDirectoryInvalidUserPrincipalName'
        $failed[0].RecommendedAction | Should -Not -BeNullOrEmpty

        # Fix the data and re-send exactly the failures.
        $rows[3].UserID = 'mia.nguyen@contoso.com'; $rows[4].UserID = 'ethan.obrien@contoso.com'; $rows[0].JobTitle = 'Senior Analyst'
        $rows | Export-Csv $Csv -NoTypeInformation
        $resent = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -ExternalId ($failed.ExternalId) | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId
        $resent.ExternalIds | Should -Be @('21021', '21028')
        RunCycle
        $outcomes = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -Detail
        $outcomes.Status | Sort-Object -Unique | Should -Be 'success'
        ($outcomes.ExternalId | Sort-Object) | Should -Be @('21021', '21028')

        # Cycle 3: an update, a disable and a skip.
        $rows[1].WorkerStatus = 'Inactive'
        $rows | Export-Csv $Csv -NoTypeInformation
        ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -ExternalId 21000, 21007, 21014 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId | Out-Null
        RunCycle
        $three = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -NumberOfCycles 3
        $three.Count | Should -Be 3
        $three[0].Count('Update', 'Success') | Should -Be 1
        $three[0].Count('Disable', 'Success') | Should -Be 1
        $three[0].Count('Other', 'Skipped') | Should -Be 1
        $three[2].Changes | Should -Be 25
        (Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -CycleId $three[1].CycleId).Changes | Should -Be 2
        (Get-ProvisioningCycleLog -JobId $Emulator.JobId -Action Disable).ExternalId | Should -Be '21007'
        (Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -ExternalId 21000 -NumberOfCycles 5).Count | Should -Be 2
    }

    It 'waits for the records of a run and names those without an outcome when time runs out' {
        $results = ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-workers.csv') -AttributeMapping $Mapping -ExternalId 21035, 21042 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId
        # The cycle runs a few seconds after -Wait starts polling, as the service processes uploads later.
        $cycleUri = [uri]::new($Emulator.BaseUri, "_emulator/jobs/$($Emulator.JobId)/cycle")
        $later = Start-Job -ScriptBlock { Start-Sleep -Seconds 3; Invoke-RestMethod -Method Post -Uri $using:cycleUri -SkipCertificateCheck }
        $outcomes = $results | Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -Wait -PollInterval 00:00:01 -Timeout 00:01:00 -Since (Get-Date).AddMinutes(-5)
        $later | Wait-Job | Remove-Job
        ($outcomes.ExternalId | Sort-Object) | Should -Be @('21035', '21042')

        $outcomes = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -Wait -ExternalId 21035, 'never-sent' -PollInterval 00:00:01 -Timeout 00:00:03 -ErrorVariable errs -ErrorAction SilentlyContinue
        $outcomes.ExternalId | Should -Be '21035'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutcomesMissing,*'
        $errs[0].Exception.Message | Should -Match 'never-sent'
    }

    It 'learns later the outcome of a record whose wait timed out, and fails on what cannot mean anything' {
        $app = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Late outcomes' }
        $csv = Join-Path $TestDrive 'late.csv'
        Set-Content -Path $csv -Value @('WorkerID,UserID,FirstName,LastName,WorkerStatus', 'L1,l1@contoso.com,L,1,Active', 'L2,not a upn,L,2,Active')
        $map = @{ externalId = 'WorkerID'; userName = 'UserID'; displayName = { "$($_.FirstName) $($_.LastName)" }; active = { $_.WorkerStatus -eq 'Active' } }
        $state = Join-Path $TestDrive 'late.state'
        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $map -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $app.id -StatePath $state | Out-Null

        # No cycle yet: the wait times out, and the state still awaits both outcomes.
        Get-ProvisioningCycleLog -ServicePrincipalId $app.id -Wait -StatePath $state -PollInterval 00:00:01 -Timeout 00:00:02 -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'OutcomesMissing,*'
        (Get-ProvisioningState $state).AwaitingOutcome | Should -Be 2

        # The cycle runs later; the next wait (a later run's, with nothing new of its own) learns both, the failure included.
        Invoke-Emulator $Emulator POST "_emulator/jobs/$($app.jobId)/cycle" | Out-Null
        $late = @(Get-ProvisioningCycleLog -ServicePrincipalId $app.id -Wait -StatePath $state -PollInterval 00:00:01 -Timeout 00:00:30)
        ($late.ExternalId | Sort-Object) | Should -Be @('L1', 'L2')
        $info = Get-ProvisioningState $state
        ($info.AwaitingOutcome, $info.PendingRetries) | Should -Be @(0, 1)

        # Another job's logs never teach this state; a misspelt state is not created; empty or reversed filters are refused.
        { Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -StatePath $state -ErrorAction Stop } | Should -Throw -ErrorId 'StateBelongsToAnotherJob,*'
        $typo = Join-Path $TestDrive 'lat.state'
        { Get-ProvisioningCycleLog -ServicePrincipalId $app.id -StatePath $typo -ErrorAction Stop } | Should -Throw -ErrorId 'StateNotFound,*'
        Test-Path $typo | Should -BeFalse
        { Get-ProvisioningCycleLog -ServicePrincipalId $app.id -ExternalId @() } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Get-ProvisioningCycleLog -ServicePrincipalId $app.id -Since (Get-Date) -Until (Get-Date).AddDays(-1) } | Should -Throw -ErrorId 'InvalidTimeRange,*'
        { Get-ProvisioningCycleLog -ServicePrincipalId $app.id -Since ([DateTimeOffset]::MinValue) } | Should -Throw -ErrorId 'InvalidTimeRange,*'
        { Get-ProvisioningCycleLog -ServicePrincipalId $app.id -Wait -ExternalId L1 -PollInterval 0 } | Should -Throw -ErrorId 'InvalidTimeRange,*'
    }
}
