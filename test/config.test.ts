import * as assert from "assert";
import { CONFIG_KEYS, ConfigValidationError, missingStackSettings, parseConfig } from "../config";

const IMAGE_UPDATE_DEFAULTS = {
    usagePipeline: true,
    imageUpdates: true,
    scriptRoleNetworks: [],
    batchSize: 5,
    maxConcurrentUpdates: 5,
    updateSchedule: "cron(0 12 1 * ? *)",
    updateScheduleTimezone: "UTC",
    notifyEmails: [],
    senderEmail: "",
    pollIntervalMinutes: 30,
    maxWaitHours: 24,
    autoUpdateTagKey: "AutoUpdate",
    autoUpdateTagValue: "Enabled",
    keepImageVersions: 0,
    alarmTopicArn: "",
    appStreamCallsPerSecond: 5,
    createSenderIdentity: false,
    fleetInsights: false,
    monitoredFleets: [],
    monitoredElasticFleets: [],
    capacityAlarmPercent: 90,
    usageDigestSchedule: "cron(0 8 ? * MON *)",
    usageDigestPeriodDays: 7,
    usageDigestEmails: [],
};
import { runProgram } from "./helpers/program";

function problemsOf(raw: Record<string, string>, present = Object.keys(raw)): string[] {
    try {
        parseConfig((key) => raw[key], present);
    } catch (err) {
        assert.ok(err instanceof ConfigValidationError, `expected ConfigValidationError, got ${err}`);
        return [...err.problems];
    }
    assert.fail(`config ${JSON.stringify(raw)} was accepted`);
}

describe("config", () => {
    it("uses the documented defaults when nothing is set", () => {
        assert.deepStrictEqual(
            parseConfig(() => undefined),
            {
                sessionScriptWaitSeconds: 30,
                usageRetentionDays: 730,
                athenaBytesScannedCutoffMb: 1024,
                usageReports: false,
                elasticFleets: [],
                ...IMAGE_UPDATE_DEFAULTS,
            },
        );
    });

    it("parses the raw strings a stack file gives", () => {
        const raw: Record<string, string> = {
            sessionScriptWaitSeconds: "60",
            usageRetentionDays: "1",
            athenaBytesScannedCutoffMb: "10",
            usageReports: "true",
            elasticFleets: '["elastic-fleet-1","Design.Tools_2"]',
            batchSize: "10",
            maxConcurrentUpdates: "20",
            updateSchedule: "cron(0 3 ? * SUN#1 *)",
            updateScheduleTimezone: "Europe/Berlin",
            notifyEmails: '["ops@example.com","lead@example.org"]',
            senderEmail: "appstream@example.com",
            pollIntervalMinutes: "15",
            maxWaitHours: "48",
            autoUpdateTagKey: "Patch",
            autoUpdateTagValue: "monthly",
            scriptRoleNetworks: "vpc-0a1b2c3d4e5f67890, vpce-1a2b3c4d",
            keepImageVersions: "2",
            alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms",
            appStreamCallsPerSecond: "3",
            createSenderIdentity: "true",
            fleetInsights: "true",
            monitoredFleets: '["fleet-a", "Design.Tools_2"]',
            monitoredElasticFleets: "elastic-fleet-1",
            capacityAlarmPercent: "75",
            usageDigestSchedule: "cron(0 7 ? * * *)",
            usageDigestPeriodDays: "1",
            usageDigestEmails: "owners@example.com",
            usagePipeline: "false",
            imageUpdates: "false",
        };
        assert.deepStrictEqual(
            parseConfig((k) => raw[k]),
            {
                usagePipeline: false,
                imageUpdates: false,
                sessionScriptWaitSeconds: 60,
                usageRetentionDays: 1,
                athenaBytesScannedCutoffMb: 10,
                usageReports: true,
                elasticFleets: ["elastic-fleet-1", "Design.Tools_2"],
                batchSize: 10,
                maxConcurrentUpdates: 20,
                updateSchedule: "cron(0 3 ? * SUN#1 *)",
                updateScheduleTimezone: "Europe/Berlin",
                notifyEmails: ["ops@example.com", "lead@example.org"],
                senderEmail: "appstream@example.com",
                pollIntervalMinutes: 15,
                maxWaitHours: 48,
                autoUpdateTagKey: "Patch",
                autoUpdateTagValue: "monthly",
                scriptRoleNetworks: ["vpc-0a1b2c3d4e5f67890", "vpce-1a2b3c4d"],
                keepImageVersions: 2,
                alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms",
                appStreamCallsPerSecond: 3,
                createSenderIdentity: true,
                fleetInsights: true,
                monitoredFleets: ["fleet-a", "Design.Tools_2"],
                monitoredElasticFleets: ["elastic-fleet-1"],
                capacityAlarmPercent: 75,
                usageDigestSchedule: "cron(0 7 ? * * *)",
                usageDigestPeriodDays: 1,
                usageDigestEmails: ["owners@example.com"],
            },
        );
    });

    const invalid: [string, string, string][] = [
        ["sessionScriptWaitSeconds", "0", "an integer from 20 to 60"],
        ["sessionScriptWaitSeconds", "19", "an integer from 20 to 60"],
        // Unbounded before issue 15: a cutoff was deployed as 9.4e+21 bytes.
        ["athenaBytesScannedCutoffMb", "9000000000000000", "an integer from 10 to 8589934591"],
        ["usageRetentionDays", "36501", "an integer from 1 to 36500"],
        ["sessionScriptWaitSeconds", "61", "an integer from 20 to 60"],
        ["sessionScriptWaitSeconds", "90", "an integer from 20 to 60"],
        ["sessionScriptWaitSeconds", "30.5", "an integer from 20 to 60"],
        ["sessionScriptWaitSeconds", "thirty", "an integer from 20 to 60"],
        ["sessionScriptWaitSeconds", "", "an integer from 20 to 60"],
        ["usageRetentionDays", "0", "an integer from 1 to 36500"],
        ["usageRetentionDays", "-7", "an integer from 1 to 36500"],
        ["usageRetentionDays", "1e3", "an integer from 1 to 36500"],
        ["athenaBytesScannedCutoffMb", "9", "an integer from 10 to 8589934591"],
        ["athenaBytesScannedCutoffMb", "[1024]", "an integer from 10 to 8589934591"],
        ["batchSize", "0", "an integer from 1 to 100"],
        ["maxConcurrentUpdates", "101", "an integer from 1 to 100"],
        ["pollIntervalMinutes", "0", "an integer from 1 to 720"],
        ["maxWaitHours", "169", "an integer from 1 to 168"],
        ["createSenderIdentity", "yes", "true or false"],
        ["keepImageVersions", "-1", "an integer from 0 to 100"],
        ["keepImageVersions", "1.5", "an integer from 0 to 100"],
        ["keepImageVersions", "101", "an integer from 0 to 100"],
        ["notifyEmails", '["ops@example.com"', 'a list of at most 50 email addresses, e.g. ["ops@example.com"]'],
        ["usageReports", "1", "true or false"],
        ["elasticFleets", '["elastic-fleet-1"', 'a list of at most 50 AppStream fleet names, e.g. ["elastic-fleet-1"]'],
        ["usageDigestPeriodDays", "0", "an integer from 1 to 31"],
        ["usageDigestPeriodDays", "32", "an integer from 1 to 31"],
        [
            "usageDigestEmails",
            '["owners@example.com"',
            'a list of at most 50 email addresses, e.g. ["appstream-owners@example.com"]',
        ],
    ];
    for (const [key, value, accepted] of invalid) {
        it(`rejects ${key} = ${JSON.stringify(value)}, naming the key and the accepted values`, () => {
            const problems = problemsOf({ [key]: value });
            assert.strictEqual(problems.length, 1, problems.join("\n"));
            const expected = `appstream-ops:${key} = ${JSON.stringify(value)} is invalid: expected ${accepted} (default ${JSON.stringify(CONFIG_KEYS[key as keyof typeof CONFIG_KEYS].defaultValue)})`;
            assert.strictEqual(problems[0], expected);
        });
    }

    const explained: [string, string, string][] = [
        [
            "updateSchedule",
            "cron(0 12 1 * * *)",
            'exactly one of day-of-month ("1") and day-of-week ("*") must be ?; expected an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 12 1 * ? *)',
        ],
        [
            "updateSchedule",
            "monthly",
            "expected cron(...) or rate(...); expected an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 12 1 * ? *)",
        ],
        [
            "updateScheduleTimezone",
            "Europe/Berlinn",
            "not a name of the IANA time zone database; expected an IANA time zone name, e.g. UTC or Europe/Berlin",
        ],
        [
            "updateScheduleTimezone",
            "europe/berlin",
            "time zone names are case-sensitive and exact: write Europe/Berlin; expected an IANA time zone name, e.g. UTC or Europe/Berlin",
        ],
        [
            "updateSchedule",
            "cron(0 12 ? * MON/2 *)",
            'day-of-week "MON/2" is not valid: EventBridge allows no increments (/) in day-of-week; expected an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 12 1 * ? *)',
        ],
        [
            "notifyEmails",
            '["jörg@example.com"]',
            '"jörg@example.com" is not an email address; expected a list of at most 50 email addresses, e.g. ["ops@example.com"]',
        ],
        ["senderEmail", "updates@bücher.de", 'not an email address; expected "" or an email address'],
        [
            "notifyEmails",
            '["ops@example.com","bob@"]',
            '"bob@" is not an email address; expected a list of at most 50 email addresses, e.g. ["ops@example.com"]',
        ],
        [
            "notifyEmails",
            '["ops@example.com","ops@example.com"]',
            'an address is listed twice; expected a list of at most 50 email addresses, e.g. ["ops@example.com"]',
        ],
        [
            "notifyEmails",
            JSON.stringify(Array.from({ length: 51 }, (_, i) => `u${i}@example.com`)),
            '51 addresses; expected a list of at most 50 email addresses, e.g. ["ops@example.com"]',
        ],
        ["senderEmail", "appstream", 'not an email address; expected "" or an email address'],
        [
            "usageDigestSchedule",
            "weekly",
            "expected cron(...) or rate(...); expected an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 8 ? * MON *)",
        ],
        [
            "usageDigestEmails",
            '["owners@example.com","bob@"]',
            '"bob@" is not an email address; expected a list of at most 50 email addresses, e.g. ["appstream-owners@example.com"]',
        ],
        [
            "elasticFleets",
            '["elastic-fleet-1","-dash-first","has space"]',
            '"-dash-first" is not a fleet name (1-101 letters, digits, _ . or -, starting with a letter or digit), "has space" is not a fleet name (1-101 letters, digits, _ . or -, starting with a letter or digit); expected a list of at most 50 AppStream fleet names, e.g. ["elastic-fleet-1"]',
        ],
        [
            "elasticFleets",
            "elastic-fleet-1, elastic-fleet-1",
            'a fleet is listed twice; expected a list of at most 50 AppStream fleet names, e.g. ["elastic-fleet-1"]',
        ],
        [
            "elasticFleets",
            JSON.stringify(Array.from({ length: 51 }, (_, i) => `fleet-${i}`)),
            '51 fleets; expected a list of at most 50 AppStream fleet names, e.g. ["elastic-fleet-1"]',
        ],
        [
            "autoUpdateTagKey",
            "aws:auto",
            "not a valid tag key; expected an AppStream tag key (1-128 characters: any first, then letters, digits, spaces, _ . : / = + - @; not starting with aws:)",
        ],
        [
            "autoUpdateTagKey",
            "BaseName",
            "BaseName is a tag the updater writes itself; expected an AppStream tag key (1-128 characters: any first, then letters, digits, spaces, _ . : / = + - @; not starting with aws:)",
        ],
        [
            "autoUpdateTagValue",
            "Completed",
            '"Completed" marks images already updated; expected an AppStream tag value (up to 256 letters, digits, spaces, _ . : / = + - @), not "Completed"',
        ],
        [
            "alarmTopicArn",
            "arn:aws:sqs:eu-west-1:123456789012:alarms",
            'not an SNS topic ARN; expected "" or an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:platform-alarms',
        ],
        [
            "scriptRoleNetworks",
            '["vpc-xyz", "sg-0a1b2c3d"]',
            '"vpc-xyz" is not a VPC or VPC endpoint id (vpc-… or vpce- followed by 8 or 17 hexadecimal digits), "sg-0a1b2c3d" is not a VPC or VPC endpoint id (vpc-… or vpce- followed by 8 or 17 hexadecimal digits); expected a list of at most 20 VPC or VPC endpoint ids, e.g. ["vpc-0a1b2c3d4e5f67890"]',
        ],
        [
            "alarmTopicArn",
            "platform-alarms",
            'not an SNS topic ARN; expected "" or an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:platform-alarms',
        ],
    ];
    for (const [key, value, why] of explained) {
        it(`rejects ${key} = ${JSON.stringify(value).slice(0, 40)}, saying what is wrong`, () => {
            const problems = problemsOf({ [key]: value });
            const spec = CONFIG_KEYS[key as keyof typeof CONFIG_KEYS];
            assert.deepStrictEqual(problems, [
                `appstream-ops:${key} = ${JSON.stringify(value)} is invalid: ${why} (default ${JSON.stringify(spec.defaultValue)})`,
            ]);
        });
    }

    it("accepts notifyEmails as one comma-separated string", () => {
        const config = parseConfig((k) =>
            k === "notifyEmails"
                ? "ops@example.com, lead@example.org"
                : k === "senderEmail"
                  ? "a@example.com"
                  : undefined,
        );
        assert.deepStrictEqual(config.notifyEmails, ["ops@example.com", "lead@example.org"]);
    });

    const crossKey: [Record<string, string>, string][] = [
        [
            { batchSize: "8" },
            "appstream-ops:batchSize = 8 is above appstream-ops:maxConcurrentUpdates = 5: AppStream runs at most that many image updates at once (default quota 5). Lower batchSize, or raise maxConcurrentUpdates once Service Quotas has raised the quota",
        ],
        [
            { notifyEmails: '["ops@example.com"]' },
            "appstream-ops:notifyEmails is set but appstream-ops:senderEmail is empty: set senderEmail to a verified SES identity",
        ],
        [
            { usageDigestEmails: '["owners@example.com"]' },
            "appstream-ops:usageDigestEmails is set but appstream-ops:senderEmail is empty: set senderEmail to a verified SES identity",
        ],
        [{ createSenderIdentity: "true" }, "appstream-ops:createSenderIdentity = true needs appstream-ops:senderEmail"],
        [
            { pollIntervalMinutes: "120", maxWaitHours: "1" },
            "appstream-ops:pollIntervalMinutes = 120 is longer than appstream-ops:maxWaitHours = 1 hours: no check would happen before the run times out",
        ],
        [
            { pollIntervalMinutes: "5", maxWaitHours: "168" },
            "appstream-ops:maxWaitHours = 168 with appstream-ops:pollIntervalMinutes = 5 makes 2016 checks per run; at most 1000 fit in a Step Functions execution history. Raise pollIntervalMinutes or lower maxWaitHours",
        ],
    ];
    for (const [raw, message] of crossKey) {
        it(`rejects ${JSON.stringify(raw)}: keys that contradict each other`, () => {
            assert.deepStrictEqual(problemsOf(raw), [message]);
        });
    }

    const today = () => new Date().toISOString().slice(0, 10);
    for (const schedule of ["cron(0 12 30 2 ? *)", "cron(0 12 1 * ? 2020)", "cron(0 12 31 4,6,9,11 ? *)"]) {
        it(`rejects ${schedule}: a schedule that never fires`, () => {
            assert.deepStrictEqual(problemsOf({ updateSchedule: schedule }), [
                `appstream-ops:updateSchedule = ${JSON.stringify(schedule)} is invalid: it never fires after ${today()}: no date matches its day-of-month, month, day-of-week and year fields together; expected an EventBridge Scheduler cron(...) or rate(...) expression, e.g. cron(0 12 1 * ? *) (default "cron(0 12 1 * ? *)")`,
            ]);
        });
    }

    const overlapping: [Record<string, string>, number][] = [
        [{ updateSchedule: "rate(12 hours)" }, 720],
        [{ updateSchedule: "cron(0 0,12 * * ? *)" }, 720],
        // 23:00 and 01:00 the next day: the closest pair spans midnight.
        [{ updateSchedule: "cron(0 1,23 ? * MON-FRI *)", maxWaitHours: "3" }, 120],
        [{ updateSchedule: "rate(1 day)", maxWaitHours: "24" }, 1440],
    ];
    for (const [raw, gap] of overlapping) {
        it(`rejects ${JSON.stringify(raw)}: runs that would overlap`, () => {
            const [problem] = problemsOf(raw);
            const hours = raw.maxWaitHours ?? "24";
            assert.match(
                problem,
                new RegExp(
                    `^appstream-ops:updateSchedule = "${raw.updateSchedule.replace(/[()*?]/g, "\\$&")}" fires ${gap} minutes apart \\(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d and \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d\\), but a run may last appstream-ops:maxWaitHours = ${hours} hours: runs would overlap`,
                ),
            );
        });
    }

    for (const schedule of ["cron(0 12 29 2 ? *)", "rate(2 days)", "cron(0 12 ? * SUN *)", "cron(0 0 ? * 2#1 2199)"]) {
        it(`accepts ${schedule}: it fires, and runs more than maxWaitHours apart`, () => {
            assert.strictEqual(parseConfig((k) => ({ updateSchedule: schedule })[k]).updateSchedule, schedule);
        });
    }

    it("refuses more than 50 monitored fleets in the two lists together, naming both keys", () => {
        const names = (prefix: string, n: number) =>
            JSON.stringify(Array.from({ length: n }, (_, i) => `${prefix}-${i}`));
        assert.deepStrictEqual(
            problemsOf({ monitoredFleets: names("fleet", 30), monitoredElasticFleets: names("elastic", 21) }),
            [
                "appstream-ops:monitoredFleets and appstream-ops:monitoredElasticFleets name 51 fleets together; at most 50 can be monitored",
            ],
        );
    });

    for (const rate of ["1", "51", "2.5"]) {
        it(`refuses appStreamCallsPerSecond = ${rate}, naming the accepted range`, () => {
            assert.deepStrictEqual(problemsOf({ appStreamCallsPerSecond: rate }), [
                `appstream-ops:appStreamCallsPerSecond = "${rate}" is invalid: expected an integer from 2 to 50 (default 5)`,
            ]);
        });
    }

    it("a batch size within a raised quota is accepted", () => {
        assert.strictEqual(parseConfig((k) => ({ batchSize: "8", maxConcurrentUpdates: "10" })[k]).batchSize, 8);
    });

    it("a key that is itself invalid is not also reported by a rule over several keys", () => {
        assert.deepStrictEqual(
            problemsOf({ batchSize: "many" }).map((p) => p.split(" ")[0]),
            ["appstream-ops:batchSize"],
        );
    });

    it("reports every invalid key at once", () => {
        const problems = problemsOf({
            sessionScriptWaitSeconds: "90",
            usageRetentionDays: "0",
            athenaBytesScannedCutoffMb: "1",
        });
        assert.deepStrictEqual(
            problems.map((p) => p.split(" ")[0]),
            [
                "appstream-ops:sessionScriptWaitSeconds",
                "appstream-ops:usageRetentionDays",
                "appstream-ops:athenaBytesScannedCutoffMb",
            ],
        );
    });

    it("rejects an unknown key (a typo) and lists the accepted keys", () => {
        const problems = problemsOf({ sessionScriptWaitSecond: "30" });
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /appstream-ops:sessionScriptWaitSecond is not a known key/);
        for (const key of Object.keys(CONFIG_KEYS)) assert.ok(problems[0].includes(key), `${key} not listed`);
    });

    it("fails the program under preview with the config error", async () => {
        await assert.rejects(
            runProgram({ preview: true, config: { sessionScriptWaitSeconds: "90" } }),
            (err: Error) => {
                // The program loads its own copy of config.ts, so compare by name, not by class.
                assert.strictEqual(err.name, "ConfigValidationError");
                assert.match(
                    err.message,
                    /appstream-ops:sessionScriptWaitSeconds = "90" is invalid: expected an integer from 20 to 60/,
                );
                return true;
            },
        );
    });
});

describe("a stack with no appstream-ops setting", () => {
    it("is refused, with the way to deploy on defaults on purpose", () => {
        assert.strictEqual(
            missingStackSettings("prdo", { "aws:region": "eu-west-1" }),
            'stack "prdo" has no appstream-ops: setting (no Pulumi.prdo.yaml, or one without settings), so it would deploy every default (image updates on, no one emailed). Copy Pulumi.dev.yaml to Pulumi.prdo.yaml and adjust it, or set any appstream-ops key (pulumi config set appstream-ops:usagePipeline true) to deploy on defaults on purpose',
        );
    });

    it("runs with any appstream-ops setting", () => {
        assert.strictEqual(missingStackSettings("prod", { "appstream-ops:usagePipeline": "true" }), undefined);
    });

    it("the program fails under mocks for such a stack", async () => {
        await assert.rejects(
            runProgram({ stack: "prdo" }),
            /Missing stack configuration:\n {2}- stack "prdo" has no appstream-ops: setting/,
        );
    });
});
