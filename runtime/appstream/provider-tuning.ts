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
