import { DEFAULT_RETRY_POLICY, RetryPolicy } from "../aws/retry";

/** Timings of the dynamic providers; tests shorten them, the program uses the defaults. */
export interface ProviderTuning {
    readonly retry: RetryPolicy;
    /** How often to look at a STARTING or STOPPING fleet, and for how long at most. */
    readonly fleetSettle: { readonly pollMs: number; readonly timeoutMs: number };
}

// A fleet starts in about 10-20 minutes; waiting that long lets `pulumi up` follow a fleet start.
export const DEFAULT_PROVIDER_TUNING: ProviderTuning = {
    retry: DEFAULT_RETRY_POLICY,
    fleetSettle: { pollMs: 15000, timeoutMs: 25 * 60000 },
};

/** Pulumi's placeholder for an input not known yet (a preview before the value exists). */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A plain, known, non-empty string input. */
export function isKnownString(value: unknown): value is string {
    return typeof value === "string" && value !== "" && value !== UNKNOWN_INPUT;
}
