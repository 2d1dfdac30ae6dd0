# Daily runs with a state, end to end against the Graph emulator: what is sent, what the directory ends with,
# the guard against a truncated export, retries of failed records, one run at a time, and kill -9 in the middle.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Mapping = Join-Path $Samples 'AttributeMapping.psd1'
    $script:Sp = $Emulator.ServicePrincipalId

    # 1,200 workers, every sixth inactive: 1,000 active.
    $script:Baseline = Join-Path $TestDrive 'baseline.csv'
    & (Join-Path $Samples 'New-SyntheticWorkerCsv.ps1') -Count 1200 -Path $Baseline | Out-Null
    $script:Rows = @(Import-Csv $Baseline)

    function script:Calls { (Invoke-Emulator $Emulator GET "_emulator/jobs/$($Emulator.JobId)/calls").bulkUploadCalls }
    function script:RunCycle { Invoke-Emulator $Emulator POST "_emulator/jobs/$($Emulator.JobId)/cycle" | Out-Null }
    function script:User([string] $Id) { Invoke-Emulator $Emulator GET "_emulator/directory/$Id" }
    function script:Save([object[]] $Rows, [string] $Name) {
        $file = Join-Path $TestDrive $Name
        $Rows | Export-Csv $file -NoTypeInformation
        $file
    }
    function script:Run([string] $Csv, [string] $State, [hashtable] $More = @{}) {
        ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -StatePath $State @More |
            Send-ScimBulkRequest -ServicePrincipalId $Sp -StatePath $State
    }
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'daily runs with -StatePath' {
    BeforeAll {
        $script:State = Join-Path $TestDrive 'contoso.state'
        $first = @(Run $Baseline $State)
        $first.Status | Sort-Object -Unique | Should -Be 'Accepted'
        ($first.OperationCount | Measure-Object -Sum).Sum | Should -Be 1200
        RunCycle
    }

    It 'sent everyone the first time, and an identical second run makes no call' {
        (Get-ProvisioningState $State).Workers | Should -Be 1200
        (Get-ProvisioningState $State).ActiveWorkers | Should -Be 1000
        $before = Calls
        $second = @(ConvertTo-ScimBulkRequest -Path $Baseline -AttributeMapping $Mapping -StatePath $State -InformationVariable info |
                Send-ScimBulkRequest -ServicePrincipalId $Sp -StatePath $State)
        $second.Count | Should -Be 0
        Calls | Should -Be $before
        $summary = ($info | Where-Object Tags -contains 'Summary').MessageData
        $summary.Unchanged | Should -Be 1200
        $summary.Requests | Should -Be 0
        (Get-ProvisioningState $State).LastRun.Plan.Unchanged | Should -Be 1200
    }

    It 'sends exactly 100 updates and 50 disables for 100 changed and 50 removed workers, and the directory shows them' {
        $active = @($Rows | Where-Object WorkerStatus -eq 'Active')
        $changed = $active[0..99].WorkerID
        $removed = $active[100..149].WorkerID
        $rows = Import-Csv $Baseline | Where-Object WorkerID -notin $removed | ForEach-Object {
            if ($_.WorkerID -in $changed) { $_.JobTitle = 'Principal ' + $_.JobTitle }
            $_
        }
        $csv = Save $rows 'day2.csv'

        $plan = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $State -WhatIf
        $plan.PSObject.TypeNames[0] | Should -Be 'EntraInboundProvisioning.State.ConversionSummary'
        ($plan.Joiners, $plan.Movers, $plan.Leavers, $plan.Unchanged) | Should -Be @(0, 100, 50, 1050)

        $before = Calls
        $results = @(Run $csv $State)
        $results.Status | Sort-Object -Unique | Should -Be 'Accepted'
        (Calls) - $before | Should -Be $results.Count
        ($results.OperationCount | Measure-Object -Sum).Sum | Should -Be 150

        RunCycle
        $cycle = Get-ProvisioningCycleLog -ServicePrincipalId $Sp
        $cycle.Count('Update', 'Success') | Should -Be 100
        $cycle.Count('Disable', 'Success') | Should -Be 50
        $cycle.Changes | Should -Be 150
        (User $removed[0]).enabled | Should -BeFalse
        (User $changed[0]).attributes.title | Should -BeLike 'Principal *'
        (User $active[200].WorkerID).enabled | Should -BeTrue
        (Get-ProvisioningState $State).Leavers | Should -Be 50

        # The next run with the same file sends nothing: leavers are disabled once.
        @(Run $csv $State).Count | Should -Be 0
    }

    It 'refuses a file with 10 % of the rows, naming the counts, and makes no call' {
        $csv = Save ($Rows | Select-Object -First 120) 'truncated.csv'
        $saved = Get-ProvisioningState $State
        $before = Calls
        $err = { Run $csv $State } | Should -Throw -ErrorId 'TooManyLeavers,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand' -PassThru
        $err.Exception.Message | Should -Match 'of the 950 active workers'
        $err.Exception.Message | Should -Match 'Nothing was converted or sent'
        Calls | Should -Be $before
        # The workers are as they were; only the refusal went on record.
        $after = Get-ProvisioningState $State
        ($after.Workers, $after.ActiveWorkers, $after.Leavers) | Should -Be @($saved.Workers, $saved.ActiveWorkers, $saved.Leavers)
        $after.History.Count | Should -Be ($saved.History.Count + 1)
        $after.LastRun.Refused | Should -Match '^TooManyLeavers: .*of the 950 active workers'

        # Said to be partial, the same file sends only its changes (none) and infers no leaver.
        $partial = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $State -PartialInput -WhatIf
        $partial.Leavers | Should -Be 0
        $partial.LeaversInferred | Should -BeFalse
    }

    It 'sends a record that failed in its cycle again on the next run, unchanged' {
        $rows = Import-Csv (Join-Path $TestDrive 'day2.csv')
        ($rows | Where-Object WorkerID -eq $rows[5].WorkerID).UserID = 'not a upn'
        $csv = Save $rows 'day3.csv'
        # The service runs a job's cycles about 40 minutes apart. Here day 2's cycle ran just now, and an entry stamped up
        # to about 3 s before an upload can be taken for its outcome: the clocks' offset comes from a Date header in whole
        # seconds that a server may stamp from a cache a second old, less a second of tolerance. Let day 2 age past that.
        $newest = (Get-ProvisioningCycleLog -ServicePrincipalId $Sp -Detail | Sort-Object ActivityDateTime -Descending | Select-Object -First 1).ActivityDateTime
        while ([DateTimeOffset]::UtcNow -lt $newest.AddSeconds(5)) { Start-Sleep -Milliseconds 200 }
        $results = Run $csv $State
        RunCycle
        $failed = $results | Get-ProvisioningCycleLog -ServicePrincipalId $Sp -Wait -PollInterval 00:00:01 -Timeout 00:00:30 -StatePath $State | Where-Object Status -eq 'failure'
        $failed.ExternalId | Should -Be $rows[5].WorkerID
        (Get-ProvisioningState $State).PendingRetries | Should -Be 1

        $retry = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $State -WarningAction SilentlyContinue)
        $retry.ExternalIds | Should -Be $rows[5].WorkerID
        $retry.OperationKinds | Should -Be 'Retry'
    }

    It 'refuses a second run on the same state while one is running' {
        $held = Join-Path $TestDrive 'held.signal'
        $release = Join-Path $TestDrive 'release.signal'
        $holder = Start-Job -ScriptBlock {
            Import-Module $using:ModuleManifest
            $held = $using:held; $release = $using:release
            # Pipeline input that has not arrived keeps the conversion, and the state, open until the test releases it.
            # The state is taken in BeginProcessing, before the input's first statement runs: that statement says so.
            & {
                Set-Content -LiteralPath $held -Value 'held'
                $deadline = (Get-Date).AddSeconds(90)
                while (-not (Test-Path -LiteralPath $release) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
                [pscustomobject]@{ WorkerID = '1'; UserID = 'u1@contoso.com'; WorkerStatus = 'Active' }
            } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'WorkerID'; userName = 'UserID'; active = { $_.WorkerStatus -eq 'Active' } } -StatePath $using:State -PartialInput | Out-Null
        }
        try {
            # Probing only once the holder has the state: a probe that held it first would refuse the holder instead.
            $deadline = (Get-Date).AddSeconds(60)
            while (-not (Test-Path -LiteralPath $held) -and $holder.State -eq 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Test-Path -LiteralPath $held | Should -BeTrue -Because "the holder job took the state ($($holder.State); $($holder.ChildJobs[0].JobStateInfo.Reason))"
            $refused = $null
            try { [pscustomobject]@{ WorkerID = 'x'; UserID = 'x@contoso.com'; WorkerStatus = 'Active' } | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'WorkerID'; userName = 'UserID'; active = { $true } } -StatePath $State -PartialInput -WarningAction SilentlyContinue | Out-Null }
            catch { $refused = $_ }
            $refused.FullyQualifiedErrorId | Should -BeLike 'StateInUse,*'
            $refused.Exception.Message | Should -Match 'in use by another run'
        }
        finally {
            Set-Content -LiteralPath $release -Value 'release'
            $holder | Wait-Job -Timeout 60 | Remove-Job -Force
        }
    }
}

Describe 'kill -9 during a delta run' {
    It 'leaves the old state intact, and the rerun delivers every change once without re-sending what was accepted' {
        $state = Join-Path $TestDrive 'crash.state'
        $job2 = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Crash test' }
        $sp2 = $job2.id
        ConvertTo-ScimBulkRequest -Path $Baseline -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $sp2 -StatePath $state | Out-Null
        $saved = Get-ProvisioningState $state

        $movers = @($Rows | Where-Object WorkerStatus -eq 'Active')[0..299].WorkerID
        $rows = Import-Csv $Baseline | ForEach-Object { if ($_.WorkerID -in $movers) { $_.JobTitle = 'Moved ' + $_.JobTitle }; $_ }
        $csv = Save $rows 'crash.csv'

        # A slow service: one request of 5 records at a time, 300 ms each, so the run is killed mid-way.
        $callsBefore = (Invoke-Emulator $Emulator GET "_emulator/jobs/$($job2.jobId)/calls").bulkUploadCalls
        Invoke-Emulator $Emulator POST '_emulator/latency' @{ milliseconds = 300 } | Out-Null
        try {
            $script = @"
Import-Module '$ModuleManifest'
Connect-EntraProvisioning -TenantId '$($Emulator.TenantId)' -ClientId '$($Emulator.ClientId)' -ClientSecret (ConvertTo-SecureString '$($Emulator.ClientSecret)' -AsPlainText -Force) -TestEndpoint '$($Emulator.BaseUri)' -TestCertificate ([System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String('$([Convert]::ToBase64String($Emulator.Certificate.RawData))'))) | Out-Null
ConvertTo-ScimBulkRequest -Path '$csv' -AttributeMapping '$Mapping' -StatePath '$state' -OperationsPerRequest 5 | Send-ScimBulkRequest -ServicePrincipalId '$sp2' -StatePath '$state' -MaxConcurrency 1 | Out-Null
"@
            $child = Start-PowerShellChild $script
            $deadline = (Get-Date).AddSeconds(60)
            $journaled = { if (Test-Path "$state.journal") { @(Get-Content "$state.journal" | Where-Object { $_ -like '*"records"*' }).Count } else { 0 } }
            while ((& $journaled) -lt 8 -and -not $child.HasExited -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $why = if ($child.HasExited) { "it exited with code $($child.ExitCode)" } else { 'it had not after 60 s' }
            $child.Kill()   # SIGKILL on Linux and macOS, TerminateProcess on Windows: kill -9
            $child.WaitForExit()
            & $journaled | Should -BeGreaterOrEqual 8 -Because "the run was to be killed once 8 requests were accepted ($why)"
        }
        finally {
            Invoke-Emulator $Emulator POST '_emulator/latency' @{ milliseconds = 0 } | Out-Null
        }

        # The state file is the old one, whole; the journal holds what was accepted before the kill.
        $after = Get-ProvisioningState $state
        $after.SavedAt | Should -Be $saved.SavedAt
        $after.UnsavedRecords | Should -BeGreaterOrEqual 40
        $after.UnsavedRecords | Should -BeLessThan 300
        $accepted = $after.UnsavedRecords
        # The last run is the killed one, as its journal tells it: what it got accepted, and that it never saved.
        $after.LastRun.Recovered | Should -BeTrue
        $after.LastRun.AcceptedRecords | Should -Be $accepted
        $after.LastRun.Accepted | Should -Be ($accepted / 5)
        # Its calls count against the daily limit, the one in flight at the kill included (journaled before it went out).
        $made = (Invoke-Emulator $Emulator GET "_emulator/jobs/$($job2.jobId)/calls").bulkUploadCalls - $callsBefore
        $made | Should -BeGreaterOrEqual ($accepted / 5)
        $after.LastRun.Calls | Should -BeIn @($made, ($made + 1))

        # The rerun recovers the journal (and says so) and sends only the rest.
        $plan = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf -WarningVariable warns -WarningAction SilentlyContinue
        $plan.Movers | Should -Be (300 - $accepted)
        $warns.Message | Should -Match 'recovered'
        $rerun = @(ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state | Send-ScimBulkRequest -ServicePrincipalId $sp2 -StatePath $state -WarningAction SilentlyContinue)
        $rerun.Status | Sort-Object -Unique | Should -Be 'Accepted'
        (ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $Mapping -StatePath $state -WhatIf).Movers | Should -Be 0
        $final = Get-ProvisioningState $state
        $final.UnsavedRecords | Should -Be 0
        $final.Workers | Should -Be 1200
        @(Get-ProvisioningState $state -ExternalId $movers).Count | Should -Be 300

        # Every mover delivered (accepted at the baseline and once more); only requests the run had started but not
        # journaled as accepted at the kill (the one in flight; two when the pipeline thread lagged) can have gone twice.
        $counts = (Invoke-Emulator $Emulator GET "_emulator/jobs/$($job2.jobId)/operations").counts
        @($movers | Where-Object { $counts.$_ -lt 2 }).Count | Should -Be 0
        @($movers | Where-Object { $counts.$_ -gt 2 }).Count | Should -BeLessOrEqual (5 * ($after.LastRun.Calls - $after.LastRun.Accepted))
    }
}
