/**
 * The body of the stack's CloudWatch dashboard, in the structure CloudWatch documents ("Dashboard
 * Body Structure and Syntax"): a text widget saying where the dashboard comes from (PutDashboard's
 * advice for dashboards made by a program), then per monitored fleet its capacity and the users it
 * refused, then the image updater's runs and its functions' errors when those capabilities are on.
 * Every metric is checked against the metrics AWS publishes (metric-reference.ts).
 */
import { MetricReference, publishedMetric } from "./metric-reference";
import type { MonitoredFleet } from "./fleet-alarms";

/** The grid is 24 units wide; two graphs side by side. */
export const DASHBOARD_COLUMNS = 24;
const GRAPH = { width: 12, height: 6 } as const;
const PERIOD_SECONDS = 300;

export interface DashboardSources {
    readonly region: string;
    /** Pulumi project/stack, named in the header. */
    readonly stack: string;
    readonly fleets: readonly MonitoredFleet[];
    /** The image updater's state machine, when image updates are on. */
    readonly stateMachineArn?: string;
    /** The functions whose errors are graphed (the image updater's; the usage digest's). */
    readonly functionNames?: readonly string[];
}

interface Widget {
    readonly type: "metric" | "text";
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly properties: Record<string, unknown>;
}

export interface DashboardBody {
    readonly start: string;
    readonly periodOverride: "inherit";
    readonly widgets: Widget[];
}

/** One line of a metric widget's `metrics`: namespace, name, the dimension pairs, then its options. */
function metricLine(metric: MetricReference, label: string): unknown[] {
    const checked = publishedMetric(metric);
    return [
        checked.namespace,
        checked.name,
        ...Object.entries(checked.dimensions).flat(),
        { stat: checked.statistic, label },
    ];
}

const capacity = (fleet: string, name: string, label: string) =>
    metricLine({ namespace: "AWS/AppStream", name, statistic: "Average", dimensions: { Fleet: fleet } }, label);
const refused = (fleet: string) =>
    metricLine(
        {
            namespace: "AWS/AppStream",
            name: "InsufficientCapacityError",
            statistic: "Sum",
            dimensions: { Fleet: fleet },
        },
        "Sessions refused (no capacity)",
    );

/** The graphs of one fleet: what AWS publishes for its kind (fleet-alarms.ts). */
function fleetGraphs(fleet: MonitoredFleet): { title: string; metrics: unknown[][] }[] {
    const capacityLines = fleet.elastic
        ? [capacity(fleet.name, "InUseCapacity", "In use")]
        : [
              capacity(fleet.name, "DesiredCapacity", "Desired"),
              capacity(fleet.name, "ActualCapacity", "Actual"),
              capacity(fleet.name, "InUseCapacity", "In use"),
              capacity(fleet.name, "AvailableCapacity", "Available"),
              capacity(fleet.name, "PendingCapacity", "Pending"),
          ];
    return [
        {
            title: `${fleet.name}: capacity${fleet.elastic ? " (Elastic: sessions in use)" : ""}`,
            metrics: capacityLines,
        },
        { title: `${fleet.name}: sessions refused for lack of capacity`, metrics: [refused(fleet.name)] },
    ];
}

/** Dashboard names: 1 to 255 of A-Z, a-z, 0-9, - and _ (PutDashboard's DashboardName). */
const DASHBOARD_NAME_MAX = 255;

/**
 * `<stack>-appstream-ops-<region>`. Dashboards are global to an account ("All dashboards in your
 * account are global, not region-specific", PutDashboard), so the Region keeps one stack name
 * deployed in two Regions from sharing one. Characters a dashboard name cannot hold become `-`.
 */
export function insightsDashboardName(stack: string, region: string): string {
    const name = `${stack}-appstream-ops-${region}`.replace(/[^A-Za-z0-9_-]/g, "-");
    if (name.length <= DASHBOARD_NAME_MAX) return name;
    const suffix = `-appstream-ops-${region}`;
    return `${stack.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, DASHBOARD_NAME_MAX - suffix.length)}${suffix}`;
}

export function insightsDashboardBody(sources: DashboardSources): DashboardBody {
    const graphs = sources.fleets.flatMap(fleetGraphs);
    if (sources.stateMachineArn) {
        const run = (name: string, label: string) =>
            metricLine(
                {
                    namespace: "AWS/States",
                    name,
                    statistic: "Sum",
                    dimensions: { StateMachineArn: sources.stateMachineArn! },
                },
                label,
            );
        graphs.push({
            title: "Image-update runs",
            metrics: [
                run("ExecutionsSucceeded", "Succeeded"),
                run("ExecutionsFailed", "Failed"),
                run("ExecutionsTimedOut", "Timed out"),
                run("ExecutionsAborted", "Aborted"),
            ],
        });
    }
    if (sources.functionNames?.length) {
        graphs.push({
            title: "Function errors",
            metrics: sources.functionNames.map((name) =>
                metricLine(
                    { namespace: "AWS/Lambda", name: "Errors", statistic: "Sum", dimensions: { FunctionName: name } },
                    name,
                ),
            ),
        });
    }
    const header: Widget = {
        type: "text",
        x: 0,
        y: 0,
        width: DASHBOARD_COLUMNS,
        height: 2,
        properties: {
            markdown: `## AppStream fleets and appstream-ops (${sources.stack})\nMade by appstream-ops' FleetInsights; \`pulumi up\` replaces changes made in the console. Alarms: capacity utilization and sessions refused per fleet.`,
        },
    };
    const perRow = DASHBOARD_COLUMNS / GRAPH.width;
    const widgets = graphs.map((graph, i): Widget => ({
        type: "metric",
        x: (i % perRow) * GRAPH.width,
        y: header.height + Math.floor(i / perRow) * GRAPH.height,
        ...GRAPH,
        properties: {
            title: graph.title,
            region: sources.region,
            view: "timeSeries",
            period: PERIOD_SECONDS,
            metrics: graph.metrics,
        },
    }));
    return { start: "-P7D", periodOverride: "inherit", widgets: [header, ...widgets] };
}
