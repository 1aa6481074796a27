/**
 * A dynamic provider as Pulumi's dynamic-provider host runs it: its code serialized the way
 * `pulumi.dynamic.Resource` serializes it (or taken from a registered resource's `__provider`
 * input) and loaded with the host's own `require-from-string`.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { ProviderTuning } from "../../runtime/appstream/provider-tuning";

// The host (`@pulumi/pulumi/cmd/dynamic-provider`) loads providers with this package.
const hostDir = path.dirname(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const requireFromString: (code: string) => { handler(): unknown } = require(
    require.resolve("require-from-string", { paths: [hostDir] }),
);

/** Short waits, so retry and settle paths run in milliseconds. */
export const FAST_TUNING: ProviderTuning = {
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    fleetSettle: { pollMs: 1, timeoutMs: 200 },
};

/** Serializes a provider as `pulumi.dynamic.Resource` does (runtime/closure serializeFunction). */
export async function serializeProvider(provider: dynamic.ResourceProvider): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return serialized.text;
}

/** Loads serialized provider code the way the dynamic-provider host does. */
export function loadProvider<I, O>(code: string): Required<dynamic.ResourceProvider<I, O>> {
    return requireFromString(code).handler() as Required<dynamic.ResourceProvider<I, O>>;
}

/** The provider after a round trip through serialization: what would really run. */
export async function asDeployed<I, O>(provider: dynamic.ResourceProvider<I, O>) {
    return loadProvider<I, O>(await serializeProvider(provider as dynamic.ResourceProvider));
}

/** The `require("…")` calls in serialized code: what it loads at run time. */
export function requiredModules(code: string): string[] {
    return [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
}
