import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateComponentArgs } from "../config";
import {
    bucketArnOf,
    invokeFunctionPolicy,
    serviceTrustPolicy,
    usageDigestPolicy,
} from "../runtime/iam/policy-documents";
import {
    DIGEST_FUNCTION_TIMEOUT_SECONDS,
    DIGEST_STACK_VARIABLE,
    DigestInput,
    handleUsageDigestEvent,
} from "../runtime/insights/digest/digest-handler";
import { DIGEST_ROLE_TAG } from "../runtime/insights/digest/digest-role-tag";
import { DIGEST_ALARM_DESCRIPTION, DIGEST_ERRORS_METRIC } from "../runtime/insights/digest/digest-alarm";
import { DEFAULT_MAX_SESSION_HOURS } from "../runtime/usage/named-queries";
import { RUNTIME_PROVIDED_PACKAGES } from "./image-update-scheduler";

/** What the digest reads: the usage pipeline's outputs. */
export interface UsageDigestPipeline {
    readonly workGroupName: pulumi.Input<string>;
    readonly databaseName: pulumi.Input<string>;
    readonly tableName: pulumi.Input<string>;
    readonly usageBucketName: pulumi.Input<string>;
    readonly resultsBucketName: pulumi.Input<string>;
    /** AppStream's usage-report bucket, when usage reports are on: the reconciliation reads it. */
    readonly reportBucketName?: pulumi.Input<string>;
    /** The workgroup's per-query scan limit, in MB, for the email's advice. */
    readonly scanCutoffMb: number;
}

export interface UsageDigestArgs {
    /** The usage pipeline the digest queries. */
    pipeline: UsageDigestPipeline;
    /** Recipients of the digest. */
    usageDigestEmails: string[];
    /** Verified SES identity the digest is sent from. */
    senderEmail: string;
    /** EventBridge Scheduler expression. @default "cron(0 8 ? * MON *)" (Mondays at 08:00) */
    usageDigestSchedule?: string;
    /** IANA time zone of the schedule. @default "UTC" */
    updateScheduleTimezone?: string;
    /** Whole UTC days the digest covers, compared with as many before. @default 7 */
    usageDigestPeriodDays?: number;
    /** Days the function's logs are kept. @default 90 */
    logRetentionDays?: number;
    /** The SNS topic told when a digest could not be sent. */
    alarmTopicArn: pulumi.Input<string>;
}

const ARGUMENTS = [
    "usageDigestEmails",
    "senderEmail",
    "usageDigestSchedule",
    "updateScheduleTimezone",
    "usageDigestPeriodDays",
    "logRetentionDays",
] as const satisfies readonly (keyof UsageDigestArgs)[];

/**
 * The usage digest: on a schedule, a small function runs the usage pipeline's own queries in its
 * Athena workgroup over the period and the one before, reads each fleet's capacity, and emails one
 * digest through SES. Its errors (a digest not sent) alarm on the given topic.
 */
export class UsageDigest extends pulumi.ComponentResource {
    public readonly functionName: pulumi.Output<string>;
    public readonly logGroupName: pulumi.Output<string>;
    public readonly scheduleName: pulumi.Output<string>;
    /** The schedule's input: invoke the function with it to send a digest now. */
    public readonly digestInput: pulumi.Output<string>;

    constructor(name: string, args: UsageDigestArgs, opts?: pulumi.ComponentResourceOptions) {
        const { pipeline, alarmTopicArn, ...checked } = args;
        const settings = validateComponentArgs("UsageDigest", name, checked, ARGUMENTS);
        if (settings.usageDigestEmails.length === 0 || settings.senderEmail === "") {
            throw new Error(
                `UsageDigest "${name}": invalid arguments: usageDigestEmails and senderEmail are both needed (a digest no one receives is not sent)`,
            );
        }
        super("appstream-ops:insights:UsageDigest", name, {}, opts);
        const parent = { parent: this };
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        const logs = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { namePrefix: `/aws/lambda/${name}-`, retentionInDays: settings.logRetentionDays },
            parent,
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: "appstream-ops usage digest: query the usage pipeline in its workgroup, email one digest",
                assumeRolePolicy: serviceTrustPolicy("lambda.amazonaws.com"),
                // How the policy pack's appstream-usage-digest-read-only finds it.
                tags: { [DIGEST_ROLE_TAG.key]: DIGEST_ROLE_TAG.value },
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([
                        partition,
                        region,
                        accountId,
                        logs.arn,
                        pipeline.workGroupName,
                        pipeline.databaseName,
                        pipeline.usageBucketName,
                        pipeline.resultsBucketName,
                        pipeline.reportBucketName ?? "",
                    ])
                    .apply(([p, r, a, logGroupArn, workGroupName, databaseName, usage, results, reports]) =>
                        usageDigestPolicy({
                            scope: { partition: p, region: r, accountId: a },
                            workGroupName,
                            databaseName,
                            readBucketArns: [usage, ...(reports ? [reports] : [])].map((b) => bucketArnOf(p, b)),
                            resultsBucketArn: bucketArnOf(p, results),
                            logGroupArn,
                            senderEmail: settings.senderEmail,
                        }),
                    ),
            },
            parent,
        );
        const fn = new aws.lambda.CallbackFunction(
            `${name}-function`,
            {
                description: "appstream-ops: the usage digest email (runs the usage pipeline's queries in Athena)",
                callback: handleUsageDigestEvent,
                runtime: aws.lambda.Runtime.NodeJS22dX,
                role: role.arn,
                timeout: DIGEST_FUNCTION_TIMEOUT_SECONDS,
                memorySize: 256,
                loggingConfig: { logFormat: "JSON", logGroup: logs.name },
                environment: { variables: { [DIGEST_STACK_VARIABLE]: `${pulumi.getProject()}/${pulumi.getStack()}` } },
                codePathOptions: { extraExcludePackages: [...RUNTIME_PROVIDED_PACKAGES] },
            },
            { parent: this, dependsOn: [policy] },
        );
        // Scheduler invokes the function asynchronously. One retry: every query of a retried run
        // is answered by the one already run (request tokens), and the email is its last step.
        new aws.lambda.FunctionEventInvokeConfig(
            `${name}-invoke-config`,
            { functionName: fn.name, maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600 },
            parent,
        );

        this.digestInput = pulumi
            .all([pipeline.workGroupName, pipeline.databaseName, pipeline.tableName, pipeline.reportBucketName ?? ""])
            .apply(([workGroup, database, table, reports]) =>
                JSON.stringify({
                    database,
                    table,
                    workGroup,
                    scanCutoffMb: pipeline.scanCutoffMb,
                    periodDays: settings.usageDigestPeriodDays,
                    maxSessionHours: DEFAULT_MAX_SESSION_HOURS,
                    usageReports: reports !== "",
                    senderEmail: settings.senderEmail,
                    recipients: settings.usageDigestEmails,
                } satisfies DigestInput),
            );
        const schedulerRole = new aws.iam.Role(
            `${name}-scheduler-role`,
            {
                description: "appstream-ops usage digest schedule: invoke the digest function",
                assumeRolePolicy: accountId.apply((a) => serviceTrustPolicy("scheduler.amazonaws.com", a)),
            },
            parent,
        );
        const schedulerPolicy = new aws.iam.RolePolicy(
            `${name}-scheduler-policy`,
            { role: schedulerRole.name, policy: fn.arn.apply(invokeFunctionPolicy) },
            parent,
        );
        const schedule = new aws.scheduler.Schedule(
            `${name}-schedule`,
            {
                description: "appstream-ops: send the usage digest email",
                scheduleExpression: settings.usageDigestSchedule,
                scheduleExpressionTimezone: settings.updateScheduleTimezone,
                flexibleTimeWindow: { mode: "OFF" },
                state: "ENABLED",
                target: {
                    arn: fn.arn,
                    roleArn: schedulerRole.arn,
                    input: this.digestInput,
                    retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
                },
            },
            { parent: this, dependsOn: [schedulerPolicy] },
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-failed`,
            {
                alarmDescription: DIGEST_ALARM_DESCRIPTION,
                namespace: DIGEST_ERRORS_METRIC.namespace,
                metricName: DIGEST_ERRORS_METRIC.name,
                statistic: DIGEST_ERRORS_METRIC.statistic,
                dimensions: { FunctionName: fn.name },
                period: 300,
                evaluationPeriods: 1,
                threshold: 0,
                comparisonOperator: "GreaterThanThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [alarmTopicArn],
            },
            parent,
        );

        this.functionName = fn.name;
        this.logGroupName = logs.name;
        this.scheduleName = schedule.name;
        this.registerOutputs({
            functionName: this.functionName,
            logGroupName: this.logGroupName,
            scheduleName: this.scheduleName,
            digestInput: this.digestInput,
        });
    }
}
