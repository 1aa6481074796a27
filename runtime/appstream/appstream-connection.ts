/**
 * The AppStream client of the dynamic providers. The providers are serialized as code and run in
 * Pulumi's dynamic-provider host, so the SDK is imported when a method runs, never captured.
 */
import type { AppStreamClient } from "@aws-sdk/client-appstream";
import { errorReason } from "../aws/errors";
import { RetryPolicy, withRetries } from "../aws/retry";

export type AppStreamSdk = typeof import("@aws-sdk/client-appstream");

export interface AppStreamConnection {
    readonly region: string;
    /**
     * Runs one SDK call with the retry policy. A failure is rethrown as it is, so callers can
     * branch on its name; `failure` turns it into an error that says what was attempted.
     */
    call<T>(send: (client: AppStreamClient, sdk: AppStreamSdk) => Promise<T>): Promise<T>;
}

export async function connectAppStream(region: string, retry: RetryPolicy): Promise<AppStreamConnection> {
    const sdk = await import("@aws-sdk/client-appstream");
    // One retry policy, ours: it is tested, and the SDK's own retries would multiply with it.
    const client = new sdk.AppStreamClient({ region, maxAttempts: 1 });
    return { region, call: (send) => withRetries(() => send(client, sdk), retry) };
}

/** An error that names the AppStream call, what it was for, and AWS's reason. */
export function failure(what: string, err: unknown): Error {
    return new Error(`${what} failed: ${errorReason(err)}`);
}
