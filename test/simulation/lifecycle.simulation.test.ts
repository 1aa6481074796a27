/**
 * The fault-injection simulation in npm test: a fixed seed and a few hundred cases (npm run
 * test:simulate runs 10,000). Each negative control plants one of issue 20's defects in the
 * serialized archive and shows the simulation catches it, naming the invariant it breaks.
 */
import * as assert from "assert";
import { inLambdaRegion, withEnvironment } from "../helpers/environment";
import { deployedWorkflow } from "../helpers/deployed-workflow";
import { formatReport, simulate, simulationDeployment } from "./simulation";
import { Deployment } from "./run-case";

const SEED = 20_2026;
const CASES = Number(process.env.SIMULATION_CASES ?? 500);

/** The deployed handler with `plant` applied to its serialized __index.js. */
async function planted(replace: [string | RegExp, string][]): Promise<Deployment> {
    const deployed = await deployedWorkflow(
        {
            config: {
                imageUpdates: "true",
                notifyEmails: '["ops@example.com"]',
                senderEmail: "appstream@example.com",
            },
        },
        replace,
    );
    return {
        ...deployed,
        handler: (event, context) =>
            withEnvironment({ AWS_REGION: "eu-west-1" }, () => deployed.handler(event, context)),
    };
}

describe("fault-injection simulation of the image lifecycle (seeded; real ASL + serialized Lambda + model-validated fake)", function () {
    // Sized by the cases asked for: a fixed timeout here overrides mocha's --timeout, and cut the
    // 5,000-case shards of npm run test:simulate short in CI.
    this.timeout(Math.max(900_000, CASES * 2_000));
    inLambdaRegion();

    it(`holds I1-I5 over ${CASES} generated accounts and fault schedules`, async () => {
        const report = await simulate({
            cases: CASES,
            seed: Number(process.env.SIMULATION_SEED ?? SEED),
            ...(process.env.SIMULATION_PATH ? { path: process.env.SIMULATION_PATH } : {}),
        });
        console.log(`      ${formatReport(report).replace(/\n/g, "\n      ")}`);
        // A replay of one case need not meet every fault and invariant; a run of many must.
        if (process.env.SIMULATION_PATH) return;
        for (const kind of ["throttle", "error", "lostAnswer", "stepRetry", "secondExecution"] as const) {
            assert.ok(report.faults[kind] > 0, `no ${kind} fault was injected`);
        }
        for (const id of ["I1", "I2", "I3", "I4", "I5"] as const)
            assert.ok(report.checks[id] > 0, `${id} never checked`);
    });

    /** `cases`: a defect that needs a rarer case gets more of them (the run stops at the first failure). */
    const controls: { name: string; invariant: string; plant: [string | RegExp, string][]; cases?: number }[] = [
        {
            name: "defect 3: rollout only at the check where a new version appears",
            invariant: "I3",
            plant: [
                ["await (0, apply_rollout_1.rollOutLineages)(api, state, known, new Set());", ""],
                ["if (updatedNow.size > 0 || fleetsWaiting) {", "if (updatedNow.size > 0) {"],
            ],
        },
        {
            name: "defect 7: images blocked by the image quota never restarted after retention frees room",
            invariant: "I4",
            plant: [
                [
                    "if (retentionOn && deleted > 0 && blocked.length > 0",
                    "if (false && deleted > 0 && blocked.length > 0",
                ],
            ],
        },
        {
            name: "defects 1 and 2: deleting within keepImageVersions",
            invariant: "I1",
            plant: [
                [
                    "facts.position < Math.max(1, keepImageVersions)",
                    "facts.position < Math.max(1, keepImageVersions - 1)",
                ],
            ],
        },
        {
            name: "defect 6: moving a fleet on another account's image",
            invariant: "I3",
            plant: [["return imageArnPrefixOf(fleet.imageArn) === ourImageArnPrefix;", "return true;"]],
        },
        {
            name: "defect 5: a retried StartRun forgetting the updates it started",
            invariant: "I2",
            plant: [[/if \(!\(await madeFrom\([^\n]*\n\s*return undefined;/, "return undefined;"]],
        },
        {
            name: "defect 4: claiming a failed image keeps its opt-in tag",
            invariant: "I5",
            // The old code noted the failure but kept no state of it, so the summary said "keeps its opt-in tag".
            plant: [
                [
                    "entry.tagError = (0, state_budget_1.boundedDetail)",
                    "entry.pendingOldImageTags = undefined; entry.tagError = (0, state_budget_1.boundedDetail)",
                ],
            ],
        },
        {
            // First found at case 674 of the seed (before S3 faults joined the schedule): the other
            // execution moved a fleet and wrote FleetsLeft moments before, and the index (5 minutes
            // behind) did not show it yet.
            name: "deleting on the Tagging API's index without reading AppStream's own tags first",
            invariant: "I1",
            plant: [["if (pass.keep > 0) {", "if (false) {"]],
            cases: 1000,
        },
        {
            // A run that cannot keep its state fails before its summary even without faults.
            name: "a function that does not find its run-state bucket",
            invariant: "I2",
            plant: [
                [
                    "const bucket = process.env[exports.RUN_STATE_BUCKET_VARIABLE];",
                    "const bucket = process.env.NO_SUCH_VARIABLE;",
                ],
            ],
        },
        {
            name: "defect 8: a computed destructuring key on the tagging fault path",
            invariant: "I2",
            // What the serializer made of the old code: a module name the archive never defines, on every TagResource failure.
            plant: [
                [
                    "entry.tagError = (0, state_budget_1.boundedDetail)",
                    "const { [run_settings_9.NEXT_VERSION_TAG_KEY]: _next, ...rest } = pending; entry.tagError = (0, state_budget_1.boundedDetail)",
                ],
            ],
        },
    ];
    for (const control of controls) {
        it(`negative control, ${control.name}: the simulation fails on ${control.invariant}`, async () => {
            await simulationDeployment();
            const deployment = await planted(control.plant);
            const cases = Math.max(CASES, control.cases ?? 0);
            const failure = await simulate({ cases, seed: SEED, deployment, endOnFailure: true }).then(
                () => undefined,
                (err: Error) => err.message,
            );
            assert.ok(failure, "the planted defect went unnoticed");
            assert.match(failure, new RegExp(`\\b${control.invariant} \\(`), failure.slice(0, 2000));
            assert.match(failure, /seed/i);
        });
    }
});
