#Requires -Version 5.1
<#
    Shared logic of the appstream-ops session scripts (Windows PowerShell 5.1).

    Builds one usage record from usage-record-fields.json, which the Pulumi program renders from
    the same schema as the Athena table, and uploads it to S3 with the appstream_machine_role
    credential profile. A session script must never fail or delay the user's session:

    - Its time budget (-TimeoutSeconds, waitingTime minus a margin) counts from the start of its own
      powershell.exe process, not from when this module has loaded.
    - Everything it sends goes through ONE upload process, started as early as possible (the AWS
      module loads while this script reads the event log), killed at the deadline, and retrying
      inside it (AWS calls made before the instance's network interface is ready fail).
    - The AWS module is imported by absolute path from machine-wide folders only, in a process whose
      module path holds only those folders: a user can write to their own module path, and a
      module planted there would run with the role's credentials. Without the module, the AWS CLI
      (aws.exe, machine-wide) uploads instead, with the same profile.
    - Every error is logged, never thrown.
#>

Set-StrictMode -Version 2.0

# The profile AppStream provides on streaming instances for the fleet's IAM role.
$script:CredentialProfile = 'appstream_machine_role'
$script:Invariant = [Globalization.CultureInfo]::InvariantCulture
$script:PowerShellExe = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
# Seconds the upload process stops before the script's own deadline, so it exits on its own.
$script:UploaderMarginSeconds = 1
# Seconds kept for uploading when events are still being rendered: the record must not wait on the log.
$script:EventLogReserveSeconds = 4

function Get-MachineModuleRoots {
    # Machine-wide module folders only (never $env:PSModulePath, which includes the user's folder).
    $roots = @((Join-Path $env:ProgramFiles 'WindowsPowerShell\Modules'))
    $x86 = [Environment]::GetEnvironmentVariable('ProgramFiles(x86)')
    if (-not [string]::IsNullOrEmpty($x86)) { $roots += (Join-Path $x86 'AWS Tools\PowerShell') }
    $roots += (Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\Modules')
    return , $roots
}

function Write-UsageLog {
    param([string]$Message)
    $stamp = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $script:Invariant)
    # Straight to stdout (not the pipeline, which would pollute return values). AppStream copies
    # stdout to its session-script log bucket when s3LogEnabled is on.
    [Console]::Out.WriteLine("$stamp appstream-ops: $Message")
}

function Get-ScriptDeadline {
    # The budget counts from the start of this powershell.exe process: loading the module and
    # reading files are part of the waiting time AppStream gives the script.
    param([int]$BudgetSeconds)
    try {
        $processStart = (Get-Process -Id $PID -ErrorAction Stop).StartTime.ToUniversalTime()
    }
    catch {
        # Without the process start, counting from now is the best left; the margin absorbs the load time.
        $processStart = [DateTime]::UtcNow
        Write-UsageLog "cannot read this process's start time: $($_.Exception.Message)"
    }
    return $processStart.AddSeconds($BudgetSeconds)
}

function Get-SecondsLeft {
    param([DateTime]$Deadline)
    return ($Deadline - [DateTime]::UtcNow).TotalSeconds
}

function Format-UtcTimestamp {
    param([DateTime]$Time)
    return $Time.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $script:Invariant)
}

# AppStream does not document the format of AppStream_Session_Reservation_DateTime; these ISO 8601
# forms are the only ones accepted. Anything else is logged and the raw value is kept in the record
# (session_reservation_raw), so nothing is guessed.
$script:ReservationFormats = [string[]]@(
    'yyyy-MM-ddTHH:mm:ssZ',
    'yyyy-MM-ddTHH:mm:ss.FFFFFFFZ',
    'yyyy-MM-ddTHH:mm:sszzz',
    'yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz',
    'yyyy-MM-ddTHH:mm:ss',
    'yyyy-MM-dd HH:mm:ss'
)

function ConvertTo-UtcDateTime {
    # Parses AppStream_Session_Reservation_DateTime exactly; a value without an offset is UTC.
    param([string]$Value)
    if ([string]::IsNullOrWhiteSpace($Value)) { return $null }
    $styles = [Globalization.DateTimeStyles]::AssumeUniversal -bor [Globalization.DateTimeStyles]::AdjustToUniversal
    $parsed = [DateTime]::MinValue
    if ([DateTime]::TryParseExact($Value.Trim(), $script:ReservationFormats, $script:Invariant, $styles, [ref]$parsed)) {
        return $parsed
    }
    Write-UsageLog "session reservation time '$Value' is in none of the accepted formats; kept raw, start time left empty"
    return $null
}

function ConvertTo-KeySegment {
    # S3 key segments stay plain ASCII so that partitions and object names never need escaping.
    param([string]$Value)
    return ($Value -replace '[^A-Za-z0-9_.-]', '_')
}

function Get-SessionKey {
    # The session's id; without one, a key made only of what both events see the same (host, user
    # and the raw reservation time), so the start and end records of a session still pair up and a
    # re-run overwrites instead of duplicating.
    $id = $env:AppStream_Session_ID
    if (-not [string]::IsNullOrWhiteSpace($id)) { return $id }
    $identity = "$env:COMPUTERNAME|$env:AppStream_UserName|$env:AppStream_Session_Reservation_DateTime"
    $sha = [Security.Cryptography.SHA256]::Create()
    try {
        $hash = $sha.ComputeHash([Text.Encoding]::UTF8.GetBytes($identity))
    }
    finally {
        $sha.Dispose()
    }
    $hex = -join ($hash[0..7] | ForEach-Object { $_.ToString('x2') })
    Write-UsageLog "AppStream_Session_ID is not set; using the key nosid-$hex from host, user and reservation time"
    return "nosid-$env:COMPUTERNAME-$hex"
}

function Get-ComputedUsageValues {
    param([string]$EventType, [string]$Region, [DateTime]$Now, [string]$SessionId)
    $start = ConvertTo-UtcDateTime $env:AppStream_Session_Reservation_DateTime
    $isEnd = ($EventType -eq 'session_end')
    if ($null -eq $start -and -not $isEnd) { $start = $Now }
    $startText = $null
    if ($null -ne $start) { $startText = Format-UtcTimestamp $start }
    $endText = $null
    $duration = $null
    if ($isEnd) {
        $endText = Format-UtcTimestamp $Now
        if ($null -ne $start) { $duration = [long][Math]::Max(0, [Math]::Round(($Now - $start).TotalSeconds)) }
    }
    # The keys of this table are the schema's COMPUTED_VALUES; a test keeps them in step.
    $computed = @{
        EventType       = $EventType
        EventTimeUtc    = (Format-UtcTimestamp $Now)
        Region          = $Region
        SessionStartUtc = $startText
        SessionEndUtc   = $endText
        DurationSeconds = $duration
        HostName        = $env:COMPUTERNAME
        SessionId       = $SessionId
    }
    return $computed
}

function Read-UsageFieldSpec {
    param([string]$Path)
    $text = [IO.File]::ReadAllText($Path)
    # Assign before use: Windows PowerShell 5.1 emits a parsed JSON array as one pipeline object.
    $fields = ConvertFrom-Json -InputObject $text
    return , $fields
}

function New-UsageRecord {
    param($Fields, [hashtable]$Computed)
    $record = [ordered]@{}
    foreach ($field in $Fields) {
        $value = $null
        if ($field.PSObject.Properties['env']) {
            $value = [Environment]::GetEnvironmentVariable([string]$field.env)
            if ([string]::IsNullOrEmpty($value)) {
                Write-UsageLog "environment variable $($field.env) is not set; $($field.name) is null"
                $value = $null
            }
        }
        elseif ($field.PSObject.Properties['computed']) {
            $value = $Computed[[string]$field.computed]
        }
        if ($null -ne $value -and $field.type -eq 'bigint') { $value = [long]$value }
        $record[[string]$field.name] = $value
    }
    return $record
}

function Find-AwsPowerShellModule {
    # The newest AWS.Tools.S3, else AWSPowerShell, by absolute path under the machine-wide folders.
    foreach ($name in @('AWS.Tools.S3', 'AWSPowerShell')) {
        foreach ($root in (Get-MachineModuleRoots)) {
            $folder = Join-Path $root $name
            if (-not (Test-Path -LiteralPath $folder)) { continue }
            # Installed side by side in version folders (or, for the MSI, directly in the folder): newest first.
            $byVersion = @{ Expression = { $version = $null; [void][version]::TryParse($_.Directory.Name, [ref]$version); $version }; Descending = $true }
            $manifests = @(Get-ChildItem -LiteralPath $folder -Recurse -Depth 1 -Filter "$name.psd1" -ErrorAction SilentlyContinue |
                    Sort-Object -Property $byVersion)
            if ($manifests.Count -gt 0) { return $manifests[0].FullName }
        }
    }
    return ''
}

function Find-AwsCli {
    # The AWS CLI v2 (listed among the AppStream base-image components), else v1, machine-wide.
    $candidates = @(
        (Join-Path $env:ProgramFiles 'Amazon\AWSCLIV2\aws.exe'),
        (Join-Path $env:ProgramFiles 'Amazon\AWSCLI\bin\aws.exe')
    )
    foreach ($path in $candidates) {
        if (Test-Path -LiteralPath $path) { return $path }
    }
    return ''
}

function ConvertTo-QuotedLiteral {
    # A value as a single-quoted PowerShell literal, for the upload process's command text.
    param([string]$Value)
    return "'" + ($Value -replace "'", "''") + "'"
}

# The upload process. It loads the AWS module (the slow part) while the script prepares what to
# send, waits for the manifest (written last, by rename), and uploads each file, retrying until
# its deadline. Placeholders are replaced with quoted literals by Start-Uploader.
$script:UploaderTemplate = @'
$ErrorActionPreference = 'Stop'
$deadline = [DateTime]::new(__DEADLINE_TICKS__, [DateTimeKind]::Utc)
function Log([string]$m) { [Console]::Out.WriteLine([DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ') + " appstream-ops upload: $m") }
# Required modules resolve from the machine-wide folders only, never the user's.
$env:PSModulePath = __MODULE_ROOTS__
$modulePath = __MODULE_PATH__
$cliPath = __CLI_PATH__
$useModule = $false
if ($modulePath -ne '') {
    try { Import-Module -Name $modulePath -ErrorAction Stop; $useModule = $true }
    catch { Log "cannot load $($modulePath): $($_.Exception.Message)" }
}
if (-not $useModule -and $cliPath -eq '') { Log 'neither AWS Tools for PowerShell nor the AWS CLI is installed machine-wide; nothing uploaded'; exit 0 }
$manifest = __MANIFEST__
while (-not (Test-Path -LiteralPath $manifest) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
if (-not (Test-Path -LiteralPath $manifest)) { Log 'no manifest before the deadline'; exit 0 }
# Assign before wrapping: Windows PowerShell 5.1 emits a parsed JSON array as one object.
$parsed = ConvertFrom-Json -InputObject ([IO.File]::ReadAllText($manifest))
$items = @($parsed)
foreach ($item in $items) {
    $attempt = 0
    $done = $false
    while (-not $done -and [DateTime]::UtcNow -lt $deadline) {
        $attempt++
        try {
            if ($useModule) {
                Write-S3Object -BucketName __BUCKET__ -Key $item.key -File $item.file -ContentType 'application/x-ndjson' -Region __REGION__ -ProfileName __PROFILE__ | Out-Null
            }
            else {
                & $cliPath s3api put-object --bucket __BUCKET__ --key $item.key --body $item.file --content-type 'application/x-ndjson' --region __REGION__ --profile __PROFILE__ --cli-connect-timeout 5 --cli-read-timeout 10 | Out-Null
                if ($LASTEXITCODE -ne 0) { throw "aws.exe exited with $LASTEXITCODE" }
            }
            $done = $true
            Log "uploaded s3://$(__BUCKET__)/$($item.key) (attempt $attempt)"
        }
        catch {
            Log "attempt $attempt of s3://$(__BUCKET__)/$($item.key) failed: $($_.Exception.Message)"
            Start-Sleep -Milliseconds ([Math]::Min(2000, 250 * $attempt))
        }
    }
    if (-not $done) { Log "gave up on s3://$(__BUCKET__)/$($item.key) at the deadline" }
}
exit 0
'@

function Start-Uploader {
    # Starts the one upload process of this script; returns it, or $null when it cannot start.
    param([string]$Bucket, [string]$Region, [string]$WorkDir, [DateTime]$Deadline)
    $values = @{
        __DEADLINE_TICKS__ = [string]$Deadline.AddSeconds(-$script:UploaderMarginSeconds).Ticks
        __MODULE_ROOTS__   = ConvertTo-QuotedLiteral ((Get-MachineModuleRoots) -join ';')
        __MODULE_PATH__    = ConvertTo-QuotedLiteral (Find-AwsPowerShellModule)
        __CLI_PATH__       = ConvertTo-QuotedLiteral (Find-AwsCli)
        __MANIFEST__       = ConvertTo-QuotedLiteral (Join-Path $WorkDir 'manifest.json')
        __BUCKET__         = ConvertTo-QuotedLiteral $Bucket
        __REGION__         = ConvertTo-QuotedLiteral $Region
        __PROFILE__        = ConvertTo-QuotedLiteral $script:CredentialProfile
    }
    $command = $script:UploaderTemplate
    foreach ($name in $values.Keys) { $command = $command.Replace($name, $values[$name]) }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
    return Start-Process -FilePath $script:PowerShellExe -PassThru -NoNewWindow `
        -RedirectStandardOutput (Join-Path $WorkDir 'upload.log') `
        -ArgumentList @('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', $encoded)
}

function Wait-Uploader {
    # Waits for the upload process until the deadline, then kills it; copies its log to stdout.
    param($Process, [DateTime]$Deadline, [string]$WorkDir)
    $milliseconds = [int][Math]::Max(0, [Math]::Floor((Get-SecondsLeft $Deadline) * 1000))
    if (-not $Process.WaitForExit($milliseconds)) {
        Write-UsageLog 'the upload process reached the deadline and was stopped'
        Stop-Process -Id $Process.Id -Force -ErrorAction SilentlyContinue
    }
    $log = Join-Path $WorkDir 'upload.log'
    if (Test-Path -LiteralPath $log) {
        foreach ($line in [IO.File]::ReadAllLines($log)) { [Console]::Out.WriteLine($line) }
    }
}

function Get-SessionSystemEventLines {
    <#
        Windows System log entries of the session window, one JSON object per line, at most
        MaxEvents. On a multi-session instance every session sees the same machine-level events;
        an event attributed to another user (its UserId) is never included. One event that cannot
        be rendered is skipped, not fatal; rendering stops EventLogReserveSeconds before the
        deadline, so the record's upload never waits on the log.
    #>
    param([DateTime]$StartUtc, [DateTime]$EndUtc, [string]$SessionId, [DateTime]$Deadline, [int]$MaxEvents = 2000)
    $filter = @{ LogName = 'System'; StartTime = $StartUtc.ToLocalTime(); EndTime = $EndUtc.ToLocalTime() }
    try {
        $events = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents -ErrorAction Stop)
    }
    catch {
        # Get-WinEvent reports "no events" as an error.
        Write-UsageLog "no System events read for the session window: $($_.Exception.Message)"
        return ''
    }
    $ownSid = [Security.Principal.WindowsIdentity]::GetCurrent().User
    $skipped = 0
    $late = 0
    $lines = foreach ($entry in $events) {
        try {
            if ((Get-SecondsLeft $Deadline) -lt $script:EventLogReserveSeconds) { $late++; continue }
            if ($null -ne $entry.UserId -and $entry.UserId -ne $ownSid) { continue }
            $message = [string]$entry.Message
            if ($message.Length -gt 2000) { $message = $message.Substring(0, 2000) }
            $line = [ordered]@{
                session_id = $SessionId
                time_utc   = (Format-UtcTimestamp $entry.TimeCreated)
                event_id   = $entry.Id
                level      = [string]$entry.LevelDisplayName
                provider   = [string]$entry.ProviderName
                message    = $message
            }
            ConvertTo-Json -InputObject $line -Compress
        }
        catch {
            $skipped++
        }
    }
    if ($skipped -gt 0) { Write-UsageLog "$skipped System event(s) could not be rendered and were skipped" }
    if ($late -gt 0) { Write-UsageLog "$late System event(s) left out: no time left before the deadline" }
    return (@($lines) -join "`n")
}

function Invoke-UsageRecording {
    <#
        Writes the usage record of one session event, and at session end the System event log
        extract, through one upload process. Never throws; returns $true when the upload process ran.
    #>
    param(
        [string]$EventType,
        [string]$Bucket,
        [string]$Region,
        [string]$KeyPrefix,
        [string]$FieldsFile,
        [string]$TimeoutSeconds,
        [string]$EventLogKeyPrefix = ''
    )
    $workDir = ''
    try {
        $budget = 0
        if (-not [int]::TryParse($TimeoutSeconds, [ref]$budget) -or $budget -lt 1) { $budget = 20 }
        $deadline = Get-ScriptDeadline $budget
        if ([string]::IsNullOrWhiteSpace($Bucket) -or [string]::IsNullOrWhiteSpace($Region)) {
            Write-UsageLog 'the -Bucket and -Region arguments are required; nothing recorded'
            return $false
        }
        # The fields file ships beside this module; config.json passes its path explicitly.
        if ([string]::IsNullOrWhiteSpace($FieldsFile)) { $FieldsFile = Join-Path $PSScriptRoot 'usage-record-fields.json' }
        $now = [DateTime]::UtcNow
        $fields = Read-UsageFieldSpec $FieldsFile
        $sessionId = Get-SessionKey
        $computed = Get-ComputedUsageValues -EventType $EventType -Region $Region -Now $now -SessionId $sessionId
        $record = New-UsageRecord -Fields $fields -Computed $computed
        $sessionKey = ConvertTo-KeySegment $sessionId
        $day = $now.ToString('yyyy-MM-dd', $script:Invariant)

        # A folder of this process alone: concurrent sessions on one instance share nothing.
        $workDir = Join-Path ([IO.Path]::GetTempPath()) "appstream-ops-$sessionKey-$EventType-$PID"
        New-Item -ItemType Directory -Path $workDir -Force | Out-Null
        $uploader = Start-Uploader -Bucket $Bucket -Region $Region -WorkDir $workDir -Deadline $deadline

        # One deterministic key per session and event: a re-run overwrites instead of duplicating.
        $items = @()
        $recordFile = Join-Path $workDir 'record.json'
        [IO.File]::WriteAllText($recordFile, (ConvertTo-Json -InputObject $record -Compress) + "`n")
        $items += [ordered]@{ key = "$KeyPrefix/dt=$day/$sessionKey-$EventType.json"; file = $recordFile }

        # Read while the upload process loads the AWS module.
        if ($EventLogKeyPrefix -ne '' -and $null -ne $computed.SessionStartUtc) {
            $lines = Get-SessionSystemEventLines -StartUtc (ConvertTo-UtcDateTime $computed.SessionStartUtc) -EndUtc $now -SessionId $sessionKey -Deadline $deadline
            if ($lines -ne '') {
                $logFile = Join-Path $workDir 'system.json'
                [IO.File]::WriteAllText($logFile, $lines + "`n")
                $items += [ordered]@{ key = "$EventLogKeyPrefix/dt=$day/$sessionKey-system.json"; file = $logFile }
            }
        }
        # Written whole, then renamed: the upload process never reads half a manifest.
        $manifest = Join-Path $workDir 'manifest.json'
        [IO.File]::WriteAllText("$manifest.tmp", (ConvertTo-Json -InputObject @($items) -Compress))
        Move-Item -LiteralPath "$manifest.tmp" -Destination $manifest -Force
        Wait-Uploader -Process $uploader -Deadline $deadline -WorkDir $workDir
        return $true
    }
    catch {
        Write-UsageLog "recording $EventType failed: $($_.Exception.Message)"
        return $false
    }
    finally {
        if ($workDir -ne '') { Remove-Item -LiteralPath $workDir -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Export-ModuleMember -Function @('Invoke-UsageRecording', 'Write-UsageLog')
