# The run report end to end: a few days of delta runs against the Graph emulator (joiners, movers, leavers, a cycle
# failure), then the report, whose figures must be the emulator's own; then the page in a real headless browser.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    . (Join-Path $PSScriptRoot 'HeadlessBrowser.ps1')
    $script:Emulator = Start-TestEmulator
    Connect-TestEmulator $Emulator | Out-Null
    . (Join-Path $PSScriptRoot 'DeltaRunHelpers.ps1')
    $script:Mapping = @{ externalId = 'Id'; userName = 'Upn'; displayName = 'Name'; title = 'Title'; active = { $_.Status -eq 'Active' } }

    # Three days of one job: 30 joiners; then 3 movers, a joiner and two records the service refuses (one of them a
    # worker whose externalId is markup); then 2 leavers.
    $script:Job = NewJob 'Report'
    $script:State = Join-Path $TestDrive 'report.state'
    $script:Hostile = '"><img src=x onerror=alert(1)>'
    $rows = @(Workers 'R' 30)
    function script:Day([object[]] $Rows, [string] $Name) {
        ConvertTo-ScimBulkRequest -Path (Save $Rows $Name) -AttributeMapping $Mapping -StatePath $State -LeaverThreshold 5 -WarningAction SilentlyContinue |
            Send-ScimBulkRequest -ServicePrincipalId $Job.id -StatePath $State | Out-Null
        RunCycle $Job
        Get-ProvisioningCycleLog -ServicePrincipalId $Job.id -StatePath $State -NumberOfCycles 1 | Out-Null
    }

    Day $rows 'day1.csv'
    foreach ($i in 2..4) { $rows[$i].Title = 'Senior Clerk' }
    $rows[9].Upn = 'not a upn'
    $rows += [pscustomobject]@{ Id = 'R31'; Upn = 'r31@contoso.com'; Name = 'Worker R31'; Title = 'Clerk'; Status = 'Active'; Boss = '' }
    $rows += [pscustomobject]@{ Id = $Hostile; Upn = 'bad upn'; Name = '<script>alert(2)</script>'; Title = 'Clerk'; Status = 'Active'; Boss = '' }
    Day $rows 'day2.csv'
    Day ($rows | Where-Object Id -notin 'R1', 'R2') 'day3.csv'
    $script:Since = (Get-ProvisioningState $State -History)[0].StartedAt.AddMinutes(-5)
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Export-ProvisioningReport' {
    It 'gives figures that are the emulator''s own: runs, joiners, movers, leavers and failures' {
        $history = @(Get-ProvisioningState $State -History)
        $history.Count | Should -Be 3
        ($history.Joiners) | Should -Be @(30, 2, 0)
        ($history.Movers) | Should -Be @(0, 4, 0)
        ($history.Leavers) | Should -Be @(0, 0, 2)
        ($history.CycleFailures) | Should -Be @(0, 2, 2)  # day 3 sent the two failures again, and they failed again

        # The emulator's own account of those days.
        $directory = @(Directory)
        @($directory | Where-Object { -not $_.enabled }).externalId | Sort-Object | Should -Be @('R1', 'R2')
        $log = @(Get-ProvisioningCycleLog -ServicePrincipalId $Job.id -Since $Since -Detail)
        $failed = @($log | Where-Object Status -eq 'failure' | Select-Object -ExpandProperty ExternalId -Unique | Sort-Object)
        $failed | Should -Be (@('R10', $Hostile) | Sort-Object)

        $file = $log | Export-ProvisioningReport $State -Path (Join-Path $TestDrive 'report.html') -Title 'Contoso HR'
        $file | Should -BeOfType ([IO.FileInfo])
        $html = Get-Content $file -Raw
        $html | Should -Match '<h3><code>AzureActiveDirectoryInvalidUserPrincipalName</code> 2 worker\(s\)</h3>'
        $html | Should -Match '<td><code>R10</code></td><td>not a upn</td>'
        $html | Should -Match '2 worker\(s\) disabled'
        foreach ($id in 'R1', 'R2') { $html | Should -Match "<tr><td><code>$id</code></td>" }
        $html | Should -Match ([regex]::Escape([Net.WebUtility]::HtmlEncode($Hostile)))
        $html | Should -Not -Match '<img'
        $html | Should -Match ([regex]::Escape("$($log.Count) provisioning log entries read"))
        $file.Length | Should -BeLessThan 100KB

        $markdown = Export-ProvisioningReport $State -AsMarkdown
        $markdown | Should -Match '0 joiner\(s\), 0 mover\(s\), 2 leaver\(s\)'
        $markdown | Should -Match '2 worker\(s\) whose last cycle failed: `AzureActiveDirectoryInvalidUserPrincipalName` 2'
    }

    It 'reads the logs itself with -ServicePrincipalId, writes beside the state by default, and refuses to overwrite' {
        $file = Export-ProvisioningReport $State -ServicePrincipalId $Job.id -Verbose 4>&1 | Where-Object { $_ -is [IO.FileInfo] }
        $file.DirectoryName | Should -Be (Split-Path $State)
        $file.Name | Should -Match '^report-report-\d{8}-\d{6}\.html$'
        Get-Content $file -Raw | Should -Match 'provisioning log entries read'
        { Export-ProvisioningReport $State -Path $file.FullName } | Should -Throw -ErrorId 'OutFileExists,EntraInboundProvisioning.PowerShell.Commands.ExportProvisioningReportCommand'
        Export-ProvisioningReport $State -Path $file.FullName -Force | Should -Not -BeNullOrEmpty
        Export-ProvisioningReport $State -Path (Join-Path $TestDrive 'whatif.html') -WhatIf
        Test-Path (Join-Path $TestDrive 'whatif.html') | Should -BeFalse
        { 'not a log entry' | Export-ProvisioningReport $State -Path (Join-Path $TestDrive 'x.html') -ErrorAction Stop } | Should -Throw -ErrorId 'InputNotALogEntry,EntraInboundProvisioning.PowerShell.Commands.ExportProvisioningReportCommand'
    }

    It 'never writes over a file of the state, not even with -Force, and names both paths' {
        $before = (Get-FileHash $State).Hash
        foreach ($target in $State, "$State.journal", "$State.lock", (Join-Path (Split-Path $State) ('.{0}.{1}.tmp' -f (Split-Path $State -Leaf), ('0' * 32)))) {
            $err = { Export-ProvisioningReport $State -Path $target -Force } | Should -Throw -ErrorId 'OutFileIsState,EntraInboundProvisioning.PowerShell.Commands.ExportProvisioningReportCommand' -PassThru
            $err.Exception.Message.Contains("'$target'") | Should -BeTrue
            $err.Exception.Message.Contains("'$State'") | Should -BeTrue
        }

        (Get-FileHash $State).Hash | Should -Be $before
        Test-Path "$State.journal" | Should -BeFalse
        @(Get-ChildItem $TestDrive -Recurse -Force -Filter '*.partial') | Should -BeNullOrEmpty
        (Get-ProvisioningState $State -History).Count | Should -Be 3
    }

    It 'writes into a folder given as -Path, names a missing folder, and leaves no partial file' {
        $folder = New-Item -ItemType Directory (Join-Path $TestDrive 'reports')
        $file = Export-ProvisioningReport $State -Path $folder.FullName
        $file.DirectoryName | Should -Be $folder.FullName
        $file.Name | Should -Match '^report-report-\d{8}-\d{6}\.html$'
        Get-Content $file -Raw | Should -Match '^<!DOCTYPE html>'

        $missing = Join-Path $TestDrive 'nowhere'
        foreach ($target in (Join-Path $missing 'today.html'), "$missing/") {
            $err = { Export-ProvisioningReport $State -Path $target } | Should -Throw -ErrorId 'OutFolderNotFound,EntraInboundProvisioning.PowerShell.Commands.ExportProvisioningReportCommand' -PassThru
            $err.Exception.Message | Should -Match ([regex]::Escape("'$missing"))
            $err.Exception.Message | Should -Not -Match 'partial'
        }

        Test-Path $missing | Should -BeFalse
        @(Get-ChildItem $TestDrive -Recurse -Force -Filter '*.partial') | Should -BeNullOrEmpty
    }

    It 'says with -WhatIf what it would do to an existing file, without throwing or writing' {
        $existing = Join-Path $TestDrive 'existing.html'
        Set-Content $existing 'yesterday'
        { Export-ProvisioningReport $State -Path $existing -WhatIf } | Should -Not -Throw
        Export-ProvisioningReport $State -Path $existing -Force -WhatIf | Should -BeNullOrEmpty
        Get-Content $existing -Raw | Should -Match '^yesterday'

        # "What if:" goes to the host, so read it from a child session's console.
        $whatIf = Invoke-PowerShellChild @"
Import-Module '$ModuleManifest'
Export-ProvisioningReport '$State' -Path '$existing' -WhatIf
Export-ProvisioningReport '$State' -Path '$existing' -Force -WhatIf
"@ | Out-String
        $whatIf | Should -Match 'without -Force it is not overwritten'
        $whatIf | Should -Match 'Overwrite the existing file'
        $whatIf | Should -Not -Match 'OutFileExists,'
        Get-Content $existing -Raw | Should -Match '^yesterday'
    }

    It 'says StateLocked, not StateUnreadable, while another program holds the state open, in every cmdlet that opens it' {
        $held = [IO.File]::Open($State, 'Open', 'ReadWrite', 'None')
        try {
            $err = { Get-ProvisioningState $State -ErrorAction Stop } | Should -Throw -ErrorId 'StateLocked,EntraInboundProvisioning.PowerShell.Commands.GetProvisioningStateCommand' -PassThru
            $err.Exception.Message | Should -Match 'in use by another process'
            { Export-ProvisioningReport $State -AsMarkdown } | Should -Throw -ErrorId 'StateLocked,EntraInboundProvisioning.PowerShell.Commands.ExportProvisioningReportCommand'
            { ConvertTo-ScimBulkRequest -Path (Save @(Workers 'R' 3) 'held.csv') -AttributeMapping $Mapping -StatePath $State -PartialInput } |
                Should -Throw -ErrorId 'StateLocked,EntraInboundProvisioning.PowerShell.Commands.ConvertToScimBulkRequestCommand'
            { Get-ProvisioningCycleLog -ServicePrincipalId $Job.id -StatePath $State -NumberOfCycles 1 } |
                Should -Throw -ErrorId 'StateLocked,EntraInboundProvisioning.PowerShell.Commands.GetProvisioningCycleLogCommand'
        }
        finally {
            $held.Dispose()
        }

        (Get-ProvisioningState $State -History).Count | Should -Be 3
    }

    It 'loads in headless Chromium from disk with no console error, no script and no network request, also on a phone' {
        if (-not (Find-Chromium)) {
            if ($env:CI) { throw 'CI must check the report in a browser, and there is no Chromium: .ci/run installs it.' }
            Set-ItResult -Skipped -Because 'Chromium is not installed here (apt-get install chromium; .ci/run installs it)'
            return
        }

        $page = Join-Path $TestDrive 'browser.html'
        Get-ProvisioningCycleLog -ServicePrincipalId $Job.id -Since $Since -Detail | Export-ProvisioningReport $State -Path $page -Title 'Contoso HR' | Out-Null
        $desktop = Invoke-HeadlessPage -Path $page -Screenshot (Join-Path $TestDrive 'desktop.png')
        $desktop.Title | Should -Be 'Provisioning report: Contoso HR'
        $desktop.Console | Should -BeNullOrEmpty
        $desktop.Exceptions | Should -BeNullOrEmpty
        $desktop.LogErrors | Should -BeNullOrEmpty
        $desktop.Scripts | Should -Be 0
        $desktop.Requests | Should -Be @($desktop.Url)
        $desktop.Text | Should -Match 'Failures'
        $desktop.Text | Should -Match ([regex]::Escape($Hostile))
        (Get-Item (Join-Path $TestDrive 'desktop.png')).Length | Should -BeGreaterThan 10KB

        # A phone: the page fits its width (wide tables scroll inside their own box).
        $phone = Invoke-HeadlessPage -Path $page -Width 390
        $phone.ContentWidth | Should -BeLessOrEqual 390
        $phone.Requests | Should -Be @($phone.Url)
    }
}
