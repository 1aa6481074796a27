/**
 * Bounds on what a run's state and summary hold. The state lives in S3, whatever its size, and
 * Step Functions carries only a pointer to it (stored-steps). Each reason or note is cut to a few
 * hundred bytes, so the summary stays readable; every image, fleet and retention record is kept,
 * and an email too large for SES links the full report instead (email/ses-size.ts).
 */
/** Step Functions' limit on a state's input or output, in UTF-8 bytes (Step Functions quotas). */
export const STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES = 262_144;

/** A reason or note longer than this is cut: enough for AppStream's error messages. */
export const MAX_DETAIL_BYTES = 300;

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");

/** `text` cut so that it takes at most MAX_DETAIL_BYTES as a JSON string, marking the cut with "…". */
export function boundedDetail(text: string): string {
    if (bytes(text) <= MAX_DETAIL_BYTES) return text;
    let out = "";
    for (const char of text) {
        if (bytes(`${out}${char}…`) > MAX_DETAIL_BYTES) break;
        out += char;
    }
    return `${out}…`;
}

/** Adds a note to what an image already carries; the whole stays within MAX_DETAIL_BYTES. */
export function appendNote(note: string | undefined, addition: string): string {
    return boundedDetail(note ? `${note}; ${addition}` : addition);
}

/** The UTF-8 size of a value as Step Functions measures its JSON. */
export const payloadBytes = bytes;

/**
 * A run's fleet or retention records. `omitted` counts records a run of an earlier version left out
 * (it kept them within 20 KiB, when the state travelled in Step Functions): such a run, resumed by
 * this version, still says how many it does not name. This version keeps every record.
 */
export interface BoundedRecords<T> {
    items: T[];
    omitted: number;
}

export function emptyRecords<T>(): BoundedRecords<T> {
    return { items: [], omitted: 0 };
}

/** Adds a record, or replaces the one with the same key. */
export function upsertRecord<T>(records: BoundedRecords<T>, record: T, keyOf: (record: T) => string): void {
    const at = records.items.findIndex((item) => keyOf(item) === keyOf(record));
    if (at >= 0) records.items[at] = record;
    else records.items.push(record);
}
