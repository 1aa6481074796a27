/**
 * npm run bench
 *
 * Prints the image updater's figures; nothing here is a pass/fail test.
 *  1. the Lambda archive Pulumi would upload (raw and zipped bytes);
 *  2. whole runs of 50, 500 and 3,000 tagged images as deployed (the state machine on
 *     aws-local-stepfunctions, the serialized Lambda): AWS calls per tagged image by API, images
 *     left out, the largest payload between steps, and the invocation with the most calls;
 *  3. wall time of discovery and the first batch over 500 tagged images, with simulated latency
 *     on every AppStream call, and the size of the run state kept in S3.
 */
import { performance } from "perf_hooks";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { appStreamApi } from "../runtime/image-update/run/appstream-api";
import { TAG_READ_CONCURRENCY } from "../runtime/image-update/run/concurrency";
import { startRun } from "../runtime/image-update/run/workflow";
import { payloadBytes } from "../runtime/image-update/run/state-budget";
import { NotifyResult } from "../runtime/image-update/run/handler";
import { STATE } from "../runtime/image-update/run/state-machine";
import { withEnvironment } from "../test/helpers/environment";
import { runLocalWorkflow } from "../test/helpers/local-workflow";
import { deployedWorkflow } from "../test/helpers/deployed-workflow";
import { parseCommandLine, runScript } from "./lib/cli";
import { RUN_STARTED_AT, quotasApi, runSettings } from "../test/helpers/direct-run";
import { FakeAppStreamAccount, FakeImageSpec, mockAppStream } from "../test/helpers/fake-appstream";

const LATENCY_MS = 25;

/** `tagged` opted-in images with realistic long names, and as many untagged ones. */
function account(tagged: number): FakeAppStreamAccount {
    const specs: FakeImageSpec[] = [];
    for (let i = 0; i < tagged; i++) {
        specs.push({
            name: `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Office-And-Line-Of-Business-Apps`,
            displayName: `Business unit ${i}: Office and line-of-business applications`,
            tags: { AutoUpdate: "Enabled", CostCenter: `CC-${i}`, Owner: "appstream-admins@example.com" },
            update: { minutes: 45 + (i % 4) * 15, available: i % 10 !== 0 },
        });
        specs.push({ name: `Win2022-Sandbox-${String(i).padStart(4, "0")}`, tags: { Team: "Dev" } });
    }
    return new FakeAppStreamAccount(specs);
}

async function archiveFigures(): Promise<void> {
    const deployed = await deployedWorkflow();
    const raw = Object.values(deployed.archive).reduce((n, text) => n + Buffer.byteLength(text), 0);
    console.log("Lambda archive (what `pulumi up` uploads)");
    console.log(`  files:  ${Object.keys(deployed.archive).join(", ")}`);
    console.log(`  raw:    ${raw} bytes`);
    console.log(`  zipped: ${deployed.archiveZippedBytes} bytes (budget 65536)`);
}

/** A run's size, and the batch and concurrent-update quota it runs with (raised for the larger ones). */
const WHOLE_RUNS = [
    { tagged: 50, batchSize: 5 },
    { tagged: 500, batchSize: 20 },
    { tagged: 3000, batchSize: 100 },
];

interface WholeRunFigures {
    readonly tagged: number;
    readonly batchSize: number;
    readonly checks: number;
    readonly taken: number;
    readonly calls: Map<string, number>;
    readonly totalCalls: number;
    /** The largest data a state passed on: what Step Functions carries between steps. */
    readonly largestPayload: number;
    /** The Lambda invocation with the most calls: its calls and its in-process time. */
    readonly slowestInvocation: { calls: number; ms: number };
    readonly outcome: string;
}

/**
 * A whole run as deployed: the state-machine definition on aws-local-stepfunctions, every Task
 * answered by the serialized Lambda archive, against the fake account (its run-state bucket too).
 */
async function wholeRun(tagged: number, batchSize: number): Promise<WholeRunFigures> {
    const deployed = await deployedWorkflow({
        config: {
            imageUpdates: "true",
            batchSize: String(batchSize),
            maxConcurrentUpdates: String(batchSize),
            maxWaitHours: "168",
        },
    });
    const fake = account(tagged);
    fake.quota = batchSize;
    const mock = mockAppStream(fake);
    let slowestInvocation = { calls: 0, ms: 0 };
    const handler: typeof deployed.handler = async (event, context) => {
        const before = fake.calls.length;
        const started = performance.now();
        try {
            return await deployed.handler(event, context);
        } finally {
            const invocation = { calls: fake.calls.length - before, ms: performance.now() - started };
            if (invocation.calls > slowestInvocation.calls) slowestInvocation = invocation;
        }
    };
    try {
        const run = await withEnvironment({ AWS_REGION: "eu-west-1" }, () =>
            runLocalWorkflow({
                definition: deployed.definition,
                handler,
                input: deployed.input,
                account: fake,
                pollIntervalMinutes: deployed.pollIntervalMinutes,
            }),
        );
        const calls = new Map<string, number>();
        for (const call of fake.calls) calls.set(call.command, (calls.get(call.command) ?? 0) + 1);
        const notify = run.steps.find((step) => step.state === STATE.notify && step.output !== undefined);
        const counts = (notify?.output as NotifyResult | undefined)?.counts;
        return {
            tagged,
            batchSize,
            checks: run.steps.filter((step) => step.state === STATE.check && step.output !== undefined).length,
            taken: counts
                ? counts.updated + counts.failed + counts.upToDate + counts.pendingAtTimeout + counts.blockedByQuota
                : 0,
            calls,
            totalCalls: fake.calls.length,
            largestPayload: Math.max(
                ...run.steps.flatMap((step) => [payloadBytes(step.input), payloadBytes(step.output ?? null)]),
            ),
            slowestInvocation,
            outcome: run.status,
        };
    } finally {
        mock.restore();
    }
}

async function wholeRunFigures(): Promise<void> {
    const runs: WholeRunFigures[] = [];
    for (const { tagged, batchSize } of WHOLE_RUNS) runs.push(await wholeRun(tagged, batchSize));
    const column = (values: string[]) => values.map((v) => v.padStart(12)).join("");
    console.log(
        "\nWhole runs as deployed (state machine + serialized Lambda): N tagged + N untagged images, 1 in 10 tagged images already up to date, checks every 30 minutes",
    );
    console.log(`  ${"".padEnd(34)}${column(runs.map((r) => `${r.tagged} tagged`))}`);
    console.log(`  ${"batch size = concurrent quota".padEnd(34)}${column(runs.map((r) => String(r.batchSize)))}`);
    console.log(`  ${"checks".padEnd(34)}${column(runs.map((r) => String(r.checks)))}`);
    console.log(`  ${"images taken".padEnd(34)}${column(runs.map((r) => String(r.taken)))}`);
    console.log(`  ${"images left out (goal 0)".padEnd(34)}${column(runs.map((r) => String(r.tagged - r.taken)))}`);
    console.log("  AWS calls per tagged image (AppStream, the Tagging API, Service Quotas; S3 apart):");
    const apis = [...new Set(runs.flatMap((r) => [...r.calls.keys()]))].sort();
    const s3 = ["GetObject", "PutObject"];
    const perImage = (r: WholeRunFigures, api: string) => ((r.calls.get(api) ?? 0) / r.tagged).toFixed(2);
    for (const api of apis.filter((a) => !s3.includes(a))) {
        console.log(`    ${api.padEnd(32)}${column(runs.map((r) => perImage(r, api)))}`);
    }
    const withoutS3 = (r: WholeRunFigures) => r.totalCalls - s3.reduce((n, api) => n + (r.calls.get(api) ?? 0), 0);
    console.log(`    ${"total".padEnd(32)}${column(runs.map((r) => (withoutS3(r) / r.tagged).toFixed(2)))}`);
    console.log("  run-state calls (S3) per check:");
    for (const api of s3) {
        console.log(
            `    ${api.padEnd(32)}${column(runs.map((r) => ((r.calls.get(api) ?? 0) / Math.max(1, r.checks + 1)).toFixed(2)))}`,
        );
    }
    console.log(`  ${"largest payload between steps".padEnd(34)}${column(runs.map((r) => `${r.largestPayload} B`))}`);
    console.log(
        `  ${"slowest invocation: AWS calls".padEnd(34)}${column(runs.map((r) => String(r.slowestInvocation.calls)))}`,
    );
    console.log(
        `  ${`  at ${LATENCY_MS} ms each, in sequence`.padEnd(34)}${column(runs.map((r) => `${((r.slowestInvocation.calls * LATENCY_MS) / 1000).toFixed(1)} s`))}`,
    );
    console.log(`  ${"execution".padEnd(34)}${column(runs.map((r) => r.outcome))}`);
    console.log("  (Step Functions' payload limit is 256 KiB; the Lambda's timeout is 300 s)");
}

async function discoveryWallTime(tagged: number, runs: number): Promise<void> {
    const times: number[] = [];
    let stateBytes = 0;
    let calls = 0;
    let taken = 0;
    for (let r = 0; r < runs; r++) {
        const fake = account(tagged);
        fake.latencyMs = LATENCY_MS;
        fake.quota = 5;
        const mock = mockAppStream(fake);
        try {
            const started = performance.now();
            const state = await startRun(
                appStreamApi(new AppStreamClient({})),
                runSettings({ batchSize: 5 }),
                RUN_STARTED_AT,
                quotasApi(),
            );
            times.push(performance.now() - started);
            stateBytes = Buffer.byteLength(JSON.stringify(state));
            calls = fake.calls.length;
            taken = state.images.length;
        } finally {
            mock.restore();
        }
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(
        `\nDiscovery + first batch: ${tagged} tagged + ${tagged} untagged images, ${LATENCY_MS} ms per AppStream call, tags read ${TAG_READ_CONCURRENCY} at a time`,
    );
    console.log(
        `  wall time: median ${(median / 1000).toFixed(2)} s of ${runs} runs (min ${(times[0] / 1000).toFixed(2)} s, max ${(times[times.length - 1] / 1000).toFixed(2)} s)`,
    );
    console.log(`  AppStream calls: ${calls}`);
    console.log(`  if calls were sequential: ${((calls * LATENCY_MS) / 1000).toFixed(2)} s`);
    console.log(
        `  run state (kept in S3; Step Functions carries a pointer): ${stateBytes} bytes, ${taken} images taken`,
    );
}

async function main(): Promise<number> {
    // It takes no arguments; an unknown one is an error rather than silently ignored.
    parseCommandLine("npm run bench", {});
    await archiveFigures();
    await wholeRunFigures();
    await discoveryWallTime(500, 3);
    return 0;
}

runScript("bench", main);
