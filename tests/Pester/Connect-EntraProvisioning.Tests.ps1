BeforeAll {
    . (Join-Path $PSScriptRoot 'TestSetup.ps1')
    . (Join-Path $PSScriptRoot 'Emulator.ps1')
    $script:Emulator = Start-TestEmulator
}

AfterAll {
    Disconnect-EntraProvisioning
    Stop-TestEmulator $Emulator
}

Describe 'Connect-EntraProvisioning and Disconnect-EntraProvisioning' {
    It 'connects with a client secret and shows the session without secrets' {
        $context = Connect-TestEmulator $Emulator
        $context.TenantId | Should -Be $Emulator.TenantId
        $context.AuthenticationMode | Should -Be 'ClientSecret'
        $context.TokenExpiresOn | Should -BeGreaterThan (Get-Date)
        ($context | Out-String) | Should -Not -Match ([regex]::Escape($Emulator.ClientSecret))
        ($context | ConvertTo-Json) | Should -Not -Match 'eyJ'
    }

    It 'fails sign-in with SignInFailed, the service''s reason and no secret' {
        $secret = 'wrong-secret-value-0123456789abcdef'
        $err = { Connect-TestEmulator $Emulator -Secret $secret } | Should -Throw -ErrorId 'SignInFailed,EntraInboundProvisioning.PowerShell.Commands.ConnectEntraProvisioningCommand' -PassThru
        $err.Exception.Message | Should -Match 'AADSTS7000215'
        $err.Exception.ToString() | Should -Not -Match $secret
    }

    It 'refuses a test endpoint that is not https on loopback' {
        { Connect-EntraProvisioning -TenantId t -ClientId c -ClientSecret (ConvertTo-SecureString x -AsPlainText -Force) -TestEndpoint 'http://127.0.0.1:1/' } | Should -Throw -ErrorId 'InvalidTestEndpoint,*'
    }

    It 'ends the session, after which Graph cmdlets say NotConnected' {
        Connect-TestEmulator $Emulator | Out-Null
        (Disconnect-EntraProvisioning -PassThru).TenantId | Should -Be $Emulator.TenantId
        { Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId } | Should -Throw -ErrorId 'NotConnected,*'
    }

    It 'signs in with its own MSAL when another Microsoft.Identity.Client is already loaded' {
        $decoy = Join-Path $TestDrive 'Microsoft.Identity.Client.dll'
        $name = [Reflection.AssemblyName]::new('Microsoft.Identity.Client')
        $name.Version = [version]'4.10.0.0'
        $builder = [System.Reflection.Emit.PersistedAssemblyBuilder]::new($name, [object].Assembly)
        $null = $builder.DefineDynamicModule('Microsoft.Identity.Client').DefineType('Microsoft.Identity.Client.Decoy', 'Public').CreateType()
        $builder.Save($decoy)
        $certificate = [Convert]::ToBase64String($Emulator.Certificate.RawData)
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -Path '$decoy'
Import-Module '$ModuleManifest'
Connect-EntraProvisioning -TenantId '$($Emulator.TenantId)' -ClientId '$($Emulator.ClientId)' -ClientSecret (ConvertTo-SecureString '$($Emulator.ClientSecret)' -AsPlainText -Force) -TestEndpoint '$($Emulator.BaseUri)' -TestCertificate ([System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String('$certificate'))) | Out-Null
`$job = Get-ProvisioningJob -ServicePrincipalId '$($Emulator.ServicePrincipalId)'
'job=' + `$job.Status
'typed=' + (`$job -is [EntraInboundProvisioning.Graph.SynchronizationJobInfo])
[System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object { foreach (`$a in `$_.Assemblies) { if (`$a.GetName().Name -eq 'Microsoft.Identity.Client') { '{0}={1}' -f `$_.Name, `$a.GetName().Version } } }
"@
        $output = Invoke-PowerShellChild $script
        $output | Should -Contain 'job=Active'
        $output | Should -Contain 'typed=True'
        $output | Should -Contain 'Default=4.10.0.0'
        $output | Should -Contain 'EntraInboundProvisioning=4.76.0.0'
    }

    It 'never writes the secret or a token to any stream of a verbose and debug run' {
        $output = & {
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'; $WarningPreference = 'Continue'
            Connect-TestEmulator $Emulator
            ConvertTo-ScimBulkRequest -Path (Join-Path $Samples 'hr-workers.csv') -AttributeMapping (Join-Path $Samples 'AttributeMapping.psd1') |
                Send-ScimBulkRequest -ServicePrincipalId $Emulator.ServicePrincipalId
            Get-ProvisioningJob -ServicePrincipalId $Emulator.ServicePrincipalId
            try { Connect-TestEmulator $Emulator -Secret 'another-wrong-secret-value' } catch { $_ | Out-String }
        } *>&1 | Out-String -Width 500
        $output | Should -Match 'Accepted'
        $output | Should -Not -Match ([regex]::Escape($Emulator.ClientSecret))
        $output | Should -Not -Match 'another-wrong-secret-value'
        $output | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
        ($Error | Out-String) | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.'
    }
}
