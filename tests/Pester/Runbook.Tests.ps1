BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
}

AfterAll {
    Stop-TestEmulator $Emulator
}

Describe 'samples/runbooks/Invoke-InboundProvisioning.ps1' {
    It 'signs in with the managed identity, sends, waits for the logs and fails naming the records that failed' {
        $env:IDENTITY_ENDPOINT = $Emulator.IdentityEndpoint
        $env:IDENTITY_HEADER = $Emulator.IdentityHeader
        try {
            $csv = Join-Path $TestDrive 'hr.csv'
            $rows = Import-Csv (Join-Path $Samples 'hr-workers.csv')
            $rows[2].UserID = 'not a upn'
            $rows | Export-Csv $csv -NoTypeInformation
            $cycleUri = [uri]::new($Emulator.BaseUri, "_emulator/jobs/$($Emulator.JobId)/cycle")
            $later = Start-Job -ScriptBlock { Start-Sleep -Seconds 4; Invoke-RestMethod -Method Post -Uri $using:cycleUri -SkipCertificateCheck }
            $connect = @{ ManagedIdentity = $true; TestEndpoint = $Emulator.BaseUri; TestCertificate = $Emulator.Certificate }
            $err = { & (Join-Path $Samples 'runbooks/Invoke-InboundProvisioning.ps1') -Path $csv -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -ServicePrincipalId $Emulator.ServicePrincipalId -JournalPath (Join-Path $TestDrive 'j.jsonl') -PollInterval 00:00:01 -WaitTimeout 00:01:00 -ConnectParameters $connect -OutVariable script:output } | Should -Throw -PassThru
            $later | Wait-Job | Remove-Job
            $err.Exception.Message | Should -Match '1 record\(s\) failed'
            ($script:output | Out-String) | Should -Match 'Accepted 1 of 1 request'
            ($script:output | Out-String) | Should -Match '24 succeeded, 1 failed'
            ($script:output | Out-String) | Should -Match '21014'
        }
        finally {
            Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
        }
    }
}
