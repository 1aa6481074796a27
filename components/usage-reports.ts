import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { usageReportNamedQueries } from "../runtime/usage/usage-report-queries";
import {
    CSV_SERDE,
    REPORT_PARTITION_KEYS,
    USAGE_REPORTS,
    reportGlueColumns,
    reportLocation,
    reportTableParameters,
} from "../runtime/usage/usage-report-schema";
import { UsageReportSubscription } from "./usage-report-subscription";

export interface UsageReportsArgs {
    /** Region whose usage reports are subscribed. */
    region: pulumi.Input<string>;
    /** Glue database of the report tables. */
    databaseName: pulumi.Input<string>;
    /** Athena workgroup of the saved queries. */
    workgroupName: pulumi.Input<string>;
}

/**
 * AppStream's own usage reports: the subscription, a Glue table over each report (sessions and
 * applications) with partition projection, and Athena named queries over them.
 */
export class UsageReports extends pulumi.ComponentResource {
    /** Bucket AppStream writes the reports to. */
    public readonly bucketName: pulumi.Output<string>;
    public readonly schedule: pulumi.Output<string>;
    /** Glue table names, by report: sessions, applications. */
    public readonly tableNames: Record<string, pulumi.Output<string>>;
    /** Names of the saved Athena queries over the reports. */
    public readonly namedQueryNames: string[];

    constructor(name: string, args: UsageReportsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("appstream-ops:usage:UsageReports", name, {}, opts);
        const parent = { parent: this };

        const subscription = new UsageReportSubscription(`${name}-subscription`, { region: args.region }, parent);
        const tables = USAGE_REPORTS.map(
            (report) =>
                new aws.glue.CatalogTable(
                    `${name}-${report.id}-table`,
                    {
                        name: report.tableName,
                        databaseName: args.databaseName,
                        description: report.description,
                        tableType: "EXTERNAL_TABLE",
                        parameters: subscription.s3BucketName.apply((bucket) => reportTableParameters(bucket, report)),
                        partitionKeys: REPORT_PARTITION_KEYS.map((key) => ({ name: key, type: "string" })),
                        storageDescriptor: {
                            location: subscription.s3BucketName.apply((bucket) => reportLocation(bucket, report)),
                            inputFormat: CSV_SERDE.inputFormat,
                            outputFormat: CSV_SERDE.outputFormat,
                            serDeInfo: {
                                serializationLibrary: CSV_SERDE.serializationLibrary,
                                parameters: { ...CSV_SERDE.parameters },
                            },
                            columns: reportGlueColumns(report),
                        },
                    },
                    parent,
                ),
        );
        const queries = pulumi.output(args.databaseName).apply((database) => usageReportNamedQueries(database));
        // Ids, names and descriptions do not depend on the database: only the SQL waits for it.
        const specs = usageReportNamedQueries("");
        specs.forEach((spec, index) => {
            new aws.athena.NamedQuery(
                `${name}-query-${spec.id}`,
                {
                    name: spec.name,
                    description: spec.description,
                    database: args.databaseName,
                    workgroup: args.workgroupName,
                    query: queries.apply((all) => all[index].sql),
                },
                { parent: this, dependsOn: tables },
            );
        });

        this.bucketName = subscription.s3BucketName;
        this.schedule = subscription.schedule;
        this.tableNames = Object.fromEntries(USAGE_REPORTS.map((report, i) => [report.id, tables[i].name]));
        this.namedQueryNames = specs.map((spec) => spec.name);
        this.registerOutputs({
            bucketName: this.bucketName,
            schedule: this.schedule,
            tableNames: this.tableNames,
        });
    }
}
