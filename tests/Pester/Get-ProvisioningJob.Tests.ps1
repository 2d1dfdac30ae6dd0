BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Get-ProvisioningJob' {
    It 'lists the jobs of a service principal with their status' {
        $job = Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId
        $job.Id | Should -Be $Emulator.JobId
        $job.Status | Should -Be 'Active'
        $job.IsApiDriven | Should -BeTrue
        $job | Should -BeOfType [EntraInboundProvisioning.Graph.SynchronizationJobInfo]
    }

    It 'completes service principal ids the session has used and job ids of the one given' {
        Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId | Out-Null
        $line = 'Send-ScimBulkRequest -ServicePrincipalId '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $Emulator.ServicePrincipalId
        $line = "Get-ProvisioningCycleLog -ServicePrincipalId $($Emulator.ServicePrincipalId) -JobId "
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @($Emulator.JobId)
    }

    It 'takes the job id and reports an unknown service principal as an error' {
        (Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId -JobId $Emulator.JobId).TemplateId | Should -Be 'API2AAD'
        Get-ProvisioningJob -ServicePrincipalId ([guid]::NewGuid()) -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetProvisioningJobFailed,*'
    }
}
