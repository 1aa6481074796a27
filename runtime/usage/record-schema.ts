/**
 * The usage-record schema: the ONE definition of what a session script writes and of the Glue
 * table's columns. The program renders it into `usage-record-fields.json`, which the scripts read
 * to build each record, and into the table's column list.
 */

/** Glue/Hive column types used by the table. */
export type GlueColumnType = "string" | "bigint";

/**
 * Values the scripts compute themselves. The PowerShell module builds a hashtable with exactly
 * these keys (a test parses the module to check).
 */
export const COMPUTED_VALUES = [
    "EventType",
    "EventTimeUtc",
    "Region",
    "SessionStartUtc",
    "SessionEndUtc",
    "DurationSeconds",
    "HostName",
    "SessionId",
] as const;
export type ComputedValue = (typeof COMPUTED_VALUES)[number];

/** Where a field's value comes from on the streaming instance. */
export type FieldSource = { readonly env: string } | { readonly computed: ComputedValue };

export interface UsageRecordField {
    /** Column name and JSON key: lower snake case, as Athena folds names to lower case anyway. */
    readonly name: string;
    readonly type: GlueColumnType;
    readonly source: FieldSource;
    readonly comment: string;
}

/** Values of `event_type`. */
export const EVENT_TYPES = { start: "session_start", end: "session_end" } as const;

export const USAGE_RECORD_FIELDS: readonly UsageRecordField[] = [
    {
        name: "event_type",
        type: "string",
        source: { computed: "EventType" },
        comment: `${EVENT_TYPES.start} or ${EVENT_TYPES.end}`,
    },
    {
        name: "event_time_utc",
        type: "string",
        source: { computed: "EventTimeUtc" },
        comment: "When the script wrote the record, ISO 8601 UTC",
    },
    { name: "region", type: "string", source: { computed: "Region" }, comment: "AWS Region of the fleet" },
    { name: "stack_name", type: "string", source: { env: "AppStream_Stack_Name" }, comment: "AppStream stack" },
    {
        name: "fleet_name",
        type: "string",
        source: { env: "AppStream_Resource_Name" },
        comment: "AppStream fleet (or image builder) name",
    },
    {
        name: "access_mode",
        type: "string",
        source: { env: "AppStream_User_Access_Mode" },
        comment: "userpool, saml or custom",
    },
    { name: "user_name", type: "string", source: { env: "AppStream_UserName" }, comment: "Streaming user" },
    { name: "image_arn", type: "string", source: { env: "AppStream_Image_Arn" }, comment: "Image the session ran on" },
    {
        name: "instance_type",
        type: "string",
        source: { env: "AppStream_Instance_Type" },
        comment: "Streaming instance type",
    },
    {
        name: "session_id",
        type: "string",
        source: { computed: "SessionId" },
        comment:
            "AppStream session ID (AppStream_Session_ID); without one, nosid-<host>-<hash of host, user and reservation time>, the same at both events",
    },
    {
        name: "session_start_utc",
        type: "string",
        source: { computed: "SessionStartUtc" },
        comment: "Session reservation time (AppStream_Session_Reservation_DateTime), ISO 8601 UTC",
    },
    {
        name: "session_end_utc",
        type: "string",
        source: { computed: "SessionEndUtc" },
        comment: `End of the session, ISO 8601 UTC; null on ${EVENT_TYPES.start} records`,
    },
    {
        name: "duration_seconds",
        type: "bigint",
        source: { computed: "DurationSeconds" },
        comment: `Seconds from session start to end; null on ${EVENT_TYPES.start} records`,
    },
    {
        name: "host_name",
        type: "string",
        source: { computed: "HostName" },
        comment: "Streaming instance computer name (tells sessions of a multi-session instance apart)",
    },
    {
        name: "session_reservation_raw",
        type: "string",
        source: { env: "AppStream_Session_Reservation_DateTime" },
        comment: "AppStream_Session_Reservation_DateTime as AppStream set it (its format is undocumented)",
    },
];

/** Partition column of the table; it is part of the S3 key, never of the record. */
export const PARTITION_KEY = "dt";

/** S3 key prefix (no slashes) under which session records are written. */
export const SESSION_RECORDS_PREFIX = "sessions";
/** S3 key prefix for the Windows System event log extracts uploaded at session end. */
export const EVENT_LOG_PREFIX = "session-eventlogs";

export interface GlueColumn {
    readonly name: string;
    readonly type: GlueColumnType;
    readonly comment: string;
}

/** The table's data columns, in record order. */
export function glueColumns(): GlueColumn[] {
    return USAGE_RECORD_FIELDS.map(({ name, type, comment }) => ({ name, type, comment }));
}

/** One entry of `usage-record-fields.json`, the file the scripts read to know which fields to write. */
export interface ScriptFieldSpec {
    readonly name: string;
    readonly type: GlueColumnType;
    readonly env?: string;
    readonly computed?: ComputedValue;
}

/** The content of `usage-record-fields.json`. */
export function scriptFieldSpecs(): ScriptFieldSpec[] {
    return USAGE_RECORD_FIELDS.map(({ name, type, source }) => ({ name, type, ...source }));
}
