BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    $script:Csv = Join-Path $Samples 'hr-workers.csv'
    $script:Mapping = Join-Path $Samples 'AttributeMapping.psd1'
    $script:State = Join-Path $TestDrive 'sample.state'
    ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -StatePath $State |
        Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -StatePath $State | Out-Null
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Get-ProvisioningState' {
    It 'shows the job, the workers and the last run with its plan' {
        $info = Get-ProvisioningState $State
        $info.PSObject.TypeNames[0] | Should -Be 'EntraInboundProvisioning.State.ProvisioningStateInfo'
        $info.JobId | Should -Be $Emulator.JobId
        $info.Workers | Should -Be 25
        $info.ActiveWorkers + $info.InactiveWorkers | Should -Be 25
        $info.ActiveWorkers | Should -Be (@(Import-Csv $Csv | Where-Object WorkerStatus -eq 'Active').Count)
        $info.LastRun.Accepted | Should -Be 2
        $info.LastRun.AcceptedRecords | Should -Be 25
        $info.LastRun.Plan.Joiners | Should -Be 25
        $info.FileSize | Should -BeGreaterThan 0
        ($info | Format-List | Out-String) | Should -Match '25: \d+ active'
    }

    It 'shows what the state remembers of given workers, by property name from the pipeline too' {
        $workers = @(Get-ProvisioningState $State -ExternalId 21000, 21007, 'nobody')
        $workers.ExternalId | Should -Be @('21000', '21007')
        $workers[0].UserName | Should -Be 'ava.okafor@contoso.com'
        $workers[0].Active | Should -BeFalse
        $workers[1].Active | Should -BeTrue
        $workers[1].RecordHash | Should -Match '^[0-9a-f]{16}$'
        @([pscustomobject]@{ ExternalId = '21014' } | Get-ProvisioningState $State).ExternalId | Should -Be '21014'
    }

    It 'reads a state while a run holds it' {
        $seen = [pscustomobject]@{ WorkerID = '1'; UserID = 'x@contoso.com'; WorkerStatus = 'Active' } |
            ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'WorkerID'; userName = 'UserID'; active = { $true } } -StatePath $State -PartialInput -WarningAction SilentlyContinue |
            ForEach-Object { Get-ProvisioningState $State }
        $seen.Workers | Should -Be 25
    }

    It 'reports a missing state and refuses a damaged one' {
        Get-ProvisioningState (Join-Path $TestDrive 'none.state') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'StateNotFound,*'

        $damaged = Join-Path $TestDrive 'damaged.state'
        $bytes = [IO.File]::ReadAllBytes($State)
        [IO.File]::WriteAllBytes($damaged, $bytes[0..($bytes.Length - 20)])
        Get-ProvisioningState $damaged -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'StateUnreadable,*'
        $errs[0].Exception.Message | Should -Match 'damaged or incomplete'
        { ConvertTo-ScimBulkRequest -Path $Csv -AttributeMapping $Mapping -StatePath $damaged } | Should -Throw -ErrorId 'StateUnreadable,*'
    }
}
