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
export function objectsArn(bucketArn: string, keyPrefix = ""): string {
    return `${bucketArn}/${keyPrefix}*`;
}

/** Trust policy that lets one AWS service, and nothing else, assume a role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
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
