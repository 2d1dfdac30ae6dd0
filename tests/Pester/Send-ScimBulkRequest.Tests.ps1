BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Csv = Join-Path $Samples 'hr-workers.csv'
    $script:Mapping = Join-Path $Samples 'AttributeMapping.psd1'
    function script:Calls { (Invoke-Emulator $Emulator GET "_emulator/jobs/$($Emulator.JobId)/calls").bulkUploadCalls }
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Send-ScimBulkRequest' {
    AfterEach { Invoke-Emulator $Emulator POST '_emulator/faults' @{} | Out-Null }

    It 'sends converted requests and returns one result per request' {
        # The sample's two managers go alone in the first request, then their 23 reports: 2, 10, 10, 3.
        $results = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 10 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId)
        $results.Count | Should -Be 4
        $results.Status | Sort-Object -Unique | Should -Be 'Accepted'
        $results.HttpStatus | Sort-Object -Unique | Should -Be 202
        ($results.OperationCount | Measure-Object -Sum).Sum | Should -Be 25
        $results[0].RequestId | Should -Not -BeNullOrEmpty
        $results[0].Location | Should -Match 'auditLogs/provisioning'
        $results | Should -BeOfType [EntraInboundProvisioning.Sending.BulkUploadResult]
    }

    It 'sends nothing with -WhatIf and says how much would go where' {
        $before = Calls
        ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -WhatIf
        Calls | Should -Be $before
        # "What if:" goes to the host, so read it from a child session's console.
        $script = @"
Import-Module '$ModuleManifest'
Connect-EntraProvisioning -TenantId '$($Emulator.TenantId)' -ClientId '$($Emulator.ClientId)' -ClientSecret (ConvertTo-SecureString '$($Emulator.ClientSecret)' -AsPlainText -Force) -TestEndpoint '$($Emulator.BaseUri)' -TestCertificate ([System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String('$([Convert]::ToBase64String($Emulator.Certificate.RawData))'))) | Out-Null
ConvertTo-ScimBulkRequest -Path '$Csv' -AttributeMapping '$Mapping' | Send-ScimBulkRequest -ServicePrincipalId '$($Emulator.ServicePrincipalId)' -WhatIf
"@
        $whatIf = Invoke-PowerShellChild $script | Out-String
        Calls | Should -Be $before
        $whatIf | Should -Match '2 SCIM bulk request\(s\) with 25 record\(s\)'
        $whatIf | Should -Match ([regex]::Escape($Emulator.JobId))
    }

    It 'sends JSON files with -Path to the -Uri shown in the portal' {
        $out = Join-Path $TestDrive 'requests'
        ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 20 -OutDirectory $out | Out-Null
        $uri = [uri]::new($Emulator.BaseUri, "v1.0/servicePrincipals/$($Emulator.ServicePrincipalId)/synchronization/jobs/$($Emulator.JobId)/bulkUpload")
        $results = @(Send-ScimBulkRequest -Path (Join-Path $out '*.json') -Uri $uri)
        $results.Status | Should -Be @('Accepted', 'Accepted', 'Accepted')
    }

    It 'reports a refused request as BulkUploadFailed without retrying it' {
        $bad = Join-Path $TestDrive 'bad.json'
        (ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -AsJson)[1] -replace '/Users', '/Groups' | Set-Content $bad
        $result = Send-ScimBulkRequest -Path $bad -ServicePrincipalId $Emulator.ServicePrincipalId -ErrorVariable errs -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $result.Attempts | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'BulkUploadFailed,*'
        $errs[0].Exception.Message | Should -Match 'path must be /Users'
    }

    It 'retries throttling and server errors and still gets every request accepted' {
        Invoke-Emulator $Emulator POST '_emulator/faults' @{ Throttle429 = 0.2; Error503 = 0.2 } | Out-Null
        $results = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 2 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -MaxAttempts 10)
        $results.Status | Sort-Object -Unique | Should -Be 'Accepted'
        ($results.Attempts | Measure-Object -Maximum).Maximum | Should -BeGreaterThan 1
    }

    It 'starts the job again after -RestartService, also when the upload fails' {
        Invoke-Emulator $Emulator POST '_emulator/faults' @{ Error503 = 1.0 } | Out-Null
        $result = ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -RestartService -MaxAttempts 1 -ErrorAction SilentlyContinue
        $result.Status | Sort-Object -Unique | Should -Be 'Failed'
        (Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId).Status | Should -Be 'Active'
    }

    It 'journals accepted requests and -Resume skips them' {
        $journal = Join-Path $TestDrive 'run.jsonl'
        $first = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 10 | Select-Object -First 2 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -JournalPath $journal)
        $first.Status | Should -Be @('Accepted', 'Accepted')
        (Get-Content $journal).Count | Should -Be 2
        $before = Calls
        $second = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 10 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -JournalPath $journal -Resume)
        $second.Status | Should -Be @('AlreadyAccepted', 'AlreadyAccepted', 'Accepted', 'Accepted')
        (Calls) - $before | Should -Be 2
        { Send-ScimBulkRequest -Path $journal -ServicePrincipalId $Emulator.ServicePrincipalId -Resume } | Should -Throw -ErrorId 'ResumeWithoutJournal,*'
    }

    It 'stops promptly on Ctrl+C and the journal holds what was accepted' {
        Invoke-Emulator $Emulator POST '_emulator/latency' @{ milliseconds = 1500 } | Out-Null
        try {
            $journal = Join-Path $TestDrive 'stopped.jsonl'
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                    param($Module, $Csv, $Mapping, $Sp, $Journal, $Connect)
                    Import-Module $Module
                    Connect-EntraProvisioning @Connect | Out-Null
                    ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 1 | Send-ScimBulkRequest -ServicePrincipalId $Sp -JournalPath $Journal -MaxConcurrency 1
                }).AddParameters(@{
                    Module = $ModuleManifest; Csv = $Csv; Mapping = $Mapping; Sp = $Emulator.ServicePrincipalId; Journal = $journal
                    Connect = @{ TenantId = $Emulator.TenantId; ClientId = $Emulator.ClientId; ClientSecret = (ConvertTo-SecureString $Emulator.ClientSecret -AsPlainText -Force); TestEndpoint = $Emulator.BaseUri; TestCertificate = $Emulator.Certificate }
                })
            $async = $ps.BeginInvoke()
            $deadline = (Get-Date).AddSeconds(60)
            while (-not ((Test-Path $journal) -and (Get-Content $journal).Count -ge 2) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
            $accepted = (Get-Content $journal).Count
            $accepted | Should -BeGreaterOrEqual 2
            $accepted | Should -BeLessThan 25
            (Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId).Status | Should -Be 'Active'
            $ps.Dispose()
        }
        finally {
            Invoke-Emulator $Emulator POST '_emulator/latency' @{ milliseconds = 0 } | Out-Null
        }
    }

    It 'stops at -DailyRequestLimit, counting journaled calls, with a warning' {
        $journal = Join-Path $TestDrive 'quota.jsonl'
        ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 10 | Select-Object -First 1 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -JournalPath $journal | Out-Null
        $results = @(ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -OperationsPerRequest 5 | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -JournalPath $journal -DailyRequestLimit 3 -MaxConcurrency 1 -WarningVariable warns -WarningAction SilentlyContinue -ErrorAction SilentlyContinue)
        ($results | Where-Object Status -eq 'Accepted').Count | Should -Be 2
        ($results | Where-Object Status -eq 'NotSent').Count | Should -Be 4
        $warns | Should -Match 'daily request limit'
    }

    It 'keeps at most 10,000 runs of history: each costs the state about 0.8 KB, rewritten every run' {
        $state = Join-Path $TestDrive 'limit.state'
        { Send-ScimBulkRequest -Path (Join-Path $TestDrive 'none.json') -ServicePrincipalId $Emulator.ServicePrincipalId -StatePath $state -HistoryLimit 10001 } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,EntraInboundProvisioning.PowerShell.Commands.SendScimBulkRequestCommand'
        Test-Path $state | Should -BeFalse
    }
}
