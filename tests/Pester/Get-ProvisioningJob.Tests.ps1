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
        $job.PSObject.TypeNames[0] | Should -Be 'EntraInboundProvisioning.Graph.SynchronizationJobInfo'
    }

    It 'takes the job id and reports an unknown service principal as an error' {
        (Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId -JobId $Emulator.JobId).TemplateId | Should -Be 'API2AAD'
        Get-ProvisioningJob -ServicePrincipalId ([guid]::NewGuid()) -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetProvisioningJobFailed,*'
    }
}
