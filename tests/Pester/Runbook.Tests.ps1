BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
    $script:Runbook = Join-Path $Samples 'runbooks/Invoke-InboundProvisioning.ps1'
    $script:Connect = @{ ManagedIdentity = $true; TestEndpoint = $Emulator.BaseUri; TestCertificate = $Emulator.Certificate }
    $env:IDENTITY_ENDPOINT = $Emulator.IdentityEndpoint
    $env:IDENTITY_HEADER = $Emulator.IdentityHeader

    # A stand-in for the state's Azure Storage blob, over plain HTTP on loopback: the Blob REST calls the runbook makes
    # (lease acquire/release/break, metadata, put with If-None-Match and lease conditions, get, head), with the
    # service's status codes; other blobs of the container (the reports) are kept by path. Azure is not reachable
    # from the test machines.
    $script:Blob = [hashtable]::Synchronized(@{ Path = '/provisioning/hr.state'; Exists = $false; Content = [byte[]]@(); Lease = $null; Metadata = @{}; Others = [hashtable]::Synchronized(@{}); Requests = [Collections.ArrayList]::new(); Token = 'test-storage-token' })
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $script:BlobPort = $listener.LocalEndpoint.Port; $listener.Stop()
    # The listener belongs to this runspace, so AfterAll can stop it: that ends the GetContext() the server's runspace
    # waits in, and only then can the runspace itself stop (stopping it first would wait for ever).
    $script:BlobListener = [System.Net.HttpListener]::new()
    $BlobListener.Prefixes.Add("http://127.0.0.1:$BlobPort/")
    $BlobListener.Start()
    $script:BlobServer = [powershell]::Create()
    $null = $BlobServer.AddScript({
            param($Blob, $http)
            while ($http.IsListening) {
                try { $context = $http.GetContext() } catch { break }
                $request = $context.Request; $response = $context.Response
                $status = 200
                $leaseId = $request.Headers['x-ms-lease-id']
                [void]$Blob.Requests.Add("$($request.HttpMethod) $($request.Url.Query)")
                if ($request.Headers['Authorization'] -ne "Bearer $($Blob.Token)") { $status = 403 }
                elseif ($request.Url.AbsolutePath -ne $Blob.Path) {
                    if ($request.HttpMethod -eq 'PUT') { $memory = [IO.MemoryStream]::new(); $request.InputStream.CopyTo($memory); $Blob.Others[$request.Url.AbsolutePath] = $memory.ToArray(); $status = 201 }
                    elseif ($Blob.Others.ContainsKey($request.Url.AbsolutePath)) { $bytes = $Blob.Others[$request.Url.AbsolutePath]; $response.OutputStream.Write($bytes, 0, $bytes.Length) }
                    else { $status = 404 }
                }
                elseif ($request.Url.Query -eq '?comp=lease') {
                    switch ($request.Headers['x-ms-lease-action']) {
                        'acquire' { if (-not $Blob.Exists) { $status = 404 } elseif ($Blob.Lease) { $status = 409 } else { $Blob.Lease = [guid]::NewGuid().ToString(); $response.Headers['x-ms-lease-id'] = $Blob.Lease; $status = 201 } }
                        'release' { if ($Blob.Lease -and $Blob.Lease -eq $leaseId) { $Blob.Lease = $null } else { $status = 409 } }
                        'break' { $Blob.Lease = $null; $status = 202 }
                    }
                }
                elseif ($request.Url.Query -eq '?comp=metadata') {
                    if ($Blob.Lease -and $Blob.Lease -ne $leaseId) { $status = 412 }
                    else { $Blob.Metadata = @{}; foreach ($key in $request.Headers.AllKeys) { if ($key -like 'x-ms-meta-*') { $Blob.Metadata[$key] = $request.Headers[$key] } } }
                }
                elseif ($request.HttpMethod -eq 'PUT') {
                    if ($request.Headers['If-None-Match'] -eq '*' -and $Blob.Exists) { $status = 409 }
                    elseif ($Blob.Lease -and $Blob.Lease -ne $leaseId) { $status = 412 }
                    else {
                        $memory = [IO.MemoryStream]::new(); $request.InputStream.CopyTo($memory)
                        $Blob.Content = $memory.ToArray(); $Blob.Exists = $true; $Blob.Metadata = @{}; $status = 201
                    }
                }
                elseif (-not $Blob.Exists) { $status = 404 }
                elseif ($request.HttpMethod -eq 'HEAD') {
                    foreach ($key in $Blob.Metadata.Keys) { $response.Headers[$key] = $Blob.Metadata[$key] }
                    $response.Headers['x-ms-lease-state'] = if ($Blob.Lease) { 'leased' } else { 'available' }
                }
                elseif ($request.HttpMethod -eq 'GET') { $response.OutputStream.Write($Blob.Content, 0, $Blob.Content.Length) }
                $response.StatusCode = $status
                $response.Close()
            }
        }).AddArgument($Blob).AddArgument($BlobListener)
    $null = $BlobServer.BeginInvoke()
    $script:BlobUri = [uri]"http://127.0.0.1:$BlobPort/provisioning/hr.state"
    $script:Token = ConvertTo-SecureString $Blob.Token -AsPlainText -Force

    # The blob runs use an app of their own, so their logs are not mixed with the first test's failure.
    $script:App = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Blob state' }
    function script:Invoke-Runbook([string] $Csv, [hashtable] $More = @{}, [string] $Sp = $Emulator.ServicePrincipalId, [string] $Job = $Emulator.JobId) {
        $cycleUri = [uri]::new($Emulator.BaseUri, "_emulator/jobs/$Job/cycle")
        $callsUri = [uri]::new($Emulator.BaseUri, "_emulator/jobs/$Job/calls")
        $before = (Invoke-RestMethod -Uri $callsUri -SkipCertificateCheck).bulkUploadCalls
        # The service runs a cycle some time after the uploads: here once the run's uploads have landed (the count of
        # calls rose and then held for 1.5 s), or 8 s after the start for a run that sends nothing.
        $later = Start-Job -ScriptBlock {
            $seen = $using:before; $settled = $null
            $quiet = (Get-Date).AddSeconds(8); $limit = (Get-Date).AddSeconds(90)
            while ((Get-Date) -lt $limit -and ($settled -or (Get-Date) -lt $quiet)) {
                $calls = (Invoke-RestMethod -Uri $using:callsUri -SkipCertificateCheck).bulkUploadCalls
                if ($calls -ne $seen) { $seen = $calls; $settled = (Get-Date).AddSeconds(1.5) }
                elseif ($settled -and (Get-Date) -ge $settled) { break }
                Start-Sleep -Milliseconds 250
            }
            Invoke-RestMethod -Method Post -Uri $using:cycleUri -SkipCertificateCheck
        }
        try {
            & $Runbook -Path $Csv -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -ServicePrincipalId $Sp `
                -PollInterval 00:00:01 -WaitTimeout 00:01:00 -ConnectParameters $Connect @More
        }
        finally {
            $later | Wait-Job | Remove-Job
        }
    }
    function script:Calls { (Invoke-Emulator $Emulator GET "_emulator/jobs/$($App.jobId)/calls").bulkUploadCalls }
}

AfterAll {
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue
    $BlobListener.Close()
    $BlobServer.Stop(); $BlobServer.Dispose()
    Stop-TestEmulator $Emulator
}

Describe 'samples/runbooks/Invoke-InboundProvisioning.ps1' {
    It 'is valid PowerShell and calls this module''s cmdlets only with parameters they have' {
        $tokens = $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Runbook, [ref] $tokens, [ref] $errors)
        $errors | Should -BeNullOrEmpty
        $ours = (Get-Command -Module EntraInboundProvisioning).Name
        $calls = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)
        $checked = 0
        foreach ($call in $calls) {
            $name = $call.GetCommandName()
            if ($name -notin $ours) { continue }
            $parameters = (Get-Command $name).Parameters.Keys + (Get-Command $name).Parameters.Values.Aliases
            foreach ($parameter in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                $parameters | Should -Contain $parameter.ParameterName -Because "$name is called with -$($parameter.ParameterName)"
                $checked++
            }
        }
        $checked | Should -BeGreaterThan 15
        # Outside this module it needs only Az.Accounts (the managed identity's storage token) and built-in cmdlets.
        $own = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true).Name
        $others = $calls | ForEach-Object GetCommandName | Where-Object { $_ -and $_ -notin $ours -and $_ -notin $own -and -not (Get-Command $_ -ErrorAction SilentlyContinue) } | Sort-Object -Unique
        $others | Should -Be @('Connect-AzAccount', 'Get-AzAccessToken')
    }

    It 'signs in with the managed identity, sends, waits for the logs and fails naming the records that failed' {
        $csv = Join-Path $TestDrive 'hr.csv'
        $rows = Import-Csv (Join-Path $Samples 'hr-workers.csv')
        $rows[2].UserID = 'not a upn'
        $rows | Export-Csv $csv -NoTypeInformation
        $state = Join-Path $TestDrive 'local.state'
        $err = { Invoke-Runbook $csv -More @{ StatePath = $state; OutVariable = 'script:output' } } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match '1 record\(s\) failed'
        ($script:output | Out-String) | Should -Match 'Planned: 25 joiner\(s\)'
        ($script:output | Out-String) | Should -Match 'Accepted 2 of 2 request'
        ($script:output | Out-String) | Should -Match '24 succeeded, 1 failed'
        ($script:output | Out-String) | Should -Match '21014'
        # The failure is marked in the state: the next run sends that record again.
        (Get-ProvisioningState $state).PendingRetries | Should -Be 1
    }

    It 'fails when outcomes were not learned in time, and the next run learns them though it sends nothing' {
        $app = Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = 'Late cycle' }
        $csv = Join-Path $TestDrive 'late.csv'
        Import-Csv (Join-Path $Samples 'hr-workers.csv') | Select-Object -First 5 | Export-Csv $csv -NoTypeInformation
        $state = Join-Path $TestDrive 'late.state'
        # No cycle runs while the first run waits.
        $err = { & $Runbook -Path $csv -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -ServicePrincipalId $app.id -StatePath $state `
                -PollInterval 00:00:01 -WaitTimeout 00:00:03 -ConnectParameters $Connect } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'The outcomes of some records were not learned: .*have no outcome yet'
        (Get-ProvisioningState $state).AwaitingOutcome | Should -Be 5

        # The cycle runs later; the next run has nothing to send, and still learns the five outcomes.
        $second = Invoke-Runbook $csv -Sp $app.id -Job $app.jobId -More @{ StatePath = $state }
        ($second | Out-String) | Should -Match 'Accepted 0 of 0 request'
        ($second | Out-String) | Should -Match 'Provisioned: 1 succeeded, 0 failed, 4 skipped'
        (Get-ProvisioningState $state).AwaitingOutcome | Should -Be 0
    }

    It 'keeps the state in a leased blob between runs: the second run downloads it and sends nothing' {
        $csv = Join-Path $Samples 'hr-workers.csv'
        $first = Invoke-Runbook $csv -Sp $App.id -Job $App.jobId -More @{ StateBlobUri = $BlobUri; StorageAccessToken = $Token; StatePath = (Join-Path $TestDrive 'sandbox1.state') }
        ($first | Out-String) | Should -Match 'Accepted 2 of 2 request'
        $Blob.Exists | Should -BeTrue

        # The run's report, dated, beside the state blob; the runbook says where.
        $report = @($first | Where-Object { "$_" -like 'Report: *' })
        $report.Count | Should -Be 1
        "$($report[0])" | Should -Match "^Report: http://127\.0\.0\.1:$BlobPort/provisioning/hr-report-\d{8}-\d{6}\.html$"
        $page = [Text.Encoding]::UTF8.GetString($Blob.Others[([uri]"$($report[0])".Substring(8)).AbsolutePath])
        $page | Should -Match '<title>Provisioning report: sandbox1</title>'
        $page | Should -Match '25 worker\(s\)|25</div><div class="k">Joiners'
        $Blob.Content.Length | Should -BeGreaterThan 100
        $Blob.Lease | Should -BeNullOrEmpty
        $Blob.Requests | Should -Contain 'PUT ?comp=metadata'

        # A fresh sandbox: nothing local, only the blob.
        $before = Calls
        $second = Invoke-Runbook $csv -Sp $App.id -Job $App.jobId -More @{ StateBlobUri = $BlobUri; StorageAccessToken = $Token; StatePath = (Join-Path $TestDrive 'sandbox2.state') }
        ($second | Out-String) | Should -Match 'Planned: 0 joiner\(s\), 0 mover\(s\), 0 leaver\(s\), 0 re-sent, 25 unchanged'
        Calls | Should -Be $before
        $Blob.Lease | Should -BeNullOrEmpty
    }

    It 'refuses to run while another job holds the state blob, and breaks the lease of a job that was stopped' {
        $csv = Join-Path $Samples 'hr-workers.csv'
        $Blob.Lease = [guid]::NewGuid().ToString()
        $Blob.Metadata = @{ 'x-ms-meta-leasedat' = [DateTimeOffset]::UtcNow.AddMinutes(-5).ToString('o'); 'x-ms-meta-leasedby' = 'job 42' }
        $before = Calls
        $err = { Invoke-Runbook $csv -Sp $App.id -Job $App.jobId -More @{ StateBlobUri = $BlobUri; StorageAccessToken = $Token; StatePath = (Join-Path $TestDrive 'sandbox3.state') } } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'Another run \(job 42, since .*\) holds the state blob'
        Calls | Should -Be $before

        $Blob.Metadata['x-ms-meta-leasedat'] = [DateTimeOffset]::UtcNow.AddHours(-4).ToString('o')
        $third = Invoke-Runbook $csv -Sp $App.id -Job $App.jobId -More @{ StateBlobUri = $BlobUri; StorageAccessToken = $Token; StatePath = (Join-Path $TestDrive 'sandbox4.state'); WarningVariable = 'script:warns'; WarningAction = 'SilentlyContinue' }
        $warns.Message | Should -Match 'older than 03:00:00'
        ($third | Out-String) | Should -Match '25 unchanged'
        $Blob.Lease | Should -BeNullOrEmpty
    }

    It 'refuses a day that does not fit its budget before anything is sent, saying what it needs and how to split the work' {
        $csv = Join-Path $TestDrive 'budget.csv'
        Import-Csv (Join-Path $Samples 'hr-workers.csv') | Export-Csv $csv -NoTypeInformation
        $before = Calls
        $err = { Invoke-Runbook $csv -Sp $App.id -Job $App.jobId -More @{ StatePath = (Join-Path $TestDrive 'budget.state'); MemoryBudgetMB = 1; TempDiskBudgetMB = 700; OutVariable = 'script:budget' } } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'does not fit the sandbox: it needs about \d+ MB of heap, more than 75 % of the 1 MB memory budget'
        $err.Exception.Message | Should -Match 'Nothing was sent'
        $err.Exception.Message | Should -Match '-PartialInput'
        ($script:budget | Out-String) | Should -Match 'Budget: 25 row\(s\), a state of 0\.0 MB'
        Calls | Should -Be $before
        Test-Path (Join-Path $TestDrive 'budget.state') | Should -BeFalse

        # 2,000 joiners: about 1 KB each of journal and held operations on the temp disk, more than a 1 MB budget.
        $big = Join-Path $TestDrive 'budget-big.csv'
        $rows = foreach ($i in 1..2000) { "B$i,Active,b$i@contoso.com,B,$i" }
        Set-Content -Path $big -Value (@('WorkerID,WorkerStatus,UserID,FirstName,LastName') + $rows)
        $err = { Invoke-Runbook $big -Sp $App.id -Job $App.jobId -More @{ StatePath = (Join-Path $TestDrive 'budget.state'); TempDiskBudgetMB = 1 } } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'about \d+ MB of temp disk, more than the 1 MB budget'
        Calls | Should -Be $before
    }
}
