# Loads a page from disk in headless Chromium through the DevTools protocol and says what happened: console
# messages, uncaught exceptions, browser log entries (a Content-Security-Policy refusal is one), and every network
# request the page made. Optionally saves a full-page screenshot. Used by the report tests and to make the
# screenshot in docs/. Needs Debian's chromium package (.ci/run installs it when missing).

function Find-Chromium {
    foreach ($name in 'chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable') {
        $command = Get-Command $name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($command) { return $command.Source }
    }

    # Windows keeps Chrome and Edge out of PATH.
    foreach ($path in "$env:ProgramFiles\Google\Chrome\Application\chrome.exe", "${env:ProgramFiles(x86)}\Microsoft\Edge\Application\msedge.exe") {
        if ($IsWindows -and (Test-Path -LiteralPath $path)) { return $path }
    }

    $null
}

function Invoke-HeadlessPage {
    param(
        [Parameter(Mandatory)] [string] $Path,
        [string] $Screenshot,
        [int] $Width = 1200,
        [int] $ScreenshotHeight,   # the top of the page only; the whole page by default
        [int] $TimeoutSeconds = 60
    )

    $chromium = Find-Chromium
    if (-not $chromium) { throw 'No Chromium on PATH: apt-get install chromium.' }
    $profileDir = Join-Path ([IO.Path]::GetTempPath()) "eip-chromium-$([guid]::NewGuid().ToString('N'))"
    New-Item -ItemType Directory $profileDir | Out-Null
    $arguments = @('--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-extensions',
        '--disable-background-networking', '--disable-component-update', '--disable-sync', '--metrics-recording-only', '--remote-debugging-port=0',
        "--user-data-dir=$profileDir", "--window-size=$Width,900", 'about:blank')
    $process = Start-Process $chromium -ArgumentList $arguments -PassThru -RedirectStandardError (Join-Path $profileDir 'stderr.log') -RedirectStandardOutput (Join-Path $profileDir 'stdout.log')
    $socket = [System.Net.WebSockets.ClientWebSocket]::new()
    try {
        $portFile = Join-Path $profileDir 'DevToolsActivePort'
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        while (-not (Test-Path $portFile) -or -not (Get-Content $portFile -ErrorAction SilentlyContinue)) {
            if ([DateTime]::UtcNow -gt $deadline -or $process.HasExited) { throw "Chromium did not start: $(Get-Content (Join-Path $profileDir 'stderr.log') -Raw -ErrorAction SilentlyContinue)" }
            Start-Sleep -Milliseconds 100
        }

        $port = (Get-Content $portFile)[0]
        $target = $null
        while (-not $target.webSocketDebuggerUrl) {
            if ([DateTime]::UtcNow -gt $deadline) { throw 'Chromium shows no page to drive.' }
            $targets = Invoke-RestMethod "http://127.0.0.1:$port/json/list" # one array, not enumerated: piped below
            $target = $targets | Where-Object type -eq 'page' | Select-Object -First 1
            if (-not $target.webSocketDebuggerUrl) { Start-Sleep -Milliseconds 100 }
        }

        $socket.Options.KeepAliveInterval = [TimeSpan]::Zero
        [void] $socket.ConnectAsync([uri]$target.webSocketDebuggerUrl, [Threading.CancellationToken]::None).GetAwaiter().GetResult()

        $script:cdpId = 0
        $events = [System.Collections.Generic.List[object]]::new()
        $buffer = [byte[]]::new(1MB)
        function Receive {
            $stream = [IO.MemoryStream]::new()
            do {
                $result = $socket.ReceiveAsync([ArraySegment[byte]]::new($buffer), [Threading.CancellationToken]::None).GetAwaiter().GetResult()
                $stream.Write($buffer, 0, $result.Count)
            } while (-not $result.EndOfMessage)
            [Text.Encoding]::UTF8.GetString($stream.ToArray()) | ConvertFrom-Json -Depth 20
        }
        function Send([string] $Method, [hashtable] $Params = @{}) {
            $id = ++$script:cdpId
            $bytes = [Text.Encoding]::UTF8.GetBytes((@{ id = $id; method = $Method; params = $Params } | ConvertTo-Json -Depth 10 -Compress))
            [void] $socket.SendAsync([ArraySegment[byte]]::new($bytes), 'Text', $true, [Threading.CancellationToken]::None).GetAwaiter().GetResult()
            while ($true) {
                if ([DateTime]::UtcNow -gt $deadline) { throw "No answer to $Method in time." }
                $message = Receive
                if ($message.id -eq $id) {
                    if ($message.error) { throw "$Method failed: $($message.error.message)" }
                    return $message.result
                }
                if ($message.method) { $events.Add($message) }
            }
        }

        foreach ($domain in 'Runtime', 'Log', 'Network', 'Page') { Send "$domain.enable" | Out-Null }
        $mobile = $Width -lt 600
        Send 'Emulation.setDeviceMetricsOverride' @{ width = $Width; height = 900; deviceScaleFactor = 1; mobile = $mobile } | Out-Null
        $url = [UriBuilder]::new('file', '', -1, (Resolve-Path -LiteralPath $Path).ProviderPath).Uri.AbsoluteUri
        Send 'Page.navigate' @{ url = $url } | Out-Null
        while (-not ($events | Where-Object method -eq 'Page.loadEventFired')) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The page did not load in $TimeoutSeconds s." }
            $events.Add((Receive))
        }

        # Whatever the page would still do after load (it should do nothing) shows up here.
        $title = (Send 'Runtime.evaluate' @{ expression = 'document.title'; returnByValue = $true }).result.value
        $bodyText = (Send 'Runtime.evaluate' @{ expression = 'document.body.innerText'; returnByValue = $true }).result.value
        $scripts = (Send 'Runtime.evaluate' @{ expression = 'document.scripts.length'; returnByValue = $true }).result.value
        Start-Sleep -Milliseconds 300
        $metrics = Send 'Page.getLayoutMetrics'
        if ($Screenshot) {
            $height = [int][Math]::Ceiling($metrics.cssContentSize.height)
            if ($ScreenshotHeight -gt 0) { $height = [Math]::Min($height, $ScreenshotHeight) }
            Send 'Emulation.setDeviceMetricsOverride' @{ width = $Width; height = $height; deviceScaleFactor = 1; mobile = $mobile } | Out-Null
            $png = Send 'Page.captureScreenshot' @{ format = 'png'; captureBeyondViewport = $true; clip = @{ x = 0; y = 0; width = $Width; height = $height; scale = 1 } }
            [IO.File]::WriteAllBytes($Screenshot, [Convert]::FromBase64String($png.data))
        }

        [pscustomobject]@{
            Url           = $url
            Title         = $title
            Text          = $bodyText
            Scripts       = $scripts
            ContentHeight = $metrics.cssContentSize.height
            ContentWidth  = $metrics.cssContentSize.width
            Console       = @($events | Where-Object method -eq 'Runtime.consoleAPICalled' | ForEach-Object { "$($_.params.type): $(($_.params.args | ForEach-Object { $_.value }) -join ' ')" })
            Exceptions    = @($events | Where-Object method -eq 'Runtime.exceptionThrown' | ForEach-Object { $_.params.exceptionDetails.text })
            LogErrors     = @($events | Where-Object method -eq 'Log.entryAdded' | Where-Object { $_.params.entry.level -in 'error', 'warning' } | ForEach-Object { $_.params.entry.text })
            Requests      = @($events | Where-Object method -eq 'Network.requestWillBeSent' | ForEach-Object { $_.params.request.url })
        }
    }
    finally {
        $socket.Dispose()
        if (-not $process.HasExited) { $process.Kill($true) }
        $process.WaitForExit(10000) | Out-Null
        Remove-Item $profileDir -Recurse -Force -ErrorAction SilentlyContinue
    }
}
