# Scripts name the module's types by literal, as admins do with the Graph and Az modules: -is, Should -BeOfType,
# [OutputType()] and typed parameters in their own functions, enums cast from strings. Every type a cmdlet takes or
# returns, what those expose, and every enum or value a user passes is named here; the first test fails when a cmdlet
# declares a type this file does not name.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator

    $script:OutputTypes = @(
        [EntraInboundProvisioning.Scim.BulkRequest]
        [EntraInboundProvisioning.Sending.BulkUploadResult]
        [EntraInboundProvisioning.Logs.ProvisioningCycle]
        [EntraInboundProvisioning.Logs.ProvisioningLogEntry]
        [EntraInboundProvisioning.Graph.SynchronizationJobInfo]
        [EntraInboundProvisioning.Mapping.MappingFinding]
        [EntraInboundProvisioning.Schema.SchemaChange]
        [EntraInboundProvisioning.State.ConversionSummary]
        [EntraInboundProvisioning.State.ProvisioningStateInfo]
        [EntraInboundProvisioning.State.WorkerStateInfo]
        [EntraInboundProvisioning.PowerShell.Session.EntraProvisioningContext]
    )
    $script:ExposedTypes = @(
        [EntraInboundProvisioning.Scim.OperationKind]
        [EntraInboundProvisioning.Sending.BulkUploadStatus]
        [EntraInboundProvisioning.Logs.CycleStatisticsRow]
        [EntraInboundProvisioning.Logs.ModifiedProperty]
        [EntraInboundProvisioning.Graph.JobExecution]
        [EntraInboundProvisioning.Mapping.FindingSeverity]
        [EntraInboundProvisioning.Schema.SchemaChangeKind]
        [EntraInboundProvisioning.State.RunRecord]
    )
    $script:ParameterTypes = @(
        [EntraInboundProvisioning.Auth.CloudEnvironment]
        [EntraInboundProvisioning.Scim.EmptyValueHandling]
        [EntraInboundProvisioning.Scim.DuplicateExternalIdHandling]
        [EntraInboundProvisioning.Logs.ProvisioningStatus]
        [EntraInboundProvisioning.Logs.ProvisioningAction]
        [EntraInboundProvisioning.Schema.SchemaAttributeType]
        [EntraInboundProvisioning.Schema.AttributeFlowType]
        [EntraInboundProvisioning.State.LeaverThreshold]
    )

    # The module's own types in a type: itself, an array's element, a Nullable's or a list's argument.
    function script:ModuleTypes([type] $Type) {
        if ($Type.HasElementType) { return ModuleTypes $Type.GetElementType() }
        if ($Type.IsGenericType) { return $Type.GetGenericArguments() | ForEach-Object { ModuleTypes $_ } }
        if ($Type.Assembly.GetName().Name -like 'EntraInboundProvisioning*') { $Type }
    }
}

AfterAll {
    Disconnect-EntraProvisioning -ErrorAction SilentlyContinue
    Stop-TestEmulator $Emulator
}

Describe 'The module''s public types' {
    It 'names every type the cmdlets declare, take and expose' {
        $declared = foreach ($command in Get-Command -Module EntraInboundProvisioning -CommandType Cmdlet) {
            $command.OutputType.Type | Where-Object { $_ } | ForEach-Object { ModuleTypes $_ }
            $command.Parameters.Values.ParameterType | ForEach-Object { ModuleTypes $_ }
        }
        $exposed = foreach ($type in $OutputTypes) {
            $type.GetProperties().PropertyType | ForEach-Object { ModuleTypes $_ }
            $type.GetMethods() | Where-Object { -not $_.IsSpecialName } | ForEach-Object { ModuleTypes $_.ReturnType }
        }
        $named = ($OutputTypes + $ExposedTypes + $ParameterTypes).FullName
        foreach ($type in @($declared) + @($exposed) | Sort-Object FullName -Unique) {
            $named | Should -Contain $type.FullName -Because 'a public type must be named by literal in this file'
        }
        ($declared.FullName | Sort-Object -Unique) | Should -Contain 'EntraInboundProvisioning.Scim.BulkRequest'
    }

    It 'resolves each of them once, from the default load context, with Core''s dependencies still private' {
        foreach ($type in $OutputTypes + $ExposedTypes + $ParameterTypes) {
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($type.Assembly).Name | Should -Be 'Default' -Because $type.FullName
            $type.Assembly.GetName().Name | Should -BeIn @('EntraInboundProvisioning.Contracts', 'EntraInboundProvisioning') -Because $type.FullName
        }
        @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'EntraInboundProvisioning.Contracts' }).Count | Should -Be 1
        # Converting a CSV file loads Core and CsvHelper; they build public types but stay in the module's own context.
        $request = ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-workers.csv') -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') | Select-Object -First 1
        $request.GetType() | Should -Be ([EntraInboundProvisioning.Scim.BulkRequest])
        $private = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'EntraInboundProvisioning'
        $privateNames = @($private.Assemblies | ForEach-Object { $_.GetName().Name })
        $privateNames | Should -Contain 'EntraInboundProvisioning.Core'
        $privateNames | Should -Contain 'CsvHelper'
        $privateNames | Should -Not -Contain 'EntraInboundProvisioning.Contracts'
    }

    It 'resolves type literals in a fresh session right after Import-Module, before any cmdlet runs, without loading MSAL' {
        $script = @"
Import-Module '$ModuleManifest'
[EntraInboundProvisioning.Auth.CloudEnvironment]::USGov
[EntraInboundProvisioning.Scim.BulkRequest].Assembly.GetName().Name
'msal=' + [bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'Microsoft.Identity.Client' })
"@
        $output = Invoke-PowerShellChild $script
        $output | Should -Be @('USGov', 'EntraInboundProvisioning.Contracts', 'msal=False')
    }
}

Describe 'Output objects are the types scripts name' {
    BeforeAll {
        $script:Context = Connect-TestEmulator $Emulator
        $script:Requests = @(ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-workers.csv') -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') -OperationsPerRequest 10)
    }

    It 'EntraProvisioningContext: from Connect-EntraProvisioning' {
        function Get-SessionTenant {
            [OutputType([string])]
            param([Parameter(Mandatory)] [EntraInboundProvisioning.PowerShell.Session.EntraProvisioningContext] $Session)
            $Session.TenantId
        }
        $Context -is [EntraInboundProvisioning.PowerShell.Session.EntraProvisioningContext] | Should -BeTrue
        $Context | Should -BeOfType [EntraInboundProvisioning.PowerShell.Session.EntraProvisioningContext]
        Get-SessionTenant -Session $Context | Should -Be $Emulator.TenantId
    }

    It 'BulkRequest and OperationKind: from ConvertTo-ScimBulkRequest, through a typed function, to Send-ScimBulkRequest' {
        function Select-FullRequest {
            [OutputType([EntraInboundProvisioning.Scim.BulkRequest])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Scim.BulkRequest] $Request)
            process { if ($Request.OperationCount -eq 10) { $Request } }
        }
        $Requests[0] -is [EntraInboundProvisioning.Scim.BulkRequest] | Should -BeTrue
        $Requests | Should -BeOfType [EntraInboundProvisioning.Scim.BulkRequest]
        (Get-Command Select-FullRequest).OutputType.Type | Should -Be ([EntraInboundProvisioning.Scim.BulkRequest])
        @($Requests | Select-FullRequest).Count | Should -Be 2
        $Requests[0].OperationKinds[0] | Should -BeOfType [EntraInboundProvisioning.Scim.OperationKind]
        $Requests[0].OperationKinds[0] | Should -Be ([EntraInboundProvisioning.Scim.OperationKind]::Record)

        # Scripts can build one too, and the cmdlet takes it.
        $json = $Requests[0].Json
        $own = [EntraInboundProvisioning.Scim.BulkRequest]::new(1, $json, [string[]] $Requests[0].ExternalIds)
        (Send-ScimBulkRequest -InputObject $own -ServicePrincipalId $Emulator.ServicePrincipalId).Status | Should -Be 'Accepted'
    }

    It 'BulkUploadResult and BulkUploadStatus: from Send-ScimBulkRequest' {
        function Select-Accepted {
            [OutputType([EntraInboundProvisioning.Sending.BulkUploadResult])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Sending.BulkUploadResult] $Result)
            process { if ($Result.Status -eq [EntraInboundProvisioning.Sending.BulkUploadStatus]::Accepted) { $Result } }
        }
        $results = @($Requests | Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId)
        $results[0] -is [EntraInboundProvisioning.Sending.BulkUploadResult] | Should -BeTrue
        $results | Should -BeOfType [EntraInboundProvisioning.Sending.BulkUploadResult]
        $results[0].Status | Should -BeOfType [EntraInboundProvisioning.Sending.BulkUploadStatus]
        (Get-Command Select-Accepted).OutputType.Type | Should -Be ([EntraInboundProvisioning.Sending.BulkUploadResult])
        @($results | Select-Accepted).Count | Should -Be $Requests.Count
    }

    It 'ProvisioningCycle, CycleStatisticsRow, ProvisioningLogEntry and ModifiedProperty: from Get-ProvisioningCycleLog' {
        function Get-FailureCount {
            [OutputType([int])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Logs.ProvisioningCycle] $Cycle)
            process { $Cycle.Failed }
        }
        function Select-Changed {
            [OutputType([EntraInboundProvisioning.Logs.ProvisioningLogEntry])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Logs.ProvisioningLogEntry] $Entry)
            process { if ($Entry.ModifiedProperties.Count -gt 0) { $Entry } }
        }
        Invoke-Emulator $Emulator POST "_emulator/jobs/$($Emulator.JobId)/cycle" | Out-Null

        $cycle = Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId
        $cycle -is [EntraInboundProvisioning.Logs.ProvisioningCycle] | Should -BeTrue
        $cycle | Should -BeOfType [EntraInboundProvisioning.Logs.ProvisioningCycle]
        $cycle | Get-FailureCount | Should -Be $cycle.Failed
        $cycle.Statistics() | Should -BeOfType [EntraInboundProvisioning.Logs.CycleStatisticsRow]
        $cycle.Count([EntraInboundProvisioning.Logs.ProvisioningAction]::Create, [EntraInboundProvisioning.Logs.ProvisioningStatus]::Success) | Should -BeGreaterThan 0

        $entries = @(Get-ProvisioningCycleLog -ServicePrincipalId $Emulator.ServicePrincipalId -Detail)
        $entries[0] -is [EntraInboundProvisioning.Logs.ProvisioningLogEntry] | Should -BeTrue
        $entries | Should -BeOfType [EntraInboundProvisioning.Logs.ProvisioningLogEntry]
        (Get-Command Select-Changed).OutputType.Type | Should -Be ([EntraInboundProvisioning.Logs.ProvisioningLogEntry])
        $changed = @($entries | Select-Changed)
        $changed.Count | Should -BeGreaterThan 0
        $changed[0].ModifiedProperties[0] | Should -BeOfType [EntraInboundProvisioning.Logs.ModifiedProperty]
    }

    It 'SynchronizationJobInfo and JobExecution: from Get-ProvisioningJob' {
        function Test-JobHealthy {
            [OutputType([bool])]
            param([Parameter(Mandatory)] [EntraInboundProvisioning.Graph.SynchronizationJobInfo] $Job)
            $Job.Status -eq 'Active' -and -not $Job.QuarantineReason
        }
        $job = Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId
        $job -is [EntraInboundProvisioning.Graph.SynchronizationJobInfo] | Should -BeTrue
        $job | Should -BeOfType [EntraInboundProvisioning.Graph.SynchronizationJobInfo]
        Test-JobHealthy -Job $job | Should -BeTrue
        $job.LastExecution | Should -BeOfType [EntraInboundProvisioning.Graph.JobExecution]
    }

    It 'MappingFinding and FindingSeverity: from Test-ScimAttributeMapping' {
        function Select-Error {
            [OutputType([EntraInboundProvisioning.Mapping.MappingFinding])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Mapping.MappingFinding] $Finding)
            process { if ($Finding.Severity -eq [EntraInboundProvisioning.Mapping.FindingSeverity]::Error) { $Finding } }
        }
        $finding = Test-ScimAttributeMapping -AttributeMapping @{ externalId = 'Id'; userName = 'Upn' }
        $finding -is [EntraInboundProvisioning.Mapping.MappingFinding] | Should -BeTrue
        $finding | Should -BeOfType [EntraInboundProvisioning.Mapping.MappingFinding]
        $finding.Severity | Should -BeOfType [EntraInboundProvisioning.Mapping.FindingSeverity]
        (Get-Command Select-Error).OutputType.Type | Should -Be ([EntraInboundProvisioning.Mapping.MappingFinding])
        ($finding | Select-Error).Code | Should -Be $finding.Code
    }

    It 'SchemaChange and SchemaChangeKind: from Update-ProvisioningSchema' {
        function Select-Added {
            [OutputType([EntraInboundProvisioning.Schema.SchemaChange])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.Schema.SchemaChange] $Change)
            process { if ($Change.Kind -eq [EntraInboundProvisioning.Schema.SchemaChangeKind]::AttributeAdded) { $Change } }
        }
        $urn = 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User'
        $changes = @(Update-ProvisioningSchema -ServicePrincipalId $Emulator.ServicePrincipalId -ScimSchemaNamespace $urn -AttributeName CostCenter -Type ([EntraInboundProvisioning.Schema.SchemaAttributeType]::String) -PassThru -Confirm:$false)
        $changes[0] -is [EntraInboundProvisioning.Schema.SchemaChange] | Should -BeTrue
        $changes | Should -BeOfType [EntraInboundProvisioning.Schema.SchemaChange]
        $changes[0].Kind | Should -BeOfType [EntraInboundProvisioning.Schema.SchemaChangeKind]
        (Get-Command Select-Added).OutputType.Type | Should -Be ([EntraInboundProvisioning.Schema.SchemaChange])
        ($changes | Select-Added).Attribute | Should -Be "$($urn):CostCenter"
    }
    It 'ConversionSummary, ProvisioningStateInfo, WorkerStateInfo and RunRecord: from a run with a state' {
        function Test-SafeToSend {
            [OutputType([bool])]
            param([Parameter(Mandatory)] [EntraInboundProvisioning.State.ConversionSummary] $Plan)
            $Plan.Leavers -eq 0
        }
        function Select-Retry {
            [OutputType([EntraInboundProvisioning.State.WorkerStateInfo])]
            param([Parameter(Mandatory, ValueFromPipeline)] [EntraInboundProvisioning.State.WorkerStateInfo] $Worker)
            process { if ($Worker.Retry) { $Worker } }
        }
        $state = Join-Path $TestDrive 'contoso.state'
        $csv = Join-Path $Samples 'hr-workers.csv'
        $mapping = Join-Path $Samples 'AttributeMapping.psd1'
        $plan = ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -StatePath $state -WhatIf
        $plan -is [EntraInboundProvisioning.State.ConversionSummary] | Should -BeTrue
        $plan | Should -BeOfType [EntraInboundProvisioning.State.ConversionSummary]
        Test-SafeToSend -Plan $plan | Should -BeTrue

        ConvertTo-ScimBulkRequest -Path $csv -AttributeMapping $mapping -StatePath $state |
            Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId -StatePath $state | Out-Null
        $info = Get-ProvisioningState $state
        $info -is [EntraInboundProvisioning.State.ProvisioningStateInfo] | Should -BeTrue
        $info | Should -BeOfType [EntraInboundProvisioning.State.ProvisioningStateInfo]
        $info.LastRun | Should -BeOfType [EntraInboundProvisioning.State.RunRecord]
        $info.Workers | Should -Be 25

        $workers = @(Get-ProvisioningState $state -ExternalId 21000, 21001)
        $workers | Should -BeOfType [EntraInboundProvisioning.State.WorkerStateInfo]
        (Get-Command Select-Retry).OutputType.Type | Should -Be ([EntraInboundProvisioning.State.WorkerStateInfo])
        @($workers | Select-Retry).Count | Should -Be 0
    }
}

Describe 'Enums and values users pass' {
    It 'casts each from a string, case-insensitively, and refuses a name it does not have' {
        [EntraInboundProvisioning.Auth.CloudEnvironment] 'usgovdod' | Should -Be ([EntraInboundProvisioning.Auth.CloudEnvironment]::USGovDoD)
        [EntraInboundProvisioning.Scim.EmptyValueHandling] 'Null' | Should -Be ([EntraInboundProvisioning.Scim.EmptyValueHandling]::Null)
        [EntraInboundProvisioning.Scim.DuplicateExternalIdHandling] 'error' | Should -Be ([EntraInboundProvisioning.Scim.DuplicateExternalIdHandling]::Error)
        [EntraInboundProvisioning.Logs.ProvisioningStatus] 'Failure' | Should -Be ([EntraInboundProvisioning.Logs.ProvisioningStatus]::Failure)
        [EntraInboundProvisioning.Logs.ProvisioningAction] 'disable' | Should -Be ([EntraInboundProvisioning.Logs.ProvisioningAction]::Disable)
        [EntraInboundProvisioning.Schema.SchemaAttributeType] 'DateTime' | Should -Be ([EntraInboundProvisioning.Schema.SchemaAttributeType]::DateTime)
        [EntraInboundProvisioning.Schema.AttributeFlowType] 'ObjectAddOnly' | Should -Be ([EntraInboundProvisioning.Schema.AttributeFlowType]::ObjectAddOnly)
        { [EntraInboundProvisioning.Auth.CloudEnvironment] 'Mars' } | Should -Throw
        'Germany' -as [EntraInboundProvisioning.Auth.CloudEnvironment] | Should -BeNullOrEmpty
        # Not an enum, but passed the same way: from '10%' or 500.
        ([EntraInboundProvisioning.State.LeaverThreshold] '10%').IsPercent | Should -BeTrue
        ([EntraInboundProvisioning.State.LeaverThreshold] 500).Allowed(1000) | Should -Be 500
        { [EntraInboundProvisioning.State.LeaverThreshold] 'many' } | Should -Throw
    }

    It 'flows from a script''s own typed parameters into the cmdlets' {
        function ConvertTo-Request {
            [OutputType([EntraInboundProvisioning.Scim.BulkRequest])]
            param(
                [EntraInboundProvisioning.Scim.EmptyValueHandling] $EmptyValue = 'Omit',
                [EntraInboundProvisioning.Scim.DuplicateExternalIdHandling] $Duplicates = 'Last'
            )
            @(
                [pscustomobject]@{ Id = '1'; Upn = 'a@contoso.com'; Title = 'First' }
                [pscustomobject]@{ Id = '1'; Upn = 'a@contoso.com'; Title = '' }
            ) | ConvertTo-ScimBulkRequest -AttributeMapping @{ externalId = 'Id'; userName = 'Upn'; title = 'Title'; active = { $true } } -EmptyValue $EmptyValue -DuplicateExternalId $Duplicates -WarningAction SilentlyContinue
        }
        (ConvertTo-Request -EmptyValue Null -Duplicates Last).Json | Should -Match '"title":\s*null'
        (ConvertTo-Request -EmptyValue Omit -Duplicates First).Json | Should -Match '"title":\s*"First"'
        { ConvertTo-Request -EmptyValue Blank } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,ConvertTo-Request'

        function Get-Threshold([EntraInboundProvisioning.State.LeaverThreshold] $Threshold) { $Threshold }
        (Get-Threshold -Threshold '2%').ToString() | Should -Be '2%'
        (Get-Command ConvertTo-ScimBulkRequest).Parameters.LeaverThreshold.ParameterType | Should -Be ([EntraInboundProvisioning.State.LeaverThreshold])

        function Get-Cloud([EntraInboundProvisioning.Auth.CloudEnvironment] $Environment) { $Environment }
        Get-Cloud -Environment China | Should -BeOfType [EntraInboundProvisioning.Auth.CloudEnvironment]
        (Get-Command Connect-EntraProvisioning).Parameters.Environment.ParameterType | Should -Be ([EntraInboundProvisioning.Auth.CloudEnvironment])
    }
}
