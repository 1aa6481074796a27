/**
 * Bounds on what a run's state and summary hold. The state lives in S3, whatever its size, and
 * Step Functions carries only a pointer to it (stored-steps), but the summary email must stay
 * readable and within SES's message size: each reason or note is cut to a few hundred bytes, and
 * the fleet and retention records to a budget, the rest counted.
 */
/** Step Functions' limit on a state's input or output, in UTF-8 bytes (Step Functions quotas). */
export const STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES = 262_144;

/** What the fleet records, and separately the retention records, of one run may take. */
export const LIFECYCLE_RECORDS_BUDGET_BYTES = 20 * 1024;

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
 * A list of records kept within a byte budget: a record that would not fit is counted in
 * `omitted` instead, so the summary can say how many it does not name.
 */
export interface BoundedRecords<T> {
    items: T[];
    omitted: number;
}

export function emptyRecords<T>(): BoundedRecords<T> {
    return { items: [], omitted: 0 };
}

/** Adds a record, or replaces the one with the same key, within `budget` bytes. */
export function upsertRecord<T>(
    records: BoundedRecords<T>,
    record: T,
    keyOf: (record: T) => string,
    budget = LIFECYCLE_RECORDS_BUDGET_BYTES,
): void {
    const at = records.items.findIndex((item) => keyOf(item) === keyOf(record));
    const items = at >= 0 ? records.items.map((item, i) => (i === at ? record : item)) : [...records.items, record];
    if (bytes(items) <= budget) records.items = items;
    else if (at < 0) records.omitted++;
}
