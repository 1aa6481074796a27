import * as assert from "assert";
import { isUnknown } from "@pulumi/pulumi/output";
import { ElasticFleetSessionScriptsInputs } from "../../runtime/appstream/elastic-fleet-session-scripts-provider";
import {
    APPLICATIONS_REPORT,
    SESSIONS_REPORT,
    reportGlueColumns,
    reportTableParameters,
} from "../../runtime/usage/usage-report-schema";
import { usageReportNamedQueries } from "../../runtime/usage/usage-report-queries";
import { DOCUMENTED_SESSIONS_REPORT_COLUMNS } from "../helpers/documented-report-columns";
import { mockAppStream } from "../helpers/appstream-handlers";
import { loadProvider, requiredModules } from "../helpers/dynamic-provider";
import { FakeFleets } from "../helpers/fake-fleets";
import { FakeUsageReportSubscriptions } from "../helpers/fake-usage-report-subscriptions";
import {
    ELASTIC_FLEET_SESSION_SCRIPTS_TYPE,
    ProgramRun,
    REGION,
    USAGE_REPORT_BUCKET,
    USAGE_REPORT_SUBSCRIPTION_TYPE,
    runProgram,
} from "../helpers/program";

const T = {
    table: "aws:glue/catalogTable:CatalogTable",
    namedQuery: "aws:athena/namedQuery:NamedQuery",
    object: "aws:s3/bucketObject:BucketObject",
    bucket: "aws:s3/bucket:Bucket",
};
const BOTH = { usageReports: "true", elasticFleets: '["elastic-fleet-1","Design.Tools_2"]' };
const isDynamic = (type: string) => type.startsWith("pulumi-nodejs:dynamic");

describe("UsagePipeline: usage reports and Elastic fleets (real program under mocks)", () => {
    it("registers neither dynamic resource, table nor output by default", async () => {
        const run = await runProgram();
        assert.deepStrictEqual(
            run.resources.filter((r) => isDynamic(r.type) || r.type === "appstream-ops:usage:UsageReports"),
            [],
        );
        assert.deepStrictEqual(
            run.ofType(T.table).map((t) => t.inputs.name),
            ["session_events"],
        );
        assert.strictEqual(run.outputs.usageReportBucketName, undefined);
        assert.strictEqual(run.outputs.usageReportTables, undefined);
        assert.strictEqual(run.outputs.elasticFleetSessionScripts, undefined);
    });

    describe("with usageReports: true and two Elastic fleets", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram({ config: BOTH });
        });

        it("subscribes the stack's Region once, inside a UsageReports component of the pipeline", () => {
            const [subscription] = run.ofType(USAGE_REPORT_SUBSCRIPTION_TYPE);
            assert.strictEqual(run.ofType(USAGE_REPORT_SUBSCRIPTION_TYPE).length, 1);
            assert.strictEqual(subscription.name, "usage-reports-subscription");
            assert.strictEqual(subscription.inputs.region, REGION);
            const component = run.one("appstream-ops:usage:UsageReports", "usage-reports");
            assert.strictEqual(subscription.parent, component.urn);
            assert.strictEqual(component.parent, run.one("appstream-ops:usage:UsagePipeline", "usage").urn);
        });

        for (const report of [SESSIONS_REPORT, APPLICATIONS_REPORT]) {
            it(`reads the ${report.id} report as CSV with a header row, partition-projected on year/month/day (parameters wired from reportTableParameters, which usage-reports.test.ts pins)`, () => {
                const table = run.one(T.table, `usage-reports-${report.id}-table`);
                assert.strictEqual(table.inputs.name, report.tableName);
                assert.strictEqual(table.inputs.databaseName, "appstream_usage_dev");
                assert.deepStrictEqual(table.inputs.parameters, reportTableParameters(USAGE_REPORT_BUCKET, report));
                assert.strictEqual(table.inputs.parameters["skip.header.line.count"], "1");
                assert.deepStrictEqual(
                    table.inputs.partitionKeys.map((k: { name: string }) => k.name),
                    ["year", "month", "day"],
                );
                const storage = table.inputs.storageDescriptor;
                assert.strictEqual(storage.location, `s3://${USAGE_REPORT_BUCKET}/${report.folder}/schedule=DAILY/`);
                assert.strictEqual(
                    storage.serDeInfo.serializationLibrary,
                    "org.apache.hadoop.hive.serde2.OpenCSVSerde",
                );
                assert.deepStrictEqual(storage.columns, reportGlueColumns(report));
                // Independent of the schema module: AppStream's documented fields, each a string, as
                // OpenCSVSerde reads every column (Athena user guide, "OpenCSVSerDe for processing CSV").
                assert.deepStrictEqual(
                    storage.columns.map((c: { name: string; type: string }) => [c.name, c.type]),
                    (report === SESSIONS_REPORT
                        ? DOCUMENTED_SESSIONS_REPORT_COLUMNS
                        : ["user_session_id", "application_name"]
                    ).map((name) => [name, "string"]),
                );
            });
        }

        it("saves the report queries in the pipeline's workgroup, after the tables exist (wired from usageReportNamedQueries, which usage-reports.test.ts and the Trino suite pin)", () => {
            const expected = usageReportNamedQueries("appstream_usage_dev");
            const tables = run.ofType(T.table).filter((t) => t.name.startsWith("usage-reports-"));
            for (const query of expected) {
                const saved = run.one(T.namedQuery, `usage-reports-query-${query.id}`);
                assert.strictEqual(saved.inputs.name, query.name);
                assert.strictEqual(saved.inputs.query, query.sql);
                assert.strictEqual(saved.inputs.workgroup, run.outputs.athenaWorkgroupName);
                for (const table of tables) assert.ok(saved.dependencies.includes(table.urn), table.name);
            }
            assert.deepStrictEqual(
                (run.outputs.athenaNamedQueries as string[]).slice(-expected.length),
                expected.map((q) => q.name),
            );
        });

        it("points each Elastic fleet at the bundle the pipeline uploads", () => {
            const bundle = run.one(T.object, "usage-elastic-fleet-bundle");
            const fleets = run.ofType(ELASTIC_FLEET_SESSION_SCRIPTS_TYPE);
            assert.deepStrictEqual(
                fleets.map((f) => [f.name, f.inputs.fleetName, f.inputs.region, f.inputs.s3Bucket, f.inputs.s3Key]),
                ["elastic-fleet-1", "Design.Tools_2"].map((name) => [
                    `usage-elastic-fleet-${name}`,
                    name,
                    REGION,
                    bundle.inputs.bucket,
                    bundle.inputs.key,
                ]),
            );
            assert.deepStrictEqual(run.outputs.elasticFleetSessionScripts, {
                "elastic-fleet-1": `s3://${bundle.inputs.bucket}/${bundle.inputs.key}`,
                "Design.Tools_2": `s3://${bundle.inputs.bucket}/${bundle.inputs.key}`,
            });
        });

        it("outputs the report bucket and the report tables", () => {
            assert.strictEqual(run.outputs.usageReportBucketName, USAGE_REPORT_BUCKET);
            assert.deepStrictEqual(run.outputs.usageReportTables, {
                sessions: SESSIONS_REPORT.tableName,
                applications: APPLICATIONS_REPORT.tableName,
            });
        });

        it("registers provider code that loads only the AppStream SDK, at run time", () => {
            for (const resource of run.resources.filter((r) => isDynamic(r.type))) {
                assert.deepStrictEqual(requiredModules(resource.inputs.__provider), ["@aws-sdk/client-appstream"]);
            }
        });

        it("the registered Elastic-fleet provider code, loaded as the dynamic-provider host loads it, sets the fleet", async () => {
            const resource = run.ofType(ELASTIC_FLEET_SESSION_SCRIPTS_TYPE)[0];
            const aws = new FakeFleets([{ name: "elastic-fleet-1", fleetType: "ELASTIC", states: ["RUNNING"] }]);
            try {
                const provider = loadProvider<ElasticFleetSessionScriptsInputs, ElasticFleetSessionScriptsInputs>(
                    resource.inputs.__provider,
                );
                const inputs = resource.inputs as ElasticFleetSessionScriptsInputs;
                await provider.create(inputs);
                assert.deepStrictEqual(aws.fleets.get("elastic-fleet-1")!.location, {
                    S3Bucket: inputs.s3Bucket,
                    S3Key: inputs.s3Key,
                });
            } finally {
                aws.restore();
            }
        });

        it("the registered subscription provider code, loaded as the host loads it, subscribes", async () => {
            const resource = run.ofType(USAGE_REPORT_SUBSCRIPTION_TYPE)[0];
            const account = new FakeUsageReportSubscriptions();
            const mock = mockAppStream(account.handlers);
            try {
                const provider = loadProvider<{ region: string }, { s3BucketName: string }>(resource.inputs.__provider);
                const created = await provider.create({ region: resource.inputs.region });
                assert.strictEqual(created.outs!.s3BucketName, USAGE_REPORT_BUCKET);
                assert.strictEqual(account.creates, 1);
                assert.ok(account.subscribed);
            } finally {
                mock.restore();
            }
        });
    });

    it("registers the same resources at preview, with the report bucket not known yet", async () => {
        const run = await runProgram({ config: BOTH, preview: true });
        assert.strictEqual(run.ofType(USAGE_REPORT_SUBSCRIPTION_TYPE).length, 1);
        assert.strictEqual(run.ofType(ELASTIC_FLEET_SESSION_SCRIPTS_TYPE).length, 2);
        assert.ok(isUnknown(run.one(T.table, "usage-reports-sessions-table").inputs.parameters));
    });
});
