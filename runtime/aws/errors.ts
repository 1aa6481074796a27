/**
 * How an AWS SDK v3 error reads and whether it is worth another try. Shared by the image-update
 * Lambda and the dynamic providers; plain arrays, because closure serializers copy them by value.
 */

/** Names AWS services give throttling errors. */
export const THROTTLING_ERROR_NAMES = [
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceededException",
    "Throttling",
    "RequestThrottledException",
];

interface SdkError {
    name?: string;
    message?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
}

/** The error's name, e.g. `ResourceNotFoundException`; "" when it has none. */
export function errorName(err: unknown): string {
    return (err as SdkError)?.name ?? "";
}

/** Throttling, an error the SDK marks retryable, or a 5xx: the same call may succeed later. */
export function isTransientError(err: unknown): boolean {
    const error = err as SdkError;
    if (THROTTLING_ERROR_NAMES.includes(error?.name ?? "") || error?.$retryable) return true;
    return (error?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** "<error name>: <message>", for summaries and error messages. */
export function errorReason(err: unknown): string {
    const error = err as SdkError;
    return [error?.name, error?.message].filter(Boolean).join(": ") || String(err);
}
