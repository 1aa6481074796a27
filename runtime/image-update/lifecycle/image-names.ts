/**
 * Names of updated images. CreateUpdatedImage rejects a name that does not match
 * IMAGE_NAME_PATTERN or that starts with Amazon, AWS or AppStream, and a run must never fail on
 * a name it made itself, so every name is built to satisfy them whatever the base name holds.
 */

export const IMAGE_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/;
export const MAX_IMAGE_NAME_LENGTH = 101;
export const MAX_DISPLAY_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 256;
/** Prefixes AppStream reserves for its own images. */
export const RESERVED_NAME_PREFIX = /^(amazon|aws|appstream)/i;

/** Suffixes earlier updates appended (ours, and day+month+year run together), so a base never grows. */
const UPDATE_SUFFIXES = /(-Updated-(\d{4}-\d{2}-\d{2}|\d{8}))+$/i;

/** "-Updated-YYYY-MM-DD": unambiguous, and sorts by date. */
export function updateSuffix(runDate: string): string {
    return `-Updated-${runDate}`;
}

/** The base of an image's future names: its BaseName tag, or its name without earlier update suffixes. */
export function baseNameOf(imageName: string, baseNameTag: string | undefined): string {
    const tagged = baseNameTag?.trim();
    if (tagged) return tagged;
    return imageName.replace(UPDATE_SUFFIXES, "") || imageName;
}

/**
 * Maps a base name onto the characters AppStream allows: accents are dropped, every other
 * disallowed run becomes one "-", it starts with a letter or digit, and it never starts with a
 * reserved prefix.
 */
export function sanitizeBaseName(baseName: string): string {
    let name = baseName
        .normalize("NFKD")
        .replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-zA-Z0-9_.-]+/g, "-")
        .replace(/^[^a-zA-Z0-9]+/, "");
    name = withoutTrailingPunctuation(name);
    if (name === "") name = "image";
    if (RESERVED_NAME_PREFIX.test(name)) name = `img-${name}`;
    return name;
}

/** A trailing "-", "_" or "." would run into the suffix ("v2--Updated"). */
function withoutTrailingPunctuation(name: string): string {
    return name.replace(/[-_.]+$/, "");
}

/** `<BaseName>-Updated-<YYYY-MM-DD>`, the base cut so that the whole name has at most 101 characters. */
export function updatedImageName(baseName: string, runDate: string): string {
    const suffix = updateSuffix(runDate);
    return (
        withoutTrailingPunctuation(sanitizeBaseName(baseName).slice(0, MAX_IMAGE_NAME_LENGTH - suffix.length)) + suffix
    );
}

/** Cuts text to `max` UTF-16 units without splitting a character, marking the cut with "…". */
export function truncate(text: string, max: number): string {
    if (text.length <= max) return text;
    let out = "";
    for (const char of text) {
        if (out.length + char.length > max - 1) break;
        out += char;
    }
    return `${out}…`;
}

/** Control characters would make the API reject the display name or description. */
function printable(text: string): string {
    return text.replace(/[\p{Cc}]+/gu, " ").trim();
}

/** The tail updatedDisplayName appends; stripped again next cycle so display names do not grow. */
const DISPLAY_NAME_TAILS = /(\s*\(updated \d{4}-\d{2}-\d{2}\))+$/;

/** "<display name or base> (updated YYYY-MM-DD)", at most 100 characters, the date always kept. */
export function updatedDisplayName(displayName: string | undefined, baseName: string, runDate: string): string {
    const tail = ` (updated ${runDate})`;
    const head = printable(displayName ?? "").replace(DISPLAY_NAME_TAILS, "") || baseName;
    return truncate(printable(head), MAX_DISPLAY_NAME_LENGTH - tail.length) + tail;
}

/** Says what the image was made from and when, at most 256 characters. */
export function updatedDescription(existingImageName: string, runDate: string): string {
    return truncate(
        `Managed image update of ${existingImageName}, started ${runDate} by appstream-ops (Windows, driver and AppStream agent updates).`,
        MAX_DESCRIPTION_LENGTH,
    );
}

/** The run's date, YYYY-MM-DD, in the schedule's time zone, from the execution start time. */
export function runDateOf(startedAt: string, timeZone: string): string {
    const at = new Date(startedAt);
    if (Number.isNaN(at.getTime())) throw new Error(`startedAt ${JSON.stringify(startedAt)} is not a timestamp`);
    const parts = Object.fromEntries(
        new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
            .formatToParts(at)
            .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}`;
}
