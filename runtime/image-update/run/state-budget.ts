/**
 * The run state travels through Step Functions, which refuses any state input or output over
 * 256 KiB with States.DataLimitExceeded. States.ALL does not catch that error (Step Functions
 * developer guide, "Error names"), so the execution would die without a failure email. No Catch can
 * help: the Lambda itself keeps the state small. Each image is admitted to a run only with room for
 * everything it may still collect (a reason, a note, the tags to write); images that do not fit
 * keep their opt-in tag and are counted, named in part, and taken up by a later run.
 */
import { completedTags } from "../lifecycle/image-tags";
import { MAX_IMAGE_NAME_LENGTH } from "../lifecycle/image-names";

/** Step Functions' limit on a state's input or output, in UTF-8 bytes (Step Functions quotas). */
export const STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES = 262_144;

/**
 * What the images of one run may take. The execution's data also holds the settings twice
 * ($.settings and $.run.settings: at most 50 recipients of 254 bytes, about 14 KB each), a caught
 * error (a Lambda error's Cause, up to 32,768 characters), the notify result, the quotas, the
 * fleet and retention records (LIFECYCLE_RECORDS_BUDGET_BYTES each) and the run's own fields;
 * 140 KiB for the images leaves room for all of them.
 */
export const RUN_IMAGES_BUDGET_BYTES = 140 * 1024;

/** What the fleet records, and separately the retention records, of one run may take. */
export const LIFECYCLE_RECORDS_BUDGET_BYTES = 20 * 1024;

/** A reason or note longer than this is cut: enough for AppStream's error messages. */
export const MAX_DETAIL_BYTES = 300;

/** How many left-out images the summary names; the rest are counted. */
export const LEFT_OUT_NAMES_SHOWN = 20;

/** Images a run could not take, because their state would not fit. */
export interface LeftOut {
    readonly count: number;
    /** The first few, by name. */
    readonly names: string[];
}

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

/**
 * The most an image entry can weigh by the end of the run, given what it weighs when planned: a
 * reason and a note at their cap, a retry count, a longer status, and the old-image tags at their
 * largest (what completedTags writes, with a new image name of the longest length AppStream allows).
 */
export function worstCaseEntryBytes(plannedEntry: object, tagKey: string): number {
    const detail = bytes("") + MAX_DETAIL_BYTES;
    const largestTags = completedTags(tagKey, "x".repeat(MAX_IMAGE_NAME_LENGTH), {}).tags;
    return (
        bytes(plannedEntry) +
        bytes({ reason: "" }) +
        detail +
        bytes({ note: "" }) +
        detail +
        bytes({ attempts: 1_000_000 }) +
        bytes({ waitingFor: "concurrentUpdates" }) +
        bytes({ pendingOldImageTags: largestTags }) +
        "updating".length
    );
}

/**
 * Which planned entries a run takes: as many as fit in RUN_IMAGES_BUDGET_BYTES at their worst
 * case, the rest left out. Which ones are taken rotates with the run date, so that when an account
 * has more opted-in images than a run can hold, the same images are not left out every month; a
 * retried step (same date) takes the same ones.
 */
export function admitWithinBudget<T extends { name: string }>(
    entries: readonly T[],
    tagKey: string,
    runDate: string,
    budget = RUN_IMAGES_BUDGET_BYTES,
): { admitted: T[]; leftOut?: LeftOut } {
    const order = [...entries].sort(
        (a, b) => rotation(`${runDate}/${a.name}`) - rotation(`${runDate}/${b.name}`) || a.name.localeCompare(b.name),
    );
    const admitted: T[] = [];
    const left: string[] = [];
    let used = 0;
    for (const entry of order) {
        const cost = worstCaseEntryBytes(entry, tagKey) + 1;
        if (used + cost <= budget) {
            admitted.push(entry);
            used += cost;
        } else {
            left.push(entry.name);
        }
    }
    admitted.sort((a, b) => a.name.localeCompare(b.name));
    if (left.length === 0) return { admitted };
    left.sort((a, b) => a.localeCompare(b));
    return { admitted, leftOut: { count: left.length, names: left.slice(0, LEFT_OUT_NAMES_SHOWN) } };
}

/** FNV-1a: a stable, well-spread order for the rotation; not for security. */
function rotation(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
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
