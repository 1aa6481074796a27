/**
 * A platform team's own program: its kiosk fleet, plus appstream-ops' usage pipeline (the fleet
 * runs the usage session scripts with the pipeline's role) and monthly image updates.
 */
import * as aws from "@pulumi/aws";
import { ImageUpdateScheduler, UsagePipeline } from "appstream-ops";

const usage = new UsagePipeline("usage", {
    // Glue names are account-wide: name the database for this program.
    databaseName: "kiosk_usage",
    usageRetentionDays: 365,
    sessionScriptWaitSeconds: 40,
});

const updates = new ImageUpdateScheduler("image-updates", {
    // 03:00 on the first Sunday of each month, Berlin time.
    updateSchedule: "cron(0 3 ? * SUN#1 *)",
    updateScheduleTimezone: "Europe/Berlin",
    notifyEmails: ["appstream-admins@example.com"],
    senderEmail: "appstream-updates@example.com",
    keepImageVersions: 2,
});

// The fleet's instances write usage records with the pipeline's role, and nothing else.
const kiosk = new aws.appstream.Fleet("kiosk", {
    instanceType: "stream.standard.medium",
    fleetType: "ON_DEMAND",
    imageName: "Kiosk-Apps",
    computeCapacity: { desiredInstances: 2 },
    iamRoleArn: usage.scriptRoleArn,
    tags: { AutoUpdate: "Enabled" },
});

export const kioskFleetName = kiosk.name;
export const usageBucketName = usage.usageBucketName;
export const imageBuilderInstallCommand = usage.imageBuilderInstallCommand;
export const glueDatabaseName = usage.glueDatabaseName;
export const sessionScriptsBundleKey = usage.sessionScriptsBundleKey;
export const imageUpdateStateMachineArn = updates.stateMachineArn;
export const imageUpdateScheduleName = updates.scheduleName;
export const imageUpdateRunInput = updates.runInput;
