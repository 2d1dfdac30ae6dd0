<#
.SYNOPSIS
    Converts workers from an HR REST API that pages with '@odata.nextLink' into SCIM bulk requests.
.DESCRIPTION
    Each page's 'value' array is streamed into ConvertTo-ScimBulkRequest as it arrives, so memory stays flat
    however many workers the API returns.
.EXAMPLE
    $token = Get-Secret HrApiToken
    ./samples/sources/Convert-RestApiWorkers.ps1 -Uri https://hr.contoso.com/api/workers -Token $token | Send-ScimBulkRequest -ServicePrincipalId $sp
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [uri] $Uri,
    [Parameter(Mandatory)] [securestring] $Token,
    [object] $AttributeMapping = @{
        externalId  = 'employeeId'
        userName    = 'userPrincipalName'
        displayName = { "$($_.givenName) $($_.surname)" }
        active      = { $_.employmentStatus -eq 'active' }
        name        = @{ givenName = 'givenName'; familyName = 'surname' }
        title       = 'jobTitle'
    }
)

& {
    $next = $Uri
    while ($next) {
        $page = Invoke-RestMethod -Uri $next -Authentication Bearer -Token $Token
        $page.value
        $next = $page.'@odata.nextLink'
    }
} | ConvertTo-ScimBulkRequest -AttributeMapping $AttributeMapping
