/**
 * The components check their arguments with the stack config's validators and messages (config.ts),
 * at construction: a program that imports them fails preview with one line naming the argument.
 */
import * as assert from "assert";
import { ConfigValidationError, parseConfig } from "../../config";
import { FleetInsights } from "../../components/fleet-insights";
import { UsageDigest } from "../../components/usage-digest";
import { ImageUpdateScheduler, NO_RECIPIENTS_WARNING, UsagePipeline } from "../../library";
import { runUnderMocks } from "../helpers/program";

/** The problems a construction reports; fails when it is accepted or fails otherwise. */
function problemsOf(construct: () => unknown): string[] {
    try {
        construct();
    } catch (err) {
        assert.ok(err instanceof ConfigValidationError, `expected ConfigValidationError, got ${err}`);
        return [...err.problems];
    }
    assert.fail("the arguments were accepted");
}

/** The stack config's message for the same value, as a component names it. */
function stackConfigProblem(key: string, value: unknown): string {
    const raw = typeof value === "string" ? value : JSON.stringify(value);
    try {
        parseConfig((k) => (k === key ? raw : undefined));
    } catch (err) {
        const [problem] = (err as ConfigValidationError).problems;
        return problem.replace(`appstream-ops:${key} = ${JSON.stringify(raw)}`, `${key} = ${JSON.stringify(value)}`);
    }
    assert.fail(`stack config accepted ${key} = ${raw}`);
}

describe("component arguments", () => {
    const schedulerCases: [string, unknown][] = [
        ["batchSize", 500],
        ["batchSize", 2.5],
        ["updateSchedule", "cron(0 12 1 * ?)"],
        ["updateScheduleTimezone", "Mars/Olympus"],
        ["notifyEmails", ["ops@example.com", "not an address"]],
        ["maxWaitHours", 0],
        ["autoUpdateTagValue", "Completed"],
        ["keepImageVersions", -1],
    ];
    for (const [arg, value] of schedulerCases) {
        it(`ImageUpdateScheduler refuses ${arg} = ${JSON.stringify(value)} with the stack config's message`, () => {
            const problems = problemsOf(() => new ImageUpdateScheduler("updates", { [arg]: value }));
            assert.deepStrictEqual(problems, [stackConfigProblem(arg, value)]);
        });
    }

    const pipelineCases: [string, unknown][] = [
        // Before: a waitingTime AppStream refuses died in a serialization stack trace at deploy.
        ["sessionScriptWaitSeconds", 600],
        ["usageRetentionDays", 0],
        ["athenaBytesScannedCutoffMb", 5],
        ["elasticFleets", ["fleet with spaces!"]],
        ["scriptRoleNetworks", ["sg-0a1b2c3d"]],
    ];
    for (const [arg, value] of pipelineCases) {
        it(`UsagePipeline refuses ${arg} = ${JSON.stringify(value)} with the stack config's message`, () => {
            const problems = problemsOf(() => new UsagePipeline("usage", { [arg]: value }));
            assert.deepStrictEqual(problems, [stackConfigProblem(arg, value)]);
        });
    }

    it("the error names the component and reports every bad argument at once", () => {
        try {
            new ImageUpdateScheduler("updates", { batchSize: 500, updateScheduleTimezone: "Mars/Olympus" });
            assert.fail("accepted");
        } catch (err) {
            const message = (err as Error).message;
            assert.match(message, /^ImageUpdateScheduler "updates": invalid arguments:\n {2}- batchSize = 500 /);
            assert.match(message, /\n {2}- updateScheduleTimezone = "Mars\/Olympus" is invalid: /);
        }
    });

    it("applies the rules over several arguments too", () => {
        assert.deepStrictEqual(
            problemsOf(() => new ImageUpdateScheduler("updates", { notifyEmails: ["ops@example.com"] })),
            ["notifyEmails is set but senderEmail is empty: set senderEmail to a verified SES identity"],
        );
        assert.match(
            problemsOf(() => new ImageUpdateScheduler("updates", { updateSchedule: "rate(1 hour)" }))[0],
            /^updateSchedule = "rate\(1 hour\)" fires 60 minutes apart .* a run may last maxWaitHours = 24 hours/,
        );
    });

    it("checks the arguments that are not stack config keys", () => {
        assert.deepStrictEqual(
            problemsOf(() => new ImageUpdateScheduler("updates", { logRetentionDays: 45 })),
            [
                "logRetentionDays = 45 is invalid: expected one of CloudWatch Logs' retention periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (default 90)",
            ],
        );
        assert.deepStrictEqual(
            problemsOf(() => new UsagePipeline("usage", { databaseName: "Usage-DB" })),
            [
                'databaseName = "Usage-DB" is invalid: not a Glue database name; expected a Glue database name: 1-255 lower case letters, digits and _ (default "")',
            ],
        );
    });

    it("FleetInsights refuses a recipient that is not an email address, and a fleet name AppStream refuses, naming both", () => {
        const problems = problemsOf(
            () => new FleetInsights("insights", { notifyEmails: ["ops at example"], monitoredFleets: ["bad name!"] }),
        );
        assert.strictEqual(problems.length, 2, problems.join("\n"));
        assert.match(problems.join("\n"), /notifyEmails = .*"ops at example" is not an email address/);
        assert.match(problems.join("\n"), /monitoredFleets = .*"bad name!" is not a fleet name/);
    });

    it("UsageDigest refuses a period out of bounds and a bad recipient, naming both, and a digest no one receives", () => {
        const pipeline = {
            workGroupName: "wg",
            databaseName: "db",
            tableName: "t",
            usageBucketName: "usage",
            resultsBucketName: "results",
            scanCutoffMb: 1024,
        };
        const problems = problemsOf(
            () =>
                new UsageDigest("digest", {
                    pipeline,
                    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:t",
                    senderEmail: "appstream@example.com",
                    usageDigestEmails: ["owners at example"],
                    usageDigestPeriodDays: 0,
                }),
        );
        assert.strictEqual(problems.length, 2, problems.join("\n"));
        assert.match(problems.join("\n"), /usageDigestEmails = .*"owners at example" is not an email address/);
        assert.match(problems.join("\n"), /usageDigestPeriodDays = 0 is invalid: expected an integer from 1 to 31/);
        assert.throws(
            () =>
                new UsageDigest("digest", {
                    pipeline,
                    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:t",
                    senderEmail: "appstream@example.com",
                    usageDigestEmails: [],
                }),
            /UsageDigest "digest": invalid arguments: usageDigestEmails and senderEmail are both needed/,
        );
    });

    it("refuses an argument it does not know (a typo from JavaScript)", () => {
        const args = { batchsize: 3 } as unknown as Record<string, never>;
        assert.deepStrictEqual(
            problemsOf(() => new ImageUpdateScheduler("updates", args)),
            [
                "batchsize is not an argument of ImageUpdateScheduler; the accepted arguments are: batchSize, updateSchedule, updateScheduleTimezone, notifyEmails, senderEmail, pollIntervalMinutes, maxWaitHours, autoUpdateTagKey, autoUpdateTagValue, createSenderIdentity, logRetentionDays, keepImageVersions, alarmTopicArn, appStreamCallsPerSecond",
            ],
        );
    });

    it("preview warns when the image updater has no recipients, and only then", async () => {
        const silent = await runUnderMocks(() => ({ updates: new ImageUpdateScheduler("updates") }));
        assert.deepStrictEqual(silent.warnings, [NO_RECIPIENTS_WARNING]);
        const told = await runUnderMocks(() => ({
            updates: new ImageUpdateScheduler("updates", {
                notifyEmails: ["ops@example.com"],
                senderEmail: "appstream@example.com",
            }),
        }));
        assert.deepStrictEqual(told.warnings, []);
    });
});
