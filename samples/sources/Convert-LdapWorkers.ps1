<#
.SYNOPSIS
    Converts people from an LDAP directory (Active Directory here, through Get-ADUser) into SCIM bulk requests.
.DESCRIPTION
    Useful when an on-premises directory is the system of record for a population, such as contractors managed
    by a partner's forest. Multi-valued LDAP attributes arrive as arrays; the scriptblocks pick what SCIM needs.
.EXAMPLE
    ./samples/sources/Convert-LdapWorkers.ps1 -SearchBase 'OU=Contractors,DC=partner,DC=com' | Send-ScimBulkRequest -ServicePrincipalId $sp
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SearchBase,
    [string] $Server,
    [object] $AttributeMapping = @{
        externalId  = 'employeeID'
        userName    = 'userPrincipalName'
        displayName = 'displayName'
        title       = 'title'
        active      = { $_.Enabled -eq $true }
        name        = @{ givenName = 'givenName'; familyName = 'sn' }
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
            department = 'department'
            # manager.value must be the manager's externalId: look the manager's DN up among the people read.
            manager    = @{ value = { $employeeIdByDn[[string]$_.manager] } }
        }
    }
)

$parameters = @{
    Filter     = 'employeeID -like "*"'
    SearchBase = $SearchBase
    Properties = 'employeeID', 'displayName', 'title', 'department', 'manager'
}
if ($Server) { $parameters.Server = $Server }
$people = @(Get-ADUser @parameters)
$employeeIdByDn = @{}
foreach ($person in $people) { $employeeIdByDn[[string]$person.DistinguishedName] = $person.employeeID }
$people | ConvertTo-ScimBulkRequest -AttributeMapping $AttributeMapping
