# Contractors: no address or phone from HR, a display name that marks them as external, and the sponsoring
# manager. Accounts of contractors whose status is not Active are disabled.
@{
    externalId  = 'WorkerID'
    userName    = 'UserID'
    displayName = { "$($_.FullName) (External)" }
    userType    = { 'Contractor' }
    title       = 'JobTitle'
    active      = { $_.WorkerStatus -eq 'Active' }
    name        = @{
        givenName  = 'FirstName'
        familyName = 'LastName'
    }
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
        organization = 'Company'
        department   = 'Department'
        manager      = @{ value = 'ManagerID' }
    }
}
