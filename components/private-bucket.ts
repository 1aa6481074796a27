import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    appStreamReadStatement,
    bucketArnOf,
    bucketPolicy,
    denyInsecureTransportStatement,
} from "../runtime/iam/policy-documents";

export interface PrivateBucketArgs {
    /** Days after which objects expire. @default undefined (objects never expire) */
    expirationDays?: number;
    /** Let `pulumi destroy` delete the bucket with its objects. @default false */
    forceDestroy?: boolean;
    /**
     * Let the AppStream service read objects under `keyPrefix`, only on behalf of `accountId`.
     * @default undefined (no service access)
     */
    appStreamReadAccess?: { keyPrefix: string; accountId: pulumi.Input<string> };
    /** Tags on the bucket. @default undefined (no tags) */
    tags?: Record<string, string>;
    /**
     * Keep every version of an object, so that an overwrite never loses the first one; noncurrent
     * versions expire after `expirationDays` too. @default false
     */
    versioning?: boolean;
}

/**
 * An S3 bucket with the protections every appstream-ops bucket needs: all four public access
 * blocks, BucketOwnerEnforced ownership (ACLs disabled), SSE-S3 default encryption (no KMS
 * permission needed by writers), a TLS-only bucket policy and optional lifecycle expiry.
 */
export class PrivateBucket extends pulumi.ComponentResource {
    public readonly bucket: aws.s3.Bucket;
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: PrivateBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("appstream-ops:s3:PrivateBucket", name, {}, opts);
        const parent = { parent: this };

        this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, parent);
        // The autonamed bucket name and an ARN built from it are known at preview (the computed
        // `id` and `arn` are not), so the policy pack can check this bucket's wiring in a preview.
        const bucket = this.bucket.bucket;
        const partition = aws.getPartitionOutput({}, parent).partition;
        this.bucketArn = pulumi.all([partition, bucket]).apply(([p, b]) => bucketArnOf(p, b));

        const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            {
                bucket,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            parent,
        );
        new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket, rule: { objectOwnership: "BucketOwnerEnforced" } },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
            parent,
        );
        const versioning = args.versioning
            ? new aws.s3.BucketVersioning(
                  `${name}-versioning`,
                  { bucket, versioningConfiguration: { status: "Enabled" } },
                  parent,
              )
            : undefined;
        if (args.expirationDays !== undefined) {
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-lifecycle`,
                {
                    bucket,
                    rules: [
                        {
                            id: "expire-objects",
                            status: "Enabled",
                            filter: {},
                            expiration: { days: args.expirationDays },
                            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                            ...(versioning
                                ? { noncurrentVersionExpiration: { noncurrentDays: args.expirationDays } }
                                : {}),
                        },
                    ],
                },
                // S3 asks for versioning to be set before a lifecycle configuration that depends on it.
                { parent: this, dependsOn: versioning ? [versioning] : [] },
            );
        }

        const read = args.appStreamReadAccess;
        const policy = pulumi
            .all([this.bucketArn, read?.accountId ?? ""])
            .apply(([arn, accountId]) =>
                bucketPolicy([
                    denyInsecureTransportStatement(arn),
                    ...(read ? [appStreamReadStatement(arn, read.keyPrefix, accountId)] : []),
                ]),
            );
        // After the public access block, so the block is in force before any policy exists.
        new aws.s3.BucketPolicy(`${name}-policy`, { bucket, policy }, { parent: this, dependsOn: [publicAccessBlock] });

        this.bucketName = bucket;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
