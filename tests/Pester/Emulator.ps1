# Starts the project's Graph emulator (built from tests/EntraInboundProvisioning.GraphEmulator) on a free
# loopback port for a Pester file, and stops it. Dot-source after TestSetup.ps1.
function Start-TestEmulator {
    $project = Join-Path $RepoRoot 'tests/EntraInboundProvisioning.GraphEmulator'
    $dll = Join-Path $project 'bin/Release/net10.0/EntraInboundProvisioning.GraphEmulator.dll'
    if (-not (Test-Path $dll)) {
        & dotnet build $project -c Release --nologo -v quiet | Out-Null
    }

    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $log = Join-Path ([IO.Path]::GetTempPath()) "emulator-$port.log"
    $process = Start-Process dotnet -ArgumentList @($dll, '--urls', "https://127.0.0.1:$port", '--manual-cycles') -RedirectStandardOutput $log -PassThru -NoNewWindow
    $deadline = (Get-Date).AddSeconds(60)
    while (-not ((Test-Path $log) -and (Select-String -Path $log -Pattern '^Ready' -Quiet))) {
        if ((Get-Date) -gt $deadline -or $process.HasExited) { throw "The Graph emulator did not start: $(Get-Content $log -Raw -ErrorAction SilentlyContinue)" }
        Start-Sleep -Milliseconds 200
    }

    $text = Get-Content $log -Raw
    $value = { param($label) ([regex]::Match($text, "$label\s*(\S+)")).Groups[1].Value }
    $pem = [regex]::Match($text, '-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----').Value
    $der = [Convert]::FromBase64String(($pem -replace '-----(BEGIN|END) CERTIFICATE-----', '' -replace '\s', ''))
    [pscustomobject]@{
        Process            = $process
        BaseUri            = [uri]"https://127.0.0.1:$port/"
        Certificate        = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate($der)
        TenantId           = & $value 'Tenant id:'
        ClientId           = & $value 'Client id:'
        ClientSecret       = & $value 'Client secret:'
        ServicePrincipalId = & $value 'Service principal id:'
        JobId              = & $value 'Job id:'
        IdentityEndpoint   = ([regex]::Match($text, 'IDENTITY_ENDPOINT=(\S+)')).Groups[1].Value
        IdentityHeader     = ([regex]::Match($text, 'IDENTITY_HEADER=(\S+)')).Groups[1].Value
        Log                = $log
    }
}

function Stop-TestEmulator($Emulator) {
    # SIGTERM first: the emulator stops cleanly on it; kill only what does not.
    if ($Emulator -and -not $Emulator.Process.HasExited) {
        if (-not $IsWindows) { & kill -TERM $Emulator.Process.Id 2>$null }
        if (-not $Emulator.Process.WaitForExit(5000)) { $Emulator.Process.Kill() }
    }
    Remove-Item $Emulator.Log -ErrorAction SilentlyContinue
}

function Invoke-Emulator($Emulator, [string] $Method, [string] $Path, $Body) {
    $parameters = @{ Method = $Method; Uri = [uri]::new($Emulator.BaseUri, $Path); SkipCertificateCheck = $true }
    if ($null -ne $Body) { $parameters.Body = ($Body | ConvertTo-Json -Depth 5); $parameters.ContentType = 'application/json' }
    Invoke-RestMethod @parameters
}

function Connect-TestEmulator($Emulator, [string] $ClientId = $Emulator.ClientId, [string] $Secret = $Emulator.ClientSecret) {
    Connect-EntraProvisioning -TenantId $Emulator.TenantId -ClientId $ClientId -ClientSecret (ConvertTo-SecureString $Secret -AsPlainText -Force) -TestEndpoint $Emulator.BaseUri -TestCertificate $Emulator.Certificate
}
