import * as pulumi from "@pulumi/pulumi";
import { UsagePipeline } from "./components/usage-pipeline";
import { loadConfig } from "./config";
import { glueIdentifier } from "./runtime/usage/glue-table";

// Fails here, before any resource is registered, when a config key is invalid: `pulumi preview` fails with the message.
const config = loadConfig();

const usage = new UsagePipeline("usage", {
    sessionScriptWaitSeconds: config.sessionScriptWaitSeconds,
    usageRetentionDays: config.usageRetentionDays,
    athenaBytesScannedCutoffMb: config.athenaBytesScannedCutoffMb,
    // Glue names are account-wide: the stack name keeps dev and prod apart.
    databaseName: glueIdentifier(`appstream_usage_${pulumi.getStack()}`),
});

export const usageBucketName = usage.usageBucketName;
export const sessionScriptRoleArn = usage.scriptRoleArn;
export const sessionScriptsBundleBucket = usage.sessionScriptsBundleBucket;
export const sessionScriptsBundleKey = usage.sessionScriptsBundleKey;
export const imageBuilderInstallCommand = usage.imageBuilderInstallCommand;
export const glueDatabaseName = usage.glueDatabaseName;
export const glueTableName = usage.glueTableName;
export const athenaWorkgroupName = usage.athenaWorkgroupName;
export const athenaResultsBucketName = usage.athenaResultsBucketName;
export const athenaNamedQueries = usage.namedQueryNames;
