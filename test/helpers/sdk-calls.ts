/**
 * The AWS calls the runtime makes, read from its source: every `new XCommand(` and `paginateX(`,
 * with the IAM action it needs and the principal whose credentials make it. The IAM contract test
 * requires a row for each, and the service-model test an operation in the committed model.
 */
import * as fs from "fs";
import * as path from "path";
import { PROJECT_ROOT } from "./program";

/**
 * Who makes calls from runtime/: the image-update Lambda's role, the usage digest's role, or the
 * identity running `pulumi up`.
 */
export type Caller = "imageUpdater" | "usageDigest" | "deployer";

/** Which principals' credentials a call made from a runtime folder uses. */
export const CALLERS_BY_FOLDER: Record<string, readonly Caller[]> = {
    "runtime/image-update": ["imageUpdater"],
    "runtime/insights": ["usageDigest"],
    "runtime/appstream": ["deployer"],
    // The email both functions send.
    "runtime/email": ["imageUpdater", "usageDigest"],
};

export interface SdkCall {
    readonly principal: Caller | undefined;
    /** IAM service prefix, which is also the model name. */
    readonly service: string;
    readonly operation: string;
    readonly action: string;
    readonly file: string;
}

/** The AWS SDK v3 packages the runtime uses, and the IAM service prefix of each. */
const SDK_PACKAGES: Record<string, string> = {
    "@aws-sdk/client-appstream": "appstream",
    "@aws-sdk/client-athena": "athena",
    "@aws-sdk/client-service-quotas": "servicequotas",
    "@aws-sdk/client-ses": "ses",
    "@aws-sdk/client-resource-groups-tagging-api": "tag",
    "@aws-sdk/client-s3": "s3",
};

function serviceOf(operation: string): string | undefined {
    for (const [pkg, service] of Object.entries(SDK_PACKAGES)) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require(pkg) as Record<string, unknown>;
        if (`${operation}Command` in sdk) return service;
    }
    return undefined;
}

/** The AWS calls one source file makes: `new XCommand(` and `paginateX(`, with their IAM action. */
export function sdkCallsIn(file: string, text: string): SdkCall[] {
    const folder = Object.keys(CALLERS_BY_FOLDER).find((f) => file.startsWith(`${f}/`));
    const principals = folder ? CALLERS_BY_FOLDER[folder] : [undefined];
    const operations = [
        ...[...text.matchAll(/new\s+(?:\w+\.)?(\w+)Command\s*\(/g)].map((m) => m[1]),
        ...[...text.matchAll(/\bpaginate(\w+)\s*\(/g)].map((m) => m[1]),
    ];
    return operations.flatMap((operation) => {
        const service = serviceOf(operation) ?? "unknown";
        return principals.map((principal) => ({
            principal,
            service,
            operation,
            action: `${service}:${operation}`,
            file,
        }));
    });
}

export function sdkCallsInRuntime(): SdkCall[] {
    const calls: SdkCall[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, dir), { withFileTypes: true })) {
            const relative = `${dir}/${entry.name}`;
            if (entry.isDirectory()) walk(relative);
            else if (entry.name.endsWith(".ts")) {
                calls.push(...sdkCallsIn(relative, fs.readFileSync(path.join(PROJECT_ROOT, relative), "utf8")));
            }
        }
    };
    walk("runtime");
    return calls;
}
