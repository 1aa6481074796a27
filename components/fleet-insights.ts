import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { validateComponentArgs } from "../config";
import { MonitoredFleet, fleetAlarms } from "../runtime/insights/fleet-alarms";
import { insightsDashboardBody, insightsDashboardName } from "../runtime/insights/insights-dashboard";
import { alarmTopicArn } from "./alarm-topic";
import { UsageDigest, UsageDigestArgs } from "./usage-digest";

export interface FleetInsightsArgs {
    /** Existing Always-On or On-Demand fleets (single- or multi-session) to alarm on and graph. @default [] */
    monitoredFleets?: string[];
    /** Existing Elastic fleets to alarm on and graph (AWS publishes fewer metrics for them). @default [] */
    monitoredElasticFleets?: string[];
    /** Capacity utilization (%) that sets off a fleet's alarm when it holds for 15 minutes. @default 90 */
    capacityAlarmPercent?: number;
    /**
     * An existing SNS topic for the alarms, such as the image updater's. @default "" (a topic is
     * created, and each of `notifyEmails` is subscribed to it)
     */
    alarmTopicArn?: pulumi.Input<string>;
    /** Subscribed to a topic created here (SNS emails each a confirmation link). @default [] */
    notifyEmails?: string[];
    /** The image updater's state machine and function, graphed on the dashboard when given. */
    imageUpdates?: { stateMachineArn: pulumi.Input<string>; functionName: pulumi.Input<string> };
    /** The usage digest email, when given; its failures alarm on the same topic. @default none */
    usageDigest?: Omit<UsageDigestArgs, "alarmTopicArn">;
}

/** The arguments checked by the stack config's rules (config.ts), with their defaults; the others are wiring. */
const ARGUMENTS = [
    "monitoredFleets",
    "monitoredElasticFleets",
    "capacityAlarmPercent",
    "notifyEmails",
] as const satisfies readonly (keyof FleetInsightsArgs)[];

/**
 * Capacity alarms for the fleets you name (users refused for lack of capacity; utilization at or
 * above a threshold for 15 minutes, where AWS publishes it) notifying an SNS topic, and one
 * CloudWatch dashboard, `<stack>-appstream-ops-<region>`, with each fleet's capacity and refusals
 * and the image updater's runs and errors.
 */
export class FleetInsights extends pulumi.ComponentResource {
    public readonly alarmTopicArn: pulumi.Output<string>;
    public readonly dashboardName: pulumi.Output<string>;
    /** The usage digest, when it was asked for. */
    public readonly usageDigest?: UsageDigest;
    /** The alarms' names, by fleet. */
    public readonly alarmNames: Record<string, pulumi.Output<string>[]>;

    constructor(name: string, args: FleetInsightsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        // Before anything is registered: a bad argument fails preview with one line naming it.
        const { alarmTopicArn: givenTopic, imageUpdates, usageDigest, ...checked } = args;
        const settings = validateComponentArgs("FleetInsights", name, checked, ARGUMENTS);
        super("appstream-ops:insights:FleetInsights", name, {}, opts);
        const parent = { parent: this };
        const fleets: MonitoredFleet[] = [
            ...settings.monitoredFleets.map((fleet) => ({ name: fleet, elastic: false })),
            ...settings.monitoredElasticFleets.map((fleet) => ({ name: fleet, elastic: true })),
        ];
        const topicArn = alarmTopicArn(
            name,
            {
                existingTopicArn: givenTopic === "" ? undefined : givenTopic,
                emails: settings.notifyEmails,
                displayName: "AppStream fleet insights",
            },
            this,
        );

        this.alarmNames = {};
        for (const fleet of fleets) {
            this.alarmNames[fleet.name] = fleetAlarms(fleet, settings.capacityAlarmPercent).map(
                (alarm) =>
                    new aws.cloudwatch.MetricAlarm(
                        `${name}-${fleet.name}-${alarm.id}`,
                        {
                            alarmDescription: alarm.description,
                            namespace: alarm.metric.namespace,
                            metricName: alarm.metric.name,
                            statistic: alarm.metric.statistic,
                            dimensions: { ...alarm.metric.dimensions },
                            period: alarm.periodSeconds,
                            evaluationPeriods: alarm.evaluationPeriods,
                            datapointsToAlarm: alarm.datapointsToAlarm,
                            threshold: alarm.threshold,
                            comparisonOperator: alarm.comparisonOperator,
                            treatMissingData: alarm.treatMissingData,
                            alarmActions: [topicArn],
                        },
                        parent,
                    ).name,
            );
        }

        const digest =
            usageDigest && new UsageDigest(`${name}-digest`, { ...usageDigest, alarmTopicArn: topicArn }, parent);

        const region = aws.getRegionOutput({}, parent).region;
        const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;
        const dashboard = new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: region.apply((r) => insightsDashboardName(pulumi.getStack(), r)),
                dashboardBody: pulumi
                    .all([region, imageUpdates?.stateMachineArn, imageUpdates?.functionName, digest?.functionName])
                    .apply(([r, stateMachineArn, functionName, digestFunctionName]) =>
                        JSON.stringify(
                            insightsDashboardBody({
                                region: r,
                                stack,
                                fleets,
                                stateMachineArn,
                                functionNames: [functionName, digestFunctionName].filter((f): f is string => !!f),
                            }),
                        ),
                    ),
            },
            parent,
        );

        this.alarmTopicArn = topicArn;
        this.dashboardName = dashboard.dashboardName;
        this.usageDigest = digest;
        this.registerOutputs({
            alarmTopicArn: this.alarmTopicArn,
            dashboardName: this.dashboardName,
            usageDigestFunctionName: digest?.functionName,
        });
    }
}
