import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { CLOUDWATCH_METRICS_SOURCE, PUBLISHED_METRICS } from "../../../runtime/insights/cloudwatch-metrics";
import { FLEET_ALARM_PERIOD_SECONDS, MonitoredFleet, fleetAlarms } from "../../../runtime/insights/fleet-alarms";
import {
    DASHBOARD_COLUMNS,
    insightsDashboardBody,
    insightsDashboardName,
} from "../../../runtime/insights/insights-dashboard";
import { metricProblem } from "../../../runtime/insights/metric-reference";
import { PROJECT_ROOT } from "../../helpers/program";
import { serviceModel, shapeViolations } from "../../helpers/service-model";

const SCRIPT = fs.readFileSync(path.join(PROJECT_ROOT, "scripts", "update-cloudwatch-metrics.py"), "utf8");
const FLEET: MonitoredFleet = { name: "fleet-a", elastic: false };
const ELASTIC: MonitoredFleet = { name: "elastic-a", elastic: true };

/** An alarm spec as the PutMetricAlarm request the provider sends for it. */
const putMetricAlarm = (spec: ReturnType<typeof fleetAlarms>[number]) => ({
    AlarmName: `insights-${spec.metric.dimensions.Fleet}-${spec.id}`,
    AlarmDescription: spec.description,
    Namespace: spec.metric.namespace,
    MetricName: spec.metric.name,
    Statistic: spec.metric.statistic,
    Dimensions: Object.entries(spec.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: spec.periodSeconds,
    EvaluationPeriods: spec.evaluationPeriods,
    DatapointsToAlarm: spec.datapointsToAlarm,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparisonOperator,
    TreatMissingData: spec.treatMissingData,
    AlarmActions: ["arn:aws:sns:eu-west-1:123456789012:alarms"],
});

describe("fleet insights: alarms and dashboard", () => {
    describe("the published metrics (vendored)", () => {
        it("come from the @aws-cdk/aws-service-spec version the regeneration script pins", () => {
            const pinned = /^SERVICE_SPEC_VERSION = "([^"]+)"$/m.exec(SCRIPT)?.[1];
            assert.strictEqual(CLOUDWATCH_METRICS_SOURCE, `@aws-cdk/aws-service-spec ${pinned}`);
            // The fleet metrics AWS's metrics page lists, each with the Fleet dimension.
            for (const name of ["ActualCapacity", "AvailableCapacity", "CapacityUtilization", "DesiredCapacity"]) {
                const metric = PUBLISHED_METRICS.find((m) => m.namespace === "AWS/AppStream" && m.name === name);
                assert.deepStrictEqual(metric?.dimensionSets, [["Fleet"]], name);
            }
        });

        const refused: [string, Parameters<typeof metricProblem>[0], RegExp][] = [
            [
                "a misspelt metric",
                {
                    namespace: "AWS/AppStream",
                    name: "InsufficientCapacityErrors",
                    statistic: "Sum",
                    dimensions: { Fleet: "f" },
                },
                /InsufficientCapacityErrors is not a metric AWS publishes/,
            ],
            [
                "a statistic it is not published for",
                {
                    namespace: "AWS/AppStream",
                    name: "CapacityUtilization",
                    statistic: "Sum",
                    dimensions: { Fleet: "f" },
                },
                /published for the Average statistic, not Sum/,
            ],
            [
                "a dimension it is not published with (the instance metrics' FleetName)",
                {
                    namespace: "AWS/AppStream",
                    name: "CapacityUtilization",
                    statistic: "Average",
                    dimensions: { FleetName: "f" },
                },
                /published with the dimensions \[Fleet\], not \[FleetName\]/,
            ],
        ];
        for (const [what, metric, message] of refused) {
            it(`refuse ${what} (negative control)`, () => assert.match(metricProblem(metric) ?? "", message));
        }
    });

    describe("alarms", () => {
        it("an Always-On or On-Demand fleet: users refused (Sum > 0 over 5 minutes) and utilization at the threshold for 15 minutes", () => {
            const [refusedAlarm, utilization] = fleetAlarms(FLEET, 85);
            assert.deepStrictEqual(
                [
                    refusedAlarm.metric,
                    refusedAlarm.periodSeconds,
                    refusedAlarm.evaluationPeriods,
                    refusedAlarm.threshold,
                    refusedAlarm.comparisonOperator,
                ],
                [
                    {
                        namespace: "AWS/AppStream",
                        name: "InsufficientCapacityError",
                        statistic: "Sum",
                        dimensions: { Fleet: "fleet-a" },
                    },
                    300,
                    1,
                    0,
                    "GreaterThanThreshold",
                ],
            );
            assert.deepStrictEqual(
                [
                    utilization.metric.name,
                    utilization.metric.statistic,
                    utilization.threshold,
                    utilization.comparisonOperator,
                ],
                ["CapacityUtilization", "Average", 85, "GreaterThanOrEqualToThreshold"],
            );
            assert.strictEqual(utilization.periodSeconds * utilization.evaluationPeriods, 15 * 60);
            assert.strictEqual(utilization.datapointsToAlarm, utilization.evaluationPeriods);
        });

        it("an Elastic fleet: the users-refused alarm only (AWS publishes no utilization for Elastic fleets)", () => {
            assert.deepStrictEqual(
                fleetAlarms(ELASTIC, 90).map((a) => a.metric.name),
                ["InsufficientCapacityError"],
            );
        });

        it("each alarm is a PutMetricAlarm request CloudWatch's model accepts, on a published metric", () => {
            const model = serviceModel("cloudwatch");
            for (const spec of [...fleetAlarms(FLEET, 1), ...fleetAlarms(FLEET, 100), ...fleetAlarms(ELASTIC, 90)]) {
                assert.deepStrictEqual(
                    shapeViolations(model, "PutMetricAlarmInput", putMetricAlarm(spec), ""),
                    [],
                    spec.id,
                );
                assert.strictEqual(metricProblem(spec.metric), undefined);
                assert.strictEqual(spec.periodSeconds, FLEET_ALARM_PERIOD_SECONDS);
            }
        });

        it("negative control: the model refuses a comparison operator CloudWatch does not take", () => {
            const request = { ...putMetricAlarm(fleetAlarms(FLEET, 90)[0]), ComparisonOperator: "GreaterThan" };
            assert.notDeepStrictEqual(
                shapeViolations(serviceModel("cloudwatch"), "PutMetricAlarmInput", request, ""),
                [],
            );
        });
    });

    describe("dashboard", () => {
        const sources = (count: number) => ({
            region: "eu-west-1",
            stack: "appstream-ops/prod",
            fleets: Array.from({ length: count }, (_, i) => ({
                name: `fleet-${i}`.padEnd(100, "x"),
                elastic: i % 3 === 0,
            })),
            stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:image-updates",
            functionNames: ["image-updates-function-1234567"],
        });

        it("graphs each fleet's capacity and refusals, and the image updater's runs and errors, only with published metrics", () => {
            const body = insightsDashboardBody(sources(2));
            const titles = body.widgets.map((w) => w.properties.title).filter(Boolean);
            assert.deepStrictEqual(
                titles.map((t) => String(t).replace(/x+/, "")),
                [
                    "fleet-0: capacity (Elastic: sessions in use)",
                    "fleet-0: sessions refused for lack of capacity",
                    "fleet-1: capacity",
                    "fleet-1: sessions refused for lack of capacity",
                    "Image-update runs",
                    "Function errors",
                ],
            );
            const lines = body.widgets.flatMap((w) => (w.properties.metrics as unknown[][] | undefined) ?? []);
            const names = lines.map((line) => line[1]);
            for (const name of [
                "DesiredCapacity",
                "ActualCapacity",
                "InUseCapacity",
                "AvailableCapacity",
                "PendingCapacity",
                "InsufficientCapacityError",
                "ExecutionsSucceeded",
                "ExecutionsFailed",
                "Errors",
            ]) {
                assert.ok(names.includes(name), name);
            }
            // Each line, read back as CloudWatch reads it: namespace, name, dimension pairs, options.
            for (const line of lines) {
                const options = line[line.length - 1] as { stat: string };
                const pairs = line.slice(2, -1) as string[];
                const dimensions = Object.fromEntries(
                    pairs.flatMap((v, i) => (i % 2 === 0 ? [[v, pairs[i + 1]]] : [])),
                );
                const problem = metricProblem({
                    namespace: String(line[0]),
                    name: String(line[1]),
                    statistic: options.stat,
                    dimensions,
                });
                assert.strictEqual(problem, undefined);
            }
        });

        it("at 50 fleets stays within CloudWatch's documented structure: at most 500 widgets, a 24-unit grid, no overlap", () => {
            const body = insightsDashboardBody(sources(50));
            const text = JSON.stringify(body);
            assert.deepStrictEqual(JSON.parse(text), body);
            assert.ok(body.widgets.length <= 500, `${body.widgets.length} widgets`);
            const cells = new Set<string>();
            for (const widget of body.widgets) {
                assert.ok(
                    widget.x >= 0 && widget.x + widget.width <= DASHBOARD_COLUMNS,
                    `x ${widget.x} width ${widget.width}`,
                );
                assert.ok(widget.width >= 1 && widget.height >= 1 && widget.height <= 1000);
                for (let x = widget.x; x < widget.x + widget.width; x++) {
                    for (let y = widget.y; y < widget.y + widget.height; y++) {
                        assert.ok(!cells.has(`${x},${y}`), `widgets overlap at ${x},${y}`);
                        cells.add(`${x},${y}`);
                    }
                }
            }
            assert.deepStrictEqual(
                shapeViolations(
                    serviceModel("cloudwatch"),
                    "PutDashboardInput",
                    { DashboardName: insightsDashboardName("prod", "eu-west-1"), DashboardBody: text },
                    "",
                ),
                [],
            );
        });

        it("is named <stack>-appstream-ops-<region>, in the characters and length PutDashboard takes", () => {
            assert.strictEqual(insightsDashboardName("prod", "eu-west-1"), "prod-appstream-ops-eu-west-1");
            assert.strictEqual(insightsDashboardName("team.prod", "us-east-1"), "team-prod-appstream-ops-us-east-1");
            const long = insightsDashboardName("s".repeat(300), "ap-southeast-2");
            assert.strictEqual(long.length, 255);
            assert.ok(long.endsWith("-appstream-ops-ap-southeast-2"));
            assert.match(long, /^[A-Za-z0-9_-]+$/);
        });
    });
});
