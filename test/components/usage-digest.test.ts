import * as assert from "assert";
import { ProgramRun, REGION, ACCOUNT_ID, runProgram } from "../helpers/program";
import { ARCHIVE_BUDGET_BYTES, archiveFiles, requiredPackages, zippedSize } from "../helpers/lambda-archive";
import { dashboardMetrics, inlinePolicyOf } from "../helpers/registered-resources";
import { deployedDigest } from "../helpers/deployed-digest";
import { FakeAthena, mockAthena } from "../helpers/fake-athena";
import { FakeFleets } from "../helpers/fake-fleets";
import { mockSes } from "../helpers/fake-appstream";
import { SAMPLE_FLEETS, answerWithSamples } from "../helpers/digest-outcomes";
import { metricProblem } from "../../runtime/insights/metric-reference";
import { readStackConfig } from "../helpers/stack-config";
import { DigestInput } from "../../runtime/insights/digest/digest-handler";

const T = {
    fn: "aws:lambda/function:Function",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    schedule: "aws:scheduler/schedule:Schedule",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    invokeConfig: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};
const DIGEST_STACK = {
    usagePipeline: "true",
    imageUpdates: "false",
    fleetInsights: "true",
    notifyEmails: '["ops@example.com"]',
    senderEmail: "appstream@example.com",
};

describe("UsageDigest (real program under mocks)", () => {
    it("the dev stack sends no digest", async () => {
        const run = await runProgram({ stack: "dev", config: readStackConfig("dev") });
        assert.deepStrictEqual(
            run.ofType(T.fn).map((f) => f.name),
            [],
        );
        assert.strictEqual(run.outputs.usageDigestFunctionName, undefined);
    });

    describe("with fleet insights and the usage pipeline on", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram({ config: { ...DIGEST_STACK, updateScheduleTimezone: "Europe/Berlin" } });
        });

        it("schedules the digest function weekly in the stack's time zone, with the pipeline's names as input", () => {
            const fn = run.one(T.fn, "insights-digest-function");
            assert.strictEqual(fn.inputs.runtime, "nodejs22.x");
            assert.strictEqual(fn.inputs.timeout, 300);
            const schedule = run.one(T.schedule, "insights-digest-schedule");
            assert.strictEqual(schedule.inputs.scheduleExpression, "cron(0 8 ? * MON *)");
            assert.strictEqual(schedule.inputs.scheduleExpressionTimezone, "Europe/Berlin");
            assert.strictEqual(schedule.inputs.target.arn, fn.state.arn);
            const input: DigestInput = JSON.parse(schedule.inputs.target.input);
            // Independent of the component: the pipeline's resources as the mocks registered them.
            assert.deepStrictEqual(input, {
                database: run.one("aws:glue/catalogDatabase:CatalogDatabase", "usage-database").state.name,
                table: run.one("aws:glue/catalogTable:CatalogTable", "usage-sessions-table").state.name,
                workGroup: run.one("aws:athena/workgroup:Workgroup", "usage-workgroup").state.name,
                scanCutoffMb: 1024,
                periodDays: 7,
                maxSessionHours: 16,
                usageReports: false,
                senderEmail: "appstream@example.com",
                recipients: ["ops@example.com"],
            });
            assert.strictEqual(run.outputs.usageDigestInput, schedule.inputs.target.input);
            assert.strictEqual(run.outputs.usageDigestFunctionName, fn.state.name);
            assert.strictEqual(
                run.outputs.usageDigestLogGroupName,
                run.one(T.logGroup, "insights-digest-logs").state.name,
            );
        });

        it("the schedule may invoke the digest function and nothing else; an invocation retries once", () => {
            const fn = run.one(T.fn, "insights-digest-function");
            assert.deepStrictEqual(inlinePolicyOf(run, "insights-digest-scheduler-role"), [
                {
                    Sid: "StartUsageDigest",
                    Effect: "Allow",
                    Action: ["lambda:InvokeFunction"],
                    Resource: [fn.state.arn],
                },
            ]);
            const config = run.one(T.invokeConfig, "insights-digest-invoke-config");
            assert.strictEqual(config.inputs.maximumRetryAttempts, 1);
        });

        it("the digest role reads the pipeline's buckets and sends from senderEmail only", () => {
            const statements = inlinePolicyOf(run, "insights-digest-role");
            const usageBucket = `arn:aws:s3:::${run.outputs.usageBucketName}`;
            const read = statements.find((s) => [s.Action].flat().includes("s3:GetObject"))!;
            assert.ok([read.Resource].flat().includes(`${usageBucket}/*`), JSON.stringify(read));
            const ses = statements.find((s) => [s.Action].flat().includes("ses:SendEmail"))!;
            assert.ok(JSON.stringify(ses).includes("appstream@example.com"), JSON.stringify(ses));
            assert.ok(
                statements.every(
                    (s) => ![s.Action].flat().some((a) => /^(appstream:(?!Describe)|iam:|s3:Delete)/.test(a)),
                ),
                JSON.stringify(statements),
            );
        });

        it("alarms on the function's errors (a digest not sent) on the fleet insights topic, and graphs them", () => {
            const fn = run.one(T.fn, "insights-digest-function");
            const alarm = run.one(T.alarm, "insights-digest-failed");
            const { namespace, metricName: name, statistic, dimensions } = alarm.inputs;
            assert.deepStrictEqual(
                [namespace, name, statistic, dimensions],
                ["AWS/Lambda", "Errors", "Sum", { FunctionName: fn.state.name }],
            );
            assert.strictEqual(metricProblem({ namespace, name, statistic, dimensions }), undefined);
            assert.deepStrictEqual(alarm.inputs.alarmActions, [run.outputs.insightsAlarmTopicArn]);
            const metrics = dashboardMetrics(run, "insights-dashboard");
            assert.ok(metrics.some((m) => m[1] === "Errors" && m[3] === fn.state.name));
        });

        it("ships only the serialized handler, within 64 KB, leaving the AWS SDK to the runtime", async () => {
            const files = await archiveFiles(run.one(T.fn, "insights-digest-function"));
            assert.deepStrictEqual(Object.keys(files), ["__index.js"]);
            const size = zippedSize(files);
            assert.ok(size <= ARCHIVE_BUDGET_BYTES, `archive is ${size} bytes`);
            assert.deepStrictEqual(requiredPackages(files["__index.js"]), [
                "@aws-sdk/client-appstream",
                "@aws-sdk/client-athena",
                "@aws-sdk/client-ses",
                "crypto",
            ]);
            assert.ok(!files["__index.js"].includes("@pulumi/"), "the handler captured Pulumi code");
        });

        it("the serialized function, given the schedule's input, runs the queries and emails the digest", async () => {
            const deployed = (await deployedDigest({ config: DIGEST_STACK }))!;
            const athena = new FakeAthena();
            const athenaMock = mockAthena(athena);
            const fleets = new FakeFleets(SAMPLE_FLEETS);
            const ses = mockSes();
            try {
                answerWithSamples(athena, deployed.input, new Date());
                const output = (await deployed.invoke()) as { totals: unknown; missing: number; sentTo: string[] };
                assert.deepStrictEqual(output.totals, { hours: 3.5, sessions: 4, users: 2 });
                assert.strictEqual(output.missing, 0);
                assert.strictEqual(athena.executions.length, 5);
                assert.ok(athena.executions.every((e) => e.input.WorkGroup === deployed.input.workGroup));
                assert.strictEqual(ses.sent.length, 1);
                const [email] = ses.sent;
                assert.strictEqual(email.Source, "appstream@example.com");
                assert.deepStrictEqual(email.Destination?.ToAddresses, ["ops@example.com"]);
                const text = email.Message?.Body?.Text?.Data ?? "";
                // The account from the invocation's ARN, the Region from Lambda's environment.
                assert.match(text, new RegExp(`${ACCOUNT_ID}.*${REGION}|${REGION}.*${ACCOUNT_ID}`, "s"));
                assert.match(text, /fleet-a peaked at 3 of 10 sessions/);
            } finally {
                athenaMock.restore();
                fleets.restore();
                ses.restore();
            }
        });

        it("the serialized function refuses a bad input, naming every field", async () => {
            const deployed = (await deployedDigest({ config: DIGEST_STACK }))!;
            await assert.rejects(
                deployed.invoke({ database: "", periodDays: 40, usageReports: "yes" }),
                (err: Error) =>
                    /database: a non-empty string/.test(err.message) &&
                    /periodDays: an integer from 1 to 31, got 40/.test(err.message) &&
                    /usageReports: true or false/.test(err.message) &&
                    /recipients: a list of at least one email address/.test(err.message),
            );
        });
    });

    it("usageDigestEmails replace notifyEmails; with usage reports, the reconciliation and the report bucket are in", async () => {
        const run = await runProgram({
            config: { ...DIGEST_STACK, usageDigestEmails: '["owners@example.com"]', usageReports: "true" },
        });
        const input: DigestInput = JSON.parse(run.one(T.schedule, "insights-digest-schedule").inputs.target.input);
        assert.deepStrictEqual(input.recipients, ["owners@example.com"]);
        assert.strictEqual(input.usageReports, true);
        const reportBucket = run.outputs.usageReportBucketName as string;
        const statements = inlinePolicyOf(run, "insights-digest-role");
        assert.ok(
            statements.some(
                (s) =>
                    [s.Action].flat().includes("s3:GetObject") &&
                    [s.Resource].flat().includes(`arn:aws:s3:::${reportBucket}/*`),
            ),
            JSON.stringify(statements),
        );
    });

    it("sends no digest, and says why, without the usage pipeline or without recipients", async () => {
        const noPipeline = await runProgram({ config: { ...DIGEST_STACK, usagePipeline: "false" } });
        assert.ok(!noPipeline.ofType(T.fn).some((f) => f.name === "insights-digest-function"));
        assert.ok(
            noPipeline.warnings.some((w) => /usagePipeline is false, so fleet insights sends no usage digest/.test(w)),
            noPipeline.warnings.join("\n"),
        );
        const noOne = await runProgram({ config: { ...DIGEST_STACK, notifyEmails: "[]", senderEmail: "" } });
        assert.ok(!noOne.ofType(T.fn).some((f) => f.name === "insights-digest-function"));
        assert.ok(
            noOne.warnings.some((w) => /usageDigestEmails and appstream-ops:notifyEmails are empty/.test(w)),
            noOne.warnings.join("\n"),
        );
    });

    it("a schedule or period out of bounds fails preview, naming the key", async () => {
        await assert.rejects(
            runProgram({ preview: true, config: { ...DIGEST_STACK, usageDigestPeriodDays: "45" } }),
            /appstream-ops:usageDigestPeriodDays = "45" is invalid: expected an integer from 1 to 31/,
        );
        await assert.rejects(
            runProgram({ preview: true, config: { ...DIGEST_STACK, usageDigestSchedule: "cron(0 8 31 2 ? 2020)" } }),
            /appstream-ops:usageDigestSchedule/,
        );
    });
});
