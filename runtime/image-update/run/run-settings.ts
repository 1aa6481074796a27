/**
 * The settings of one image-update run. The schedule puts them in the execution input, the state
 * machine hands them to the Lambda, and the Lambda checks them again, because anyone with
 * states:StartExecution can start a run with a hand-written input.
 */

/** Tag written on an image once its update has been started, so it is never updated twice. */
export const COMPLETED_TAG_VALUE = "Completed";
/** Tag on an updated image that names the image made from it. */
export const NEXT_VERSION_TAG_KEY = "NextVersion";
/**
 * Tag written on a version just before fleets are moved off it, with the run's date: retention
 * keeps it until a later run, since sessions started before may still stream from it. It is on
 * the image, not only in the run state, so a step whose result is lost cannot forget it.
 */
export const FLEETS_LEFT_TAG_KEY = "FleetsLeft";
/** Tag on a new image that keeps the original base name, so names do not grow month after month. */
export const BASE_NAME_TAG_KEY = "BaseName";
/** SES SendEmail accepts at most 50 recipients per message. */
export const MAX_RECIPIENTS = 50;
/** AppStream accepts at most 50 tags on an image. */
export const MAX_IMAGE_TAGS = 50;

export interface RunSettings {
    /** Most image updates in flight at once. */
    readonly batchSize: number;
    /** Tag key and value that opt a private image into updates. */
    readonly tagKey: string;
    readonly tagValue: string;
    /** Summary recipients; empty means no email is sent. */
    readonly notifyEmails: readonly string[];
    /** SES sender; empty only when notifyEmails is empty. */
    readonly senderEmail: string;
    /** Checks (one per poll interval) before pending updates are reported as timed out. */
    readonly maxChecks: number;
    /** IANA time zone of the date in new image names (the schedule's time zone). */
    readonly timeZone: string;
    /**
     * Versions of each image kept once a new one is AVAILABLE; older superseded versions are
     * deleted. 0: retention is off, every version is kept, and the summary lists what it would delete.
     */
    readonly keepImageVersions: number;
    /**
     * Calls per second the function makes to each AppStream operation. AppStream does not publish
     * its API rates, so this is the stack's to tune (see README, "Pacing").
     */
    readonly appStreamCallsPerSecond: number;
}

/** The most versions retention can be asked to keep; AppStream's default image quota is 10. */
export const MAX_KEEP_IMAGE_VERSIONS = 100;

/**
 * AppStream does not publish its API rates. Five a second per operation is a cautious start; the
 * function halves it for a while after any throttle (runtime/aws/token-bucket.ts).
 */
export const DEFAULT_APPSTREAM_CALLS_PER_SECOND = 5;
export const MAX_APPSTREAM_CALLS_PER_SECOND = 50;
/**
 * Below 2 a second, listing a large account's images alone could take a step near the function's
 * timeout: DescribeImages pages hold 25 images, so 6,000 images are 240 calls.
 */
export const MIN_APPSTREAM_CALLS_PER_SECOND = 2;

/** The execution input the schedule sends. */
export interface RunInput {
    readonly settings: RunSettings;
}

/**
 * An address SES accepts. SES does not support SMTPUTF8, so an address must be 7-bit ASCII; a
 * Unicode domain must be given in Punycode (xn--…), and a Unicode local part is impossible (SES API
 * reference, Destination). One invalid recipient makes SES reject the whole message, so every
 * address is checked here, at preview, rather than by the run that would email no one. The local
 * part is RFC 5322's dot-atom: the ASCII letters, digits and !#$%&'*+/=?^_`{|}~- in dot-separated runs.
 */
const EMAIL =
    /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmailAddress(value: string): boolean {
    const local = value.slice(0, value.lastIndexOf("@"));
    return value.length <= 254 && local.length <= 64 && EMAIL.test(value);
}

/**
 * AppStream's tag rules, copied from its service model (TagKey and TagValue in botocore's
 * appstream service-2.json; a contract test keeps them equal): a key of 1-128 characters whose
 * first character is any but whose rest are letters, spaces, digits or _.:/=+-@, and which does
 * not start with lowercase "aws:"; a value of at most 256 such characters.
 */
export const TAG_KEY_PATTERN = "^(^(?!aws:).[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
export const TAG_VALUE_PATTERN = "^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$";
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
const TAG_KEY = new RegExp(TAG_KEY_PATTERN, "u");
const TAG_VALUE = new RegExp(TAG_VALUE_PATTERN, "u");
/** AWS counts characters as code points. */
const characters = (text: string) => [...text].length;

/** Tag keys AWS keeps for itself; callers cannot set them (case-sensitive, as the model says). */
export function isReservedTagKey(key: string): boolean {
    return key.startsWith("aws:");
}

export function isTagKey(key: string): boolean {
    const length = characters(key);
    return length >= 1 && length <= MAX_TAG_KEY_LENGTH && TAG_KEY.test(key);
}

export function isTagValue(value: string): boolean {
    return characters(value) <= MAX_TAG_VALUE_LENGTH && TAG_VALUE.test(value);
}

/** How many checks fit in `maxWaitHours` when one happens every `pollIntervalMinutes`. */
export function maxChecksFor(maxWaitHours: number, pollIntervalMinutes: number): number {
    return Math.ceil((maxWaitHours * 60) / pollIntervalMinutes);
}

/** Thrown for an execution input the Lambda cannot run with; the name reaches Step Functions as the error. */
export function invalidRunInput(problems: readonly string[]): Error {
    const error = new Error(`Invalid image-update run input:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    error.name = "InvalidRunInput";
    return error;
}

/** Checks an execution's `settings`, reporting every problem at once, each naming its field. */
export function parseRunSettings(value: unknown): RunSettings {
    const problems: string[] = [];
    const settings = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    if (settings !== value) problems.push("settings must be an object");
    const integer = (field: string, min: number): number => {
        const v = settings[field];
        if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
            problems.push(`settings.${field} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
            return min;
        }
        return v;
    };
    const text = (field: string, valid: (s: string) => boolean, wording: string): string => {
        const v = settings[field];
        if (typeof v !== "string" || !valid(v)) {
            problems.push(`settings.${field} must be ${wording}, got ${JSON.stringify(v)}`);
            return "";
        }
        return v;
    };
    const batchSize = integer("batchSize", 1);
    // Absent in inputs written before retention existed: off.
    const keepImageVersions = settings.keepImageVersions === undefined ? 0 : integer("keepImageVersions", 0);
    if (keepImageVersions > MAX_KEEP_IMAGE_VERSIONS) {
        problems.push(
            `settings.keepImageVersions must be at most ${MAX_KEEP_IMAGE_VERSIONS}, got ${keepImageVersions}`,
        );
    }
    const maxChecks = integer("maxChecks", 1);
    // Absent in inputs written before pacing existed: the default.
    const appStreamCallsPerSecond =
        settings.appStreamCallsPerSecond === undefined
            ? DEFAULT_APPSTREAM_CALLS_PER_SECOND
            : integer("appStreamCallsPerSecond", MIN_APPSTREAM_CALLS_PER_SECOND);
    if (appStreamCallsPerSecond > MAX_APPSTREAM_CALLS_PER_SECOND) {
        problems.push(
            `settings.appStreamCallsPerSecond must be at most ${MAX_APPSTREAM_CALLS_PER_SECOND}, got ${appStreamCallsPerSecond}`,
        );
    }
    const tagKey = text("tagKey", isTagKey, "an AppStream tag key");
    const tagValue = text("tagValue", (v) => isTagValue(v) && v !== COMPLETED_TAG_VALUE, "an AppStream tag value");
    const senderEmail = text("senderEmail", (v) => v === "" || isEmailAddress(v), `"" or an email address`);
    const timeZone = text("timeZone", (v) => v !== "", "an IANA time zone name");
    const recipients = settings.notifyEmails;
    let notifyEmails: string[] = [];
    if (
        !Array.isArray(recipients) ||
        recipients.length > MAX_RECIPIENTS ||
        !recipients.every((r) => typeof r === "string" && isEmailAddress(r))
    ) {
        problems.push(
            `settings.notifyEmails must be a list of at most ${MAX_RECIPIENTS} email addresses, got ${JSON.stringify(recipients)}`,
        );
    } else {
        notifyEmails = recipients as string[];
        // Only an explicitly empty sender: a missing or malformed one is already reported above.
        if (notifyEmails.length > 0 && settings.senderEmail === "") {
            problems.push("settings.senderEmail is required when settings.notifyEmails is not empty");
        }
    }
    if (problems.length > 0) throw invalidRunInput(problems);
    return {
        batchSize,
        tagKey,
        tagValue,
        notifyEmails,
        senderEmail,
        maxChecks,
        timeZone,
        keepImageVersions,
        appStreamCallsPerSecond,
    };
}
