import * as pulumi from "@pulumi/pulumi";
import { FLEET_NAME_RULE, isFleetName } from "./runtime/appstream/elastic-fleets";
import {
    BASE_NAME_TAG_KEY,
    COMPLETED_TAG_VALUE,
    DEFAULT_APPSTREAM_CALLS_PER_SECOND,
    MAX_APPSTREAM_CALLS_PER_SECOND,
    MIN_APPSTREAM_CALLS_PER_SECOND,
    MAX_KEEP_IMAGE_VERSIONS,
    MAX_RECIPIENTS,
    NEXT_VERSION_TAG_KEY,
    isEmailAddress,
    isTagKey,
    isTagValue,
    maxChecksFor,
} from "./runtime/image-update/run/run-settings";
import { scheduleExpressionProblem, timeZoneProblem } from "./runtime/image-update/schedule/schedule-expression";
import { scheduleTiming } from "./runtime/image-update/schedule/schedule-firings";
import { isGlueIdentifier } from "./runtime/usage/glue-table";

/** An SNS topic ARN: arn:<partition>:sns:<region>:<account>:<name of 1-256 letters, digits, - and _>. */
export function isSnsTopicArn(value: string): boolean {
    return /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(value);
}

/** Why a valid expression is still useless: it fires at no date from today on. */
function scheduleNeverFiresProblem(expression: string): string | undefined {
    const today = new Date();
    return scheduleTiming(expression, today).next === undefined
        ? `it never fires after ${today.toISOString().slice(0, 10)}: no date matches its day-of-month, month, day-of-week and year fields together`
        : undefined;
}

/** Every key this program reads lives in this namespace: `appstream-ops:<key>`. */
export const CONFIG_NAMESPACE = "appstream-ops";

/** Longest record retention accepted, in days. */
const MAX_RETENTION_DAYS = 36_500;
/** Largest per-query scan limit, in MB, whose byte count is still an exact integer. */
const MAX_BYTES_SCANNED_CUTOFF_MB = Math.floor(Number.MAX_SAFE_INTEGER / (1024 * 1024));

/** Fleets one stack may point at its bundle; AppStream's default fleet quota is far lower. */
const MAX_ELASTIC_FLEETS = 50;
/** Fleets fleet insights may monitor, both lists together (two alarms and two graphs each). */
export const MAX_MONITORED_FLEETS = 50;
/** Highest concurrent-update quota accepted; far above AppStream's default of 5. */
const MAX_CONCURRENT_UPDATES_LIMIT = 100;
/**
 * A standard Step Functions execution holds at most 25,000 history events and each check adds
 * about ten, so the checks of one run are capped well below that.
 */
export const MAX_CHECKS_PER_RUN = 1000;

/** Why a list item is not a fleet name, or undefined when it is one. */
const fleetNameProblem = (item: unknown): string | undefined =>
    typeof item === "string" && isFleetName(item) ? undefined : `is not a fleet name (${FLEET_NAME_RULE})`;

/** What parsing a raw stack value gives: the value, or why it is not acceptable. */
export type ParseResult<T> = { readonly value: T } | { readonly problem?: string };

/** One config key: how it is documented, its default, and how a raw stack value is parsed. */
export interface ConfigKeySpec<T> {
    readonly type: string;
    readonly defaultValue: T;
    readonly description: string;
    /** Human wording of the accepted values, used verbatim in error messages. */
    readonly accepted: string;
    parse(raw: string): ParseResult<T>;
}

function integerKey(opts: {
    min: number;
    max?: number;
    defaultValue: number;
    description: string;
}): ConfigKeySpec<number> {
    const { min, max } = opts;
    return {
        type: max === undefined ? `integer >= ${min}` : `integer ${min}..${max}`,
        defaultValue: opts.defaultValue,
        description: opts.description,
        accepted: max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`,
        parse(raw): ParseResult<number> {
            if (!/^\s*-?\d+\s*$/.test(raw)) return {};
            const value = Number(raw);
            if (!Number.isSafeInteger(value) || value < min || (max !== undefined && value > max)) return {};
            return { value };
        },
    };
}

function booleanKey(opts: { defaultValue: boolean; description: string }): ConfigKeySpec<boolean> {
    return {
        type: "boolean",
        ...opts,
        accepted: "true or false",
        parse: (raw): ParseResult<boolean> =>
            raw === "true" ? { value: true } : raw === "false" ? { value: false } : {},
    };
}

function stringKey(opts: {
    type: string;
    defaultValue: string;
    description: string;
    accepted: string;
    /** Why the value is not acceptable, or undefined when it is. */
    problem(value: string): string | undefined;
}): ConfigKeySpec<string> {
    const { problem, ...rest } = opts;
    return {
        ...rest,
        parse(raw) {
            const why = problem(raw);
            return why === undefined ? { value: raw } : { problem: why };
        },
    };
}

/** A list of strings: a YAML/JSON list, or one comma-separated string. Empty items are dropped. */
function stringListKey(opts: {
    type: string;
    description: string;
    accepted: string;
    maxItems: number;
    /** What the items are called, as in "51 addresses" and "an address is listed twice". */
    itemsName: string;
    oneItem: string;
    /** Why one item is not acceptable, e.g. "is not an email address"; undefined when it is. */
    itemProblem(item: unknown): string | undefined;
}): ConfigKeySpec<string[]> {
    return {
        type: opts.type,
        defaultValue: [],
        description: opts.description,
        accepted: opts.accepted,
        parse(raw): ParseResult<string[]> {
            let items: unknown;
            try {
                items = raw.trim().startsWith("[") ? JSON.parse(raw) : raw.split(",").map((s) => s.trim());
            } catch {
                return {};
            }
            if (!Array.isArray(items)) return {};
            const list = items.filter((item) => item !== "");
            const bad = list.flatMap((item) => {
                const why = opts.itemProblem(item);
                return why === undefined ? [] : [`${JSON.stringify(item)} ${why}`];
            });
            if (bad.length > 0) return { problem: bad.join(", ") };
            if (list.length > opts.maxItems) return { problem: `${list.length} ${opts.itemsName}` };
            if (new Set(list).size !== list.length) return { problem: `${opts.oneItem} is listed twice` };
            return { value: list as string[] };
        },
    };
}

/** The single definition of every stack config key: the README's config table is checked against it. */
export const CONFIG_KEYS = {
    usagePipeline: booleanKey({
        defaultValue: true,
        description:
            'Deploy the session usage pipeline (`UsagePipeline`): usage bucket, session-script role and package, Glue table, Athena workgroup and queries. `false` deploys none of it, and `destroy`-like removes it from a stack that had it (see README "Uninstall").',
    }),
    imageUpdates: booleanKey({
        defaultValue: true,
        description:
            "Deploy the scheduled managed image updates (`ImageUpdateScheduler`): schedule, state machine, function, alarms. `false` deploys none of it.",
    }),
    fleetInsights: booleanKey({
        defaultValue: false,
        description:
            "Deploy fleet insights (`FleetInsights`): capacity alarms for `monitoredFleets` and `monitoredElasticFleets`, and the stack's CloudWatch dashboard. `false` deploys none of it.",
    }),
    sessionScriptWaitSeconds: integerKey({
        // The least an upload can do in: the scripts keep 5 s back, and in the 15 s left start one
        // upload process, load the AWS module (the base images' monolithic AWSPowerShell is the
        // slowest) and send with a retry. An estimate: PowerShell cannot be run here to measure it.
        min: 20,
        // AppStream stops session scripts after 60 s; a larger waitingTime is rejected by the service.
        max: 60,
        defaultValue: 30,
        description:
            "`waitingTime` of both session-script events in config.json: how long AppStream waits for the usage scripts. The scripts finish their uploads within it and always exit 0.",
    }),
    usageRetentionDays: integerKey({
        min: 1,
        // A hundred years: more serves no purpose, and the value becomes S3 lifecycle days and an
        // Athena projection range.
        max: MAX_RETENTION_DAYS,
        defaultValue: 730,
        description:
            "Days a usage record (and session event log) is kept in the usage bucket before S3 lifecycle expires it. Also bounds the Athena partition projection range.",
    }),
    athenaBytesScannedCutoffMb: integerKey({
        // Athena's own minimum for BytesScannedCutoffPerQuery is 10 MB; the maximum keeps the byte
        // count an exact integer (below 2^53), which the provider sends as a plain number.
        min: 10,
        max: MAX_BYTES_SCANNED_CUTOFF_MB,
        defaultValue: 1024,
        description:
            "Per-query data-scanned limit of the Athena workgroup, in MB. Queries that would scan more are cancelled, which caps the cost of one query.",
    }),
    usageReports: booleanKey({
        defaultValue: false,
        description:
            "Subscribe this account and Region to AppStream usage reports, and add Glue tables and named queries over them. Only one stack per account and Region may set it: destroying that stack unsubscribes.",
    }),
    elasticFleets: stringListKey({
        type: "list of fleet names",
        description:
            "Existing Elastic fleets whose session-script location (SessionScriptS3Location) is set to the session-scripts bundle. Set each fleet's IAM role to `sessionScriptRoleArn` yourself, while it is stopped.",
        accepted: `a list of at most ${MAX_ELASTIC_FLEETS} AppStream fleet names, e.g. ["elastic-fleet-1"]`,
        maxItems: MAX_ELASTIC_FLEETS,
        itemsName: "fleets",
        oneItem: "a fleet",
        itemProblem: fleetNameProblem,
    }),
    monitoredFleets: stringListKey({
        type: "list of fleet names",
        description:
            "Existing Always-On or On-Demand fleets (single- or multi-session) that fleet insights alarms on and graphs: users refused for lack of capacity, and capacity utilization at or above `capacityAlarmPercent`.",
        accepted: `a list of at most ${MAX_MONITORED_FLEETS} fleet names, e.g. ["fleet-a"]`,
        maxItems: MAX_MONITORED_FLEETS,
        itemsName: "fleets",
        oneItem: "a fleet",
        itemProblem: fleetNameProblem,
    }),
    monitoredElasticFleets: stringListKey({
        type: "list of fleet names",
        description:
            "Existing Elastic fleets that fleet insights alarms on and graphs. AWS publishes only InUseCapacity and InsufficientCapacityError for Elastic fleets, so each gets the users-refused alarm only.",
        accepted: `a list of at most ${MAX_MONITORED_FLEETS} fleet names, e.g. ["elastic-fleet-a"]`,
        maxItems: MAX_MONITORED_FLEETS,
        itemsName: "fleets",
        oneItem: "a fleet",
        itemProblem: fleetNameProblem,
    }),
    capacityAlarmPercent: integerKey({
        min: 1,
        max: 100,
        defaultValue: 90,
        description:
            "Capacity utilization (in-use share of a fleet's running instances or session slots) that sets off a monitored fleet's alarm when it holds for 15 minutes.",
    }),
    usageDigestSchedule: stringKey({
        type: "cron()/rate()",
        defaultValue: "cron(0 8 ? * MON *)",
        description:
            "EventBridge Scheduler expression of the usage digest email (fleet insights, with the usage pipeline on), in `updateScheduleTimezone`. The default is Mondays at 08:00.",
        accepted: "an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 8 ? * MON *)",
        problem: (expression) => scheduleExpressionProblem(expression) ?? scheduleNeverFiresProblem(expression),
    }),
    usageDigestPeriodDays: integerKey({
        min: 1,
        // A month of days: the digest compares it with the period before, and each query reads both.
        max: 31,
        defaultValue: 7,
        description:
            "Whole UTC days the usage digest covers, up to the day it runs; it compares them with as many days before. Match it to `usageDigestSchedule` (7 for weekly, 1 for daily).",
    }),
    usageDigestEmails: stringListKey({
        type: "list of emails",
        description:
            "Recipients of the usage digest email. Empty: `notifyEmails`. With neither, fleet insights sends no digest (preview says so).",
        accepted: `a list of at most ${MAX_RECIPIENTS} email addresses, e.g. ["appstream-owners@example.com"]`,
        maxItems: MAX_RECIPIENTS,
        itemsName: "addresses",
        oneItem: "an address",
        itemProblem: (item) =>
            typeof item === "string" && isEmailAddress(item) ? undefined : "is not an email address",
    }),
    scriptRoleNetworks: stringListKey({
        type: "list of VPC or VPC endpoint ids",
        description:
            "VPCs (`vpc-…`) or S3 VPC endpoints (`vpce-…`) the session-script role may write records through (`aws:SourceVpc`, `aws:SourceVpce`). The fleets' VPC needs an S3 gateway endpoint, because both keys are set only on requests through one. Empty: any network.",
        accepted: 'a list of at most 20 VPC or VPC endpoint ids, e.g. ["vpc-0a1b2c3d4e5f67890"]',
        maxItems: 20,
        itemsName: "networks",
        oneItem: "a network",
        itemProblem: (item) =>
            typeof item === "string" && /^vpce?-[0-9a-f]{8}(?:[0-9a-f]{9})?$/.test(item)
                ? undefined
                : "is not a VPC or VPC endpoint id (vpc-… or vpce- followed by 8 or 17 hexadecimal digits)",
    }),
    batchSize: integerKey({
        min: 1,
        max: MAX_CONCURRENT_UPDATES_LIMIT,
        defaultValue: 5,
        description: "Most managed image updates in flight at once; never above `maxConcurrentUpdates`.",
    }),
    maxConcurrentUpdates: integerKey({
        min: 1,
        max: MAX_CONCURRENT_UPDATES_LIMIT,
        // AppStream's default quota for concurrent image updates (image builders) is 5 per Region.
        defaultValue: 5,
        description:
            "Your account's AppStream quota for concurrent image updates (default quota 5), checked against `batchSize` at preview. Each run also reads the live quota from Service Quotas and never exceeds it. Raise it only after Service Quotas has raised the quota.",
    }),
    updateSchedule: stringKey({
        type: "cron()/rate()",
        defaultValue: "cron(0 12 1 * ? *)",
        description:
            "EventBridge Scheduler expression of the update run. The default is 12:00 on the 1st of every month.",
        accepted: "an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 12 1 * ? *)",
        problem: (expression) => scheduleExpressionProblem(expression) ?? scheduleNeverFiresProblem(expression),
    }),
    updateScheduleTimezone: stringKey({
        type: "IANA time zone",
        defaultValue: "UTC",
        description: "Time zone of `updateSchedule`, of `usageDigestSchedule` and of the date in new image names.",
        accepted: "an IANA time zone name, e.g. UTC or Europe/Berlin",
        problem: timeZoneProblem,
    }),
    notifyEmails: stringListKey({
        type: "list of emails",
        description: "Recipients of the run summary. Empty: no email; the summary is still the execution's output.",
        accepted: `a list of at most ${MAX_RECIPIENTS} email addresses, e.g. ["ops@example.com"]`,
        maxItems: MAX_RECIPIENTS,
        itemsName: "addresses",
        oneItem: "an address",
        itemProblem: (item) =>
            typeof item === "string" && isEmailAddress(item) ? undefined : "is not an email address",
    }),
    senderEmail: stringKey({
        type: "email",
        defaultValue: "",
        description:
            "SES sender of the summary (`ses:FromAddress`). Must be a verified SES identity; required when `notifyEmails` is set.",
        accepted: `"" or an email address`,
        problem: (value) => (value === "" || isEmailAddress(value) ? undefined : "not an email address"),
    }),
    pollIntervalMinutes: integerKey({
        min: 1,
        max: 720,
        defaultValue: 30,
        description: "Minutes between checks of running updates, so a finished update is reported within this time.",
    }),
    maxWaitHours: integerKey({
        min: 1,
        max: 168,
        defaultValue: 24,
        description: "Hours after which updates still running are reported as pending at timeout and the run ends.",
    }),
    autoUpdateTagKey: stringKey({
        type: "tag key",
        defaultValue: "AutoUpdate",
        description: "Tag key that opts a private image into scheduled updates.",
        accepted:
            "an AppStream tag key (1-128 characters: any first, then letters, digits, spaces, _ . : / = + - @; not starting with aws:)",
        problem: (key) =>
            !isTagKey(key)
                ? "not a valid tag key"
                : [BASE_NAME_TAG_KEY, NEXT_VERSION_TAG_KEY].includes(key)
                  ? `${key} is a tag the updater writes itself`
                  : undefined,
    }),
    autoUpdateTagValue: stringKey({
        type: "tag value",
        defaultValue: "Enabled",
        description: `Tag value that opts an image in. After its update is started, the image is tagged \`${COMPLETED_TAG_VALUE}\` instead.`,
        accepted: `an AppStream tag value (up to 256 letters, digits, spaces, _ . : / = + - @), not "${COMPLETED_TAG_VALUE}"`,
        problem: (value) =>
            !isTagValue(value)
                ? "not a valid tag value"
                : value === COMPLETED_TAG_VALUE
                  ? `"${COMPLETED_TAG_VALUE}" marks images already updated`
                  : undefined,
    }),
    keepImageVersions: integerKey({
        min: 0,
        max: MAX_KEEP_IMAGE_VERSIONS,
        defaultValue: 0,
        description:
            "Versions of each opted-in image kept once its new version is AVAILABLE; older versions the updater superseded are deleted, except one a fleet or image builder uses or one shared with other accounts. `0` keeps every version, and the summary lists what retention would delete.",
    }),
    appStreamCallsPerSecond: integerKey({
        min: MIN_APPSTREAM_CALLS_PER_SECOND,
        max: MAX_APPSTREAM_CALLS_PER_SECOND,
        defaultValue: DEFAULT_APPSTREAM_CALLS_PER_SECOND,
        description:
            "Calls per second the image updater makes to each AppStream API operation. AppStream does not publish its API rates, so the function paces its calls at this rate, halves it for a while after a throttle, and retries throttled calls. Lower it when other tools call AppStream in the same account and Region at the same time. At 2 a second, a step lists 6,000 private images in two minutes, well within the function's five.",
    }),
    alarmTopicArn: stringKey({
        type: "SNS topic ARN",
        defaultValue: "",
        description:
            "An existing SNS topic for the image-update alarms (failed, timed-out or aborted runs, and schedule deliveries that failed). Empty: the program creates one and subscribes `notifyEmails` to it.",
        accepted: `"" or an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:platform-alarms`,
        problem: (value) => (value === "" || isSnsTopicArn(value) ? undefined : "not an SNS topic ARN"),
    }),
    createSenderIdentity: booleanKey({
        defaultValue: false,
        description:
            "Create the SES email identity of `senderEmail` (SES then sends it a verification link). Leave false when the identity or its domain is already verified.",
    }),
} satisfies Record<string, ConfigKeySpec<unknown>>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Retention periods CloudWatch Logs accepts (the @pulumi/aws LogGroup `retentionInDays` documentation). */
const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * Component arguments that are not stack config keys: this program sets them itself (the Glue
 * database from the stack name) or keeps their default. Checked by the same parser as the keys.
 */
export const COMPONENT_ONLY_ARGS = {
    logRetentionDays: {
        ...integerKey({
            min: 1,
            max: 3653,
            defaultValue: 90,
            description: "Days the image updater's and the usage digest's logs are kept.",
        }),
        accepted: `one of CloudWatch Logs' retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
        parse: (raw: string): ParseResult<number> =>
            LOG_RETENTION_DAYS.includes(Number(raw)) && /^\d+$/.test(raw) ? { value: Number(raw) } : {},
    },
    athenaResultsRetentionDays: integerKey({
        min: 1,
        max: MAX_RETENTION_DAYS,
        defaultValue: 30,
        description: "Days Athena query results are kept.",
    }),
    databaseName: stringKey({
        type: "Glue database name",
        defaultValue: "",
        description: "Glue database of the usage tables; unique in the account and Region. Empty: the component name.",
        accepted: "a Glue database name: 1-255 lower case letters, digits and _",
        problem: (value) => (value === "" || isGlueIdentifier(value) ? undefined : "not a Glue database name"),
    }),
    scriptLogsToS3: booleanKey({
        defaultValue: true,
        description: "Whether AppStream copies the session scripts' output to its session-script log bucket.",
    }),
} satisfies Record<string, ConfigKeySpec<unknown>>;

/** Every setting a component argument can carry: the stack config keys and the component-only ones. */
const SETTINGS = { ...CONFIG_KEYS, ...COMPONENT_ONLY_ARGS };
export type SettingName = keyof typeof SETTINGS;
type Settings = { readonly [K in SettingName]: (typeof SETTINGS)[K]["defaultValue"] };

/** The validated stack configuration. */
export type AppStreamOpsConfig = {
    readonly [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["defaultValue"];
};

/** A default as a stack file spells it: strings as they are, anything else as JSON. */
/** Who gets the usage digest: `usageDigestEmails`, else the image updater's `notifyEmails`. */
export function usageDigestRecipients(
    config: Pick<AppStreamOpsConfig, "usageDigestEmails" | "notifyEmails">,
): string[] {
    return config.usageDigestEmails.length > 0 ? config.usageDigestEmails : config.notifyEmails;
}

export function stackFileDefault(name: ConfigKey): string {
    return configText(CONFIG_KEYS[name].defaultValue);
}

/** A value as the raw text Pulumi hands a program for it: a string as it is, anything else as JSON. */
export function configText(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

/** A config key with its namespace: one given without a namespace is appstream-ops'. */
export function qualifiedConfigKey(name: string): string {
    return name.includes(":") ? name : key(name);
}

/** A rule over several settings; it runs only when each of its settings parsed. */
interface CrossKeyRule {
    readonly keys: readonly ConfigKey[];
    problem(config: AppStreamOpsConfig, label: (name: ConfigKey) => string): string | undefined;
}

const key = (name: string) => `${CONFIG_NAMESPACE}:${name}`;

const CROSS_KEY_RULES: readonly CrossKeyRule[] = [
    {
        keys: ["monitoredFleets", "monitoredElasticFleets"],
        problem: (c, k) => {
            const both = c.monitoredFleets.filter((fleet) => c.monitoredElasticFleets.includes(fleet));
            if (both.length > 0) {
                return `${both.join(", ")} is listed in both ${k("monitoredFleets")} and ${k("monitoredElasticFleets")}: a fleet is Elastic or it is not; list it in one`;
            }
            const total = c.monitoredFleets.length + c.monitoredElasticFleets.length;
            return total > MAX_MONITORED_FLEETS
                ? `${k("monitoredFleets")} and ${k("monitoredElasticFleets")} name ${total} fleets together; at most ${MAX_MONITORED_FLEETS} can be monitored`
                : undefined;
        },
    },
    {
        keys: ["batchSize", "maxConcurrentUpdates"],
        problem: (c, k) =>
            c.batchSize <= c.maxConcurrentUpdates
                ? undefined
                : `${k("batchSize")} = ${c.batchSize} is above ${k("maxConcurrentUpdates")} = ${c.maxConcurrentUpdates}: AppStream runs at most that many image updates at once (default quota 5). Lower batchSize, or raise maxConcurrentUpdates once Service Quotas has raised the quota`,
    },
    {
        keys: ["notifyEmails", "senderEmail"],
        problem: (c, k) =>
            c.notifyEmails.length > 0 && c.senderEmail === ""
                ? `${k("notifyEmails")} is set but ${k("senderEmail")} is empty: set senderEmail to a verified SES identity`
                : undefined,
    },
    {
        keys: ["usageDigestEmails", "senderEmail"],
        problem: (c, k) =>
            c.usageDigestEmails.length > 0 && c.senderEmail === ""
                ? `${k("usageDigestEmails")} is set but ${k("senderEmail")} is empty: set senderEmail to a verified SES identity`
                : undefined,
    },
    {
        keys: ["createSenderIdentity", "senderEmail"],
        problem: (c, k) =>
            c.createSenderIdentity && c.senderEmail === ""
                ? `${k("createSenderIdentity")} = true needs ${k("senderEmail")}`
                : undefined,
    },
    {
        keys: ["pollIntervalMinutes", "maxWaitHours"],
        problem: (c, k) => {
            if (c.pollIntervalMinutes > c.maxWaitHours * 60) {
                return `${k("pollIntervalMinutes")} = ${c.pollIntervalMinutes} is longer than ${k("maxWaitHours")} = ${c.maxWaitHours} hours: no check would happen before the run times out`;
            }
            const checks = maxChecksFor(c.maxWaitHours, c.pollIntervalMinutes);
            return checks > MAX_CHECKS_PER_RUN
                ? `${k("maxWaitHours")} = ${c.maxWaitHours} with ${k("pollIntervalMinutes")} = ${c.pollIntervalMinutes} makes ${checks} checks per run; at most ${MAX_CHECKS_PER_RUN} fit in a Step Functions execution history. Raise pollIntervalMinutes or lower maxWaitHours`
                : undefined;
        },
    },
    {
        // A run lasts up to maxWaitHours; a schedule firing sooner starts a second run beside it,
        // which finds the same images and sends its own email.
        keys: ["updateSchedule", "maxWaitHours"],
        problem: (c, k) => {
            const timing = scheduleTiming(c.updateSchedule, new Date());
            const gap = timing.shortestGapMinutes;
            if (gap === undefined || gap > c.maxWaitHours * 60) return undefined;
            const [first, second] = timing.closestPair!;
            return `${k("updateSchedule")} = ${JSON.stringify(c.updateSchedule)} fires ${gap} minutes apart (${first} and ${second}), but a run may last ${k("maxWaitHours")} = ${c.maxWaitHours} hours: runs would overlap and each would email its own summary. Schedule runs more than ${c.maxWaitHours} hours apart, or lower maxWaitHours`;
        },
    },
];

/** Thrown when stack config is invalid; RunError makes Pulumi print the message without a stack trace. */
export class ConfigValidationError extends pulumi.RunError {
    constructor(
        public readonly problems: readonly string[],
        heading = "Invalid stack configuration (fix it with `pulumi config set` or in Pulumi.<stack>.yaml):",
    ) {
        super(`${heading}\n` + problems.map((p) => `  - ${p}`).join("\n"));
        this.name = "ConfigValidationError";
    }
}

/** How settings are read and named: stack config keys or a component's arguments. */
interface SettingsSource {
    /** The raw text of a setting as Pulumi hands a config value (lists as JSON); undefined when unset. */
    read(name: SettingName): string | undefined;
    /** A setting's name in messages, e.g. `appstream-ops:batchSize` or `batchSize`. */
    label(name: SettingName): string;
    /** The value as the user wrote it, in messages. */
    shown(name: SettingName, raw: string): string;
}

/**
 * The one validation of settings, for stack config and component arguments alike: each setting
 * by its spec, then every cross-setting rule whose settings are all among `names` and parsed.
 */
function validateSettings(
    names: readonly SettingName[],
    source: SettingsSource,
): { values: Settings; problems: string[] } {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};
    const failed: string[] = [];
    for (const name of names) {
        const spec: ConfigKeySpec<unknown> = SETTINGS[name];
        const raw = source.read(name);
        if (raw === undefined) {
            values[name] = spec.defaultValue;
            continue;
        }
        const parsed = spec.parse(raw);
        if ("value" in parsed) {
            values[name] = parsed.value;
        } else {
            failed.push(name);
            const why = parsed.problem ? `${parsed.problem}; ` : "";
            problems.push(
                `${source.label(name)} = ${source.shown(name, raw)} is invalid: ${why}expected ${spec.accepted} (default ${JSON.stringify(spec.defaultValue)})`,
            );
        }
    }
    for (const rule of CROSS_KEY_RULES) {
        if (rule.keys.some((k) => failed.includes(k) || !names.includes(k))) continue;
        const problem = rule.problem(values as AppStreamOpsConfig, source.label);
        if (problem) problems.push(problem);
    }
    return { values: values as Settings, problems };
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
    const known = Object.keys(CONFIG_KEYS);
    const unknown = presentKeys
        .filter((name) => !known.includes(name))
        .map((name) => `${key(name)} is not a known key; the accepted keys are: ${known.join(", ")}`);
    const { values, problems } = validateSettings(known as ConfigKey[], {
        read,
        label: key,
        shown: (_, raw) => JSON.stringify(raw),
    });
    if (unknown.length + problems.length > 0) throw new ConfigValidationError([...unknown, ...problems]);
    return values as AppStreamOpsConfig;
}

/**
 * A component's arguments checked with the stack config's rules and messages, named as arguments:
 * `ImageUpdateScheduler "image-updates": batchSize = 500 is invalid: expected an integer from 1
 * to 100 (default 5)`. Unset arguments take the config defaults. Throws at construction, so a
 * program that passes a bad value fails `pulumi preview` with that line, never later.
 */
export function validateComponentArgs<K extends SettingName>(
    component: string,
    name: string,
    args: Partial<Record<K, unknown>>,
    names: readonly K[],
): Pick<Settings, K> {
    const given = args as Record<string, unknown>;
    const unknown = Object.keys(given)
        .filter((arg) => !(names as readonly string[]).includes(arg))
        .map((arg) => `${arg} is not an argument of ${component}; the accepted arguments are: ${names.join(", ")}`);
    const { values, problems } = validateSettings(names, {
        // The raw text a stack file would give, so one parser checks both.
        read: (arg) => (given[arg] === undefined ? undefined : configText(given[arg])),
        label: (arg) => arg,
        shown: (arg) => JSON.stringify(given[arg]),
    });
    problems.unshift(...unknown);
    if (problems.length > 0) throw new ConfigValidationError(problems, `${component} "${name}": invalid arguments:`);
    return values;
}

/** Reads the current stack's config. Fails the program (and so `pulumi preview`) on any invalid key. */
export function loadConfig(): AppStreamOpsConfig {
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const all = pulumi.runtime.allConfig();
    const missing = missingStackSettings(pulumi.getStack(), all);
    if (missing) throw new ConfigValidationError([missing], "Missing stack configuration:");
    return parseStackConfig(all, (name) => config.get(name));
}

/**
 * A stack with no appstream-ops setting at all (no stack file, or `pulumi stack init` and no more)
 * is almost certainly a mistyped name or a lost file: on every default it would schedule image
 * updates with no one told. Refused, with the way to deploy on defaults on purpose (seen on the
 * real engine, test/engine; the CLI writes a stack file of its own, so the file's presence says
 * nothing).
 */
export function missingStackSettings(stack: string, all: Record<string, string>): string | undefined {
    if (Object.keys(all).some((k) => k.startsWith(key("")))) return undefined;
    return `stack "${stack}" has no ${CONFIG_NAMESPACE}: setting (no Pulumi.${stack}.yaml, or one without settings), so it would deploy every default (image updates on, no one emailed). Copy Pulumi.dev.yaml to Pulumi.${stack}.yaml and adjust it, or set any ${CONFIG_NAMESPACE} key (pulumi config set ${CONFIG_NAMESPACE}:usagePipeline true) to deploy on defaults on purpose`;
}

/**
 * Parses the appstream-ops keys of a stack's whole config, `all` mapping `namespace:key` to raw
 * text as Pulumi holds it; keys of other namespaces are left alone. `read` gives one key's value.
 */
export function parseStackConfig(
    all: Record<string, string>,
    read: (name: string) => string | undefined = (name) => all[key(name)],
): AppStreamOpsConfig {
    const prefix = key("");
    const presentKeys = Object.keys(all)
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length));
    return parseConfig(read, presentKeys);
}
