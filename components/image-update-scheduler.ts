import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateComponentArgs } from "../config";
import {
    imageUpdaterPolicy,
    serviceTrustPolicy,
    startExecutionPolicy,
    stateMachinePolicy,
} from "../runtime/iam/policy-documents";
import { RUN_STATE_BUCKET_VARIABLE, STACK_VARIABLE, handleImageUpdateEvent } from "../runtime/image-update/run/handler";
import { PrivateBucket } from "./private-bucket";
import { alarmTopicArn } from "./alarm-topic";
import { FUNCTION_TIMEOUT_SECONDS } from "../runtime/image-update/run/invocation-pacing";
import { RunInput, maxChecksFor } from "../runtime/image-update/run/run-settings";
import { imageUpdateDefinition } from "../runtime/image-update/run/state-machine";

/** Packages the Lambda runtime (nodejs22.x) already provides: shipping them would only bloat the archive. */
export const RUNTIME_PROVIDED_PACKAGES = [
    "@aws-sdk/client-appstream",
    "@aws-sdk/client-athena",
    "@aws-sdk/client-resource-groups-tagging-api",
    "@aws-sdk/client-s3",
    "@aws-sdk/client-service-quotas",
    "@aws-sdk/client-ses",
];
/** Five minutes: Step Functions and SQS publish these metrics every minute; a run is alarmed within minutes. */
const ALARM_PERIOD_SECONDS = 300;
/** Days a run's state is kept: as long as Step Functions keeps the execution's history. */
export const RUN_STATE_EXPIRATION_DAYS = 90;

/** What preview says when no one would hear of a run. */
export const NO_RECIPIENTS_WARNING =
    "image updates: notifyEmails is empty, so runs email no summary and no one is subscribed to the run alarms. Each run still updates the tagged images; only the execution's output (counts) and its state in the run-state bucket tell what happened. Set notifyEmails and senderEmail to be told.";

/** Every argument, checked by the stack config's rules (config.ts) with its defaults. */
const ARGUMENTS = [
    "batchSize",
    "updateSchedule",
    "updateScheduleTimezone",
    "notifyEmails",
    "senderEmail",
    "pollIntervalMinutes",
    "maxWaitHours",
    "autoUpdateTagKey",
    "autoUpdateTagValue",
    "createSenderIdentity",
    "logRetentionDays",
    "keepImageVersions",
    "alarmTopicArn",
    "appStreamCallsPerSecond",
] as const satisfies readonly (keyof ImageUpdateSchedulerArgs)[];

export interface ImageUpdateSchedulerArgs {
    /** Most image updates in flight at once (keep it within the account's quota). @default 5 */
    batchSize?: number;
    /** EventBridge Scheduler expression. @default "cron(0 12 1 * ? *)" (12:00 on the 1st of each month) */
    updateSchedule?: string;
    /** IANA time zone of the schedule and of the date in new image names. @default "UTC" */
    updateScheduleTimezone?: string;
    /** Summary recipients. @default [] (no email; the summary is the execution's output) */
    notifyEmails?: string[];
    /** Verified SES sender; the only From address the Lambda may use. @default "" (no email) */
    senderEmail?: string;
    /** Minutes between checks of running updates. @default 30 */
    pollIntervalMinutes?: number;
    /** Hours after which still-running updates are reported as pending and the run ends. @default 24 */
    maxWaitHours?: number;
    /** Tag key that opts an image in. @default "AutoUpdate" */
    autoUpdateTagKey?: string;
    /** Tag value that opts an image in. @default "Enabled" */
    autoUpdateTagValue?: string;
    /** Create the SES email identity of `senderEmail`. @default false */
    createSenderIdentity?: boolean;
    /** Days the function's and the executions' logs are kept. @default 90 */
    logRetentionDays?: number;
    /**
     * Versions of each opted-in image kept once a new one is AVAILABLE; older superseded versions
     * are deleted. @default 0 (retention off: every version is kept, the summary lists what it would delete)
     */
    keepImageVersions?: number;
    /**
     * An existing SNS topic for the run alarms. @default "" (a topic is created, and each of
     * `notifyEmails` is subscribed to it; SNS emails each a confirmation link)
     */
    alarmTopicArn?: string;
    /** Calls per second to each AppStream operation (AppStream does not publish its rates). @default 5 */
    appStreamCallsPerSecond?: number;
}

/**
 * Applies AppStream managed image updates on a schedule: an EventBridge Scheduler schedule starts
 * a Step Functions state machine that drives one inline Lambda through discovery, batches of
 * CreateUpdatedImage, polling, rollout to opted-in fleets, version retention and one summary
 * email. Each of the three roles can do only its part. Two CloudWatch alarms (failed, timed-out or
 * aborted executions; schedule deliveries that failed into the dead-letter queue) notify an SNS
 * topic, so a broken sender, Lambda or schedule still reaches someone.
 */
export class ImageUpdateScheduler extends pulumi.ComponentResource {
    public readonly stateMachineArn: pulumi.Output<string>;
    public readonly functionName: pulumi.Output<string>;
    public readonly scheduleName: pulumi.Output<string>;
    /** The execution input the schedule sends; pass it to `aws stepfunctions start-execution` to run now. */
    public readonly runInput: string;
    /** Log group of the workflow function. */
    public readonly functionLogGroupName: pulumi.Output<string>;
    /** Log group of the state machine's executions. */
    public readonly executionLogGroupName: pulumi.Output<string>;
    /** The SNS topic the alarms notify. */
    public readonly alarmTopicArn: pulumi.Output<string>;
    /** Where the schedule puts the starts it could not deliver. */
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** The bucket holding each run's state (`runs/<execution name>/state.json`), kept 90 days. */
    public readonly runStateBucketName: pulumi.Output<string>;

    constructor(name: string, args: ImageUpdateSchedulerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: a bad argument fails preview with one line naming it.
        const settings = validateComponentArgs("ImageUpdateScheduler", name, args, ARGUMENTS);
        super("appstream-ops:image-update:ImageUpdateScheduler", name, {}, opts);
        const parent = { parent: this };
        const { senderEmail, pollIntervalMinutes, logRetentionDays: retentionInDays } = settings;
        const timeZone = settings.updateScheduleTimezone;
        const input: RunInput = {
            settings: {
                batchSize: settings.batchSize,
                tagKey: settings.autoUpdateTagKey,
                tagValue: settings.autoUpdateTagValue,
                notifyEmails: settings.notifyEmails,
                senderEmail,
                maxChecks: maxChecksFor(settings.maxWaitHours, pollIntervalMinutes),
                timeZone,
                keepImageVersions: settings.keepImageVersions,
                appStreamCallsPerSecond: settings.appStreamCallsPerSecond,
            },
        };
        if (settings.notifyEmails.length === 0) {
            pulumi.log.warn(NO_RECIPIENTS_WARNING, this);
        }

        const runInput = JSON.stringify(input);

        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        // Each run's state, between the state machine's steps (run-store): private, encrypted,
        // TLS-only, and expired after Step Functions' own 90 days of execution history. It holds
        // nothing but what the function wrote, so a destroy may empty it.
        const runState = new PrivateBucket(
            `${name}-run-state`,
            { expirationDays: RUN_STATE_EXPIRATION_DAYS, forceDestroy: true },
            parent,
        );

        // The workflow Lambda.
        const functionLogs = new aws.cloudwatch.LogGroup(
            `${name}-function-logs`,
            { namePrefix: `/aws/lambda/${name}-`, retentionInDays },
            parent,
        );
        const functionRole = new aws.iam.Role(
            `${name}-function-role`,
            {
                description: "appstream-ops image updater: update tagged AppStream images, email one summary",
                assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
            },
            parent,
        );
        const functionPolicy = new aws.iam.RolePolicy(
            `${name}-function-policy`,
            {
                role: functionRole.name,
                policy: pulumi
                    .all([partition, region, accountId, functionLogs.arn, runState.bucketArn])
                    .apply(([p, r, a, logGroupArn, runStateBucketArn]) =>
                        imageUpdaterPolicy({
                            scope: { partition: p, region: r, accountId: a },
                            logGroupArn,
                            senderEmail,
                            tagKey: input.settings.tagKey,
                            tagValue: input.settings.tagValue,
                            runStateBucketArn,
                        }),
                    ),
            },
            parent,
        );
        const workflowFunction = new aws.lambda.CallbackFunction(
            `${name}-function`,
            {
                description: "appstream-ops: one step of a managed image update run (called by the state machine)",
                callback: handleImageUpdateEvent,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                role: functionRole.arn,
                timeout: FUNCTION_TIMEOUT_SECONDS,
                memorySize: 256,
                loggingConfig: { logFormat: "JSON", logGroup: functionLogs.name },
                // Named in the summary email's header, so emails from several stacks tell themselves apart.
                environment: {
                    variables: {
                        [STACK_VARIABLE]: `${pulumi.getProject()}/${pulumi.getStack()}`,
                        [RUN_STATE_BUCKET_VARIABLE]: runState.bucketName,
                    },
                },
                codePathOptions: { extraExcludePackages: [...RUNTIME_PROVIDED_PACKAGES] },
            },
            { parent: this, dependsOn: [functionPolicy] },
        );

        // The state machine.
        const executionLogs = new aws.cloudwatch.LogGroup(
            `${name}-execution-logs`,
            // Step Functions recommends the vended-logs prefix: it keeps the Logs resource policy small.
            { namePrefix: `/aws/vendedlogs/states/${name}-`, retentionInDays },
            parent,
        );
        const stateMachineRole = new aws.iam.Role(
            `${name}-state-machine-role`,
            {
                description: "appstream-ops image update state machine: invoke its function, write its logs",
                assumeRolePolicy: accountId.apply((a) => serviceTrustPolicy("states.amazonaws.com", a)),
            },
            parent,
        );
        const stateMachinePolicyResource = new aws.iam.RolePolicy(
            `${name}-state-machine-policy`,
            { role: stateMachineRole.name, policy: workflowFunction.arn.apply(stateMachinePolicy) },
            parent,
        );
        const stateMachine = new aws.sfn.StateMachine(
            `${name}-state-machine`,
            {
                type: "STANDARD",
                roleArn: stateMachineRole.arn,
                definition: workflowFunction.arn.apply((functionArn) =>
                    JSON.stringify(
                        imageUpdateDefinition({
                            functionArn,
                            pollIntervalSeconds: pollIntervalMinutes * 60,
                            taskTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS + 30,
                        }),
                    ),
                ),
                loggingConfiguration: {
                    level: "ALL",
                    includeExecutionData: true,
                    logDestination: pulumi.interpolate`${executionLogs.arn}:*`,
                },
            },
            { parent: this, dependsOn: [stateMachinePolicyResource] },
        );

        // The schedule, with a dead-letter queue for starts it could not deliver (a standard queue:
        // Scheduler does not support FIFO dead-letter queues).
        const deadLetterQueue = new aws.sqs.Queue(
            `${name}-schedule-dlq`,
            { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 3600 },
            parent,
        );
        const schedulerRole = new aws.iam.Role(
            `${name}-scheduler-role`,
            {
                description: "appstream-ops image update schedule: start the image update state machine",
                assumeRolePolicy: accountId.apply((a) => serviceTrustPolicy("scheduler.amazonaws.com", a)),
            },
            parent,
        );
        const schedulerPolicy = new aws.iam.RolePolicy(
            `${name}-scheduler-policy`,
            {
                role: schedulerRole.name,
                policy: pulumi
                    .all([stateMachine.arn, deadLetterQueue.arn])
                    .apply(([stateMachineArn, queueArn]) => startExecutionPolicy(stateMachineArn, queueArn)),
            },
            parent,
        );
        const schedule = new aws.scheduler.Schedule(
            `${name}-schedule`,
            {
                description: "appstream-ops: start the managed image update run",
                scheduleExpression: settings.updateSchedule,
                scheduleExpressionTimezone: timeZone,
                flexibleTimeWindow: { mode: "OFF" },
                state: "ENABLED",
                target: {
                    arn: stateMachine.arn,
                    roleArn: schedulerRole.arn,
                    input: runInput,
                    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                    deadLetterConfig: { arn: deadLetterQueue.arn },
                },
            },
            { parent: this, dependsOn: [schedulerPolicy] },
        );

        if (settings.createSenderIdentity && senderEmail !== "") {
            new aws.ses.EmailIdentity(`${name}-sender`, { email: senderEmail }, parent);
        }

        // Alarms that do not depend on the Lambda or SES.
        const alarmTopic = alarmTopicArn(
            name,
            {
                existingTopicArn: settings.alarmTopicArn === "" ? undefined : settings.alarmTopicArn,
                emails: input.settings.notifyEmails,
                displayName: "AppStream image updates",
            },
            this,
        );
        const executionMetric = (id: string, metricName: string) => ({
            id,
            metric: {
                namespace: "AWS/States",
                metricName,
                dimensions: { StateMachineArn: stateMachine.arn },
                period: ALARM_PERIOD_SECONDS,
                stat: "Sum",
            },
        });
        new aws.cloudwatch.MetricAlarm(
            `${name}-run-failed`,
            {
                alarmDescription:
                    "appstream-ops: an image-update run failed, timed out or was aborted. See the execution in the Step Functions console; the summary email may not have been sent.",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                evaluationPeriods: 1,
                treatMissingData: "notBreaching",
                metricQueries: [
                    executionMetric("failed", "ExecutionsFailed"),
                    executionMetric("timedOut", "ExecutionsTimedOut"),
                    executionMetric("aborted", "ExecutionsAborted"),
                    {
                        id: "ended",
                        expression: "failed + timedOut + aborted",
                        label: "Runs that failed, timed out or were aborted",
                        returnData: true,
                    },
                ],
                alarmActions: [alarmTopic],
            },
            parent,
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-schedule-undelivered`,
            {
                alarmDescription:
                    "appstream-ops: the schedule could not start the image-update state machine; the failed start is in the dead-letter queue.",
                namespace: "AWS/SQS",
                metricName: "ApproximateNumberOfMessagesVisible",
                dimensions: { QueueName: deadLetterQueue.name },
                statistic: "Maximum",
                period: ALARM_PERIOD_SECONDS,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                treatMissingData: "notBreaching",
                alarmActions: [alarmTopic],
            },
            parent,
        );

        this.stateMachineArn = stateMachine.arn;
        this.functionName = workflowFunction.name;
        this.scheduleName = schedule.name;
        this.runInput = runInput;
        this.functionLogGroupName = functionLogs.name;
        this.executionLogGroupName = executionLogs.name;
        this.alarmTopicArn = alarmTopic;
        this.deadLetterQueueUrl = deadLetterQueue.url;
        this.runStateBucketName = runState.bucketName;
        this.registerOutputs({
            stateMachineArn: this.stateMachineArn,
            functionName: this.functionName,
            scheduleName: this.scheduleName,
            runInput: this.runInput,
            functionLogGroupName: this.functionLogGroupName,
            executionLogGroupName: this.executionLogGroupName,
            alarmTopicArn: this.alarmTopicArn,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            runStateBucketName: this.runStateBucketName,
        });
    }
}
