<#
.SYNOPSIS
    Converts workers from a SQL Server table into SCIM bulk requests (Invoke-Sqlcmd from the SqlServer module).
.DESCRIPTION
    DataRows go straight into ConvertTo-ScimBulkRequest: columns are read by name and SQL NULLs count as empty.
    Pipe the output to Send-ScimBulkRequest to upload it.
.EXAMPLE
    ./samples/sources/Convert-SqlWorkers.ps1 -ServerInstance hr-sql -Database HR | Send-ScimBulkRequest -ServicePrincipalId $sp
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ServerInstance,
    [Parameter(Mandatory)] [string] $Database,
    [string] $Query = 'SELECT WorkerID, UserID, FirstName, LastName, FullName, JobTitle, WorkerStatus, Department, ManagerID FROM dbo.Workers WHERE ModifiedAt >= DATEADD(day, -1, SYSUTCDATETIME())',
    [object] $AttributeMapping = @{
        externalId  = 'WorkerID'
        userName    = 'UserID'
        displayName = 'FullName'
        title       = 'JobTitle'
        active      = { $_.WorkerStatus -eq 'Active' }
        name        = @{ givenName = 'FirstName'; familyName = 'LastName' }
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
            department = 'Department'
            manager    = @{ value = 'ManagerID' }
        }
    }
)

Invoke-Sqlcmd -ServerInstance $ServerInstance -Database $Database -Query $Query -OutputAs DataRows |
    ConvertTo-ScimBulkRequest -AttributeMapping $AttributeMapping
