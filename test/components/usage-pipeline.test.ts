import * as assert from "assert";
import * as fs from "fs";
import { glueColumns } from "../../runtime/usage/record-schema";
import {
    SCRIPT_INSTALL_DIRS,
    SCRIPT_PACKAGE_FILE_NAMES,
    SessionScriptsConfig,
} from "../../runtime/usage/session-scripts";
import { readZip } from "../helpers/zip";
import { ACCOUNT_ID, ProgramRun, RecordedResource, runProgram, runUnderMocks } from "../helpers/program";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    object: "aws:s3/bucketObject:BucketObject",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    rolePoliciesExclusive: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive",
    attachmentsExclusive: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    table: "aws:glue/catalogTable:CatalogTable",
    database: "aws:glue/catalogDatabase:CatalogDatabase",
    workgroup: "aws:athena/workgroup:Workgroup",
    namedQuery: "aws:athena/namedQuery:NamedQuery",
};
const BUCKETS = ["usage-usage", "usage-assets", "usage-athena-results"];

/** Policies reach the engine as JSON strings or objects; read either. */
function doc(policy: unknown): { Statement: Record<string, unknown>[] } {
    return typeof policy === "string" ? JSON.parse(policy) : (policy as { Statement: Record<string, unknown>[] });
}

/** The Elastic-fleet bundle exactly as it is uploaded: the zip's entries by name. */
function bundleFiles(resource: RecordedResource): Record<string, string> {
    const files = readZip(Buffer.from(resource.inputs.contentBase64, "base64"));
    return Object.fromEntries(Object.entries(files).map(([name, data]) => [name, data.toString("utf8")]));
}

describe("UsagePipeline (real program under mocks)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram();
    });

    describe("session-script role", () => {
        it("can be assumed by appstream.amazonaws.com only", () => {
            const role = run.one(T.role, "usage-script-role");
            assert.deepStrictEqual(doc(role.inputs.assumeRolePolicy).Statement, [
                { Effect: "Allow", Principal: { Service: "appstream.amazonaws.com" }, Action: "sts:AssumeRole" },
            ]);
        });

        it("has exactly one permission: s3:PutObject under the usage bucket's two record prefixes", () => {
            const role = run.one(T.role, "usage-script-role");
            const usageBucket = run.one(T.bucket, "usage-usage").state.bucket;
            const policies = run.ofType(T.rolePolicy).filter((p) => p.inputs.role === role.state.name);
            assert.strictEqual(policies.length, 1);
            assert.deepStrictEqual(doc(policies[0].inputs.policy).Statement, [
                {
                    Sid: "PutUsageRecords",
                    Effect: "Allow",
                    Action: ["s3:PutObject"],
                    Resource: [
                        `arn:aws:s3:::${usageBucket}/sessions/*`,
                        `arn:aws:s3:::${usageBucket}/session-eventlogs/*`,
                    ],
                },
            ]);
        });

        it("with scriptRoleNetworks, writes only through those VPCs or endpoints, one statement per condition key", async () => {
            const restricted = await runProgram({
                config: { scriptRoleNetworks: '["vpc-0a1b2c3d4e5f67890", "vpce-1a2b3c4d"]' },
            });
            const bucket = restricted.one(T.bucket, "usage-usage").state.bucket;
            const statements = doc(restricted.one(T.rolePolicy, "usage-script-put-records").inputs.policy).Statement;
            const resources = [`arn:aws:s3:::${bucket}/sessions/*`, `arn:aws:s3:::${bucket}/session-eventlogs/*`];
            assert.deepStrictEqual(statements, [
                {
                    Sid: "PutUsageRecordsFromFleetVpc",
                    Effect: "Allow",
                    Action: ["s3:PutObject"],
                    Resource: resources,
                    Condition: { StringEquals: { "aws:SourceVpc": ["vpc-0a1b2c3d4e5f67890"] } },
                },
                {
                    Sid: "PutUsageRecordsThroughEndpoint",
                    Effect: "Allow",
                    Action: ["s3:PutObject"],
                    Resource: resources,
                    Condition: { StringEquals: { "aws:SourceVpce": ["vpce-1a2b3c4d"] } },
                },
            ]);
        });

        it("script role cannot read objects or carry managed or extra inline policies", () => {
            const role = run.one(T.role, "usage-script-role");
            assert.strictEqual(role.inputs.managedPolicyArns, undefined);
            assert.strictEqual(role.inputs.inlinePolicies, undefined);
            assert.deepStrictEqual(run.ofType(T.rolePolicyAttachment), []);
            const put = run.one(T.rolePolicy, "usage-script-put-records");
            assert.deepStrictEqual(run.one(T.attachmentsExclusive, "usage-script-managed-policies").inputs, {
                roleName: role.state.name,
                policyArns: [],
            });
            assert.deepStrictEqual(run.one(T.rolePoliciesExclusive, "usage-script-inline-policies").inputs, {
                roleName: role.state.name,
                policyNames: [put.state.name],
            });
            const actions = doc(put.inputs.policy).Statement.flatMap((s) => s.Action as string[]);
            assert.ok(!actions.some((a) => /get|list|\*/i.test(a)), `unexpected actions ${actions}`);
        });

        it("exports the role ARN for the fleet's IamRoleArn", () => {
            assert.strictEqual(run.outputs.sessionScriptRoleArn, run.one(T.role, "usage-script-role").state.arn);
        });
    });

    describe("buckets", () => {
        for (const name of BUCKETS) {
            it(`${name} blocks all public access, enforces bucket ownership and encrypts with SSE-S3`, () => {
                const bucket = run.one(T.bucket, name).state.bucket;
                const pab = run.one(T.publicAccessBlock, `${name}-public-access`).inputs;
                assert.deepStrictEqual(pab, {
                    bucket,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                assert.deepStrictEqual(run.one(T.ownership, `${name}-ownership`).inputs.rule, {
                    objectOwnership: "BucketOwnerEnforced",
                });
                assert.deepStrictEqual(run.one(T.encryption, `${name}-encryption`).inputs.rules, [
                    { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
                ]);
            });

            it(`${name} denies requests without TLS`, () => {
                const bucket = run.one(T.bucket, name).state.bucket;
                const policy = run.one(T.bucketPolicy, `${name}-policy`);
                assert.strictEqual(policy.inputs.bucket, bucket);
                assert.deepStrictEqual(doc(policy.inputs.policy).Statement[0], {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                });
            });
        }

        it("usage bucket expires records after usageRetentionDays and is not force-destroyed", () => {
            assert.strictEqual(run.one(T.bucket, "usage-usage").inputs.forceDestroy, false);
            const rules = run.one(T.lifecycle, "usage-usage-lifecycle").inputs.rules;
            assert.strictEqual(rules.length, 1);
            assert.deepStrictEqual(rules[0].expiration, { days: 730 });
            // Versioned, so an overwritten record keeps its first version, for as long as the records are kept.
            assert.deepStrictEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 730 });
            assert.deepStrictEqual(
                run.one("aws:s3/bucketVersioning:BucketVersioning", "usage-usage-versioning").inputs
                    .versioningConfiguration,
                { status: "Enabled" },
            );
            assert.deepStrictEqual(rules[0].filter, {});
            assert.strictEqual(rules[0].status, "Enabled");
        });

        it("Athena results expire", () => {
            assert.deepStrictEqual(run.one(T.lifecycle, "usage-athena-results-lifecycle").inputs.rules[0].expiration, {
                days: 30,
            });
        });

        it("assets bucket lets AppStream read the Elastic-fleet bundle for this account only", () => {
            const bucket = run.one(T.bucket, "usage-assets").state.bucket;
            const statements = doc(run.one(T.bucketPolicy, "usage-assets-policy").inputs.policy).Statement;
            assert.strictEqual(statements.length, 2);
            assert.deepStrictEqual(statements[1], {
                Sid: "AppStreamReadsSessionScripts",
                Effect: "Allow",
                Principal: { Service: "appstream.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `arn:aws:s3:::${bucket}/elastic-fleet/*`,
                Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
            });
            assert.ok(String(run.outputs.sessionScriptsBundleKey).startsWith("elastic-fleet/"));
        });

        it("usage and results buckets grant nothing to any service", () => {
            for (const name of ["usage-usage", "usage-athena-results"]) {
                const statements = doc(run.one(T.bucketPolicy, `${name}-policy`).inputs.policy).Statement;
                assert.deepStrictEqual(
                    statements.map((s) => s.Effect),
                    ["Deny"],
                );
            }
        });
    });

    describe("session-scripts packages", () => {
        it("the Elastic-fleet bundle is a flat zip of config.json and exactly the package files", () => {
            const bundle = run.one(T.object, "usage-elastic-fleet-bundle");
            assert.strictEqual(bundle.inputs.bucket, run.one(T.bucket, "usage-assets").state.bucket);
            assert.strictEqual(bundle.inputs.key, "elastic-fleet/session-scripts.zip");
            const files = bundleFiles(bundle);
            assert.deepStrictEqual(Object.keys(files).sort(), [...SCRIPT_PACKAGE_FILE_NAMES].sort());
            for (const file of Object.keys(files))
                assert.ok(!file.includes("/") && !file.includes("\\"), `${file} is in a folder`);
            assert.strictEqual(run.outputs.sessionScriptsBundleBucket, bundle.inputs.bucket);
            assert.strictEqual(run.outputs.sessionScriptsBundleKey, bundle.inputs.key);
        });

        it("the bundle's config.json runs the scripts from the Elastic-fleet folder with the usage bucket", () => {
            const files = bundleFiles(run.one(T.object, "usage-elastic-fleet-bundle"));
            const config = JSON.parse(files["config.json"]) as SessionScriptsConfig;
            const usageBucket = run.one(T.bucket, "usage-usage").state.bucket;
            for (const event of ["SessionStart", "SessionTermination"] as const) {
                assert.strictEqual(config[event].waitingTime, 30);
                assert.strictEqual(config[event].executables.length, 1);
                const args = config[event].executables[0].arguments;
                assert.ok(args.includes(`-File "${SCRIPT_INSTALL_DIRS.elasticFleet}\\`), args);
                assert.ok(args.includes(`-Bucket "${usageBucket}"`), args);
                assert.ok(args.includes(`-Region "eu-west-1"`), args);
            }
        });

        it("the bundle ships the session-assets files byte for byte", () => {
            const files = bundleFiles(run.one(T.object, "usage-elastic-fleet-bundle"));
            for (const file of ["session-start.ps1", "session-end.ps1", "UsageRecorder.psm1"]) {
                assert.strictEqual(files[file], fs.readFileSync(`session-assets/${file}`, "utf8"));
            }
        });

        it("image builders get every package file as its own object, config.json as JSON text", () => {
            const objects = run.ofType(T.object).filter((o) => String(o.inputs.key).startsWith("image-builder/"));
            assert.deepStrictEqual(
                objects.map((o) => o.inputs.key).sort(),
                SCRIPT_PACKAGE_FILE_NAMES.map((f) => `image-builder/${f}`).sort(),
            );
            const configObject = objects.find((o) => o.inputs.key === "image-builder/config.json");
            assert.ok(configObject);
            assert.strictEqual(configObject.inputs.contentType, "application/json");
            const config = JSON.parse(configObject.inputs.content) as SessionScriptsConfig;
            const args = config.SessionStart.executables[0].arguments;
            assert.ok(args.includes(`-File "C:\\AppStream\\SessionScripts\\session-start.ps1"`), args);
            assert.ok(!args.includes("\\SessionScript\\"), args);
        });

        it("the install one-liner reads the image-builder prefix into C:\\AppStream\\SessionScripts", () => {
            const assets = run.one(T.bucket, "usage-assets").state.bucket;
            assert.strictEqual(
                run.outputs.imageBuilderInstallCommand,
                `Read-S3Object -BucketName "${assets}" -KeyPrefix "image-builder/" -Folder "C:\\AppStream\\SessionScripts" -Region "eu-west-1" -ProfileName appstream_machine_role | Out-Null; Get-ChildItem "C:\\AppStream\\SessionScripts"`,
            );
        });
    });

    describe("Glue and Athena", () => {
        it("the table's columns are the usage-record schema (wired from glueColumns, which record-schema.test.ts pins to the README's record table)", () => {
            const table = run.one(T.table, "usage-sessions-table");
            assert.deepStrictEqual(table.inputs.storageDescriptor.columns, glueColumns());
            assert.deepStrictEqual(table.inputs.partitionKeys, [
                { name: "dt", type: "string", comment: "UTC day of the event, yyyy-MM-dd" },
            ]);
        });

        it("the table reads newline-delimited JSON from the sessions prefix", () => {
            const sd = run.one(T.table, "usage-sessions-table").inputs.storageDescriptor;
            const bucket = run.one(T.bucket, "usage-usage").state.bucket;
            assert.strictEqual(sd.location, `s3://${bucket}/sessions/`);
            assert.strictEqual(sd.serDeInfo.serializationLibrary, "org.openx.data.jsonserde.JsonSerDe");
            assert.strictEqual(sd.inputFormat, "org.apache.hadoop.mapred.TextInputFormat");
        });

        it("projects dt partitions by day over the retention period", () => {
            const table = run.one(T.table, "usage-sessions-table");
            const bucket = run.one(T.bucket, "usage-usage").state.bucket;
            assert.strictEqual(table.inputs.tableType, "EXTERNAL_TABLE");
            assert.deepStrictEqual(table.inputs.parameters, {
                EXTERNAL: "TRUE",
                classification: "json",
                "projection.enabled": "true",
                "projection.dt.type": "date",
                "projection.dt.format": "yyyy-MM-dd",
                "projection.dt.range": "NOW-730DAYS,NOW",
                "projection.dt.interval": "1",
                "projection.dt.interval.unit": "DAYS",
                "storage.location.template": `s3://${bucket}/sessions/dt=\${dt}/`,
            });
        });

        it("the workgroup enforces its configuration, encrypted results, the scan cutoff and metrics", () => {
            const workgroup = run.one(T.workgroup, "usage-workgroup");
            const results = run.one(T.bucket, "usage-athena-results").state.bucket;
            assert.deepStrictEqual(workgroup.inputs.configuration, {
                enforceWorkgroupConfiguration: true,
                publishCloudwatchMetricsEnabled: true,
                bytesScannedCutoffPerQuery: 1024 * 1024 * 1024,
                resultConfiguration: {
                    outputLocation: `s3://${results}/`,
                    encryptionConfiguration: { encryptionOption: "SSE_S3" },
                },
            });
        });

        it("saves the five named queries against the table in the workgroup", () => {
            const queries = run.ofType(T.namedQuery);
            const workgroup = run.one(T.workgroup, "usage-workgroup").state.name;
            assert.deepStrictEqual(
                queries.map((q) => q.inputs.name),
                [
                    "Streaming time per user and stack",
                    "Daily active users and streaming hours per stack",
                    "Sessions per fleet and instance type",
                    "Sessions that started but never ended",
                    "Peak concurrent sessions per day per fleet",
                ],
            );
            for (const query of queries) {
                assert.strictEqual(query.inputs.workgroup, workgroup);
                assert.strictEqual(query.inputs.database, "appstream_usage_dev");
                assert.ok(query.inputs.query.includes(`"appstream_usage_dev"."session_events"`), query.inputs.name);
            }
        });

        it("names the Glue database after the stack, so dev and prod can share an account", async () => {
            // A stack needs at least one setting of its own (missingStackSettings).
            const prod = await runProgram({ stack: "prod", config: { usagePipeline: "true" } });
            assert.strictEqual(prod.one(T.database, "usage-database").inputs.name, "appstream_usage_prod");
        });
    });

    describe("config reaches the resources", () => {
        let tuned: ProgramRun;
        before(async () => {
            tuned = await runProgram({
                config: { sessionScriptWaitSeconds: "45", usageRetentionDays: "90", athenaBytesScannedCutoffMb: "10" },
            });
        });

        it("sessionScriptWaitSeconds becomes waitingTime of both events in both packages", async () => {
            const files = bundleFiles(tuned.one(T.object, "usage-elastic-fleet-bundle"));
            const bundled = JSON.parse(files["config.json"]) as SessionScriptsConfig;
            const imageBuilder = JSON.parse(
                tuned.one(T.object, "usage-image-builder-config-json").inputs.content,
            ) as SessionScriptsConfig;
            for (const config of [bundled, imageBuilder]) {
                assert.deepStrictEqual(
                    [config.SessionStart.waitingTime, config.SessionTermination.waitingTime],
                    [45, 45],
                );
                assert.ok(config.SessionStart.executables[0].arguments.includes("-TimeoutSeconds 40"));
            }
        });

        it("usageRetentionDays sets lifecycle expiry and the projection range", () => {
            assert.deepStrictEqual(tuned.one(T.lifecycle, "usage-usage-lifecycle").inputs.rules[0].expiration, {
                days: 90,
            });
            assert.strictEqual(
                tuned.one(T.table, "usage-sessions-table").inputs.parameters["projection.dt.range"],
                "NOW-90DAYS,NOW",
            );
        });

        it("athenaBytesScannedCutoffMb sets the workgroup cutoff in bytes", () => {
            assert.strictEqual(
                tuned.one(T.workgroup, "usage-workgroup").inputs.configuration.bytesScannedCutoffPerQuery,
                10 * 1024 * 1024,
            );
        });
    });

    it("two pipelines in one program get distinct child names", async () => {
        const both = await runUnderMocks(async () => {
            const { UsagePipeline } = await import("../../components/usage-pipeline");
            new UsagePipeline("team-a", { databaseName: "team_a" });
            new UsagePipeline("team-b", { databaseName: "team_b" });
            return {};
        });
        const names = both.resources.map((r) => `${r.type}::${r.name}`);
        assert.strictEqual(new Set(names).size, names.length, "duplicate resource names");
        assert.ok(
            both.resources
                .filter((r) => r.type !== "appstream-ops:usage:UsagePipeline")
                .every((r) => /^team-[ab]-/.test(r.name)),
        );
    });

    it("registers the same resources under preview", async () => {
        const preview = await runProgram({ preview: true });
        const key = (r: RecordedResource) => `${r.type}::${r.name}`;
        assert.deepStrictEqual(preview.resources.map(key).sort(), run.resources.map(key).sort());
    });
});
