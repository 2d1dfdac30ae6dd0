<#
.SYNOPSIS
    Azure Automation runbook: the daily provisioning run, from an HR export, with the account's managed identity.
.DESCRIPTION
    Signs in with the Automation account's managed identity, converts the export with the mapping against the
    run state, so only joiners, movers and leavers are sent (leavers: workers in the state who are missing from
    the export, disabled), sends them, waits for the provisioning logs, records the records that failed so the
    next run sends them again, and reports them. The runbook fails (throws) when records failed, when the export
    looks truncated (more leavers than -LeaverThreshold), when leavers could not be inferred (a file missing,
    rows that cannot be read), or when another run holds the state. Each run, failed or not, writes its report
    (Export-ProvisioningReport) beside the state blob as <state>-report-<UTC date and time>.html, and outputs its name.

    The state is one file. An Automation sandbox keeps no files between jobs, so with -StateBlobUri the runbook
    keeps it in an Azure Storage blob: it takes a lease on the blob (so two jobs never run on one state), downloads
    it, runs, uploads the new state and releases the lease, also when the run fails. A job killed mid-run leaves
    the last uploaded state in the blob, still leased: the next run breaks a lease older than -StaleLeaseAfter
    (Automation stops a job after 3 hours) and sends again what the killed run may have sent, which is safe.

    A cloud sandbox has 400 MB of memory, 1 GB of disk and 3 hours. Measured (tests/Benchmarks/Sandbox): a state of
    1,000,000 workers and an export with 100,000 changes take 465 s, 335 MB of private memory and 267 MB of temp disk.
    In an Automation job the runbook checks the day against -MemoryBudgetMB 350 and -TempDiskBudgetMB 700 before it
    sends, and refuses one that would not fit, saying how to split it (docs/delta-runs.md, 'In Azure Automation').

    Grant the managed identity the Graph application permissions SynchronizationData-User.Upload,
    AuditLog.Read.All, Synchronization.Read.All and Application.Read.All, and the Storage Blob Data Contributor
    role on the state's container; import this module and Az.Accounts into the Automation account.
.EXAMPLE
    ./Invoke-InboundProvisioning.ps1 -Path C:\Exports\hr.csv -AttributeMapping C:\Exports\AttributeMapping.psd1 `
        -ServicePrincipalId 30242ce7-... -StateBlobUri https://contoso.blob.core.windows.net/provisioning/hr.state
.EXAMPLE
    # Once a month, send everyone to repair drift (leavers are still found):
    ./Invoke-InboundProvisioning.ps1 ... -Full
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $AttributeMapping,
    [Parameter(Mandatory)] [string] $ServicePrincipalId,

    # The run state while the job runs. Without -StateBlobUri it must survive between runs by itself.
    [string] $StatePath = (Join-Path ([IO.Path]::GetTempPath()) "provisioning-$ServicePrincipalId.state"),

    # Where the state is kept between runs: https://<account>.blob.core.windows.net/<container>/<blob>.
    [uri] $StateBlobUri,

    # A token for Azure Storage; by default the managed identity's (Az.Accounts: Connect-AzAccount -Identity).
    [securestring] $StorageAccessToken,

    # A lease on the state blob older than this belongs to a job that was killed: it is broken.
    [timespan] $StaleLeaseAfter = '03:00:00',

    # More leavers than this stops the run before anything is sent: a percentage ('5%') or a number ('500').
    [string] $LeaverThreshold = '5%',

    # Send every worker, changed or not.
    [switch] $Full,

    # The export is a part of the population (a first load split into parts): nobody missing from it is a leaver.
    [switch] $PartialInput,

    # Requests a day may use: 2,000 with Microsoft Entra ID P1/P2, 6,000 with Governance (50 records each).
    [int] $DailyRequestLimit = 2000,

    # The memory and temp disk the day may use. In an Azure Automation job (a cloud sandbox has 400 MB of memory and
    # 1 GB of disk) they default to 350 MB and 700 MB; elsewhere to 0, which checks nothing. A day that would not fit is
    # refused before anything is sent, saying what it needs; on a Hybrid Runbook Worker pass 0 or what the machine has.
    [int] $MemoryBudgetMB = $(if ($PSPrivateMetadata.JobId) { 350 } else { 0 }),
    [int] $TempDiskBudgetMB = $(if ($PSPrivateMetadata.JobId) { 700 } else { 0 }),

    [timespan] $WaitTimeout = '00:30:00',
    [timespan] $PollInterval = '00:01:00',
    # How to sign in; the managed identity unless told otherwise (tests point this at the Graph emulator).
    [hashtable] $ConnectParameters = @{ ManagedIdentity = $true }
)

$ErrorActionPreference = 'Stop'
Import-Module EntraInboundProvisioning -ErrorAction SilentlyContinue
if ($MemoryBudgetMB -gt 0 -and $null -ne [GC].GetMethod('RefreshMemoryLimit', [Type[]]@())) {
    # A heap that grows into the sandbox's limit gets the job killed; one held at 75 % of the budget collects instead.
    # Set first, while the heap is small. (.NET 8: PowerShell 7.4 and later; earlier versions run without the cap.)
    try {
        [AppContext]::SetData('GCHeapHardLimit', [uint64]($MemoryBudgetMB * 0.75 * 1MB))
        [GC]::RefreshMemoryLimit()
    }
    catch {
        # A budget smaller than the heap already in use; the budget check below refuses the day.
        [AppContext]::SetData('GCHeapHardLimit', $null)
        Write-Warning "The heap could not be held to 75 % of $MemoryBudgetMB MB: $($_.Exception.InnerException.Message)"
    }
}

# Azure Storage's Blob REST API, as far as this runbook needs it: lease, read, write.
function Invoke-StateBlob([string] $Method, [hashtable] $Headers = @{}, [string] $Query, [string] $InFile, [string] $OutFile, [uri] $Blob = $StateBlobUri) {
    $uri = if ($Query) { "$($Blob.AbsoluteUri)?$Query" } else { $Blob.AbsoluteUri }
    $all = @{ 'x-ms-version' = '2021-08-06'; 'x-ms-date' = [DateTime]::UtcNow.ToString('R') } + $Headers
    # Invoke-RestMethod streams -OutFile to disk; Invoke-WebRequest -PassThru would also hold the state in memory, as bytes
    # and as text, which a sandbox of 400 MB cannot spare. Status and headers come back in variables.
    $parameters = @{ Method = $Method; Uri = $uri; Headers = $all; Authentication = 'Bearer'; Token = $script:StorageToken; SkipHttpErrorCheck = $true; StatusCodeVariable = 'status'; ResponseHeadersVariable = 'received' }
    if ($Blob.Scheme -eq 'http') { $parameters.AllowUnencryptedAuthentication = $true } # a local test double only
    if ($InFile) { $parameters.InFile = $InFile }
    if ($OutFile) { $parameters.OutFile = $OutFile }
    $null = Invoke-RestMethod @parameters
    [pscustomobject]@{ Status = [int]$status; Headers = $received }
}

function Get-StateBlob {
    if (-not $StorageAccessToken) {
        Connect-AzAccount -Identity | Out-Null
        $StorageAccessToken = (Get-AzAccessToken -ResourceUrl 'https://storage.azure.com/' -AsSecureString).Token
    }
    $script:StorageToken = $StorageAccessToken

    # An infinite lease, released at the end; a lease needs a blob, so the first run creates an empty one
    # (If-None-Match: * never overwrites a state another run just saved).
    $acquire = @{ 'x-ms-lease-action' = 'acquire'; 'x-ms-lease-duration' = '-1' }
    $lease = Invoke-StateBlob PUT $acquire -Query 'comp=lease'
    if ($lease.Status -eq 404) {
        $created = Invoke-StateBlob PUT @{ 'x-ms-blob-type' = 'BlockBlob'; 'If-None-Match' = '*' }
        if ($created.Status -notin 201, 409) { throw "Could not create the state blob $StateBlobUri (HTTP $($created.Status))." }
        $lease = Invoke-StateBlob PUT $acquire -Query 'comp=lease'
    }
    if ($lease.Status -eq 409) {
        $held = Invoke-StateBlob HEAD
        $since = @($held.Headers['x-ms-meta-leasedat'])[0]
        $by = @($held.Headers['x-ms-meta-leasedby'])[0]
        $sinceTime = [DateTimeOffset]::MinValue
        if (-not $since -or -not [DateTimeOffset]::TryParse($since, [cultureinfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal, [ref] $sinceTime) -or [DateTimeOffset]::UtcNow - $sinceTime -lt $StaleLeaseAfter) {
            throw "Another run ($by, since $since) holds the state blob $StateBlobUri; nothing was sent."
        }
        Write-Warning "The state blob's lease ($by, since $since) is older than ${StaleLeaseAfter}: that job was stopped. Breaking it."
        $null = Invoke-StateBlob PUT @{ 'x-ms-lease-action' = 'break'; 'x-ms-lease-break-period' = '0' } -Query 'comp=lease'
        $lease = Invoke-StateBlob PUT $acquire -Query 'comp=lease'
    }
    if ($lease.Status -ne 201) { throw "Could not lease the state blob $StateBlobUri (HTTP $($lease.Status))." }
    $script:LeaseId = @($lease.Headers['x-ms-lease-id'])[0]
    $holder = if ($PSPrivateMetadata.JobId) { "job $($PSPrivateMetadata.JobId.Guid)" } else { "$([Environment]::MachineName) process $PID" }
    $null = Invoke-StateBlob PUT @{ 'x-ms-lease-id' = $script:LeaseId; 'x-ms-meta-leasedat' = [DateTimeOffset]::UtcNow.ToString('o'); 'x-ms-meta-leasedby' = $holder } -Query 'comp=metadata'

    Remove-Item -LiteralPath $StatePath, "$StatePath.journal" -ErrorAction SilentlyContinue
    $download = Invoke-StateBlob GET -OutFile $StatePath
    if ($download.Status -ne 200) { throw "Could not read the state blob $StateBlobUri (HTTP $($download.Status))." }
    if ((Test-Path -LiteralPath $StatePath) -and (Get-Item -LiteralPath $StatePath).Length -eq 0) {
        Remove-Item -LiteralPath $StatePath # the first run: no state yet
    }
}

# What the day needs, from what the sandbox benchmark measured (tests/Benchmarks/Sandbox, docs/delta-runs.md): in memory
# the state (3.2 times its file) and one entry per row of the export (80 bytes), with 48 MB for the pipeline, pages and
# requests, beside PowerShell itself; on the temp disk the export, the state twice (the new file is written beside the
# old), and for each record converted 1 KB (journal and spilled operations). The records converted are the joiners
# (rows the state does not know) and at most a day's requests of movers. Sending paces 40 requests per 5 seconds and
# reading outcomes 1,000 per 2 seconds. Refuses the day before anything is sent when it does not fit, and says how to
# split it.
function Test-SandboxBudget {
    # -Path may be a wildcard or several files, as ConvertTo-ScimBulkRequest takes it; lines count rows (a quoted field
    # over several lines counts more, which errs the safe way).
    $files = @(Get-Item -Path $Path -ErrorAction SilentlyContinue | Where-Object { -not $_.PSIsContainer })
    $exportBytes = ($files | Measure-Object -Property Length -Sum).Sum
    $stateBytes = if (Test-Path -LiteralPath $StatePath) { (Get-Item -LiteralPath $StatePath).Length } else { 0 }
    $rows = 0
    foreach ($file in $files) { $rows += [Math]::Max(0, [System.Linq.Enumerable]::Count([IO.File]::ReadLines($file.FullName)) - 1) }
    $known = [long]($stateBytes / 28) # a state file keeps about 28 bytes per worker
    $joiners = [Math]::Max(0, $rows - $known)
    $converted = [Math]::Min($rows, $joiners + $(if ($Full) { $rows } else { [long]$DailyRequestLimit * 50 }))
    $heapMB = (3.2 * $stateBytes + 80 * $rows) / 1MB + 48
    $diskMB = ($exportBytes + 2.1 * $stateBytes + 1KB * $converted) / 1MB
    $hours = ([Math]::Min($converted, [long]$DailyRequestLimit * 50) / 50 * 0.125 + [Math]::Min($converted, [long]$DailyRequestLimit * 50) / 1000 * 2 + $rows / 50000) / 3600
    Write-Output ("Budget: {0:N0} row(s), a state of {1:N1} MB; about {2:N0} MB of heap (PowerShell itself aside), {3:N0} MB of temp disk and {4:N1} h." -f $rows, ($stateBytes / 1MB), $heapMB, $diskMB, $hours)
    $over = @()
    # .NET keeps its heap to 75 % of a process's memory limit, the rest is PowerShell's own.
    if ($MemoryBudgetMB -gt 0 -and $heapMB -gt 0.75 * $MemoryBudgetMB) { $over += "about $([int]$heapMB) MB of heap, more than 75 % of the $MemoryBudgetMB MB memory budget" }
    if ($TempDiskBudgetMB -gt 0 -and $diskMB -gt $TempDiskBudgetMB) { $over += "about $([int]$diskMB) MB of temp disk, more than the $TempDiskBudgetMB MB budget" }
    if ($MemoryBudgetMB -gt 0 -and $hours -gt 2.75) { $over += ("about {0:N1} hours, more than an Automation job's 3" -f $hours) }
    if ($over) {
        throw ("This day does not fit the sandbox: it needs $($over -join '; '). Nothing was sent. Run it on a Hybrid Runbook " +
            "Worker (-MemoryBudgetMB 0 -TempDiskBudgetMB 0), or split the work: a first load as parts of the export, one a " +
            "run, each with -PartialInput (no leavers are inferred from a part), then the whole export once the state knows " +
            "everyone. See docs/delta-runs.md, 'In Azure Automation'.")
    }
}

function Save-StateBlob {
    if (-not $script:LeaseId) { return }
    try {
        if (Test-Path -LiteralPath $StatePath) {
            $upload = Invoke-StateBlob PUT @{ 'x-ms-blob-type' = 'BlockBlob'; 'x-ms-lease-id' = $script:LeaseId } -InFile $StatePath
            if ($upload.Status -ne 201) { throw "Could not save the state to $StateBlobUri (HTTP $($upload.Status)); the next run sends again what this one sent." }
        }
    }
    finally {
        $null = Invoke-StateBlob PUT @{ 'x-ms-lease-action' = 'release'; 'x-ms-lease-id' = $script:LeaseId } -Query 'comp=lease'
        $script:LeaseId = $null
    }
}

# The run's report, one per run, dated: beside the state blob, or beside the local state without one.
function Save-Report {
    if (-not (Test-Path -LiteralPath $StatePath)) { return }
    # The report reads the state once more: give back what the outcomes held first, so the peaks do not add up.
    [GC]::Collect(2, [GCCollectionMode]::Forced, $true, $true)
    $stamp = [DateTime]::UtcNow.ToString('yyyyMMdd-HHmmss')
    $name = "$([IO.Path]::GetFileNameWithoutExtension($StatePath))-report-$stamp.html"
    $file = Export-ProvisioningReport -StatePath $StatePath -Path (Join-Path (Split-Path -Parent $StatePath) $name) -Force -ErrorAction Continue
    if (-not $file) { return }
    if ($StateBlobUri) {
        $path = $StateBlobUri.AbsolutePath
        $stem = if ([IO.Path]::GetExtension($path)) { $path.Substring(0, $path.Length - [IO.Path]::GetExtension($path).Length) } else { $path }
        $blob = [UriBuilder]::new($StateBlobUri) | ForEach-Object { $_.Path = "$stem-report-$stamp.html"; $_.Query = ''; $_.Uri }
        $upload = Invoke-StateBlob PUT @{ 'x-ms-blob-type' = 'BlockBlob'; 'x-ms-blob-content-type' = 'text/html; charset=utf-8' } -InFile $file.FullName -Blob $blob
        if ($upload.Status -eq 201) { Write-Output "Report: $blob"; return }
        Write-Warning "Could not save the report to $blob (HTTP $($upload.Status)); it is in the sandbox at $($file.FullName)."
    }
    Write-Output "Report: $($file.FullName)"
}

Connect-EntraProvisioning @ConnectParameters | Out-Null
$ran = $false
try {
    if ($StateBlobUri) { Get-StateBlob }
    $ran = $true

    $job = Get-ProvisioningJob -ServicePrincipalId $ServicePrincipalId | Where-Object IsApiDriven | Select-Object -First 1
    if ($job.Status -ne 'Active') {
        throw "The provisioning job $($job.Id) is $($job.Status) ($($job.QuarantineReason)); nothing was sent."
    }

    Test-SandboxBudget

    # Results and outcomes are counted as they stream past, never collected: a day of 100,000 changes is 2,000 results
    # and 100,000 outcomes, which a 400 MB sandbox cannot hold as objects.
    $sent = @{ Requests = 0; Accepted = 0; Records = 0 }
    ConvertTo-ScimBulkRequest -Path $Path -AttributeMapping $AttributeMapping -StatePath $StatePath -LeaverThreshold $LeaverThreshold -Full:$Full -PartialInput:$PartialInput -InformationVariable plan -ErrorAction Continue |
        Send-ScimBulkRequest -ServicePrincipalId $ServicePrincipalId -StatePath $StatePath -DailyRequestLimit $DailyRequestLimit -ErrorAction Continue |
        ForEach-Object {
            $sent.Requests++
            if ($_.Status -in 'Accepted', 'AlreadyAccepted') { $sent.Accepted++; $sent.Records += $_.OperationCount }
        }
    $summary = ($plan | Where-Object Tags -contains 'Summary').MessageData
    Write-Output "Planned: $summary."
    Write-Output "Accepted $($sent.Accepted) of $($sent.Requests) request(s), $($sent.Records) record(s)."
    # What the conversion held is garbage now; give it back before the state is read again for the outcomes.
    [GC]::Collect(2, [GCCollectionMode]::Forced, $true, $true)

    $counts = @{ success = 0; failure = 0; skipped = 0; warning = 0 }
    $failed = [System.Collections.Generic.List[object]]::new()
    $missing = @()
    if ($sent.Accepted -gt 0 -or (Get-ProvisioningState -StatePath $StatePath).AwaitingOutcome -gt 0) {
        # The state knows which records were accepted and still await an outcome (this run's, and any an earlier run
        # stopped waiting for): wait for them, a page at a time, and mark the ones that failed so the next run sends
        # them again.
        Get-ProvisioningCycleLog -ServicePrincipalId $ServicePrincipalId -Wait -StatePath $StatePath -Timeout $WaitTimeout -PollInterval $PollInterval -ErrorAction Continue -ErrorVariable waitErrors |
            ForEach-Object {
                $counts[$_.Status]++
                if ($_.Status -eq 'failure' -and $failed.Count -lt 100) { $failed.Add(($_ | Select-Object ExternalId, Action, ErrorCode, Reason)) }
            }
        Write-Output "Provisioned: $($counts.success) succeeded, $($counts.failure) failed, $($counts.skipped) skipped."
        $missing = @($waitErrors | Where-Object { $_.FullyQualifiedErrorId -like 'OutcomesMissing*' -or $_.FullyQualifiedErrorId -like 'GetProvisioningLogsFailed*' })
    }

    Get-ProvisioningState -StatePath $StatePath | Format-List | Out-String | Write-Output
    if ($counts.failure -gt 0) {
        $failed | Format-Table -AutoSize | Out-String | Write-Output
        if ($counts.failure -gt $failed.Count) { Write-Output "... and $($counts.failure - $failed.Count) more (Get-ProvisioningCycleLog -Status Failure lists them)." }
        throw "$($counts.failure) record(s) failed to provision; fix them in the HR system: the next run sends them again."
    }

    if ($missing) {
        # Not a success: those records stay awaiting an outcome in the state, and the next run waits for them again.
        throw "The outcomes of some records were not learned: $($missing[0].Exception.Message) The next run reads them."
    }

    if ($summary -and -not $summary.LeaversInferred) {
        # A run that could not tell who left (a missing file, unreadable rows) sent its changes, but disabled nobody.
        throw "No leaver was inferred in this run: $($summary.LeaversNote) Workers who left stay enabled until a run with a complete export."
    }
}
finally {
    if ($StateBlobUri) { Save-StateBlob }
    if ($ran) { Save-Report }
    Disconnect-EntraProvisioning
}
