# Interns: a title that says so, the intern programme as the division, and the hire date as the start date.
@{
    externalId  = 'WorkerID'
    userName    = 'UserID'
    displayName = 'FullName'
    userType    = { 'Intern' }
    title       = { 'Intern - ' + $_.JobTitle }
    active      = { $_.WorkerStatus -eq 'Active' -and $_.WorkerType -eq 'Intern' }
    name        = @{
        givenName  = 'FirstName'
        familyName = 'LastName'
    }
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
        division   = { 'Internship programme' }
        department = 'Department'
        manager    = @{ value = 'ManagerID' }
    }
}
