/**
 * IAM and bucket policy documents, built as typed values (never string templates) so that the
 * policy pack and the tests see exactly what is deployed. They take resolved strings; components
 * call them inside `apply`.
 */
import type * as aws from "@pulumi/aws";

type PolicyDocument = aws.iam.PolicyDocument;
type PolicyStatement = aws.iam.PolicyStatement;

export const APPSTREAM_SERVICE_PRINCIPAL = "appstream.amazonaws.com";

/** ARN of every object in a bucket, or under a key prefix (never the bucket itself). */
/** A bucket's ARN from its name; known during preview, unlike the bucket's computed `arn`. */
export function bucketArnOf(partition: string, bucketName: string): string {
    return `arn:${partition}:s3:::${bucketName}`;
}

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

/** The session-script role's whole permission: write objects into the usage bucket. */
export function putObjectOnlyPolicy(usageBucketArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "PutUsageRecords",
                Effect: "Allow",
                Action: ["s3:PutObject"],
                Resource: [objectsArn(usageBucketArn)],
            },
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

/** Every AppStream image of the account in the Region: the only resource type the updater touches. */
export function appStreamImagesArn(scope: AccountScope): string {
    return `arn:${scope.partition}:appstream:${scope.region}:${scope.accountId}:image/*`;
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
 * The image-update Lambda: the four AppStream actions it calls, on images only; its own log
 * group; and, when a sender is configured, ses:SendEmail from that one address.
 */
export function imageUpdaterPolicy(opts: {
    scope: AccountScope;
    logGroupArn: string;
    senderEmail: string;
}): PolicyDocument {
    const { scope } = opts;
    const statements: PolicyStatement[] = [
        {
            Sid: "UpdateTaggedImages",
            Effect: "Allow",
            Action: [
                "appstream:DescribeImages",
                "appstream:ListTagsForResource",
                "appstream:CreateUpdatedImage",
                "appstream:TagResource",
            ],
            Resource: [appStreamImagesArn(scope)],
        },
        writeLogsStatement(opts.logGroupArn),
    ];
    if (opts.senderEmail !== "") {
        statements.push({
            Sid: "SendSummaryFromSender",
            Effect: "Allow",
            Action: ["ses:SendEmail"],
            Resource: [`arn:${scope.partition}:ses:${scope.region}:${scope.accountId}:identity/*`],
            Condition: { StringEquals: { "ses:FromAddress": opts.senderEmail } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
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
                Resource: [functionArn, `${functionArn}:*`],
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

/** The schedule's role: start executions of one state machine, nothing else. */
export function startExecutionPolicy(stateMachineArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "StartImageUpdateRun",
                Effect: "Allow",
                Action: ["states:StartExecution"],
                Resource: [stateMachineArn],
            },
        ],
    };
}
