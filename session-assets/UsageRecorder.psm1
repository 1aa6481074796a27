#Requires -Version 5.1
<#
    Shared logic of the appstream-ops session scripts (Windows PowerShell 5.1).

    Builds one usage record from usage-record-fields.json, which the Pulumi program renders from
    the same schema as the Athena table, and uploads it to S3 with the appstream_machine_role
    credential profile. A session script must never fail or delay the user's session, so every
    S3 call runs in a background job with a hard timeout and every error is logged, not thrown.
#>

Set-StrictMode -Version 2.0

# The profile AppStream provides on streaming instances for the fleet's IAM role.
$script:CredentialProfile = 'appstream_machine_role'
$script:Invariant = [Globalization.CultureInfo]::InvariantCulture

function Write-UsageLog {
    param([string]$Message)
    $stamp = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', $script:Invariant)
    # Straight to stdout (not the pipeline, which would pollute return values). AppStream copies
    # stdout to its session-script log bucket when s3LogEnabled is on.
    [Console]::Out.WriteLine("$stamp appstream-ops: $Message")
}

function Format-UtcTimestamp {
    param([DateTime]$Time)
    return $Time.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ', $script:Invariant)
}

function ConvertTo-UtcDateTime {
    # Parses AppStream_Session_Reservation_DateTime; a value without an offset is taken as UTC.
    param([string]$Value)
    if ([string]::IsNullOrWhiteSpace($Value)) { return $null }
    $styles = [Globalization.DateTimeStyles]::AssumeUniversal -bor [Globalization.DateTimeStyles]::AdjustToUniversal
    $parsed = [DateTime]::MinValue
    if ([DateTime]::TryParse($Value, $script:Invariant, $styles, [ref]$parsed)) { return $parsed }
    Write-UsageLog "cannot parse session reservation time '$Value'"
    return $null
}

function ConvertTo-KeySegment {
    # S3 key segments stay plain ASCII so that partitions and object names never need escaping.
    param([string]$Value)
    return ($Value -replace '[^A-Za-z0-9_.-]', '_')
}

function Get-SessionId {
    param([DateTime]$Now)
    $id = $env:AppStream_Session_ID
    if ([string]::IsNullOrWhiteSpace($id)) {
        Write-UsageLog 'AppStream_Session_ID is not set; using a generated ID so the record is not lost'
        return "unknown-$env:COMPUTERNAME-$($Now.Ticks)"
    }
    return $id
}

function Get-ComputedUsageValues {
    param([string]$EventType, [string]$Region, [DateTime]$Now)
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

function Send-S3Text {
    # Runs Write-S3Object in a background job so that a hung network call cannot outlive the budget.
    param([string]$Bucket, [string]$Key, [string]$Content, [string]$Region, [int]$TimeoutSeconds)
    if ($TimeoutSeconds -lt 1) {
        Write-UsageLog "no time left to upload s3://$Bucket/$Key"
        return $false
    }
    $job = Start-Job -ArgumentList $Bucket, $Key, $Content, $Region, $script:CredentialProfile -ScriptBlock {
        param($Bucket, $Key, $Content, $Region, $ProfileName)
        $ErrorActionPreference = 'Stop'
        # Prefer the small modular AWS.Tools.S3; AppStream base images ship the monolithic AWSPowerShell.
        if (Get-Module -ListAvailable -Name AWS.Tools.S3) { Import-Module AWS.Tools.S3 } else { Import-Module AWSPowerShell }
        Write-S3Object -BucketName $Bucket -Key $Key -Content $Content -ContentType 'application/x-ndjson' -Region $Region -ProfileName $ProfileName | Out-Null
    }
    try {
        if (-not (Wait-Job -Job $job -Timeout $TimeoutSeconds)) {
            Write-UsageLog "upload to s3://$Bucket/$Key timed out after $TimeoutSeconds s"
            return $false
        }
        if ($job.State -ne 'Completed') {
            Write-UsageLog "upload to s3://$Bucket/$Key failed: $($job.ChildJobs[0].JobStateInfo.Reason)"
            return $false
        }
        Write-UsageLog "uploaded s3://$Bucket/$Key"
        return $true
    }
    finally {
        Remove-Job -Job $job -Force -ErrorAction SilentlyContinue
    }
}

function Get-SessionSystemEventLines {
    # Windows System log entries of the session window, one JSON object per line.
    param([DateTime]$StartUtc, [DateTime]$EndUtc, [string]$SessionId, [int]$MaxEvents = 2000)
    $filter = @{ LogName = 'System'; StartTime = $StartUtc.ToLocalTime(); EndTime = $EndUtc.ToLocalTime() }
    try {
        $events = @(Get-WinEvent -FilterHashtable $filter -MaxEvents $MaxEvents -ErrorAction Stop)
    }
    catch {
        # Get-WinEvent reports "no events" as an error.
        Write-UsageLog "no System events read for the session window: $($_.Exception.Message)"
        return ''
    }
    $lines = foreach ($entry in $events) {
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
    return ($lines -join "`n")
}

function Invoke-UsageRecording {
    <#
        Writes the usage record of one session event, and at session end the System event log
        extract. Never throws; returns $true when the record was uploaded.
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
    try {
        $budget = 0
        if (-not [int]::TryParse($TimeoutSeconds, [ref]$budget) -or $budget -lt 1) { $budget = 20 }
        $deadline = [DateTime]::UtcNow.AddSeconds($budget)
        if ([string]::IsNullOrWhiteSpace($Bucket) -or [string]::IsNullOrWhiteSpace($Region)) {
            Write-UsageLog 'the -Bucket and -Region arguments are required; nothing recorded'
            return $false
        }
        # The fields file ships beside this module; config.json passes its path explicitly.
        if ([string]::IsNullOrWhiteSpace($FieldsFile)) { $FieldsFile = Join-Path $PSScriptRoot 'usage-record-fields.json' }
        $now = [DateTime]::UtcNow
        $fields = Read-UsageFieldSpec $FieldsFile
        $computed = Get-ComputedUsageValues -EventType $EventType -Region $Region -Now $now
        $record = New-UsageRecord -Fields $fields -Computed $computed
        $sessionId = ConvertTo-KeySegment (Get-SessionId -Now $now)
        $day = $now.ToString('yyyy-MM-dd', $script:Invariant)
        # One deterministic key per session and event: a re-run overwrites instead of duplicating.
        $key = "$KeyPrefix/dt=$day/$sessionId-$EventType.json"
        $line = (ConvertTo-Json -InputObject $record -Compress) + "`n"
        $remaining = [int][Math]::Floor(($deadline - [DateTime]::UtcNow).TotalSeconds)
        $uploaded = Send-S3Text -Bucket $Bucket -Key $key -Content $line -Region $Region -TimeoutSeconds $remaining

        if ($EventLogKeyPrefix -ne '' -and $null -ne $computed.SessionStartUtc) {
            $lines = Get-SessionSystemEventLines -StartUtc (ConvertTo-UtcDateTime $computed.SessionStartUtc) -EndUtc $now -SessionId $sessionId
            if ($lines -ne '') {
                $remaining = [int][Math]::Floor(($deadline - [DateTime]::UtcNow).TotalSeconds)
                $logKey = "$EventLogKeyPrefix/dt=$day/$sessionId-system.json"
                Send-S3Text -Bucket $Bucket -Key $logKey -Content ($lines + "`n") -Region $Region -TimeoutSeconds $remaining | Out-Null
            }
        }
        return $uploaded
    }
    catch {
        Write-UsageLog "recording $EventType failed: $($_.Exception.Message)"
        return $false
    }
}

Export-ModuleMember -Function @('Invoke-UsageRecording', 'Write-UsageLog')
