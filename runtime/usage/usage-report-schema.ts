/**
 * AppStream's own usage reports, as AppStream writes them once it is subscribed: the ONE
 * definition of their S3 layout and columns, from which the Glue tables and the named queries are
 * built. Source: "Sessions Report Fields" and "Applications Report Fields" in the AppStream 2.0
 * Administration Guide, in the order of the CSV header.
 */

export interface ReportColumn {
    readonly name: string;
    readonly comment: string;
}

export interface UsageReportSpec {
    /** Short id, used in resource names. */
    readonly id: "sessions" | "applications";
    /** Top folder in the report bucket. */
    readonly folder: string;
    /** File name before `-YYYY-MM-DD.csv`. */
    readonly filePrefix: string;
    readonly tableName: string;
    readonly description: string;
    /** CSV columns, in file order: a CSV table maps columns by position. */
    readonly columns: readonly ReportColumn[];
}

/** AppStream offers one schedule, and writes it into the path. */
export const REPORT_SCHEDULE = "DAILY";

/** Usage reports exist since 2019; partition projection starts there. */
export const FIRST_REPORT_YEAR = 2019;

/** Partition keys, as in the path `year=YYYY/month=MM/day=DD`. */
export const REPORT_PARTITION_KEYS = ["year", "month", "day"] as const;

const ENABLED_OR_DISABLED = "ENABLED or DISABLED";

export const SESSIONS_REPORT: UsageReportSpec = {
    id: "sessions",
    folder: "sessions",
    filePrefix: "daily-session-report",
    tableName: "usage_report_sessions",
    description:
        "AppStream usage report: one row per streaming session, in the report of the UTC day the session ended",
    columns: [
        { name: "user_session_id", comment: "Session ID" },
        { name: "aws_account_id", comment: "AWS account ID" },
        { name: "region", comment: "AWS Region" },
        { name: "session_start_time", comment: "Session start, ISO 8601 UTC" },
        { name: "session_end_time", comment: "Session end, ISO 8601 UTC" },
        { name: "session_duration_in_seconds", comment: "Session duration in seconds" },
        { name: "user_id", comment: "User ID within the authentication type" },
        { name: "user_arn", comment: "User ARN" },
        { name: "authentication_type", comment: "CUSTOM, SAML or USERPOOL" },
        { name: "authentication_type_user_id", comment: "User ID and authentication type: the billed user" },
        { name: "fleet_name", comment: "Fleet" },
        { name: "stack_name", comment: "Stack" },
        { name: "instance_type", comment: "Instance type" },
        { name: "eni_private_ip_address", comment: "Private IP address of the instance's network interface" },
        { name: "connected_at_least_once", comment: "true or false" },
        { name: "client_ip_addresses", comment: "Client IP addresses, up to the last 10, separated by semicolons" },
        { name: "google_drive_enabled", comment: "true or false" },
        { name: "one_drive_enabled", comment: "true or false" },
        { name: "home_folders_storage_location", comment: "S3 bucket of home folders" },
        { name: "user_settings_clipboard_copy_from_local_device", comment: ENABLED_OR_DISABLED },
        { name: "user_settings_clipboard_copy_to_local_device", comment: ENABLED_OR_DISABLED },
        { name: "user_settings_file_upload", comment: ENABLED_OR_DISABLED },
        { name: "user_settings_file_download", comment: ENABLED_OR_DISABLED },
        { name: "user_settings_printing_to_local_device", comment: ENABLED_OR_DISABLED },
        { name: "application_settings_enabled", comment: "Application settings persistence: true or false" },
        { name: "domain_joined", comment: "Y or N" },
        { name: "max_session_duration", comment: "Maximum session duration in seconds" },
        { name: "session_type", comment: "ALWAYS_ON or ON_DEMAND" },
        { name: "stream_view", comment: "APPLICATION or DESKTOP" },
        { name: "streaming_experience_settings_protocol", comment: "UDP or TCP, the protocol at session end" },
        { name: "instance_id", comment: "Instance ID" },
        { name: "is_multisession", comment: "Multi-session fleet: true or false" },
    ],
};

export const APPLICATIONS_REPORT: UsageReportSpec = {
    id: "applications",
    folder: "applications",
    filePrefix: "daily-app-report",
    tableName: "usage_report_applications",
    description: "AppStream usage report: one row per application launch from the AppStream application catalog",
    columns: [
        { name: "user_session_id", comment: "Session ID" },
        { name: "application_name", comment: "Application name, as in Image Assistant" },
    ],
};

export const USAGE_REPORTS: readonly UsageReportSpec[] = [SESSIONS_REPORT, APPLICATIONS_REPORT];

/** The report's S3 key for a UTC day, as AppStream writes it. */
export function reportObjectKey(report: UsageReportSpec, day: Date): string {
    const [yyyy, mm, dd] = day.toISOString().slice(0, 10).split("-");
    return `${report.folder}/schedule=${REPORT_SCHEDULE}/year=${yyyy}/month=${mm}/day=${dd}/${report.filePrefix}-${yyyy}-${mm}-${dd}.csv`;
}

/**
 * OpenCSVSerde reads quoted and unquoted fields alike; every column is a string, as in the file.
 * AppStream writes plain CSV, where a quote inside a field is doubled and a backslash is just a
 * character (SAML user ids on domain-joined fleets are `DOMAIN\user`). OpenCSVSerde's default
 * escape character is a backslash, which drops it, so the escape character is NUL, a character no
 * report holds (found by running the report queries on Trino: `CORP\carol` read as `CORPcarol`).
 */
export const CSV_SERDE = {
    serializationLibrary: "org.apache.hadoop.hive.serde2.OpenCSVSerde",
    inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    parameters: { separatorChar: ",", quoteChar: '"', escapeChar: "\u0000" },
} as const;

export function reportLocation(bucket: string, report: UsageReportSpec): string {
    return `s3://${bucket}/${report.folder}/schedule=${REPORT_SCHEDULE}/`;
}

/**
 * Table parameters: skip the header row, and project the year/month/day partitions from the path,
 * so that no crawler or MSCK REPAIR is needed and a new day is queryable when AppStream writes it.
 */
export function reportTableParameters(bucket: string, report: UsageReportSpec): Record<string, string> {
    return {
        EXTERNAL: "TRUE",
        classification: "csv",
        "skip.header.line.count": "1",
        "projection.enabled": "true",
        "projection.year.type": "date",
        "projection.year.format": "yyyy",
        "projection.year.range": `${FIRST_REPORT_YEAR},NOW`,
        "projection.year.interval": "1",
        "projection.year.interval.unit": "YEARS",
        "projection.month.type": "integer",
        "projection.month.range": "1,12",
        "projection.month.digits": "2",
        "projection.day.type": "integer",
        "projection.day.range": "1,31",
        "projection.day.digits": "2",
        "storage.location.template": `${reportLocation(bucket, report)}year=\${year}/month=\${month}/day=\${day}/`,
    };
}

/** Glue columns of a report table; all strings, converted in queries with try_cast. */
export function reportGlueColumns(report: UsageReportSpec): { name: string; type: string; comment: string }[] {
    return report.columns.map((c) => ({ name: c.name, type: "string", comment: c.comment }));
}

/** A report day as `YYYY-MM-DD` from the partition columns, for windows and grouping. */
export const REPORT_DAY_SQL = "concat(year, '-', month, '-', day)";
