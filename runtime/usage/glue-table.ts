/**
 * How the Glue table reads the usage records: JSON SerDe over newline-delimited JSON, with Athena
 * partition projection on the date so that no crawler or MSCK REPAIR is ever needed.
 */
import { createHash } from "crypto";
import { PARTITION_KEY, SESSION_RECORDS_PREFIX } from "./record-schema";

export const USAGE_TABLE_NAME = "session_events";

export const JSON_SERDE = {
    serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
    inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    parameters: {
        // A malformed line is read as nulls instead of failing the whole query.
        "ignore.malformed.json": "true",
    },
} as const;

/** S3 location of the session records. */
export function recordsLocation(bucket: string): string {
    return `s3://${bucket}/${SESSION_RECORDS_PREFIX}/`;
}

/**
 * Table parameters with partition projection on `dt` (yyyy-MM-dd). Athena derives the partitions
 * from the query's `dt` predicate, so a query over 30 days lists only 30 prefixes. The range
 * starts where lifecycle expiry has already removed the data.
 */
export function partitionProjectionParameters(bucket: string, retentionDays: number): Record<string, string> {
    return {
        EXTERNAL: "TRUE",
        classification: "json",
        "projection.enabled": "true",
        [`projection.${PARTITION_KEY}.type`]: "date",
        [`projection.${PARTITION_KEY}.format`]: "yyyy-MM-dd",
        [`projection.${PARTITION_KEY}.range`]: `NOW-${retentionDays}DAYS,NOW`,
        [`projection.${PARTITION_KEY}.interval`]: "1",
        [`projection.${PARTITION_KEY}.interval.unit`]: "DAYS",
        "storage.location.template": `${recordsLocation(bucket)}${PARTITION_KEY}=\${${PARTITION_KEY}}/`,
    };
}

/**
 * The Glue database of a stack: `appstream_usage_<stack>`. Glue names are lower case letters,
 * digits and `_`, so `Prod-EU`, `prod.eu` and `prod_eu` would all become `appstream_usage_prod_eu`
 * and the second stack would fail at deploy; a stack name Glue cannot spell as it is therefore
 * also gets 8 hex digits of its SHA-256. A name Glue can spell (`dev`, `prod_eu`) is kept as is.
 */
export function stackDatabaseName(stack: string): string {
    const base = glueIdentifier(`appstream_usage_${stack}`);
    if (/^[a-z0-9_]+$/.test(stack)) return base;
    const hash = createHash("sha256").update(stack, "utf8").digest("hex").slice(0, 8);
    return `${base.slice(0, 255 - 9)}_${hash}`;
}

/** Glue and Athena names: lower case letters, digits and underscores, at most 255 characters. */
export function isGlueIdentifier(name: string): boolean {
    return /^[a-z0-9_]{1,255}$/.test(name);
}

/** `name` spelled as a Glue identifier: lower case, other characters runs of `_`. */
export function glueIdentifier(name: string): string {
    const id = name
        .toLowerCase()
        .replace(/[^a-z0-9_]+/g, "_")
        .replace(/^_+|_+$/g, "");
    if (id === "") throw new Error(`cannot derive a Glue name from ${JSON.stringify(name)}`);
    return id.slice(0, 255);
}
