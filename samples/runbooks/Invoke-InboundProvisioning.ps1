<#
.SYNOPSIS
    Azure Automation runbook: provisions workers from an HR export end to end with the account's managed identity.
.DESCRIPTION
    Signs in with the Automation account's managed identity, converts the export with the mapping, sends it
    (journaled, so a re-run after a failure resumes), waits for the provisioning logs, and reports the records
    that failed with their reasons. The runbook fails (throws) when records failed, so the job shows it.

    Grant the managed identity the Graph application permissions SynchronizationData-User.Upload,
    AuditLog.Read.All, Synchronization.Read.All and Application.Read.All, and import this module into the account.
.EXAMPLE
    ./Invoke-InboundProvisioning.ps1 -Path C:\Exports\hr.csv -AttributeMapping C:\Exports\AttributeMapping.psd1 -ServicePrincipalId 30242ce7-...
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $AttributeMapping,
    [Parameter(Mandatory)] [string] $ServicePrincipalId,
    # Where the journal of accepted requests is kept between runs.
    [string] $JournalPath = (Join-Path ([IO.Path]::GetTempPath()) "provisioning-$(Get-Date -Format yyyy-MM-dd).jsonl"),
    [timespan] $WaitTimeout = '00:30:00',
    [timespan] $PollInterval = '00:01:00',
    # How to sign in; the managed identity unless told otherwise (tests point this at the Graph emulator).
    [hashtable] $ConnectParameters = @{ ManagedIdentity = $true }
)

$ErrorActionPreference = 'Stop'
Import-Module EntraInboundProvisioning -ErrorAction SilentlyContinue
Connect-EntraProvisioning @ConnectParameters | Out-Null
try {
    $job = Get-ProvisioningJob -ServicePrincipalId $ServicePrincipalId | Where-Object IsApiDriven | Select-Object -First 1
    if ($job.Status -ne 'Active') {
        throw "The provisioning job $($job.Id) is $($job.Status) ($($job.QuarantineReason)); nothing was sent."
    }

    $started = [DateTimeOffset]::UtcNow
    $results = ConvertTo-ScimBulkRequest -Path $Path -AttributeMapping $AttributeMapping -ErrorAction Continue |
        Send-ScimBulkRequest -ServicePrincipalId $ServicePrincipalId -JournalPath $JournalPath -Resume -ErrorAction Continue
    $accepted = @($results | Where-Object Status -in 'Accepted', 'AlreadyAccepted')
    Write-Output "Accepted $($accepted.Count) of $(@($results).Count) request(s), $(($accepted.OperationCount | Measure-Object -Sum).Sum) record(s)."

    $outcomes = $accepted | Get-ProvisioningCycleLog -ServicePrincipalId $ServicePrincipalId -Wait -Since $started.AddMinutes(-5) -Timeout $WaitTimeout -PollInterval $PollInterval -ErrorAction Continue
    $failed = @($outcomes | Where-Object Status -eq 'failure')
    Write-Output "Provisioned: $(@($outcomes | Where-Object Status -eq 'success').Count) succeeded, $($failed.Count) failed, $(@($outcomes | Where-Object Status -eq 'skipped').Count) skipped."
    if ($failed.Count -gt 0) {
        $failed | Select-Object ExternalId, Action, ErrorCode, Reason | Format-Table -AutoSize | Out-String | Write-Output
        throw "$($failed.Count) record(s) failed to provision; fix them in the HR system and re-send them with ConvertTo-ScimBulkRequest -ExternalId."
    }
}
finally {
    Disconnect-EntraProvisioning
}
