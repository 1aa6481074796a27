<#
    appstream-ops session-termination script (user context).

    Records a session_end usage record (end time and duration) in S3, then uploads the Windows
    System event log entries of the session window. Arguments are rendered into config.json by
    the Pulumi program; nothing here is edited by hand. Always exits 0: a failing session script
    would show the user an error.
#>
# Every parameter is a plain string and the script is not an advanced script, so a missing,
# malformed or unknown argument can never fail parameter binding before the try block runs.
param(
    [string]$Bucket = '',
    [string]$Region = '',
    [string]$KeyPrefix = 'sessions',
    [string]$FieldsFile = '',
    [string]$TimeoutSeconds = '20',
    [string]$EventLogKeyPrefix = 'session-eventlogs'
)

trap {
    [Console]::Out.WriteLine("appstream-ops: session-end failed: $($_.Exception.Message)")
    exit 0
}

try {
    Import-Module (Join-Path $PSScriptRoot 'UsageRecorder.psm1') -Force -ErrorAction Stop
    Invoke-UsageRecording -EventType 'session_end' -Bucket $Bucket -Region $Region -KeyPrefix $KeyPrefix `
        -FieldsFile $FieldsFile -TimeoutSeconds $TimeoutSeconds -EventLogKeyPrefix $EventLogKeyPrefix | Out-Null
}
catch {
    [Console]::Out.WriteLine("appstream-ops: session-end failed: $($_.Exception.Message)")
}
exit 0
