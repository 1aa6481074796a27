import * as pulumi from "@pulumi/pulumi";
import { ImageUpdateScheduler } from "./components/image-update-scheduler";
import { UsagePipeline } from "./components/usage-pipeline";
import { loadConfig } from "./config";
import { stackDatabaseName } from "./runtime/usage/glue-table";

// Fails here, before any resource is registered, when a config key is invalid: `pulumi preview` fails with the message.
const config = loadConfig();

const usage = new UsagePipeline("usage", {
    sessionScriptWaitSeconds: config.sessionScriptWaitSeconds,
    usageRetentionDays: config.usageRetentionDays,
    athenaBytesScannedCutoffMb: config.athenaBytesScannedCutoffMb,
    // Glue names are account-wide: the stack name keeps dev and prod apart.
    databaseName: stackDatabaseName(pulumi.getStack()),
    usageReports: config.usageReports,
    elasticFleets: config.elasticFleets,
    scriptRoleNetworks: config.scriptRoleNetworks,
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
// Present only when usageReports is set, and when elasticFleets lists fleets.
export const usageReportBucketName = usage.usageReportBucketName;
export const usageReportTables = usage.usageReportTableNames;
export const elasticFleetSessionScripts = usage.elasticFleetSessionScripts;

const imageUpdates = new ImageUpdateScheduler("image-updates", {
    batchSize: config.batchSize,
    updateSchedule: config.updateSchedule,
    updateScheduleTimezone: config.updateScheduleTimezone,
    notifyEmails: config.notifyEmails,
    senderEmail: config.senderEmail,
    pollIntervalMinutes: config.pollIntervalMinutes,
    maxWaitHours: config.maxWaitHours,
    autoUpdateTagKey: config.autoUpdateTagKey,
    autoUpdateTagValue: config.autoUpdateTagValue,
    createSenderIdentity: config.createSenderIdentity,
    keepImageVersions: config.keepImageVersions,
    alarmTopicArn: config.alarmTopicArn,
});

export const imageUpdateStateMachineArn = imageUpdates.stateMachineArn;
export const imageUpdateFunctionName = imageUpdates.functionName;
export const imageUpdateScheduleName = imageUpdates.scheduleName;
export const imageUpdateRunInput = imageUpdates.runInput;
export const imageUpdateLogGroupName = imageUpdates.functionLogGroupName;
export const imageUpdateExecutionLogGroupName = imageUpdates.executionLogGroupName;
export const imageUpdateAlarmTopicArn = imageUpdates.alarmTopicArn;
export const imageUpdateDeadLetterQueueUrl = imageUpdates.deadLetterQueueUrl;
