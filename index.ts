/**
 * This repository's own Pulumi program: the library's components (library.ts), configured from
 * the stack's `appstream-ops:` keys. Another program imports the same components from the package.
 */
import * as pulumi from "@pulumi/pulumi";
import {
    FleetInsights,
    ImageUpdateScheduler,
    UsagePipeline,
    loadConfig,
    stackDatabaseName,
    usageDigestRecipients,
} from "./library";

// Fails here, before any resource is registered, when a config key is invalid: `pulumi preview` fails with the message.
const config = loadConfig();

if (!config.usagePipeline && !config.imageUpdates && !config.fleetInsights) {
    pulumi.log.warn(
        "appstream-ops:usagePipeline, appstream-ops:imageUpdates and appstream-ops:fleetInsights are all false: this stack deploys nothing (and `pulumi up` removes what an earlier deploy created)",
    );
}
const monitored = [...config.monitoredFleets, ...config.monitoredElasticFleets];
if (!config.fleetInsights && monitored.length > 0) {
    pulumi.log.warn(
        `appstream-ops:fleetInsights is false, so ${monitored.join(", ")} get no alarm or dashboard: set appstream-ops:fleetInsights to true to monitor them`,
    );
}

const usage = !config.usagePipeline
    ? undefined
    : new UsagePipeline("usage", {
          sessionScriptWaitSeconds: config.sessionScriptWaitSeconds,
          usageRetentionDays: config.usageRetentionDays,
          athenaBytesScannedCutoffMb: config.athenaBytesScannedCutoffMb,
          // Glue names are account-wide: the stack name keeps dev and prod apart.
          databaseName: stackDatabaseName(pulumi.getStack()),
          usageReports: config.usageReports,
          elasticFleets: config.elasticFleets,
          scriptRoleNetworks: config.scriptRoleNetworks,
      });

export const usageBucketName = usage?.usageBucketName;
export const sessionScriptRoleArn = usage?.scriptRoleArn;
export const sessionScriptsBundleBucket = usage?.sessionScriptsBundleBucket;
export const sessionScriptsBundleKey = usage?.sessionScriptsBundleKey;
export const imageBuilderInstallCommand = usage?.imageBuilderInstallCommand;
export const glueDatabaseName = usage?.glueDatabaseName;
export const glueTableName = usage?.glueTableName;
export const athenaWorkgroupName = usage?.athenaWorkgroupName;
export const athenaResultsBucketName = usage?.athenaResultsBucketName;
export const athenaNamedQueries = usage?.namedQueryNames;
// Present only when usageReports is set, and when elasticFleets lists fleets. Every output of a
// capability switched off is absent.
export const usageReportBucketName = usage?.usageReportBucketName;
export const usageReportTables = usage?.usageReportTableNames;
export const elasticFleetSessionScripts = usage?.elasticFleetSessionScripts;

const imageUpdates = !config.imageUpdates
    ? undefined
    : new ImageUpdateScheduler("image-updates", {
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
          appStreamCallsPerSecond: config.appStreamCallsPerSecond,
      });

export const imageUpdateStateMachineArn = imageUpdates?.stateMachineArn;
export const imageUpdateFunctionName = imageUpdates?.functionName;
export const imageUpdateScheduleName = imageUpdates?.scheduleName;
export const imageUpdateRunInput = imageUpdates?.runInput;
export const imageUpdateLogGroupName = imageUpdates?.functionLogGroupName;
export const imageUpdateExecutionLogGroupName = imageUpdates?.executionLogGroupName;
export const imageUpdateAlarmTopicArn = imageUpdates?.alarmTopicArn;
export const imageUpdateDeadLetterQueueUrl = imageUpdates?.deadLetterQueueUrl;
export const imageUpdateRunStateBucketName = imageUpdates?.runStateBucketName;

// The digest reads the usage pipeline.
const digestRecipients = usageDigestRecipients(config);
if (config.fleetInsights && !usage) {
    pulumi.log.warn(
        "appstream-ops:usagePipeline is false, so fleet insights sends no usage digest email (it reads the pipeline's records): set appstream-ops:usagePipeline to true for it",
    );
} else if (config.fleetInsights && digestRecipients.length === 0) {
    pulumi.log.warn(
        "appstream-ops:usageDigestEmails and appstream-ops:notifyEmails are empty, so fleet insights sends no usage digest email: set either (and appstream-ops:senderEmail) for it",
    );
}

const insights = !config.fleetInsights
    ? undefined
    : new FleetInsights("insights", {
          monitoredFleets: config.monitoredFleets,
          monitoredElasticFleets: config.monitoredElasticFleets,
          capacityAlarmPercent: config.capacityAlarmPercent,
          // The image updater's topic when it is on, so every alarm of the stack reaches the same people.
          alarmTopicArn: imageUpdates?.alarmTopicArn ?? (config.alarmTopicArn || undefined),
          notifyEmails: config.notifyEmails,
          imageUpdates: imageUpdates && {
              stateMachineArn: imageUpdates.stateMachineArn,
              functionName: imageUpdates.functionName,
          },
          // Config's rules make senderEmail present whenever a recipient is.
          usageDigest:
              usage && digestRecipients.length > 0
                  ? {
                        pipeline: {
                            workGroupName: usage.athenaWorkgroupName,
                            databaseName: usage.glueDatabaseName,
                            tableName: usage.glueTableName,
                            usageBucketName: usage.usageBucketName,
                            resultsBucketName: usage.athenaResultsBucketName,
                            reportBucketName: usage.usageReportBucketName,
                            scanCutoffMb: config.athenaBytesScannedCutoffMb,
                        },
                        usageDigestEmails: digestRecipients,
                        senderEmail: config.senderEmail,
                        usageDigestSchedule: config.usageDigestSchedule,
                        updateScheduleTimezone: config.updateScheduleTimezone,
                        usageDigestPeriodDays: config.usageDigestPeriodDays,
                    }
                  : undefined,
      });

export const insightsDashboardName = insights?.dashboardName;
export const insightsAlarmTopicArn = insights?.alarmTopicArn;
export const usageDigestFunctionName = insights?.usageDigest?.functionName;
export const usageDigestLogGroupName = insights?.usageDigest?.logGroupName;
export const usageDigestScheduleName = insights?.usageDigest?.scheduleName;
export const usageDigestInput = insights?.usageDigest?.digestInput;

// The outputs of a capability switched off are undefined. Removed here, the engine does not warn
// "Undefined value (…) will not show as a stack output" for each on every preview (seen on the real
// engine, test/engine). CommonJS exports, as tsconfig.json compiles this program.
for (const [name, value] of Object.entries(module.exports)) {
    if (value === undefined) delete module.exports[name];
}
