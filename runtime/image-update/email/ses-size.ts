/**
 * Whether a summary email fits in one SES message, and what to send when it does not: the full
 * report is stored in S3 beside the run's state, and the email lists the first lines of each
 * section, every count whole, with a link to the full report. Nothing is lost: were the report not
 * stored, the email says so and points at the run's state, which holds every image.
 */
import { errorReason } from "../../aws/errors";
import type { Email, EmailOptions, FullReport } from "./summary-email";

/**
 * SES v1 SendEmail: "10 MB per message (after base64 encoding)" (SES developer guide, "Service
 * quotas in Amazon SES", Message quotas). MB read as 10^6 bytes, the smaller of the two readings.
 */
export const SES_MAX_MESSAGE_BYTES = 10_000_000;
/** Room for the message's headers (subject, addresses, MIME boundaries and part headers). */
const HEADERS_BYTES = 16 * 1024;

/** The message's size once SES has base64-encoded both parts: 4 bytes per 3, and a CRLF per 76 characters. */
export function encodedEmailBytes(email: Email): number {
    const base64 = (text: string) => {
        const encoded = Math.ceil(Buffer.byteLength(text, "utf8") / 3) * 4;
        return encoded + Math.ceil(encoded / 76) * 2;
    };
    return base64(email.text) + base64(email.html) + Buffer.byteLength(email.subject, "utf8") + HEADERS_BYTES;
}

export const fitsInSes = (email: Email): boolean => encodedEmailBytes(email) <= SES_MAX_MESSAGE_BYTES;

/** Lines listed per section in a shortened email, most first; a section's lines are at most a few KiB each. */
const LISTED_PER_SECTION = [200, 50, 10, 0];

/**
 * The email to send: `build()` when it fits; otherwise the full email is stored with `storeReport`
 * and the first shortened email that fits is sent, linking to it.
 */
export async function emailWithinSes(
    build: (options?: EmailOptions) => Email,
    storeReport: (full: Email) => Promise<FullReport>,
): Promise<Email> {
    const full = build();
    if (fitsInSes(full)) return full;
    let fullReport: FullReport;
    try {
        fullReport = await storeReport(full);
    } catch (err) {
        fullReport = { storeError: errorReason(err) };
    }
    let shortened = full;
    for (const listedPerSection of LISTED_PER_SECTION) {
        shortened = build({ listedPerSection, fullReport });
        if (fitsInSes(shortened)) break;
    }
    return shortened;
}
