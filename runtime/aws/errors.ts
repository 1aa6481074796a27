/**
 * How an AWS SDK v3 error reads and whether it is worth another try. Shared by the image-update
 * Lambda and the dynamic providers; plain arrays, because closure serializers copy them by value.
 */

/** Names AWS services give throttling errors. */
export const THROTTLING_ERROR_NAMES = [
    "ThrottlingException",
    // The Resource Groups Tagging API's (its GetResources errors in the service model).
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceededException",
    "Throttling",
    "RequestThrottledException",
];

/**
 * Names the SDK gives a request that got no answer (its TRANSIENT_ERROR_CODES in
 * @smithy/core's service-error-classification): the call may or may not have taken effect.
 */
export const NO_ANSWER_ERROR_NAMES = ["TimeoutError", "RequestTimeout", "RequestTimeoutException"];

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
    const name = error?.name ?? "";
    if (THROTTLING_ERROR_NAMES.includes(name) || NO_ANSWER_ERROR_NAMES.includes(name) || error?.$retryable) return true;
    return (error?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** "<error name>: <message>", for summaries and error messages. */
export function errorReason(err: unknown): string {
    const error = err as SdkError;
    return [error?.name, error?.message].filter(Boolean).join(": ") || String(err);
}
