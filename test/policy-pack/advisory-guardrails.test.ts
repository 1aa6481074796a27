import * as assert from "assert";
import { EngineResource, UNKNOWN, engineResource, evaluatePack, ofPolicy } from "../helpers/policy-pack";

const document = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });

async function reported(policy: string, resources: EngineResource[], enforcement = {}) {
    return ofPolicy(await evaluatePack(resources, { enforcement }), policy).map((d) => ({
        level: d.deferred ? "deferred" : d.enforcementLevel,
        message: d.deferred ? d.message : d.message.split("\n")[1],
    }));
}

describe("advisory guardrails", () => {
    describe("appstream-buckets-private-and-encrypted", () => {
        const POLICY = "appstream-buckets-private-and-encrypted";
        const bucket = engineResource("aws:s3/bucket:Bucket", "usage-usage", { bucket: "usage-bucket" });
        const block = (flags: Record<string, boolean> = {}) =>
            engineResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "block", {
                bucket: "usage-bucket",
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
                ...flags,
            });
        const encryption = engineResource(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "encryption",
            { bucket: "usage-bucket", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        );
        const NO_BLOCK =
            'Bucket "usage-usage" does not block public access: it needs a BucketPublicAccessBlock with blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.';
        const NO_ENCRYPTION =
            'Bucket "usage-usage" has no default encryption: it needs a BucketServerSideEncryptionConfiguration with an sseAlgorithm.';

        it("passes a bucket with all four blocks and default encryption", async () => {
            assert.deepStrictEqual(await reported(POLICY, [bucket, block(), encryption]), []);
        });
        it("reports a bucket with neither, as advisory", async () => {
            assert.deepStrictEqual(await reported(POLICY, [bucket]), [
                { level: "advisory", message: NO_BLOCK },
                { level: "advisory", message: NO_ENCRYPTION },
            ]);
        });
        it("reports a public access block with one setting off", async () => {
            assert.deepStrictEqual(
                await reported(POLICY, [bucket, block({ restrictPublicBuckets: false }), encryption]),
                [{ level: "advisory", message: NO_BLOCK }],
            );
        });
        it("accepts an account-wide public access block", async () => {
            const account = engineResource(
                "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
                "account",
                block().inputs,
            );
            assert.deepStrictEqual(await reported(POLICY, [bucket, account, encryption]), []);
        });
        it("becomes mandatory through policy config", async () => {
            const found = await reported(POLICY, [bucket, block()], { [POLICY]: "mandatory" });
            assert.deepStrictEqual(found, [{ level: "mandatory", message: NO_ENCRYPTION }]);
        });
        it("defers when a block's bucket is not known during preview", async () => {
            const found = await reported(POLICY, [
                bucket,
                engineResource(block().type, "block", { ...block().inputs, bucket: UNKNOWN }),
                encryption,
            ]);
            assert.deepStrictEqual(
                found.map((f) => f.level),
                ["deferred"],
            );
        });
    });

    describe("appstream-no-iam-wildcard-actions", () => {
        const POLICY = "appstream-no-iam-wildcard-actions";
        const rolePolicy = (policy: unknown) => [
            engineResource("aws:iam/rolePolicy:RolePolicy", "p", { role: "r", policy }),
        ];
        it('reports "*" and "service:*" actions, in any document shape', async () => {
            assert.deepStrictEqual(
                await reported(
                    POLICY,
                    rolePolicy(document({ Effect: "Allow", Action: ["*", "IAM:*", "s3:Get*"], Resource: "*" })),
                ),
                [{ level: "advisory", message: 'RolePolicy "p" policy statement 1 allows "*", "IAM:*".' }],
            );
            assert.strictEqual(
                (await reported(POLICY, rolePolicy({ Statement: { Effect: "Allow", Action: "ec2:*", Resource: "*" } })))
                    .length,
                1,
            );
        });
        it("reports NotAction in an Allow", async () => {
            assert.deepStrictEqual(
                await reported(POLICY, rolePolicy(document({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }))),
                [
                    {
                        level: "advisory",
                        message: 'RolePolicy "p" policy statement 1 allows every action but iam:* (NotAction).',
                    },
                ],
            );
        });
        it("reads inline policies of roles and bucket policies, and ignores Deny statements", async () => {
            const role = engineResource("aws:iam/role:Role", "r", {
                inlinePolicies: [{ name: "all", policy: document({ Effect: "Allow", Action: "*", Resource: "*" }) }],
            });
            const bucketPolicy = engineResource("aws:s3/bucketPolicy:BucketPolicy", "bp", {
                policy: document({ Effect: "Deny", Action: "s3:*", Principal: "*", Resource: "*" }),
            });
            assert.deepStrictEqual(await reported(POLICY, [role, bucketPolicy]), [
                { level: "advisory", message: 'Role "r" inline policy "all" statement 1 allows "*".' },
            ]);
        });
    });

    describe("appstream-state-machine-logging", () => {
        const POLICY = "appstream-state-machine-logging";
        const machine = (loggingConfiguration?: unknown) => [
            engineResource("aws:sfn/stateMachine:StateMachine", "sm", { definition: "{}", loggingConfiguration }),
        ];
        it("passes level ALL with a destination", async () => {
            assert.deepStrictEqual(
                await reported(
                    POLICY,
                    machine({ level: "ALL", logDestination: "arn:aws:logs:eu-west-1:1:log-group:x:*" }),
                ),
                [],
            );
        });
        it("reports a machine without logging, or with level OFF", async () => {
            assert.deepStrictEqual(await reported(POLICY, machine()), [
                {
                    level: "advisory",
                    message:
                        'StateMachine "sm" logs nothing: loggingConfiguration needs level ALL, ERROR, FATAL and a log destination (level is OFF, no destination).',
                },
            ]);
            assert.strictEqual((await reported(POLICY, machine({ level: "OFF", logDestination: "arn:x" }))).length, 1);
        });
        it("defers a destination not known during preview, but not a level that is OFF", async () => {
            assert.deepStrictEqual(
                (await reported(POLICY, machine({ level: "ERROR", logDestination: UNKNOWN }))).map((f) => f.level),
                ["deferred"],
            );
            assert.deepStrictEqual(
                (await reported(POLICY, machine({ level: "OFF", logDestination: UNKNOWN }))).map((f) => f.level),
                ["advisory"],
            );
        });
    });

    describe("appstream-ses-sender-restricted", () => {
        const POLICY = "appstream-ses-sender-restricted";
        const role = engineResource("aws:iam/role:Role", "fn-role", {
            name: "fn-role",
            assumeRolePolicy: document({
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
            }),
        });
        const sending = (statement: object) => [
            role,
            engineResource("aws:iam/rolePolicy:RolePolicy", "send", {
                role: "fn-role",
                policy: document({ Effect: "Allow", Resource: "*", ...statement }),
            }),
        ];
        it("passes ses:SendEmail held to sender addresses", async () => {
            assert.deepStrictEqual(
                await reported(
                    POLICY,
                    sending({
                        Action: "ses:SendEmail",
                        Condition: { StringEquals: { "ses:FromAddress": "ops@example.com" } },
                    }),
                ),
                [],
            );
        });
        it("reports ses:SendEmail with no ses:FromAddress condition", async () => {
            assert.deepStrictEqual(await reported(POLICY, sending({ Action: "ses:SendEmail" })), [
                {
                    level: "advisory",
                    message:
                        'Role "fn-role": RolePolicy "send" statement 1 allows ses:SendEmail with no ses:FromAddress condition, so it may send as any verified identity.',
                },
            ]);
        });
        it("reports sending granted through a wildcard, with another condition", async () => {
            const found = await reported(
                POLICY,
                sending({ Action: "ses:Send*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } }),
            );
            assert.match(
                found[0].message,
                /allows ses:SendEmail, ses:SendRawEmail, ses:SendTemplatedEmail, ses:SendBulkTemplatedEmail with no ses:FromAddress/,
            );
        });
    });

    describe("appstream-changes-tag-scoped", () => {
        const POLICY = "appstream-changes-tag-scoped";
        const role = engineResource("aws:iam/role:Role", "fn-role", {
            name: "fn-role",
            assumeRolePolicy: document({
                Effect: "Allow",
                Principal: { Service: "lambda.amazonaws.com" },
                Action: "sts:AssumeRole",
            }),
        });
        const granting = (statement: object) => [
            role,
            engineResource("aws:iam/rolePolicy:RolePolicy", "lifecycle", {
                role: "fn-role",
                policy: document({ Effect: "Allow", ...statement }),
            }),
        ];
        const IMAGES = "arn:aws:appstream:eu-west-1:123456789012:image/*";
        const FLEET = "arn:aws:appstream:eu-west-1:123456789012:fleet/kiosk";
        it("passes DeleteImage held to Completed images and UpdateFleet on a named fleet", async () => {
            const statements = [
                ...granting({
                    Action: "appstream:DeleteImage",
                    Resource: IMAGES,
                    Condition: { StringEquals: { "aws:ResourceTag/AutoUpdate": "Completed" } },
                }),
                engineResource("aws:iam/rolePolicy:RolePolicy", "fleet", {
                    role: "fn-role",
                    policy: document({ Effect: "Allow", Action: "appstream:UpdateFleet", Resource: FLEET }),
                }),
            ];
            assert.deepStrictEqual(await reported(POLICY, statements), []);
        });
        it("reports DeleteImage on every image with no tag condition (negative control)", async () => {
            assert.deepStrictEqual(
                await reported(POLICY, granting({ Action: "appstream:DeleteImage", Resource: IMAGES })),
                [
                    {
                        level: "advisory",
                        message:
                            'Role "fn-role": RolePolicy "lifecycle" statement 1 allows appstream:DeleteImage on any matching image or fleet: add an aws:ResourceTag condition or name each resource.',
                    },
                ],
            );
        });
        it('reports UpdateFleet granted through appstream:* on "*", whatever other condition it has', async () => {
            const found = await reported(
                POLICY,
                granting({
                    Action: "appstream:*",
                    Resource: "*",
                    Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
                }),
            );
            assert.match(found[0].message, /allows appstream:DeleteImage, appstream:UpdateFleet on any matching/);
        });
    });

    describe("appstream-usage-digest-read-only", () => {
        const POLICY = "appstream-usage-digest-read-only";
        const role = (tags: unknown = { "appstream-ops:purpose": "usage-digest" }) =>
            engineResource("aws:iam/role:Role", "digest-role", { name: "digest-role", tags });
        const usageBucket = engineResource("aws:s3/bucket:Bucket", "usage-usage", {
            bucket: "usage-bucket",
            tags: { "appstream-ops:purpose": "session-usage-records" },
        });
        const granting = (...statements: object[]) =>
            engineResource("aws:iam/rolePolicy:RolePolicy", "digest-policy", {
                role: "digest-role",
                policy: document(...statements.map((s) => ({ Effect: "Allow", ...s }))),
            });
        const READS = {
            Action: ["athena:StartQueryExecution", "glue:GetTable", "s3:GetObject", "s3:ListBucket"],
            Resource: ["arn:aws:s3:::usage-bucket", "arn:aws:s3:::usage-bucket/*"],
        };
        const RESULTS = { Action: ["s3:PutObject", "s3:GetObject"], Resource: "arn:aws:s3:::results-bucket/*" };

        it("passes reads of the usage records and writes of query results", async () => {
            assert.deepStrictEqual(await reported(POLICY, [role(), usageBucket, granting(READS, RESULTS)]), []);
        });
        it("reports a write to the usage records, another action, and NotResource (negative control)", async () => {
            const found = await reported(POLICY, [
                role(),
                usageBucket,
                granting(
                    { Action: "s3:PutObject", Resource: "arn:aws:s3:::usage-bucket/sessions/*" },
                    { Action: ["appstream:UpdateFleet", "s3:*"], Resource: "*" },
                    { Action: "s3:GetObject", NotResource: "arn:aws:s3:::other/*" },
                ),
            ]);
            assert.deepStrictEqual(
                found.map((f) => f.message),
                [
                    'Role "digest-role": RolePolicy "digest-policy" statement 1 may write (s3:PutObject) to "arn:aws:s3:::usage-bucket/sessions/*", the usage records: the usage digest only reads, queries and reports.',
                    'Role "digest-role": RolePolicy "digest-policy" statement 2 grants "appstream:UpdateFleet"; grants the wildcard "s3:*"; may write (s3:PutObject, s3:AbortMultipartUpload) to "*", not one results bucket\'s objects: the usage digest only reads, queries and reports.',
                    'Role "digest-role": RolePolicy "digest-policy" statement 3 uses NotResource, which covers every other resource: the usage digest only reads, queries and reports.',
                ],
            );
        });
        it("judges only the digest's role: the same grants on an untagged role are another policy's business", async () => {
            const write = granting({ Action: "s3:PutObject", Resource: "arn:aws:s3:::usage-bucket/*" });
            assert.deepStrictEqual(await reported(POLICY, [role({}), usageBucket, write]), []);
            assert.strictEqual((await reported(POLICY, [role(), usageBucket, write])).length, 1);
        });
    });
});
