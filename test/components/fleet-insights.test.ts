import * as assert from "assert";
import { ProgramRun, runProgram } from "../helpers/program";
import { metricProblem } from "../../runtime/insights/metric-reference";
import { serviceModel, shapeViolations } from "../helpers/service-model";
import { dashboardMetrics } from "../helpers/registered-resources";

const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    topic: "aws:sns/topic:Topic",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
};
const EMAILS = '["ops@example.com"]';
const FLEETS = {
    fleetInsights: "true",
    monitoredFleets: '["fleet-a","fleet-b"]',
    monitoredElasticFleets: '["elastic-a"]',
};

/** The fleet alarms of a run (the image updater's two alarms aside). */
const fleetAlarms = (run: ProgramRun) => run.ofType(T.alarm).filter((a) => a.inputs.namespace === "AWS/AppStream");

/** An alarm's inputs as the PutMetricAlarm request the AWS provider sends. */
function putMetricAlarm(inputs: Record<string, any>) {
    return {
        AlarmName: "insights-alarm",
        AlarmDescription: inputs.alarmDescription,
        Namespace: inputs.namespace,
        MetricName: inputs.metricName,
        Statistic: inputs.statistic,
        Dimensions: Object.entries(inputs.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Period: inputs.period,
        EvaluationPeriods: inputs.evaluationPeriods,
        DatapointsToAlarm: inputs.datapointsToAlarm,
        Threshold: inputs.threshold,
        ComparisonOperator: inputs.comparisonOperator,
        TreatMissingData: inputs.treatMissingData,
        AlarmActions: inputs.alarmActions,
    };
}

describe("FleetInsights (real program under mocks)", () => {
    it("the dev stack turns nothing of it on", async () => {
        const run = await runProgram({ stack: "dev", config: { usagePipeline: "true", imageUpdates: "false" } });
        assert.deepStrictEqual(run.ofType(T.alarm), []);
        assert.deepStrictEqual(run.ofType(T.dashboard), []);
    });

    describe("with image updates on", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runProgram({
                config: {
                    ...FLEETS,
                    imageUpdates: "true",
                    notifyEmails: EMAILS,
                    senderEmail: "appstream@example.com",
                    capacityAlarmPercent: "80",
                },
            });
        });

        it("alarms on every monitored fleet: users refused, and utilization where AWS publishes it", () => {
            const byFleet = fleetAlarms(run).map((a) => [
                a.inputs.dimensions.Fleet,
                a.inputs.metricName,
                a.inputs.threshold,
            ]);
            assert.deepStrictEqual(byFleet.sort(), [
                ["elastic-a", "InsufficientCapacityError", 0],
                ["fleet-a", "CapacityUtilization", 80],
                ["fleet-a", "InsufficientCapacityError", 0],
                ["fleet-b", "CapacityUtilization", 80],
                ["fleet-b", "InsufficientCapacityError", 0],
            ]);
            for (const alarm of fleetAlarms(run)) {
                const { namespace, metricName: name, statistic, dimensions } = alarm.inputs;
                assert.strictEqual(metricProblem({ namespace, name, statistic, dimensions }), undefined);
                assert.deepStrictEqual(
                    shapeViolations(
                        serviceModel("cloudwatch"),
                        "PutMetricAlarmInput",
                        putMetricAlarm(alarm.inputs),
                        "",
                    ),
                    [],
                );
            }
        });

        it("notifies the image updater's topic, creating none of its own", () => {
            const imageUpdateTopic = run.one(T.topic, "image-updates-alarms").state.arn;
            for (const alarm of fleetAlarms(run)) assert.deepStrictEqual(alarm.inputs.alarmActions, [imageUpdateTopic]);
            assert.strictEqual(run.ofType(T.topic).length, 1);
            assert.strictEqual(run.outputs.insightsAlarmTopicArn, imageUpdateTopic);
        });

        it("draws one dashboard, <stack>-appstream-ops-<region>, with the fleets and the image updater's runs and errors", () => {
            const dashboard = run.one(T.dashboard, "insights-dashboard");
            assert.strictEqual(dashboard.inputs.dashboardName, "dev-appstream-ops-eu-west-1");
            const metrics = dashboardMetrics(run, "insights-dashboard");
            const stateMachineArn = run.one("aws:sfn/stateMachine:StateMachine", "image-updates-state-machine").state
                .arn;
            const functionName = run.one("aws:lambda/function:Function", "image-updates-function").state.name;
            assert.ok(metrics.some((m) => m[1] === "ExecutionsFailed" && m[3] === stateMachineArn));
            assert.ok(metrics.some((m) => m[1] === "Errors" && m[3] === functionName));
            for (const fleet of ["fleet-a", "fleet-b", "elastic-a"]) {
                assert.ok(
                    metrics.some((m) => m[1] === "InsufficientCapacityError" && m[3] === fleet),
                    fleet,
                );
            }
            assert.strictEqual(run.outputs.insightsDashboardName, "dev-appstream-ops-eu-west-1");
        });
    });

    it("with image updates off, creates a topic of its own for notifyEmails, or uses alarmTopicArn", async () => {
        const own = await runProgram({
            config: { ...FLEETS, imageUpdates: "false", notifyEmails: EMAILS, senderEmail: "a@example.com" },
        });
        const topic = own.one(T.topic, "insights-alarms");
        assert.deepStrictEqual(
            own.ofType(T.subscription).map((s) => [s.inputs.topic, s.inputs.endpoint]),
            [[topic.state.arn, "ops@example.com"]],
        );
        for (const alarm of fleetAlarms(own)) assert.deepStrictEqual(alarm.inputs.alarmActions, [topic.state.arn]);

        const given = "arn:aws:sns:eu-west-1:123456789012:platform-alarms";
        const shared = await runProgram({ config: { ...FLEETS, imageUpdates: "false", alarmTopicArn: given } });
        assert.deepStrictEqual(shared.ofType(T.topic), []);
        for (const alarm of fleetAlarms(shared)) assert.deepStrictEqual(alarm.inputs.alarmActions, [given]);
    });

    it("refuses a fleet listed as both kinds, and a bad fleet name, naming the keys", async () => {
        await assert.rejects(
            runProgram({ preview: true, config: { ...FLEETS, monitoredElasticFleets: '["fleet-a"]' } }),
            /fleet-a is listed in both appstream-ops:monitoredFleets and appstream-ops:monitoredElasticFleets/,
        );
        await assert.rejects(
            runProgram({ preview: true, config: { ...FLEETS, monitoredFleets: '["bad name!"]' } }),
            /appstream-ops:monitoredFleets = .*"bad name!" is not a fleet name/,
        );
    });

    it("warns when fleets are named but fleet insights is off", async () => {
        const run = await runProgram({
            config: { usagePipeline: "true", imageUpdates: "false", monitoredFleets: '["fleet-a"]' },
        });
        assert.deepStrictEqual(run.ofType(T.alarm), []);
        assert.deepStrictEqual(run.ofType(T.dashboard), []);
        assert.ok(
            run.warnings.some((w) => /fleetInsights is false, so fleet-a get no alarm/.test(w)),
            run.warnings.join("\n"),
        );
    });
});
