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

    [timespan] $WaitTimeout = '00:30:00',
    [timespan] $PollInterval = '00:01:00',
    # How to sign in; the managed identity unless told otherwise (tests point this at the Graph emulator).
    [hashtable] $ConnectParameters = @{ ManagedIdentity = $true }
)

$ErrorActionPreference = 'Stop'
Import-Module EntraInboundProvisioning -ErrorAction SilentlyContinue

# Azure Storage's Blob REST API, as far as this runbook needs it: lease, read, write.
function Invoke-StateBlob([string] $Method, [hashtable] $Headers = @{}, [string] $Query, [string] $InFile, [string] $OutFile, [uri] $Blob = $StateBlobUri) {
    $uri = if ($Query) { "$($Blob.AbsoluteUri)?$Query" } else { $Blob.AbsoluteUri }
    $all = @{ 'x-ms-version' = '2021-08-06'; 'x-ms-date' = [DateTime]::UtcNow.ToString('R') } + $Headers
    $parameters = @{ Method = $Method; Uri = $uri; Headers = $all; Authentication = 'Bearer'; Token = $script:StorageToken; SkipHttpErrorCheck = $true; UseBasicParsing = $true }
    if ($Blob.Scheme -eq 'http') { $parameters.AllowUnencryptedAuthentication = $true } # a local test double only
    if ($InFile) { $parameters.InFile = $InFile }
    if ($OutFile) { $parameters.OutFile = $OutFile; $parameters.PassThru = $true }
    $response = Invoke-WebRequest @parameters
    [pscustomobject]@{ Status = [int]$response.StatusCode; Headers = $response.Headers }
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

    $started = [DateTimeOffset]::UtcNow
    $results = ConvertTo-ScimBulkRequest -Path $Path -AttributeMapping $AttributeMapping -StatePath $StatePath -LeaverThreshold $LeaverThreshold -Full:$Full -InformationVariable plan -ErrorAction Continue |
        Send-ScimBulkRequest -ServicePrincipalId $ServicePrincipalId -StatePath $StatePath -ErrorAction Continue
    $summary = ($plan | Where-Object Tags -contains 'Summary').MessageData
    Write-Output "Planned: $summary."
    $accepted = @($results | Where-Object Status -in 'Accepted', 'AlreadyAccepted')
    Write-Output "Accepted $($accepted.Count) of $(@($results).Count) request(s), $(($accepted.OperationCount | Measure-Object -Sum).Sum) record(s)."

    $failed = @()
    if ($accepted.Count -gt 0) {
        # Records that fail in their cycle are marked in the state, so the next run sends them again.
        $outcomes = $accepted | Get-ProvisioningCycleLog -ServicePrincipalId $ServicePrincipalId -Wait -Since $started.AddMinutes(-5) -Timeout $WaitTimeout -PollInterval $PollInterval -StatePath $StatePath -ErrorAction Continue
        $failed = @($outcomes | Where-Object Status -eq 'failure')
        Write-Output "Provisioned: $(@($outcomes | Where-Object Status -eq 'success').Count) succeeded, $($failed.Count) failed, $(@($outcomes | Where-Object Status -eq 'skipped').Count) skipped."
    }

    Get-ProvisioningState -StatePath $StatePath | Format-List | Out-String | Write-Output
    if ($failed.Count -gt 0) {
        $failed | Select-Object ExternalId, Action, ErrorCode, Reason | Format-Table -AutoSize | Out-String | Write-Output
        throw "$($failed.Count) record(s) failed to provision; fix them in the HR system: the next run sends them again."
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
