/**
 * IAM and bucket policy documents, built as typed values (never string templates) so that the
 * policy pack and the tests see exactly what is deployed. They take resolved strings; components
 * call them inside `apply`.
 */
import type * as aws from "@pulumi/aws";
import { APPSTREAM_SERVICE_CODE, QUOTAS, QUOTA_NAMES } from "../image-update/lifecycle/quotas";
import { COMPLETED_TAG_VALUE, FLEETS_LEFT_TAG_KEY, NEXT_VERSION_TAG_KEY } from "../image-update/run/run-settings";
import { RUN_STATE_PREFIX } from "../image-update/run/run-state";

type PolicyDocument = aws.iam.PolicyDocument;
type PolicyStatement = aws.iam.PolicyStatement;

export const APPSTREAM_SERVICE_PRINCIPAL = "appstream.amazonaws.com";

/** A bucket's ARN from its name; known during preview, unlike the bucket's computed `arn`. */
export function bucketArnOf(partition: string, bucketName: string): string {
    return `arn:${partition}:s3:::${bucketName}`;
}

/** ARN of every object in a bucket, or under a key prefix (never the bucket itself). */
export function objectsArn(bucketArn: string, keyPrefix = ""): string {
    return `${bucketArn}/${keyPrefix}*`;
}

/**
 * Trust policy that lets one AWS service, and nothing else, assume a role; with `sourceAccount`,
 * only on behalf of that account (the confused-deputy guard for Scheduler and Step Functions).
 */
export function serviceTrustPolicy(service: string, sourceAccount?: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
            },
        ],
    };
}

/** A VPC (`vpc-…`) or VPC endpoint (`vpce-…`) id that requests of the script role may come through. */
export type NetworkId = `vpc-${string}` | `vpce-${string}`;

/**
 * The session-script role's whole permission: write objects under the record prefixes of the
 * usage bucket, nothing else. Every process on a streaming instance, the user's own included, can
 * use the fleet role's credentials, so this is what a user can do with them too. With `networks`,
 * only requests that come through those VPCs (aws:SourceVpc) or VPC endpoints (aws:SourceVpce)
 * are allowed; both keys are set only on requests through a VPC endpoint, so the fleet's VPC
 * needs an S3 gateway endpoint. One statement per key, so that either matches (conditions of one
 * statement would all have to hold).
 */
export function putObjectOnlyPolicy(
    usageBucketArn: string,
    opts: { keyPrefixes: readonly string[]; networks?: readonly string[] },
): PolicyDocument {
    const statement = (Sid: string, Condition?: PolicyStatement["Condition"]): PolicyStatement => ({
        Sid,
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: opts.keyPrefixes.map((prefix) => objectsArn(usageBucketArn, prefix)),
        ...(Condition ? { Condition } : {}),
    });
    const networks = opts.networks ?? [];
    if (networks.length === 0) return { Version: "2012-10-17", Statement: [statement("PutUsageRecords")] };
    const vpcs = networks.filter((id) => id.startsWith("vpc-"));
    const endpoints = networks.filter((id) => id.startsWith("vpce-"));
    return {
        Version: "2012-10-17",
        Statement: [
            ...(vpcs.length
                ? [statement("PutUsageRecordsFromFleetVpc", { StringEquals: { "aws:SourceVpc": vpcs } })]
                : []),
            ...(endpoints.length
                ? [statement("PutUsageRecordsThroughEndpoint", { StringEquals: { "aws:SourceVpce": endpoints } })]
                : []),
        ],
    };
}

/** Denies every request to the bucket that does not use TLS. */
export function denyInsecureTransportStatement(bucketArn: string): PolicyStatement {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objectsArn(bucketArn)],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/**
 * Lets AppStream read objects under a prefix (an Elastic fleet's SessionScriptS3Location), only
 * on behalf of this account: the aws:SourceAccount condition prevents the confused-deputy problem.
 */
export function appStreamReadStatement(bucketArn: string, keyPrefix: string, accountId: string): PolicyStatement {
    return {
        Sid: "AppStreamReadsSessionScripts",
        Effect: "Allow",
        Principal: { Service: APPSTREAM_SERVICE_PRINCIPAL },
        Action: "s3:GetObject",
        Resource: objectsArn(bucketArn, keyPrefix),
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
    };
}

/** A bucket policy made of the given statements. */
export function bucketPolicy(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

/** Where the image updater runs; AppStream and SES ARNs are built from it. */
export interface AccountScope {
    readonly partition: string;
    readonly region: string;
    readonly accountId: string;
}

/** Every AppStream image of the account in the Region. */
export function appStreamImagesArn(scope: AccountScope): string {
    return `arn:${scope.partition}:appstream:${scope.region}:${scope.accountId}:image/*`;
}

/** One AppStream fleet of the account in the Region. */
export function appStreamFleetArn(scope: AccountScope, fleetName: string): string {
    return `arn:${scope.partition}:appstream:${scope.region}:${scope.accountId}:fleet/${fleetName}`;
}

/** Every AppStream fleet of the account in the Region. */
export function appStreamFleetsArn(scope: AccountScope): string {
    return appStreamFleetArn(scope, "*");
}

/** The Service Quotas ARN of one AppStream quota. */
export function appStreamQuotaArn(scope: AccountScope, quotaCode: string): string {
    return `arn:${scope.partition}:servicequotas:${scope.region}:${scope.accountId}:${APPSTREAM_SERVICE_CODE}/${quotaCode}`;
}

/** Writing log events to one log group (its streams), nothing else. */
export function writeLogsStatement(logGroupArn: string): PolicyStatement {
    return {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${logGroupArn}:*`],
    };
}

/**
 * The image-update Lambda, per the Service Authorization Reference ("Actions, resources, and
 * condition keys for Amazon AppStream 2.0", and for Service Quotas): DescribeImages,
 * ListTagsForResource, DescribeFleets and DescribeImageBuilders support no resource type, so AWS
 * authorizes them against "*" and only a "*" statement can allow them; CreateUpdatedImage,
 * TagResource, DescribeImagePermissions and DeleteImage are authorized against the image, and
 * UpdateFleet against the fleet (and the image). TagResource may write only the three tags a run
 * writes on an old image (aws:TagKeys: the opt-in key, NextVersion, FleetsLeft); DeleteImage reaches only images the run marked Completed,
 * and UpdateFleet only fleets and images carrying the opt-in tag (aws:ResourceTag). GetServiceQuota
 * reads the three AppStream quotas a run checks. The run's state: GetObject and PutObject on the
 * run-state bucket's runs/ prefix, and ListBucket on the bucket, without which S3 answers a read of
 * a state not yet written with 403 AccessDenied instead of 404 NoSuchKey (GetObject reference).
 * Plus its own log group, and, when a sender is configured, ses:SendEmail from that one address.
 */
export function imageUpdaterPolicy(opts: {
    scope: AccountScope;
    logGroupArn: string;
    senderEmail: string;
    /** The opt-in tag key, which a run rewrites on the old image (Completed, or back to the opt-in value). */
    tagKey: string;
    /** The opt-in tag value, which opts a fleet into rollout. */
    tagValue: string;
    /** The bucket that holds each run's state under `runs/`. */
    runStateBucketArn: string;
}): PolicyDocument {
    const { scope } = opts;
    const statements: PolicyStatement[] = [
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
            // The Service Authorization Reference lists no resource type for tag:GetResources: only
            // "*" allows it. It reads tags only; the run's changes stay scoped below.
            Sid: "FindTaggedImages",
            Effect: "Allow",
            Action: ["tag:GetResources"],
            Resource: ["*"],
        },
        {
            Sid: "ReadAppStreamQuotas",
            Effect: "Allow",
            Action: ["servicequotas:GetServiceQuota"],
            Resource: QUOTA_NAMES.map((name) => appStreamQuotaArn(scope, QUOTAS[name].code)),
        },
        {
            Sid: "CheckImageSharing",
            Effect: "Allow",
            Action: ["appstream:DescribeImagePermissions"],
            Resource: [appStreamImagesArn(scope)],
        },
        {
            Sid: "DeleteSupersededVersions",
            Effect: "Allow",
            Action: ["appstream:DeleteImage"],
            Resource: [appStreamImagesArn(scope)],
            Condition: { StringEquals: { [`aws:ResourceTag/${opts.tagKey}`]: COMPLETED_TAG_VALUE } },
        },
        {
            Sid: "RollOutToOptedInFleets",
            Effect: "Allow",
            Action: ["appstream:UpdateFleet"],
            // AWS authorizes UpdateFleet against the fleet and the image it names; the new image
            // carries the opt-in tag too (newImageTags), so one condition holds for both.
            Resource: [appStreamFleetsArn(scope), appStreamImagesArn(scope)],
            Condition: { StringEquals: { [`aws:ResourceTag/${opts.tagKey}`]: opts.tagValue } },
        },
        {
            Sid: "UpdateImages",
            Effect: "Allow",
            Action: ["appstream:CreateUpdatedImage"],
            Resource: [appStreamImagesArn(scope)],
        },
        {
            Sid: "MarkOldImages",
            Effect: "Allow",
            Action: ["appstream:TagResource"],
            Resource: [appStreamImagesArn(scope)],
            Condition: {
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": [opts.tagKey, NEXT_VERSION_TAG_KEY, FLEETS_LEFT_TAG_KEY],
                },
            },
        },
        {
            // A step reads the run's state and writes it back conditionally (If-None-Match, If-Match).
            Sid: "KeepRunState",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject"],
            Resource: [`${opts.runStateBucketArn}/${RUN_STATE_PREFIX}*`],
        },
        {
            Sid: "TellMissingRunState",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [opts.runStateBucketArn],
        },
        writeLogsStatement(opts.logGroupArn),
    ];
    if (opts.senderEmail !== "") statements.push(sendFromStatement(scope, opts.senderEmail, "SendSummaryFromSender"));
    return { Version: "2012-10-17", Statement: statements };
}

/** ses:SendEmail with one From address. */
function sendFromStatement(scope: AccountScope, senderEmail: string, Sid: string): PolicyStatement {
    return {
        Sid,
        Effect: "Allow",
        Action: ["ses:SendEmail"],
        // SES authorizes against the sending identity (the address or its domain) and, in the
        // sandbox, the recipients' identities too; the condition pins the From address.
        Resource: [`arn:${scope.partition}:ses:${scope.region}:${scope.accountId}:identity/*`],
        Condition: { StringEquals: { "ses:FromAddress": senderEmail } },
    };
}

/**
 * What the identity that runs `pulumi up` needs for the two dynamic resources, which call AppStream
 * with that identity's credentials (not a role of this program). The usage-report actions and
 * DescribeFleets support no resource type, so they need "*"; UpdateFleet is authorized against the
 * fleet, so it is scoped to the configured Elastic fleets. Setting a fleet's IamRoleArn to the
 * session-script role, which is left to the user, also needs iam:PassRole on that role, to
 * AppStream only.
 */
export function dynamicResourceDeployerPolicy(opts: {
    scope: AccountScope;
    usageReports: boolean;
    elasticFleetNames: readonly string[];
    /** The session-script role, when the deploying identity also sets it on fleets. */
    scriptRoleArn?: string;
}): PolicyDocument {
    const statements: PolicyStatement[] = [];
    if (opts.usageReports) {
        statements.push({
            Sid: "ManageUsageReportSubscription",
            Effect: "Allow",
            Action: [
                "appstream:CreateUsageReportSubscription",
                "appstream:DeleteUsageReportSubscription",
                "appstream:DescribeUsageReportSubscriptions",
            ],
            Resource: ["*"],
        });
    }
    if (opts.elasticFleetNames.length > 0) {
        statements.push(
            { Sid: "CheckElasticFleets", Effect: "Allow", Action: ["appstream:DescribeFleets"], Resource: ["*"] },
            {
                Sid: "SetSessionScriptLocation",
                Effect: "Allow",
                Action: ["appstream:UpdateFleet"],
                Resource: opts.elasticFleetNames.map((name) => appStreamFleetArn(opts.scope, name)),
            },
        );
    }
    if (opts.scriptRoleArn) {
        statements.push({
            Sid: "PassScriptRoleToAppStream",
            Effect: "Allow",
            Action: ["iam:PassRole"],
            Resource: [opts.scriptRoleArn],
            Condition: { StringEquals: { "iam:PassedToService": APPSTREAM_SERVICE_PRINCIPAL } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * For an image builder's role (used with `-ProfileName appstream_machine_role`) to run the
 * imageBuilderInstallCommand: `Read-S3Object -KeyPrefix` lists the prefix (s3:ListBucket on the
 * bucket, limited by s3:prefix) and then reads each object (s3:GetObject under the prefix).
 */
/** What the usage digest reads and where it may write. */
export interface UsageDigestAccess {
    readonly scope: AccountScope;
    readonly workGroupName: string;
    readonly databaseName: string;
    /** The buckets its queries read: the usage bucket and, with usage reports, AppStream's reports bucket. */
    readonly readBucketArns: readonly string[];
    /** The workgroup's result location (the whole bucket: the workgroup writes at its root). */
    readonly resultsBucketArn: string;
    readonly logGroupArn: string;
    /** Empty: no email permission. */
    readonly senderEmail: string;
}

/**
 * The usage digest's role, per the Service Authorization Reference and Athena's user guide
 * ("Access to Amazon S3", "Fine-grained access to databases and tables in the AWS Glue Data
 * Catalog"): Athena's StartQueryExecution, GetQueryExecution and GetQueryResults in the pipeline's
 * workgroup only (the `workgroup` resource type), so its scan cutoff and result location always
 * apply; Glue reads of the catalog, the database and its tables, which Athena makes with the
 * caller's permissions; S3 reads of the buckets the tables are over, and reads and writes of the
 * results bucket, where Athena writes the results as the caller; DescribeFleets (no resource type,
 * so "*") for the fleets' capacities; its own log group; and SES SendEmail from the sender only.
 */
export function usageDigestPolicy(access: UsageDigestAccess): PolicyDocument {
    const { scope } = access;
    const glue = (resource: string) => `arn:${scope.partition}:glue:${scope.region}:${scope.accountId}:${resource}`;
    const statements: PolicyStatement[] = [
        {
            Sid: "QueryInThePipelinesWorkgroup",
            Effect: "Allow",
            Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"],
            Resource: [
                `arn:${scope.partition}:athena:${scope.region}:${scope.accountId}:workgroup/${access.workGroupName}`,
            ],
        },
        {
            Sid: "ReadTheUsageDatabase",
            Effect: "Allow",
            Action: ["glue:GetDatabase"],
            Resource: [glue("catalog"), glue(`database/${access.databaseName}`)],
        },
        {
            // GetTable and GetPartitions are authorized against the catalog, the database and the table.
            Sid: "ReadTheUsageTables",
            Effect: "Allow",
            Action: ["glue:GetTable", "glue:GetPartitions"],
            Resource: [
                glue("catalog"),
                glue(`database/${access.databaseName}`),
                glue(`table/${access.databaseName}/*`),
            ],
        },
        {
            Sid: "ReadTheTablesData",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: access.readBucketArns.map((arn) => objectsArn(arn)),
        },
        {
            Sid: "ListTheTablesData",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation"],
            Resource: [...access.readBucketArns],
        },
        {
            Sid: "WriteQueryResults",
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: [objectsArn(access.resultsBucketArn)],
        },
        {
            Sid: "ListQueryResults",
            Effect: "Allow",
            Action: ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
            Resource: [access.resultsBucketArn],
        },
        {
            Sid: "ReadFleetCapacity",
            Effect: "Allow",
            Action: ["appstream:DescribeFleets"],
            Resource: ["*"],
        },
        writeLogsStatement(access.logGroupArn),
    ];
    if (access.senderEmail !== "")
        statements.push(sendFromStatement(scope, access.senderEmail, "SendDigestFromSender"));
    return { Version: "2012-10-17", Statement: statements };
}

export function imageBuilderReadPolicy(assetsBucketArn: string, keyPrefix: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ListSessionScripts",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [assetsBucketArn],
                Condition: { StringLike: { "s3:prefix": [`${keyPrefix}*`] } },
            },
            {
                Sid: "ReadSessionScripts",
                Effect: "Allow",
                Action: ["s3:GetObject"],
                Resource: [objectsArn(assetsBucketArn, keyPrefix)],
            },
        ],
    };
}

/**
 * The state machine: invoke its one function, and deliver its execution logs. The log-delivery
 * actions are CloudWatch Logs vended-log APIs that support no resource-level permissions, so
 * Resource "*" is the only value they accept (Step Functions developer guide, "IAM policies for
 * logging to CloudWatch Logs").
 */
export function stateMachinePolicy(functionArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "InvokeWorkflowFunction",
                Effect: "Allow",
                Action: ["lambda:InvokeFunction"],
                // The Task names the unqualified function: no version or alias ARN (function:<name>:<qualifier>) is invoked.
                Resource: [functionArn],
            },
            {
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
            },
        ],
    };
}

/**
 * The alarm topic's policy: CloudWatch alarms of this account and Region may publish to it
 * (aws:SourceAccount and aws:SourceArn keep another account's alarms out, the confused-deputy
 * guard). The account's own principals keep managing it through their identity policies.
 */
export function alarmTopicPolicy(topicArn: string, scope: AccountScope): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    StringEquals: { "aws:SourceAccount": scope.accountId },
                    ArnLike: {
                        "aws:SourceArn": `arn:${scope.partition}:cloudwatch:${scope.region}:${scope.accountId}:alarm:*`,
                    },
                },
            },
        ],
    };
}

/**
 * The schedule's role: start executions of one state machine, and deliver the events it could not
 * deliver to its dead-letter queue (EventBridge Scheduler user guide, "Configuring a schedule's
 * dead-letter queue": the execution role needs sqs:SendMessage on the queue).
 */
export function startExecutionPolicy(stateMachineArn: string, deadLetterQueueArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StartImageUpdateRun",
                Effect: "Allow",
                Action: ["states:StartExecution"],
                Resource: [stateMachineArn],
            },
            {
                Sid: "DeliverFailedStarts",
                Effect: "Allow",
                Action: ["sqs:SendMessage"],
                Resource: [deadLetterQueueArn],
            },
        ],
    };
}

/** The usage digest's schedule: invoke its one function. */
export function invokeFunctionPolicy(functionArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "StartUsageDigest", Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [functionArn] },
        ],
    };
}
