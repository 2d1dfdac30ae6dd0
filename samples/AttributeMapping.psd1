# Attribute mapping for samples/hr-workers.csv, in the AttributeMapping.psd1 format of Microsoft's CSV2SCIM
# sample, so files written for that script work here unchanged.
#   'Column'           the value of that CSV column (names are case-insensitive)
#   { expression }     computed from the record, which is $_
#   @{ ... }           a complex attribute (name, manager)
#   @( @{ ... } )      a multi-valued attribute (addresses, phoneNumbers, emails)
#   'urn:...' = @{ }   attributes of a schema extension (enterprise User, or your own)
@{
    externalId   = 'WorkerID'
    userName     = 'UserID'
    displayName  = 'FullName'
    nickName     = { $_.FirstName }
    userType     = 'WorkerType'
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
        @{
            type  = { 'work' }
            value = 'OfficePhone'
        }
    )
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User' = @{
        employeeNumber = 'WorkerID'
        department     = 'Department'
        division       = 'Division'
        costCenter     = 'CostCenter'
        organization   = 'Company'
        manager        = @{
            value = 'ManagerID'
        }
    }
}
