/**
 * The capacity alarms of one monitored fleet, on the AWS/AppStream metrics AWS documents for it
 * ("AppStream 2.0 Metrics and Dimensions": "All of the following metrics except
 * InsufficientConcurrencyLimitError apply to Always-On and On-Demand fleets. The only metrics that
 * apply to Elastic fleets are InUseCapacity and InsufficientCapacityError."). An Elastic fleet
 * therefore gets the refused-users alarm only: a utilization alarm would never receive data.
 */
import { MetricReference, publishedMetric } from "./metric-reference";

/** A fleet named in `monitoredFleets` (Always-On or On-Demand) or `monitoredElasticFleets`. */
export interface MonitoredFleet {
    readonly name: string;
    readonly elastic: boolean;
}

export type FleetAlarmId = "insufficient-capacity" | "capacity-utilization";

/** One alarm, in PutMetricAlarm's terms (the component maps it onto aws.cloudwatch.MetricAlarm). */
export interface FleetAlarmSpec {
    readonly id: FleetAlarmId;
    readonly description: string;
    readonly metric: MetricReference;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    readonly datapointsToAlarm: number;
    readonly threshold: number;
    readonly comparisonOperator: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold";
    /** A stopped fleet publishes nothing, which is not a problem. */
    readonly treatMissingData: "notBreaching";
}

/** The alarms' period: AppStream publishes once a minute; five-minute sums and averages smooth a blip. */
export const FLEET_ALARM_PERIOD_SECONDS = 300;
/** `capacityAlarmPercent` must hold this long (three periods) before the alarm fires. */
export const CAPACITY_ALARM_MINUTES = 15;

const fleetMetric = (fleet: string, name: string, statistic: string): MetricReference =>
    publishedMetric({ namespace: "AWS/AppStream", name, statistic, dimensions: { Fleet: fleet } });

export function fleetAlarms(fleet: MonitoredFleet, capacityAlarmPercent: number): FleetAlarmSpec[] {
    const refused: FleetAlarmSpec = {
        id: "insufficient-capacity",
        description: `appstream-ops: users were refused a streaming session on fleet ${fleet.name}: it had no free capacity (InsufficientCapacityError). ${
            fleet.elastic
                ? "Raise the fleet's maximum concurrent sessions."
                : "Raise its desired or maximum capacity, or its scaling policy's limits."
        }`,
        metric: fleetMetric(fleet.name, "InsufficientCapacityError", "Sum"),
        periodSeconds: FLEET_ALARM_PERIOD_SECONDS,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
    };
    if (fleet.elastic) return [refused];
    const periods = (CAPACITY_ALARM_MINUTES * 60) / FLEET_ALARM_PERIOD_SECONDS;
    return [
        refused,
        {
            id: "capacity-utilization",
            description: `appstream-ops: fleet ${fleet.name} has used at least ${capacityAlarmPercent}% of its running capacity for ${CAPACITY_ALARM_MINUTES} minutes (CapacityUtilization); users are refused once it is full. Raise its desired or maximum capacity before that.`,
            metric: fleetMetric(fleet.name, "CapacityUtilization", "Average"),
            periodSeconds: FLEET_ALARM_PERIOD_SECONDS,
            evaluationPeriods: periods,
            datapointsToAlarm: periods,
            threshold: capacityAlarmPercent,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
        },
    ];
}
