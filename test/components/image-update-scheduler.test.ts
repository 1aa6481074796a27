import * as assert from "assert";
import { ImageUpdateScheduler } from "../../components/image-update-scheduler";
import { imageUpdateDefinition } from "../../runtime/image-update/run/state-machine";
import { ARCHIVE_BUDGET_BYTES, archiveFiles, requiredPackages, zippedSize } from "../helpers/lambda-archive";
import { inlinePolicyOf, statementsOf } from "../helpers/registered-resources";
import { ACCOUNT_ID, ProgramRun, REGION, runProgram, runUnderMocks } from "../helpers/program";

const T = {
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    fn: "aws:lambda/function:Function",
    stateMachine: "aws:sfn/stateMachine:StateMachine",
    schedule: "aws:scheduler/schedule:Schedule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    identity: "aws:ses/emailIdentity:EmailIdentity",
};

describe("ImageUpdateScheduler (real program under mocks)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
    });

    describe("Lambda", () => {
        it("is the inline callback on nodejs22.x with its own role, timeout and log group", () => {
            const fn = run.one(T.fn, "image-updates-function");
            assert.strictEqual(fn.inputs.runtime, "nodejs22.x");
            assert.strictEqual(fn.inputs.handler, "__index.handler");
            assert.strictEqual(fn.inputs.role, run.one(T.role, "image-updates-function-role").state.arn);
            assert.strictEqual(fn.inputs.timeout, 300);
            assert.deepStrictEqual(fn.inputs.loggingConfig, {
                logFormat: "JSON",
                logGroup: run.one(T.logGroup, "image-updates-function-logs").state.name,
            });
            // CallbackFunction's default role would attach AWSLambda_FullAccess and more: none here.
            assert.deepStrictEqual(run.ofType(T.attachment), []);
        });

        it("keeps each run's state in a private, encrypted bucket of its own, expired after 90 days, which the function is told of", () => {
            const bucket = run.one("aws:s3/bucket:Bucket", "image-updates-run-state");
            // It holds only the function's run states: a destroy may empty it.
            assert.strictEqual(bucket.inputs.forceDestroy, true);
            const component = run.one("appstream-ops:s3:PrivateBucket", "image-updates-run-state");
            assert.ok(component, "the run-state bucket is not a PrivateBucket");
            const lifecycle = run.one(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "image-updates-run-state-lifecycle",
            );
            assert.strictEqual(lifecycle.inputs.rules[0].expiration.days, 90);
            const encryption = run.one(
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "image-updates-run-state-encryption",
            );
            assert.strictEqual(encryption.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const fn = run.one(T.fn, "image-updates-function");
            assert.strictEqual(fn.inputs.environment.variables.APPSTREAM_OPS_RUN_STATE_BUCKET, bucket.state.bucket);
        });

        it("ships only the serialized handler, within 64 KB, leaving the AWS SDK to the runtime", async () => {
            const files = await archiveFiles(run.one(T.fn, "image-updates-function"));
            assert.deepStrictEqual(Object.keys(files), ["__index.js"]);
            const size = zippedSize(files);
            assert.ok(size <= ARCHIVE_BUDGET_BYTES, `archive is ${size} bytes`);
            assert.deepStrictEqual(requiredPackages(files["__index.js"]), [
                "@aws-sdk/client-appstream",
                "@aws-sdk/client-resource-groups-tagging-api",
                "@aws-sdk/client-s3",
                "@aws-sdk/client-service-quotas",
                "@aws-sdk/client-ses",
            ]);
            assert.ok(!files["__index.js"].includes("@pulumi/"), "the handler captured Pulumi code");
        });

        it("may call only the AppStream actions it uses, scoped as AWS authorizes them, and write only its own log group", () => {
            const logGroupArn = run.one(T.logGroup, "image-updates-function-logs").state.arn;
            const runStateBucket = run.one("aws:s3/bucket:Bucket", "image-updates-run-state").state.bucket;
            assert.deepStrictEqual(inlinePolicyOf(run, "image-updates-function-role"), [
                // No resource type for these in the Service Authorization Reference: only "*" allows them.
                {
                    Sid: "DiscoverImagesFleetsAndBuilders",
                    Effect: "Allow",
                    Action: [
                        "appstream:DescribeImages",
                        "appstream:ListTagsForResource",
                        "appstream:DescribeFleets",
                        "appstream:DescribeImageBuilders",
                    ],
                    Resource: ["*"],
                },
                {
                    Sid: "FindTaggedImages",
                    Effect: "Allow",
                    Action: ["tag:GetResources"],
                    Resource: ["*"],
                },
                {
                    Sid: "ReadAppStreamQuotas",
                    Effect: "Allow",
                    Action: ["servicequotas:GetServiceQuota"],
                    Resource: ["L-E1182CCA", "L-DE32F884", "L-9B6418E0"].map(
                        (code) => `arn:aws:servicequotas:${REGION}:${ACCOUNT_ID}:appstream2/${code}`,
                    ),
                },
                {
                    Sid: "CheckImageSharing",
                    Effect: "Allow",
                    Action: ["appstream:DescribeImagePermissions"],
                    Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                },
                // Only images the run marked Completed, only fleets (and images) carrying the opt-in tag.
                {
                    Sid: "DeleteSupersededVersions",
                    Effect: "Allow",
                    Action: ["appstream:DeleteImage"],
                    Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                    Condition: { StringEquals: { "aws:ResourceTag/AutoUpdate": "Completed" } },
                },
                {
                    Sid: "RollOutToOptedInFleets",
                    Effect: "Allow",
                    Action: ["appstream:UpdateFleet"],
                    Resource: [
                        `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:fleet/*`,
                        `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`,
                    ],
                    Condition: { StringEquals: { "aws:ResourceTag/AutoUpdate": "Enabled" } },
                },
                {
                    Sid: "UpdateImages",
                    Effect: "Allow",
                    Action: ["appstream:CreateUpdatedImage"],
                    Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                },
                {
                    Sid: "MarkOldImages",
                    Effect: "Allow",
                    Action: ["appstream:TagResource"],
                    Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                    Condition: {
                        "ForAllValues:StringEquals": { "aws:TagKeys": ["AutoUpdate", "NextVersion", "FleetsLeft"] },
                    },
                },
                {
                    Sid: "KeepRunState",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject"],
                    Resource: [`arn:aws:s3:::${runStateBucket}/runs/*`],
                },
                {
                    Sid: "TellMissingRunState",
                    Effect: "Allow",
                    Action: ["s3:ListBucket"],
                    Resource: [`arn:aws:s3:::${runStateBucket}`],
                },
                {
                    Sid: "WriteOwnLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                    Resource: [`${logGroupArn}:*`],
                },
            ]);
            const trust = statementsOf(run.one(T.role, "image-updates-function-role").inputs.assumeRolePolicy);
            assert.deepStrictEqual(trust, [
                { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
        });

        it("may send email only from the configured sender", async () => {
            const withEmail = await runProgram({
                config: { notifyEmails: '["ops@example.com"]', senderEmail: "appstream@example.com" },
            });
            const ses = inlinePolicyOf(withEmail, "image-updates-function-role").find(
                (s) => s.Sid === "SendSummaryFromSender",
            );
            assert.deepStrictEqual(ses, {
                Sid: "SendSummaryFromSender",
                Effect: "Allow",
                Action: ["ses:SendEmail"],
                Resource: [`arn:aws:ses:${REGION}:${ACCOUNT_ID}:identity/*`],
                Condition: { StringEquals: { "ses:FromAddress": "appstream@example.com" } },
            });
        });
    });

    describe("state machine", () => {
        it("is a standard state machine running the definition the builder makes, logging to its log group (wired from imageUpdateDefinition, which state-machine.test.ts and the deployed-workflow suites pin)", () => {
            const machine = run.one(T.stateMachine, "image-updates-state-machine");
            const functionArn = run.one(T.fn, "image-updates-function").state.arn;
            assert.strictEqual(machine.inputs.type, "STANDARD");
            assert.deepStrictEqual(
                JSON.parse(machine.inputs.definition),
                imageUpdateDefinition({ functionArn, pollIntervalSeconds: 1800, taskTimeoutSeconds: 330 }),
            );
            const logGroup = run.one(T.logGroup, "image-updates-execution-logs");
            assert.match(logGroup.state.name, /^\/aws\/vendedlogs\/states\/image-updates-/);
            assert.deepStrictEqual(machine.inputs.loggingConfiguration, {
                level: "ALL",
                includeExecutionData: true,
                logDestination: `${logGroup.state.arn}:*`,
            });
        });

        it("can only invoke its function and deliver its logs, assumed by Step Functions for this account", () => {
            const functionArn = run.one(T.fn, "image-updates-function").state.arn;
            const [invoke, logs] = inlinePolicyOf(run, "image-updates-state-machine-role");
            assert.deepStrictEqual(invoke, {
                Sid: "InvokeWorkflowFunction",
                Effect: "Allow",
                Action: ["lambda:InvokeFunction"],
                Resource: [functionArn],
            });
            // Exactly the actions AWS documents for a state machine logging to CloudWatch Logs, on
            // "*" (Step Functions developer guide, "Using CloudWatch Logs to log execution history",
            // IAM policies for logging: docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
            assert.deepStrictEqual(logs, {
                Sid: "DeliverExecutionLogs",
                Effect: "Allow",
                Action: [
                    "logs:CreateLogDelivery",
                    "logs:GetLogDelivery",
                    "logs:UpdateLogDelivery",
                    "logs:DeleteLogDelivery",
                    "logs:ListLogDeliveries",
                    "logs:PutResourcePolicy",
                    "logs:DescribeResourcePolicies",
                    "logs:DescribeLogGroups",
                ],
                Resource: ["*"],
            });
            assert.deepStrictEqual(
                statementsOf(run.one(T.role, "image-updates-state-machine-role").inputs.assumeRolePolicy),
                [
                    {
                        Effect: "Allow",
                        Principal: { Service: "states.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
                    },
                ],
            );
        });
    });

    describe("alarms that do not depend on the Lambda", () => {
        const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
        const TOPIC = "aws:sns/topic:Topic";
        const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";

        it("alarm on failed, timed-out and aborted executions, and on the schedule's dead-letter queue, into one topic", async () => {
            const withEmail = await runProgram({
                config: {
                    notifyEmails: '["ops@example.com","lead@example.com"]',
                    senderEmail: "appstream@example.com",
                },
            });
            const machine = withEmail.one(T.stateMachine, "image-updates-state-machine");
            const queue = withEmail.one("aws:sqs/queue:Queue", "image-updates-schedule-dlq");
            const topic = withEmail.one(TOPIC, "image-updates-alarms");
            const runs = withEmail.one(ALARM, "image-updates-run-failed").inputs;
            const metrics = runs.metricQueries.filter((q: { metric?: unknown }) => q.metric);
            assert.deepStrictEqual(
                metrics.map((q: { metric: { metricName: string; namespace: string; dimensions: object } }) => [
                    q.metric.namespace,
                    q.metric.metricName,
                    q.metric.dimensions,
                ]),
                ["ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"].map((name) => [
                    "AWS/States",
                    name,
                    { StateMachineArn: machine.state.arn },
                ]),
            );
            assert.deepStrictEqual(
                runs.metricQueries
                    .filter((q: { returnData?: boolean }) => q.returnData)
                    .map((q: { expression: string }) => q.expression),
                ["failed + timedOut + aborted"],
            );
            assert.deepStrictEqual(
                [runs.comparisonOperator, runs.threshold, runs.treatMissingData],
                ["GreaterThanThreshold", 0, "notBreaching"],
            );
            const undelivered = withEmail.one(ALARM, "image-updates-schedule-undelivered").inputs;
            assert.deepStrictEqual(
                [undelivered.namespace, undelivered.metricName, undelivered.dimensions],
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queue.state.name }],
            );
            for (const alarm of [runs, undelivered]) assert.deepStrictEqual(alarm.alarmActions, [topic.state.arn]);
            assert.deepStrictEqual(withEmail.one(T.schedule, "image-updates-schedule").inputs.target.deadLetterConfig, {
                arn: queue.state.arn,
            });
            assert.deepStrictEqual(
                withEmail
                    .ofType(SUBSCRIPTION)
                    .map((sub) => [sub.inputs.protocol, sub.inputs.endpoint, sub.inputs.topic]),
                [
                    ["email", "ops@example.com", topic.state.arn],
                    ["email", "lead@example.com", topic.state.arn],
                ],
            );
            const topicPolicy = JSON.parse(
                withEmail.one("aws:sns/topicPolicy:TopicPolicy", "image-updates-alarms-policy").inputs.policy,
            );
            assert.deepStrictEqual(topicPolicy.Statement[0].Principal, { Service: "cloudwatch.amazonaws.com" });
            assert.deepStrictEqual(topicPolicy.Statement[0].Condition.StringEquals, {
                "aws:SourceAccount": ACCOUNT_ID,
            });
        });

        it("use an existing topic from alarmTopicArn, creating none", async () => {
            const given = "arn:aws:sns:eu-west-1:123456789012:platform-alarms";
            const withTopic = await runProgram({
                config: {
                    alarmTopicArn: given,
                    notifyEmails: '["ops@example.com"]',
                    senderEmail: "appstream@example.com",
                },
            });
            assert.deepStrictEqual(withTopic.ofType(TOPIC), []);
            assert.deepStrictEqual(withTopic.ofType(SUBSCRIPTION), []);
            for (const alarm of withTopic.ofType(ALARM)) assert.deepStrictEqual(alarm.inputs.alarmActions, [given]);
            assert.strictEqual(withTopic.outputs.imageUpdateAlarmTopicArn, given);
        });
    });

    describe("schedule", () => {
        it("starts the state machine monthly in UTC with the batch size and email settings as input", () => {
            const schedule = run.one(T.schedule, "image-updates-schedule");
            const machine = run.one(T.stateMachine, "image-updates-state-machine");
            assert.strictEqual(schedule.inputs.scheduleExpression, "cron(0 12 1 * ? *)");
            assert.strictEqual(schedule.inputs.scheduleExpressionTimezone, "UTC");
            assert.deepStrictEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
            assert.strictEqual(schedule.inputs.target.arn, machine.state.arn);
            assert.strictEqual(
                schedule.inputs.target.roleArn,
                run.one(T.role, "image-updates-scheduler-role").state.arn,
            );
            assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input), {
                settings: {
                    batchSize: 5,
                    tagKey: "AutoUpdate",
                    tagValue: "Enabled",
                    notifyEmails: [],
                    senderEmail: "",
                    maxChecks: 48,
                    timeZone: "UTC",
                    keepImageVersions: 0,
                    appStreamCallsPerSecond: 5,
                },
            });
            assert.strictEqual(run.outputs.imageUpdateRunInput, schedule.inputs.target.input);
        });

        it("its role may only start executions of this state machine and fill its dead-letter queue", () => {
            const machine = run.one(T.stateMachine, "image-updates-state-machine");
            const queue = run.one("aws:sqs/queue:Queue", "image-updates-schedule-dlq");
            assert.deepStrictEqual(inlinePolicyOf(run, "image-updates-scheduler-role"), [
                {
                    Sid: "StartImageUpdateRun",
                    Effect: "Allow",
                    Action: ["states:StartExecution"],
                    Resource: [machine.state.arn],
                },
                {
                    Sid: "DeliverFailedStarts",
                    Effect: "Allow",
                    Action: ["sqs:SendMessage"],
                    Resource: [queue.state.arn],
                },
            ]);
            assert.deepStrictEqual(
                statementsOf(run.one(T.role, "image-updates-scheduler-role").inputs.assumeRolePolicy),
                [
                    {
                        Effect: "Allow",
                        Principal: { Service: "scheduler.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
                    },
                ],
            );
        });

        it("carries tuned config into the schedule, the wait and the input", async () => {
            const tuned = await runProgram({
                config: {
                    batchSize: "3",
                    updateSchedule: "cron(0 3 ? * SUN#1 *)",
                    updateScheduleTimezone: "Europe/Berlin",
                    notifyEmails: '["ops@example.com","lead@example.com"]',
                    senderEmail: "appstream@example.com",
                    // Neither default (30 min, 24 h), and 30 checks rather than the defaults' 48:
                    // a program that ignored either value would not give these.
                    pollIntervalMinutes: "20",
                    maxWaitHours: "10",
                    autoUpdateTagKey: "Patch",
                    autoUpdateTagValue: "monthly",
                    appStreamCallsPerSecond: "2",
                },
            });
            const schedule = tuned.one(T.schedule, "image-updates-schedule");
            assert.strictEqual(schedule.inputs.scheduleExpression, "cron(0 3 ? * SUN#1 *)");
            assert.strictEqual(schedule.inputs.scheduleExpressionTimezone, "Europe/Berlin");
            assert.deepStrictEqual(JSON.parse(schedule.inputs.target.input).settings, {
                batchSize: 3,
                tagKey: "Patch",
                tagValue: "monthly",
                notifyEmails: ["ops@example.com", "lead@example.com"],
                senderEmail: "appstream@example.com",
                maxChecks: 30,
                timeZone: "Europe/Berlin",
                keepImageVersions: 0,
                appStreamCallsPerSecond: 2,
            });
            const definition = JSON.parse(tuned.one(T.stateMachine, "image-updates-state-machine").inputs.definition);
            assert.strictEqual(definition.States.WaitForUpdates.Seconds, 1200);
        });
    });

    it("no IAM policy anywhere in the program grants a wildcard action", async () => {
        const withEmail = await runProgram({
            config: { notifyEmails: '["ops@example.com"]', senderEmail: "appstream@example.com" },
        });
        const actions = withEmail
            .ofType(T.rolePolicy)
            .flatMap((p) => statementsOf(p.inputs.policy))
            .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
        assert.ok(actions.length > 10);
        assert.deepStrictEqual(
            actions.filter((a) => a.includes("*")),
            [],
        );
    });

    it("creates the SES sender identity only when asked", async () => {
        assert.deepStrictEqual(run.ofType(T.identity), []);
        const withIdentity = await runProgram({
            config: {
                senderEmail: "appstream@example.com",
                notifyEmails: '["ops@example.com"]',
                createSenderIdentity: "true",
            },
        });
        assert.deepStrictEqual(withIdentity.one(T.identity, "image-updates-sender").inputs, {
            email: "appstream@example.com",
        });
    });

    it("two schedulers in one program do not collide", async () => {
        const two = await runUnderMocks(() => {
            const a = new ImageUpdateScheduler("team-a");
            const b = new ImageUpdateScheduler("team-b", { batchSize: 2 });
            return { a: a.stateMachineArn, b: b.stateMachineArn };
        });
        const names = two.resources.map((r) => `${r.type}/${r.name}`);
        assert.strictEqual(new Set(names).size, names.length);
        assert.strictEqual(two.ofType(T.stateMachine).length, 2);
        assert.notStrictEqual(two.outputs.a, two.outputs.b);
    });
});
