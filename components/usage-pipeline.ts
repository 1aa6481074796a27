import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { APPSTREAM_SERVICE_PRINCIPAL, putObjectOnlyPolicy, serviceTrustPolicy } from "../runtime/iam/policy-documents";
import {
    JSON_SERDE,
    USAGE_TABLE_NAME,
    glueIdentifier,
    partitionProjectionParameters,
    recordsLocation,
} from "../runtime/usage/glue-table";
import { scanCutoffBytesOf, usageNamedQueries } from "../runtime/usage/named-queries";
import { EVENT_LOG_PREFIX, PARTITION_KEY, SESSION_RECORDS_PREFIX, glueColumns } from "../runtime/usage/record-schema";
import {
    ASSET_KEYS,
    SCRIPT_PACKAGE_FILE_NAMES,
    STATIC_SCRIPT_FILES,
    ScriptDelivery,
    ScriptPackageFile,
    imageBuilderInstallCommand,
    sessionScriptPackage,
} from "../runtime/usage/session-scripts";
import { USAGE_BUCKET_TAG } from "../runtime/usage/usage-bucket-tag";
import { createZip } from "../runtime/zip";
import { validateComponentArgs } from "../config";
import { ElasticFleetSessionScripts } from "./elastic-fleet-session-scripts";
import { PrivateBucket } from "./private-bucket";
import { UsageReports } from "./usage-reports";

/** Folder of the PowerShell files shipped to streaming instances. */
export const SESSION_ASSETS_DIR = path.resolve(__dirname, "..", "session-assets");

export interface UsagePipelineArgs {
    /** config.json `waitingTime` for both session events, 20..60 seconds. @default 30 */
    sessionScriptWaitSeconds?: number;
    /** Days usage records are kept before S3 lifecycle expiry. @default 730 */
    usageRetentionDays?: number;
    /** Athena per-query scan limit in MB (minimum 10). @default 1024 */
    athenaBytesScannedCutoffMb?: number;
    /** Days Athena query results are kept. @default 30 */
    athenaResultsRetentionDays?: number;
    /** Glue database name; must be unique in the account and Region. @default the component name as a Glue identifier */
    databaseName?: string;
    /** Whether AppStream copies the scripts' output to its session-script log bucket. @default true */
    scriptLogsToS3?: boolean;
    /**
     * Subscribe the account and Region to AppStream's usage reports, with Glue tables and named
     * queries over them. One stack per account and Region should own the subscription. @default false
     */
    usageReports?: boolean;
    /**
     * Existing Elastic fleets whose SessionScriptS3Location is pointed at the session-scripts
     * bundle. Their IamRoleArn must be set to `scriptRoleArn` separately. @default []
     */
    elasticFleets?: string[];
    /**
     * VPC (`vpc-…`) or VPC endpoint (`vpce-…`) ids: the script role may write records only through
     * them (aws:SourceVpc / aws:SourceVpce; the fleet's VPC needs an S3 gateway endpoint). @default [] (any network)
     */
    scriptRoleNetworks?: string[];
}

/** Every argument, checked by the stack config's rules (config.ts) with its defaults. */
const ARGUMENTS = [
    "sessionScriptWaitSeconds",
    "usageRetentionDays",
    "athenaBytesScannedCutoffMb",
    "athenaResultsRetentionDays",
    "databaseName",
    "scriptLogsToS3",
    "usageReports",
    "elasticFleets",
    "scriptRoleNetworks",
] as const satisfies readonly (keyof UsagePipelineArgs)[];

/**
 * Records every AppStream streaming session in S3 through session scripts and makes the records
 * queryable in Athena: usage bucket, the session-script role (the fleet's IamRoleArn), the
 * session-scripts package for Elastic fleets and image builders, a Glue table with partition
 * projection, an Athena workgroup and named queries.
 */
export class UsagePipeline extends pulumi.ComponentResource {
    /** Bucket the session scripts write records to. */
    public readonly usageBucketName: pulumi.Output<string>;
    /** Role for the fleet's or image builder's IamRoleArn: s3:PutObject on the usage bucket, nothing else. */
    public readonly scriptRoleArn: pulumi.Output<string>;
    /** Bucket that holds the session-scripts packages. */
    public readonly assetsBucketName: pulumi.Output<string>;
    /** S3 bucket of the Elastic-fleet bundle, for the fleet's SessionScriptS3Location. */
    public readonly sessionScriptsBundleBucket: pulumi.Output<string>;
    /** S3 key of the Elastic-fleet bundle, for the fleet's SessionScriptS3Location. */
    public readonly sessionScriptsBundleKey: pulumi.Output<string>;
    /** PowerShell one-liner that installs config.json and the scripts on an image builder. */
    public readonly imageBuilderInstallCommand: pulumi.Output<string>;
    public readonly glueDatabaseName: pulumi.Output<string>;
    public readonly glueTableName: pulumi.Output<string>;
    public readonly athenaWorkgroupName: pulumi.Output<string>;
    public readonly athenaResultsBucketName: pulumi.Output<string>;
    /** Names of the saved Athena queries, over the usage records and (when subscribed) the usage reports. */
    public readonly namedQueryNames: string[];
    /** Bucket of AppStream's usage reports; undefined unless `usageReports` is set. */
    public readonly usageReportBucketName?: pulumi.Output<string>;
    /** Glue tables over the usage reports, by report (sessions, applications); undefined unless `usageReports` is set. */
    public readonly usageReportTableNames?: pulumi.Output<Record<string, string>>;
    /** `s3://bucket/key` each Elastic fleet's session scripts come from, by fleet name; undefined without `elasticFleets`. */
    public readonly elasticFleetSessionScripts?: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: UsagePipelineArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: a bad argument fails preview with one line naming it.
        const settings = validateComponentArgs("UsagePipeline", name, args, ARGUMENTS);
        super("appstream-ops:usage:UsagePipeline", name, {}, opts);
        const parent = { parent: this };
        const waitingTimeSeconds = settings.sessionScriptWaitSeconds;
        const retentionDays = settings.usageRetentionDays;
        const cutoffMb = settings.athenaBytesScannedCutoffMb;

        const region = aws.getRegionOutput({}, parent).region;
        const accountId = aws.getCallerIdentityOutput({}, parent).accountId;

        // Storage.
        const usage = new PrivateBucket(
            `${name}-usage`,
            // Versioned: a record overwritten with the role's credentials keeps its first version.
            {
                expirationDays: retentionDays,
                versioning: true,
                tags: { [USAGE_BUCKET_TAG.key]: USAGE_BUCKET_TAG.value },
            },
            parent,
        );
        const assets = new PrivateBucket(
            `${name}-assets`,
            {
                forceDestroy: true,
                appStreamReadAccess: { keyPrefix: path.posix.dirname(ASSET_KEYS.elasticFleetBundle) + "/", accountId },
            },
            parent,
        );
        const results = new PrivateBucket(
            `${name}-athena-results`,
            { expirationDays: settings.athenaResultsRetentionDays, forceDestroy: true },
            parent,
        );

        // Session-script role: AppStream assumes it; its one permission is writing records.
        const scriptRole = new aws.iam.Role(
            `${name}-script-role`,
            {
                description:
                    "appstream-ops session scripts: s3:PutObject under the usage bucket's record prefixes, nothing else",
                assumeRolePolicy: serviceTrustPolicy(APPSTREAM_SERVICE_PRINCIPAL),
            },
            parent,
        );
        const putRecords = new aws.iam.RolePolicy(
            `${name}-script-put-records`,
            {
                role: scriptRole.name,
                policy: usage.bucketArn.apply((arn) =>
                    putObjectOnlyPolicy(arn, {
                        keyPrefixes: [`${SESSION_RECORDS_PREFIX}/`, `${EVENT_LOG_PREFIX}/`],
                        networks: settings.scriptRoleNetworks,
                    }),
                ),
            },
            parent,
        );
        // Take exclusive ownership of the role's policies, so one attached out of band is removed on the next `up`.
        new aws.iam.RolePoliciesExclusive(
            `${name}-script-inline-policies`,
            { roleName: scriptRole.name, policyNames: [putRecords.name] },
            parent,
        );
        new aws.iam.RolePolicyAttachmentsExclusive(
            `${name}-script-managed-policies`,
            { roleName: scriptRole.name, policyArns: [] },
            parent,
        );

        // Session-scripts packages, rendered from one definition for both delivery paths.
        const packageFor = (delivery: ScriptDelivery) =>
            pulumi.all([usage.bucketName, region]).apply(([bucket, bucketRegion]) =>
                sessionScriptPackage(delivery, {
                    bucket,
                    region: bucketRegion,
                    waitingTimeSeconds,
                    s3LogEnabled: settings.scriptLogsToS3,
                }),
            );
        const bundle = new aws.s3.BucketObject(
            `${name}-elastic-fleet-bundle`,
            {
                bucket: assets.bucketName,
                key: ASSET_KEYS.elasticFleetBundle,
                // Entries sit at the zip's root: Elastic fleets expect no containing folder.
                contentBase64: packageFor("elasticFleet").apply((files) => bundleZip(files).toString("base64")),
                contentType: "application/zip",
            },
            parent,
        );
        const imageBuilderFiles = packageFor("imageBuilder");
        for (const file of SCRIPT_PACKAGE_FILE_NAMES) {
            const shipped = STATIC_SCRIPT_FILES.includes(file);
            new aws.s3.BucketObject(
                `${name}-image-builder-${file.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
                {
                    bucket: assets.bucketName,
                    key: `${ASSET_KEYS.imageBuilderPrefix}${file}`,
                    // Rendered files (config.json among them) are objects whose content is the JSON text itself.
                    ...(shipped
                        ? {
                              source: new pulumi.asset.FileAsset(path.join(SESSION_ASSETS_DIR, file)),
                              contentType: "text/plain; charset=utf-8",
                          }
                        : {
                              content: imageBuilderFiles.apply((files) => textOf(files[file])),
                              contentType: "application/json",
                          }),
                },
                parent,
            );
        }

        // Glue table over the records, and Athena.
        const databaseName = settings.databaseName || glueIdentifier(name);
        const database = new aws.glue.CatalogDatabase(
            `${name}-database`,
            { name: databaseName, description: "AppStream session usage records (appstream-ops)" },
            parent,
        );
        const table = new aws.glue.CatalogTable(
            `${name}-sessions-table`,
            {
                name: USAGE_TABLE_NAME,
                databaseName: database.name,
                description: "One row per AppStream session event (start and end), written by the session scripts",
                tableType: "EXTERNAL_TABLE",
                parameters: usage.bucketName.apply((bucket) => partitionProjectionParameters(bucket, retentionDays)),
                partitionKeys: [{ name: PARTITION_KEY, type: "string", comment: "UTC day of the event, yyyy-MM-dd" }],
                storageDescriptor: {
                    location: usage.bucketName.apply(recordsLocation),
                    inputFormat: JSON_SERDE.inputFormat,
                    outputFormat: JSON_SERDE.outputFormat,
                    serDeInfo: {
                        serializationLibrary: JSON_SERDE.serializationLibrary,
                        parameters: { ...JSON_SERDE.parameters },
                    },
                    columns: glueColumns(),
                },
            },
            parent,
        );
        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                description: "Queries over AppStream session usage (appstream-ops)",
                forceDestroy: true,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    bytesScannedCutoffPerQuery: scanCutoffBytesOf(cutoffMb),
                    resultConfiguration: {
                        outputLocation: pulumi.interpolate`s3://${results.bucketName}/`,
                        encryptionConfiguration: { encryptionOption: "SSE_S3" },
                    },
                },
            },
            parent,
        );
        const queries = usageNamedQueries(databaseName, USAGE_TABLE_NAME);
        for (const query of queries) {
            new aws.athena.NamedQuery(
                `${name}-query-${query.id}`,
                {
                    name: query.name,
                    description: query.description,
                    database: database.name,
                    workgroup: workgroup.name,
                    query: query.sql,
                },
                { parent: this, dependsOn: [table] },
            );
        }

        const reports = settings.usageReports
            ? new UsageReports(
                  `${name}-reports`,
                  { region, databaseName: database.name, workgroupName: workgroup.name },
                  parent,
              )
            : undefined;

        const elasticFleets = settings.elasticFleets.map((fleetName) => {
            const fleet = new ElasticFleetSessionScripts(
                `${name}-elastic-fleet-${fleetName}`,
                { region, fleetName, s3Bucket: bundle.bucket, s3Key: bundle.key },
                parent,
            );
            return [fleetName, pulumi.interpolate`s3://${fleet.s3Bucket}/${fleet.s3Key}`] as const;
        });

        this.usageBucketName = usage.bucketName;
        this.scriptRoleArn = scriptRole.arn;
        this.assetsBucketName = assets.bucketName;
        this.sessionScriptsBundleBucket = bundle.bucket;
        this.sessionScriptsBundleKey = bundle.key;
        this.imageBuilderInstallCommand = pulumi
            .all([assets.bucketName, region])
            .apply(([bucket, bucketRegion]) => imageBuilderInstallCommand(bucket, bucketRegion));
        this.glueDatabaseName = database.name;
        this.glueTableName = table.name;
        this.athenaWorkgroupName = workgroup.name;
        this.athenaResultsBucketName = results.bucketName;
        this.namedQueryNames = [...queries.map((q) => q.name), ...(reports?.namedQueryNames ?? [])];
        this.usageReportBucketName = reports?.bucketName;
        this.usageReportTableNames = reports && pulumi.output(reports.tableNames);
        this.elasticFleetSessionScripts =
            elasticFleets.length > 0 ? pulumi.output(Object.fromEntries(elasticFleets)) : undefined;
        this.registerOutputs({
            usageBucketName: this.usageBucketName,
            scriptRoleArn: this.scriptRoleArn,
            assetsBucketName: this.assetsBucketName,
            sessionScriptsBundleBucket: this.sessionScriptsBundleBucket,
            sessionScriptsBundleKey: this.sessionScriptsBundleKey,
            imageBuilderInstallCommand: this.imageBuilderInstallCommand,
            glueDatabaseName: this.glueDatabaseName,
            glueTableName: this.glueTableName,
            athenaWorkgroupName: this.athenaWorkgroupName,
            athenaResultsBucketName: this.athenaResultsBucketName,
            usageReportBucketName: this.usageReportBucketName,
            usageReportTableNames: this.usageReportTableNames,
            elasticFleetSessionScripts: this.elasticFleetSessionScripts,
        });
    }
}

function textOf(file: ScriptPackageFile): string {
    if (!("text" in file)) throw new Error("expected a rendered session-scripts file");
    return file.text;
}

function bundleZip(files: Record<string, ScriptPackageFile>): Buffer {
    return createZip(
        Object.entries(files).map(([name, file]) => ({
            name,
            data:
                "text" in file
                    ? Buffer.from(file.text, "utf8")
                    : fs.readFileSync(path.join(SESSION_ASSETS_DIR, file.assetFile)),
        })),
    );
}
