import * as pulumi from "@pulumi/pulumi";

/** Every key this program reads lives in this namespace: `appstream-ops:<key>`. */
export const CONFIG_NAMESPACE = "appstream-ops";

/** One config key: how it is documented, its default, and how a raw stack value is parsed. */
export interface ConfigKeySpec<T> {
    readonly type: string;
    readonly defaultValue: T;
    readonly description: string;
    /** Human wording of the accepted values, used verbatim in error messages. */
    readonly accepted: string;
    /** Returns the parsed value, or undefined when `raw` is not acceptable. */
    parse(raw: string): T | undefined;
}

function integerKey(opts: {
    min: number;
    max?: number;
    defaultValue: number;
    description: string;
}): ConfigKeySpec<number> {
    const { min, max } = opts;
    return {
        type: "integer",
        defaultValue: opts.defaultValue,
        description: opts.description,
        accepted: max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
        parse(raw) {
            if (!/^\s*-?\d+\s*$/.test(raw)) return undefined;
            const value = Number(raw);
            if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) {
                return undefined;
            }
            return value;
        },
    };
}

/** The single definition of every stack config key: the README's config table is checked against it. */
export const CONFIG_KEYS = {
    sessionScriptWaitSeconds: integerKey({
        min: 1,
        // AppStream stops session scripts after 60 s; a larger waitingTime is rejected by the service.
        max: 60,
        defaultValue: 30,
        description:
            "`waitingTime` of both session-script events in config.json: how long AppStream waits for the usage scripts. The scripts finish their uploads within it and always exit 0.",
    }),
    usageRetentionDays: integerKey({
        min: 1,
        defaultValue: 730,
        description:
            "Days a usage record (and session event log) is kept in the usage bucket before S3 lifecycle expires it. Also bounds the Athena partition projection range.",
    }),
    athenaBytesScannedCutoffMb: integerKey({
        // Athena's own minimum for BytesScannedCutoffPerQuery is 10 MB.
        min: 10,
        defaultValue: 1024,
        description:
            "Per-query data-scanned limit of the Athena workgroup, in MB. Queries that would scan more are cancelled, which caps the cost of one query.",
    }),
} satisfies Record<string, ConfigKeySpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The validated stack configuration. */
export type AppStreamOpsConfig = {
    readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["defaultValue"];
};

/** Thrown when stack config is invalid; RunError makes Pulumi print the message without a stack trace. */
export class ConfigValidationError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(
            `Invalid stack configuration (fix it with \`pulumi config set\` or in Pulumi.<stack>.yaml):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigValidationError";
    }
}

/**
 * Parses and validates every key. Collects all problems and throws once, so a stack file is fixed
 * in one pass. `read` returns the raw string of a key (Pulumi gives every value as a string;
 * lists and objects as JSON); `presentKeys` are all keys set in the namespace, used to catch typos.
 */
export function parseConfig(
    read: (key: string) => string | undefined,
    presentKeys: readonly string[] = [],
): AppStreamOpsConfig {
    const problems: string[] = [];
    const known = Object.keys(CONFIG_KEYS);
    for (const key of presentKeys) {
        if (!known.includes(key)) {
            problems.push(`${CONFIG_NAMESPACE}:${key} is not a known key; the accepted keys are: ${known.join(", ")}`);
        }
    }
    const values: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS) as [ConfigKey, ConfigKeySpec<unknown>][]) {
        const raw = read(key);
        if (raw === undefined) {
            values[key] = spec.defaultValue;
            continue;
        }
        const parsed = spec.parse(raw);
        if (parsed === undefined) {
            problems.push(
                `${CONFIG_NAMESPACE}:${key} = ${JSON.stringify(raw)} is invalid: expected ${spec.accepted} (default ${JSON.stringify(spec.defaultValue)})`,
            );
        } else {
            values[key] = parsed;
        }
    }
    if (problems.length > 0) throw new ConfigValidationError(problems);
    return values as AppStreamOpsConfig;
}

/** Reads the current stack's config. Fails the program (and so `pulumi preview`) on any invalid key. */
export function loadConfig(): AppStreamOpsConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const prefix = `${CONFIG_NAMESPACE}:`;
    const presentKeys = Object.keys(pulumi.runtime.allConfig())
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    return parseConfig((key) => config.get(key), presentKeys);
}
