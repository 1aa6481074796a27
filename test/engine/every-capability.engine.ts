/**
 * A stack with every capability on, on the real Pulumi engine: image updates with recipients, a
 * created sender identity and alarms; usage reports; an Elastic fleet; a script-role network;
 * fleet insights on an Always-On and the Elastic fleet, with a daily usage digest. The
 * two dynamic providers run in the engine's own provider host and call AppStream. STAND-INS, named
 * as such: the AWS provider plugin (test/engine/stand-in-aws) and AppStream, a local endpoint that
 * serves the project's model-validated fakes over AppStream's wire protocol
 * (test/engine/stand-in-appstream).
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { documentedOutputs } from "./documented-outputs";
import { EngineProject, POLICY_PACK_ANALYZER, assertPreviewCreates, engineProject } from "./engine-cli";
import { StandInAppStream, startStandInAppStream } from "./stand-in-appstream";

const FLEET = "elastic-fleet-1";
const STACK = "full";
/** Every capability on, as a platform team would write the stack file. */
const FULL_STACK_FILE = `config:
  appstream-ops:usagePipeline: "true"
  appstream-ops:imageUpdates: "true"
  appstream-ops:usageReports: "true"
  appstream-ops:elasticFleets:
    - ${FLEET}
  appstream-ops:scriptRoleNetworks:
    - vpce-0a1b2c3d4e5f60718
  appstream-ops:notifyEmails:
    - appstream-admins@example.com
  appstream-ops:senderEmail: appstream-updates@example.com
  appstream-ops:createSenderIdentity: "true"
  appstream-ops:keepImageVersions: "2"
  appstream-ops:updateScheduleTimezone: Europe/Berlin
  appstream-ops:fleetInsights: "true"
  appstream-ops:monitoredFleets:
    - always-on-fleet-1
  appstream-ops:monitoredElasticFleets:
    - ${FLEET}
  appstream-ops:usageDigestEmails:
    - appstream-owners@example.com
  appstream-ops:usageDigestSchedule: cron(0 7 ? * * *)
  appstream-ops:usageDigestPeriodDays: "1"
`;

function stackWith(appstream: StandInAppStream, stackFile: string, env: NodeJS.ProcessEnv = {}): EngineProject {
    const project = engineProject({
        change: (dir) => fs.writeFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), stackFile),
        env: { ...appstream.env, ...env },
    });
    project.pulumi(["stack", "init", STACK]);
    return project;
}

/** The stand-in AppStream saw only requests its model accepts, and answered within the model. */
async function assertWithinModel(appstream: StandInAppStream): Promise<void> {
    const state = await appstream.state();
    assert.deepStrictEqual([...state.refused, ...state.fakeViolations], []);
}

describe("a stack with every capability on, on the real Pulumi engine (STAND-IN AWS provider and AppStream)", function () {
    this.timeout(900_000);
    let appstream: StandInAppStream;
    let project: EngineProject;
    const journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "appstream-ops-journal-")), "journal");

    before(async () => {
        appstream = await startStandInAppStream({
            fleets: [{ name: FLEET, fleetType: "ELASTIC", states: ["RUNNING"] }],
        });
        project = stackWith(appstream, FULL_STACK_FILE, { STAND_IN_AWS_JOURNAL: journal });
    });
    after(() => appstream?.stop());

    it("previews every capability; the Elastic fleet is looked up in AppStream at preview, and nothing in AppStream changes", async () => {
        const preview = project.pulumi(["preview", "--stack", STACK, "--policy-pack", POLICY_PACK_ANALYZER]);
        assertPreviewCreates(preview, [
            "aws:sfn:StateMachine",
            "aws:lambda:Function",
            "aws:scheduler:Schedule",
            "aws:cloudwatch:MetricAlarm",
            "aws:cloudwatch:Dashboard",
            "aws:sns:TopicSubscription",
            "aws:ses:EmailIdentity",
            "aws:lambda:FunctionEventInvokeConfig",
            "pulumi-nodejs:dynamic/appstream:UsageReportSubscription",
            "pulumi-nodejs:dynamic/appstream:ElasticFleetSessionScripts",
        ]);
        const state = await appstream.state();
        assert.ok(state.calls.includes("DescribeFleets"), `AppStream calls: ${state.calls.join(", ")}`);
        assert.deepStrictEqual(
            state.calls.filter((call) => !call.startsWith("Describe")),
            [],
        );
        await assertWithinModel(appstream);
    });

    it("ups with the policy pack: AppStream is subscribed and the fleet points at the uploaded bundle; a second preview finds no change", async () => {
        project.pulumi(["up", "--stack", STACK, "--yes", "--policy-pack", POLICY_PACK_ANALYZER]);
        const outputs = project.outputs(STACK);
        const state = await appstream.state();
        assert.strictEqual(state.subscribed, true);
        assert.deepStrictEqual(state.fleets.find((f) => f.name === FLEET)!.location, {
            S3Bucket: outputs.sessionScriptsBundleBucket,
            S3Key: outputs.sessionScriptsBundleKey,
        });
        assert.deepStrictEqual(outputs.elasticFleetSessionScripts, {
            [FLEET]: `s3://${outputs.sessionScriptsBundleBucket}/${outputs.sessionScriptsBundleKey}`,
        });
        project.pulumi(["preview", "--stack", STACK, "--expect-no-changes", "--policy-pack", POLICY_PACK_ANALYZER]);
        await assertWithinModel(appstream);
    });

    it("refresh reads the subscription and the fleet back from AppStream and finds them as the stack recorded", async () => {
        const before = (await appstream.state()).calls.length;
        project.pulumi(["refresh", "--stack", STACK, "--yes", "--expect-no-changes"]);
        const calls = (await appstream.state()).calls.slice(before);
        assert.deepStrictEqual([...new Set(calls)].sort(), ["DescribeFleets", "DescribeUsageReportSubscriptions"]);
        await assertWithinModel(appstream);
    });

    it("outputs every output the README documents for these capabilities", () => {
        const outputs = project.outputs(STACK);
        assert.deepStrictEqual(
            Object.keys(outputs).sort(),
            documentedOutputs({ usageReports: true, elasticFleets: true, imageUpdates: true, fleetInsights: true }),
        );
        for (const [name, value] of Object.entries(outputs)) assert.ok(value, `${name} has no value`);
    });

    it("the usage digest's schedule input carries the stack file's digest settings and the pipeline's names", () => {
        const outputs = project.outputs(STACK);
        const input = JSON.parse(outputs.usageDigestInput as string);
        assert.deepStrictEqual(
            [input.recipients, input.periodDays, input.usageReports, input.database, input.workGroup],
            [["appstream-owners@example.com"], 1, true, outputs.glueDatabaseName, outputs.athenaWorkgroupName],
        );
        const schedule = project
            .resources(STACK)
            .find(
                (r) =>
                    r.type === "aws:scheduler/schedule:Schedule" && r.outputs?.name === outputs.usageDigestScheduleName,
            );
        assert.strictEqual(schedule?.outputs?.scheduleExpression, "cron(0 7 ? * * *)");
        assert.strictEqual(schedule?.outputs?.scheduleExpressionTimezone, "Europe/Berlin");
    });

    it("destroy keeps the usage bucket while it holds records (BucketNotEmpty), as the README says", async () => {
        const usageBucket = project.outputs(STACK).usageBucketName as string;
        const destroy = project.pulumi(["destroy", "--stack", STACK, "--yes"], {
            allowFailure: true,
            env: { STAND_IN_AWS_BUCKETS_WITH_OBJECTS: usageBucket },
        });
        assert.notStrictEqual(destroy.code, 0, destroy.output);
        assert.match(destroy.output, /BucketNotEmpty/);
        const bucketUrn = project
            .resources(STACK)
            .find((r) => r.type === "aws:s3/bucket:Bucket" && r.outputs?.bucket === usageBucket)?.urn;
        assert.ok(bucketUrn, "the usage bucket is no longer in the stack");

        // The README's way out that keeps the records: take the bucket out of the stack, destroy again.
        project.pulumi(["state", "delete", bucketUrn, "--stack", STACK, "--yes"]);
        project.pulumi(["destroy", "--stack", STACK, "--yes"], {
            env: { STAND_IN_AWS_BUCKETS_WITH_OBJECTS: usageBucket },
        });
        assert.deepStrictEqual(project.deployed(STACK), []);
        const deleted = fs
            .readFileSync(journal, "utf8")
            .split("\n")
            .filter((line) => line.startsWith("delete "));
        assert.ok(
            deleted.some((line) => line.startsWith("delete aws:s3/bucket:Bucket ")),
            "no bucket was deleted",
        );
        assert.ok(!deleted.includes(`delete aws:s3/bucket:Bucket ${usageBucket}`), "the usage bucket was deleted");
    });

    it("destroy unsubscribes AppStream's usage reports and removes the fleet's session-script location, as the README says", async () => {
        const state = await appstream.state();
        assert.strictEqual(state.subscribed, false);
        assert.strictEqual(state.fleets.find((f) => f.name === FLEET)!.location, undefined);
        await assertWithinModel(appstream);
    });

    it("negative control: a fleet AppStream does not have fails the preview with the provider's message, and nothing is created", async () => {
        const missing = stackWith(appstream, FULL_STACK_FILE.replace(`- ${FLEET}`, "- no-such-fleet"));
        const preview = missing.pulumi(["preview", "--stack", STACK], { allowFailure: true });
        assert.notStrictEqual(preview.code, 0, preview.output);
        assert.match(preview.output, /no-such-fleet/);
        const up = missing.pulumi(["up", "--stack", STACK, "--yes"], { allowFailure: true });
        assert.notStrictEqual(up.code, 0, up.output);
        assert.deepStrictEqual(missing.deployed(STACK), []);
    });
});
