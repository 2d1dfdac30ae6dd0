@{
    # build.ps1 stamps ModuleVersion from Directory.Build.props (the one version source) into out/.
    RootModule             = 'EntraInboundProvisioning.dll'
    ModuleVersion          = '0.0.0'
    GUID                   = '3f6c2a8e-4b71-4d0a-9e52-8c1b7d9f0a64'
    Author                 = 'EntraInboundProvisioning contributors'
    CompanyName            = 'EntraInboundProvisioning contributors'
    Copyright              = '(c) EntraInboundProvisioning contributors. MIT License.'
    Description            = 'Microsoft Entra ID API-driven inbound provisioning from PowerShell: turn worker records from any system of record into SCIM bulk requests, send them to /bulkUpload paced and retried, extend the provisioning schema, and read the provisioning logs to report and re-send failures.'
    CompatiblePSEditions   = @('Core', 'Desktop')
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('EntraInboundProvisioning.format.ps1xml')
    CmdletsToExport        = @(
        'Connect-EntraProvisioning'
        'ConvertTo-ScimBulkRequest'
        'Disconnect-EntraProvisioning'
        'Export-ProvisioningReport'
        'Export-ProvisioningSchema'
        'Get-ProvisioningCycleLog'
        'Get-ProvisioningJob'
        'Get-ProvisioningState'
        'Import-ProvisioningSchema'
        'New-ScimAttributeMapping'
        'Send-ScimBulkRequest'
        'Test-ScimAttributeMapping'
        'Update-ProvisioningSchema'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Entra', 'EntraID', 'AzureAD', 'SCIM', 'Provisioning', 'InboundProvisioning', 'HR', 'bulkUpload', 'MicrosoftGraph', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/EntraInboundProvisioning/EntraInboundProvisioning'
            LicenseUri   = 'https://github.com/EntraInboundProvisioning/EntraInboundProvisioning/blob/main/LICENSE'
            ReleaseNotes = 'First release: conversion (CSV2SCIM-compatible mappings), paced and resumable sending, schema extension, provisioning log reports and re-send. See CHANGELOG.md.'
        }
    }
}
