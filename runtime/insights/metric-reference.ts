/**
 * A CloudWatch metric as an alarm or a dashboard names it, checked against the metrics AWS
 * publishes (cloudwatch-metrics.ts, generated from AWS's own data): a misspelt name, a statistic
 * AWS does not publish the metric for, or a dimension set it is not published with would give an
 * alarm that never leaves INSUFFICIENT_DATA and a graph that stays empty, silently.
 */
import { PUBLISHED_METRICS } from "./cloudwatch-metrics";

export interface MetricReference {
    readonly namespace: string;
    readonly name: string;
    readonly statistic: string;
    /** Dimension name to value, e.g. { Fleet: "fleet-a" }. */
    readonly dimensions: Readonly<Record<string, string>>;
}

/** What is wrong with `metric` by AWS's published data; undefined when nothing is. */
export function metricProblem(metric: MetricReference): string | undefined {
    const published = PUBLISHED_METRICS.find((m) => m.namespace === metric.namespace && m.name === metric.name);
    const label = `${metric.namespace} ${metric.name}`;
    if (!published) return `${label} is not a metric AWS publishes`;
    if (published.statistic !== metric.statistic) {
        return `${label} is published for the ${published.statistic} statistic, not ${metric.statistic}`;
    }
    const names = Object.keys(metric.dimensions).sort();
    if (!published.dimensionSets.some((set) => set.length === names.length && set.every((n, i) => n === names[i]))) {
        const sets = published.dimensionSets.map((set) => `[${set.join(", ")}]`).join(" or ");
        return `${label} is published with the dimensions ${sets}, not [${names.join(", ")}]`;
    }
    return undefined;
}

/** `metric` itself, or an error naming what AWS would not publish: a defect in this program, not in the stack's config. */
export function publishedMetric(metric: MetricReference): MetricReference {
    const problem = metricProblem(metric);
    if (problem) throw new Error(problem);
    return metric;
}
