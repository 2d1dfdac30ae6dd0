# Helpers of the daily-run tests against the Graph emulator (dot-sourced in BeforeAll, after Emulator.ps1 and
# with $Emulator started): a job of its own per case, so calls and operations are counted per case.
function script:NewJob([string] $Name) { Invoke-Emulator $Emulator POST '_emulator/servicePrincipals' @{ displayName = $Name } }
function script:RunCycle($Job) { Invoke-Emulator $Emulator POST "_emulator/jobs/$($Job.jobId)/cycle" | Out-Null }
function script:Calls($Job) { (Invoke-Emulator $Emulator GET "_emulator/jobs/$($Job.jobId)/calls").bulkUploadCalls }
function script:Operations($Job, [string] $Id) { $count = (Invoke-Emulator $Emulator GET "_emulator/jobs/$($Job.jobId)/operations").counts.$Id; if ($null -eq $count) { 0 } else { $count } }
function script:User([string] $Id) { Invoke-Emulator $Emulator GET "_emulator/directory/$([uri]::EscapeDataString($Id))" }
function script:Directory { (Invoke-Emulator $Emulator GET '_emulator/directory').value }

# Workers as an HR export has them: Id, Upn, Name, Title, Status and Boss (a manager's Id, empty by default).
function script:Workers([string] $Prefix, [int] $Count) {
    1..$Count | ForEach-Object { [pscustomobject]@{ Id = "$Prefix$_"; Upn = "$($Prefix.ToLowerInvariant())$_@contoso.com"; Name = "Worker $Prefix$_"; Title = 'Clerk'; Status = 'Active'; Boss = '' } }
}

function script:Save([object[]] $Rows, [string] $Name) {
    $file = Join-Path $TestDrive $Name
    $Rows | Export-Csv $file -NoTypeInformation
    $file
}

# Teaches the state the outcomes of the job's last cycle.
function script:Learn($Job, [string] $State) {
    Get-ProvisioningCycleLog -ServicePrincipalId $Job.id -StatePath $State -NumberOfCycles 1 | Out-Null
}
