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
}
