import * as assert from "assert";
import { EngineResource, UNKNOWN, engineResource, evaluatePack, ofPolicy } from "../helpers/policy-pack";

const POLICY = "appstream-script-role-put-object-only";
const BUCKET = "usage-usage-0a1b2c3";
const ROLE = "usage-script-role-0a1b2c3";
const ROLE_ARN = `arn:aws:iam::123456789012:role/${ROLE}`;
const OBJECTS = `arn:aws:s3:::${BUCKET}/*`;

const document = (...Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const allow = (Action: unknown, Resource: unknown = OBJECTS, extra: object = {}) => ({
    Effect: "Allow",
    Action,
    Resource,
    ...extra,
});
const trust = (Principal: unknown = { Service: "appstream.amazonaws.com" }) =>
    document({ Effect: "Allow", Principal, Action: "sts:AssumeRole" });

/** The UsagePipeline wiring, as the program registers it, with overrides by resource name. */
function stack(
    change: { replace?: Record<string, Record<string, unknown>>; add?: EngineResource[] } = {},
): EngineResource[] {
    const r = (type: string, name: string, props: Record<string, unknown>) =>
        engineResource(type, name, { ...props, ...change.replace?.[name] });
    return [
        r("aws:s3/bucket:Bucket", "usage-usage", {
            bucket: BUCKET,
            arn: `arn:aws:s3:::${BUCKET}`,
            tags: { "appstream-ops:purpose": "session-usage-records" },
        }),
        r("aws:iam/role:Role", "usage-script-role", { name: ROLE, arn: ROLE_ARN, assumeRolePolicy: trust() }),
        r("aws:iam/rolePolicy:RolePolicy", "usage-script-put-records", {
            name: "put-records",
            role: ROLE,
            policy: document({ Sid: "PutUsageRecords", ...allow(["s3:PutObject"], [OBJECTS]) }),
        }),
        r("aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", "usage-script-inline-policies", {
            roleName: ROLE,
            policyNames: ["put-records"],
        }),
        r("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", "usage-script-managed-policies", {
            roleName: ROLE,
            policyArns: [],
        }),
        ...(change.add ?? []),
    ];
}

const putRecords = (policy: unknown) => ({ replace: { "usage-script-put-records": { policy } } });
const extraRolePolicy = (policy: unknown, role: unknown = ROLE) => ({
    add: [engineResource("aws:iam/rolePolicy:RolePolicy", "extra", { name: "extra", role, policy })],
});
const attachment = (policyArn: string, more: EngineResource[] = []) => ({
    add: [
        engineResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", { role: ROLE, policyArn }),
        ...more,
    ],
});
const customerPolicy = (policy: string) =>
    engineResource("aws:iam/policy:Policy", "custom", { policy, arn: "arn:aws:iam::123456789012:policy/custom" });

async function messages(resources: EngineResource[]) {
    const found = ofPolicy(await evaluatePack(resources), POLICY);
    return {
        mandatory: found.filter((d) => d.enforcementLevel === "mandatory").map((d) => d.message.split("\n")[1]),
        deferred: found.filter((d) => d.deferred).map((d) => d.message),
    };
}

describe("policy appstream-script-role-put-object-only", () => {
    it("passes the role UsagePipeline makes", async () => {
        assert.deepStrictEqual(await messages(stack()), { mandatory: [], deferred: [] });
    });

    const bypasses: [string, Parameters<typeof stack>[0], string][] = [
        [
            "an extra action in the same statement",
            putRecords(document(allow(["s3:PutObject", "s3:GetObject"]))),
            'RolePolicy "usage-script-put-records" statement 1 grants "s3:GetObject"',
        ],
        [
            "an extra action in another statement",
            putRecords(document(allow("s3:PutObject"), allow("s3:DeleteObject"))),
            'statement 2 grants "s3:DeleteObject"',
        ],
        ["the wildcard s3:*", putRecords(document(allow("s3:*"))), 'statement 1 grants the wildcard "s3:*"'],
        ["the wildcard s3:Put*", putRecords(document(allow("s3:Put*"))), 'grants the wildcard "s3:Put*"'],
        ["the wildcard *", putRecords(document(allow("*"))), 'grants the wildcard "*"'],
        [
            "a mixed-case extra action",
            putRecords(document(allow(["S3:PutObject", "S3:GetObjectAcl"]))),
            'grants "S3:GetObjectAcl"',
        ],
        [
            "NotAction",
            putRecords(document({ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: OBJECTS })),
            "uses NotAction (s3:DeleteObject), which grants every other action",
        ],
        [
            "NotResource",
            putRecords(document({ Effect: "Allow", Action: "s3:PutObject", NotResource: "arn:aws:s3:::other/*" })),
            "uses NotResource (arn:aws:s3:::other/*)",
        ],
        [
            "objects of another bucket",
            putRecords(document(allow("s3:PutObject", "arn:aws:s3:::other-bucket/*"))),
            `applies to "arn:aws:s3:::other-bucket/*", outside the usage bucket (${BUCKET})`,
        ],
        [
            "a wildcard bucket name",
            putRecords(document(allow("s3:PutObject", "arn:aws:s3:::usage-*/*"))),
            'applies to "arn:aws:s3:::usage-*/*", outside the usage bucket',
        ],
        [
            "the bucket ARN itself",
            putRecords(document(allow("s3:PutObject", `arn:aws:s3:::${BUCKET}`))),
            `applies to the bucket ARN "arn:aws:s3:::${BUCKET}"; only objects in it may be written`,
        ],
        ["every resource", putRecords(document(allow("s3:PutObject", "*"))), 'applies to every resource ("*")'],
        [
            "a second aws.iam.RolePolicy",
            extraRolePolicy(document(allow("s3:GetObject"))),
            'RolePolicy "extra" statement 1 grants "s3:GetObject"',
        ],
        [
            "a RolePolicy naming the role by ARN",
            extraRolePolicy(document(allow("s3:GetObject")), ROLE_ARN),
            'RolePolicy "extra" statement 1 grants "s3:GetObject"',
        ],
        [
            "an AWS managed policy attached with RolePolicyAttachment",
            attachment("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"),
            'managed policy arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess (attached by RolePolicyAttachment "attach") cannot be allowed: it is an AWS managed policy',
        ],
        [
            "a customer managed policy attached with RolePolicyAttachment",
            attachment("arn:aws:iam::123456789012:policy/custom", [
                customerPolicy(document(allow("s3:ListBucket", `arn:aws:s3:::${BUCKET}`))),
            ]),
            'statement 1 grants "s3:ListBucket"',
        ],
        [
            "a managed policy from outside the stack",
            attachment("arn:aws:iam::123456789012:policy/elsewhere"),
            "it is not defined in this stack, so its permissions cannot be read",
        ],
        [
            "managedPolicyArns on the role",
            {
                replace: {
                    "usage-script-role": { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] },
                },
            },
            'managed policy arn:aws:iam::aws:policy/AdministratorAccess (attached by Role "usage-script-role")',
        ],
        [
            "inlinePolicies on the role",
            {
                replace: {
                    "usage-script-role": { inlinePolicies: [{ name: "more", policy: document(allow("ec2:*", "*")) }] },
                },
            },
            'inline policy "more" of the role statement 1 grants the wildcard "ec2:*"',
        ],
        [
            "RolePoliciesExclusive keeping an inline policy made elsewhere",
            { replace: { "usage-script-inline-policies": { policyNames: ["put-records", "console-made"] } } },
            'inline policy "console-made" (kept by RolePoliciesExclusive "usage-script-inline-policies") cannot be allowed',
        ],
        [
            "RolePolicyAttachmentsExclusive keeping a managed policy",
            {
                replace: {
                    "usage-script-managed-policies": { policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
                },
            },
            'managed policy arn:aws:iam::aws:policy/ReadOnlyAccess (attached by RolePolicyAttachmentsExclusive "usage-script-managed-policies")',
        ],
        [
            "a PolicyAttachment listing the role",
            {
                add: [
                    engineResource("aws:iam/policyAttachment:PolicyAttachment", "shared", {
                        roles: [ROLE],
                        policyArn: "arn:aws:iam::aws:policy/PowerUserAccess",
                    }),
                ],
            },
            'arn:aws:iam::aws:policy/PowerUserAccess (attached by PolicyAttachment "shared")',
        ],
        [
            "a document given as an object, with Statement as one object and Action as a string",
            putRecords({ Version: "2012-10-17", Statement: allow("s3:GetObject", OBJECTS) }),
            'statement 1 grants "s3:GetObject"',
        ],
        [
            "a document that is not valid JSON",
            putRecords("{ not json"),
            "is not valid JSON, so its permissions cannot be checked",
        ],
        [
            "a trust policy listing AppStream among other services",
            {
                replace: {
                    "usage-script-role": {
                        assumeRolePolicy: trust({ Service: ["ec2.amazonaws.com", "APPSTREAM.amazonaws.com"] }),
                    },
                },
                add: extraRolePolicy(document(allow("s3:GetObject"))).add,
            },
            'grants "s3:GetObject"',
        ],
        [
            "a trust policy open to every principal",
            {
                replace: { "usage-script-role": { assumeRolePolicy: trust("*") } },
                add: extraRolePolicy(document(allow("s3:GetObject"))).add,
            },
            'grants "s3:GetObject"',
        ],
        [
            "an aws-native role with an inline policy",
            {
                add: [
                    engineResource("aws-native:iam:Role", "native", {
                        roleName: "native",
                        assumeRolePolicyDocument: {
                            Statement: [
                                {
                                    Effect: "Allow",
                                    Principal: { Service: "appstream.amazonaws.com" },
                                    Action: "sts:AssumeRole",
                                },
                            ],
                        },
                        policies: [{ policyName: "p", policyDocument: { Statement: [allow("s3:GetObject")] } }],
                    }),
                ],
            },
            'Role "native" (assumable by AppStream): inline policy "p" of the role statement 1 grants "s3:GetObject"',
        ],
    ];
    for (const [bypass, change, expected] of bypasses) {
        it(`catches ${bypass}`, async () => {
            const { mandatory } = await messages(stack(change));
            assert.ok(
                mandatory.some((m) => m.includes(expected)),
                `expected "${expected}" in:\n${mandatory.join("\n") || "(no violation)"}`,
            );
        });
    }

    const allowed: [string, Parameters<typeof stack>[0]][] = [
        [
            "a Deny statement, even with wildcards and NotAction",
            putRecords(
                document(
                    allow("s3:PutObject"),
                    { Effect: "Deny", Action: "s3:*", Resource: "*" },
                    { Effect: "Deny", NotAction: "s3:PutObject", Resource: "*" },
                ),
            ),
        ],
        [
            "a condition on the PutObject statement",
            putRecords(
                document(
                    allow("s3:PutObject", OBJECTS, {
                        Condition: { StringEquals: { "s3:x-amz-server-side-encryption": "AES256" } },
                    }),
                ),
            ),
        ],
        [
            "a mixed-case s3:PutObject on a key prefix",
            putRecords(document(allow("S3:putobject", `arn:aws:s3:::${BUCKET}/sessions/*`))),
        ],
        [
            "a customer managed policy that only writes usage records",
            attachment("arn:aws:iam::123456789012:policy/custom", [customerPolicy(document(allow("s3:PutObject")))]),
        ],
        [
            "broad permissions on a role AppStream cannot assume",
            {
                add: [
                    engineResource("aws:iam/role:Role", "other", {
                        name: "other",
                        assumeRolePolicy: trust({ Service: "lambda.amazonaws.com" }),
                        inlinePolicies: [{ name: "all", policy: document(allow("s3:*", "*")) }],
                    }),
                ],
            },
        ],
    ];
    for (const [what, change] of allowed) {
        it(`allows ${what}`, async () => {
            assert.deepStrictEqual((await messages(stack(change))).mandatory, []);
        });
    }

    it("defers, without a violation, a document that is not known during preview", async () => {
        const { mandatory, deferred } = await messages(stack(putRecords(UNKNOWN)));
        assert.deepStrictEqual(mandatory, []);
        assert.deepStrictEqual(deferred, [
            'Not checked during preview: RolePolicy "usage-script-put-records" of Role "usage-script-role" (policy is not known until the resources it depends on exist). pulumi up checks it again with the real value.',
        ]);
    });

    it("defers a RolePolicy whose role is not known during preview, and the Exclusive resource that keeps it", async () => {
        const { mandatory, deferred } = await messages(
            stack({ replace: { "usage-script-put-records": { role: UNKNOWN } } }),
        );
        assert.deepStrictEqual(mandatory, []);
        assert.strictEqual(deferred.length, 2);
        assert.match(deferred.join("\n"), /which role RolePolicy "usage-script-put-records" applies to/);
    });

    const ROLE_URN = "urn:pulumi:dev::appstream-ops::aws:iam/role:Role::usage-script-role";
    /** A RolePolicy as a preview sees it: its role not known yet, but recorded as coming from the script role. */
    const previewRolePolicy = (policy: string) => ({
        add: [
            engineResource(
                "aws:iam/rolePolicy:RolePolicy",
                "extra",
                { name: "extra", role: UNKNOWN, policy },
                { propertyDependencies: { role: [ROLE_URN] } },
            ),
        ],
    });

    it("in a preview, links a RolePolicy whose role is not known yet to the role it depends on, and reports its violation before anything is created (issue 21)", async () => {
        const { mandatory } = await messages(
            stack(previewRolePolicy(document(allow("s3:GetObject", "arn:aws:s3:::*/*")))),
        );
        assert.deepStrictEqual(mandatory, [
            'Role "usage-script-role" (assumable by AppStream): RolePolicy "extra" statement 1 grants "s3:GetObject".',
            'Role "usage-script-role" (assumable by AppStream): RolePolicy "extra" statement 1 applies to "arn:aws:s3:::*/*", outside the usage bucket (usage-usage-0a1b2c3).',
        ]);
    });

    it("negative control: the same RolePolicy depending on another role is not linked to the script role", async () => {
        const other = previewRolePolicy(document(allow("s3:GetObject", "arn:aws:s3:::*/*")));
        other.add[0].propertyDependencies!.role = ["urn:pulumi:dev::appstream-ops::aws:iam/role:Role::other"];
        const { mandatory, deferred } = await messages(stack(other));
        assert.deepStrictEqual(mandatory, []);
        assert.match(deferred.join("\n"), /which role RolePolicy "extra" applies to/);
    });

    it("while the usage bucket's name is not known, still reports actions beyond s3:PutObject, and defers only the bucket", async () => {
        const resources = stack({
            replace: { "usage-usage": { bucket: UNKNOWN } },
            add: [
                engineResource("aws:iam/rolePolicy:RolePolicy", "extra", {
                    name: "extra",
                    role: ROLE,
                    policy: document(allow(["s3:PutObject", "s3:DeleteObject"])),
                }),
            ],
        });
        const { mandatory, deferred } = await messages(resources);
        assert.deepStrictEqual(mandatory, [
            'Role "usage-script-role" (assumable by AppStream): RolePolicy "extra" statement 1 grants "s3:DeleteObject".',
        ]);
        assert.ok(
            deferred.some((d) => /the resources of RolePolicy "extra"/.test(d)),
            deferred.join("\n"),
        );
    });
});

describe("policy appstream-script-role-put-object-only-as-created", () => {
    const AS_CREATED = "appstream-script-role-put-object-only-as-created";
    const asCreated = async (resources: EngineResource[]) =>
        ofPolicy(await evaluatePack(resources), AS_CREATED)
            .filter((d) => d.enforcementLevel === "mandatory")
            .map((d) => `${d.urn.split("::").pop()}: ${d.message.split("\n")[1]}`);

    it("passes the role UsagePipeline makes", async () => {
        assert.deepStrictEqual(await asCreated(stack()), []);
    });

    it("reports a violating RolePolicy on that resource, from the role and bucket created before it", async () => {
        assert.deepStrictEqual(await asCreated(stack(extraRolePolicy(document(allow("s3:GetObject"))))), [
            'extra: Role "usage-script-role" (assumable by AppStream): RolePolicy "extra" statement 1 grants "s3:GetObject".',
        ]);
    });

    it("cannot see a role registered after the policy: the stack check is what reports that one", async () => {
        const [bucket, role, ...rest] = stack(extraRolePolicy(document(allow("s3:GetObject"))));
        assert.deepStrictEqual(await asCreated([bucket, ...rest, role]), []);
        const stackCheck = await messages([bucket, ...rest, role]);
        assert.strictEqual(stackCheck.mandatory.length, 1);
    });
});
