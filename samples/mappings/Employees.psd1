# Employees from samples/hr-workers.csv (WorkerType = Employee): the full profile, the hire date as a custom
# attribute with time and offset (Entra's employeeHireDate needs both), and the manager link.
@{
    externalId   = 'WorkerID'
    userName     = 'UserID'
    displayName  = 'FullName'
    userType     = { 'Employee' }
    title        = 'JobTitle'
    active       = { $_.WorkerStatus -eq 'Active' }
    name         = @{
        givenName  = 'FirstName'
        familyName = 'LastName'
    }
    addresses    = @(
        @{
            type          = { 'work' }
            streetAddress = 'StreetAddress'
            locality      = 'City'
            postalCode    = 'ZipCode'
            country       = 'CountryCode'
        }
    )
    phoneNumbers = @(
        @{ type = { 'work' }; value = 'OfficePhone' }
    )
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
        employeeNumber = 'WorkerID'
        department     = 'Department'
        division       = 'Division'
        costCenter     = 'CostCenter'
        organization   = 'Company'
        manager        = @{ value = 'ManagerID' }
    }
    'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{
        HireDate = { [datetime]::ParseExact($_.HireDate, 'yyyy-MM-dd', [cultureinfo]::InvariantCulture) }
    }
}
