/**
 * npm run bench
 *
 * Prints the image updater's figures; nothing here is a pass/fail test.
 *  1. the Lambda archive Pulumi would upload (raw and zipped bytes);
 *  2. whole runs of 50, 500 and 3,000 tagged images: AWS calls per tagged image by API,
 *     images left out, the largest payload between steps, and the step with the most calls;
 *  3. wall time of discovery and the first batch over 500 tagged images, with simulated latency
 *     on every AppStream call, and the size of the run state Step Functions carries (limit 256 KB);
 *  4. the largest run that fits in that state: how many tagged images one run takes for short,
 *     typical and longest names, and the state a 3,000-image run really reaches when every
 *     update fails with the longest message.
 */
import { performance } from "perf_hooks";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { appStreamApi } from "../runtime/image-update/run/appstream-api";
import { TAG_READ_CONCURRENCY } from "../runtime/image-update/run/concurrency";
import { startRun } from "../runtime/image-update/run/workflow";
import {
    RUN_IMAGES_BUDGET_BYTES,
    STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES,
    admitWithinBudget,
    payloadBytes,
} from "../runtime/image-update/run/state-budget";
import { deployedWorkflow } from "../test/helpers/deployed-workflow";
import { parseCommandLine, runScript } from "./lib/cli";
import { RUN_STARTED_AT, quotasApi, runSettings, runToEnd } from "../test/helpers/direct-run";
import { FakeAppStreamAccount, FakeImageSpec, mockAppStream } from "../test/helpers/fake-appstream";

const LATENCY_MS = 25;
const STEP_FUNCTIONS_PAYLOAD_LIMIT = STEP_FUNCTIONS_PAYLOAD_LIMIT_BYTES;

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
    readonly leftOut: number;
    readonly calls: Map<string, number>;
    readonly totalCalls: number;
    /** The largest execution data between steps: the schedule's settings beside the run state. */
    readonly largestPayload: number;
    /** The step with the most AppStream calls: its calls and its in-process time. */
    readonly slowestStep: { calls: number; ms: number };
}

/** A whole run, start to the last check, straight through the runtime (no state machine). */
async function wholeRun(tagged: number, batchSize: number): Promise<WholeRunFigures> {
    const fake = account(tagged);
    fake.quota = batchSize;
    const settings = runSettings({ batchSize, maxChecks: 1000 });
    let largestPayload = 0;
    let slowestStep = { calls: 0, ms: 0 };
    let callsBefore = 0;
    let stepStarted = performance.now();
    const { final, checks } = await runToEnd(fake, settings, 30, RUN_STARTED_AT, (state) => {
        const step = { calls: fake.calls.length - callsBefore, ms: performance.now() - stepStarted };
        if (step.calls > slowestStep.calls) slowestStep = step;
        largestPayload = Math.max(largestPayload, payloadBytes({ settings, run: state }));
        callsBefore = fake.calls.length;
        stepStarted = performance.now();
    });
    const calls = new Map<string, number>();
    for (const call of fake.calls) calls.set(call.command, (calls.get(call.command) ?? 0) + 1);
    return {
        tagged,
        batchSize,
        checks,
        taken: final.images.length,
        leftOut: final.leftOut?.count ?? 0,
        calls,
        totalCalls: fake.calls.length,
        largestPayload,
        slowestStep,
    };
}

async function wholeRunFigures(): Promise<void> {
    const runs: WholeRunFigures[] = [];
    for (const { tagged, batchSize } of WHOLE_RUNS) runs.push(await wholeRun(tagged, batchSize));
    const column = (values: string[]) => values.map((v) => v.padStart(12)).join("");
    console.log(
        "\nWhole runs: N tagged + N untagged images, 1 in 10 tagged images already up to date, checks every 30 minutes",
    );
    console.log(`  ${"".padEnd(34)}${column(runs.map((r) => `${r.tagged} tagged`))}`);
    console.log(`  ${"batch size = concurrent quota".padEnd(34)}${column(runs.map((r) => String(r.batchSize)))}`);
    console.log(`  ${"checks".padEnd(34)}${column(runs.map((r) => String(r.checks)))}`);
    console.log(`  ${"images taken".padEnd(34)}${column(runs.map((r) => String(r.taken)))}`);
    console.log(`  ${"images left out (goal 0)".padEnd(34)}${column(runs.map((r) => String(r.leftOut)))}`);
    console.log("  AWS calls per tagged image (AppStream, the Tagging API, Service Quotas):");
    const apis = [...new Set(runs.flatMap((r) => [...r.calls.keys()]))].sort();
    for (const api of apis) {
        console.log(`    ${api.padEnd(32)}${column(runs.map((r) => ((r.calls.get(api) ?? 0) / r.tagged).toFixed(2)))}`);
    }
    console.log(`    ${"total".padEnd(32)}${column(runs.map((r) => (r.totalCalls / r.tagged).toFixed(2)))}`);
    // Left-out images cost only their discovery: per image the run took is the fairer figure then.
    console.log(
        `  ${"calls per image taken".padEnd(34)}${column(runs.map((r) => (r.totalCalls / r.taken).toFixed(2)))}`,
    );
    console.log(
        `  ${"largest payload between steps".padEnd(34)}${column(runs.map((r) => `${(r.largestPayload / 1024).toFixed(1)} KiB`))}`,
    );
    console.log(
        `  ${"slowest step: AppStream calls".padEnd(34)}${column(runs.map((r) => String(r.slowestStep.calls)))}`,
    );
    console.log(
        `  ${`  at ${LATENCY_MS} ms each, in sequence`.padEnd(34)}${column(runs.map((r) => `${((r.slowestStep.calls * LATENCY_MS) / 1000).toFixed(1)} s`))}`,
    );
    console.log(
        "  (the payload limit is 256 KiB; the Lambda's timeout is 300 s, and the step's tag reads run in parallel)",
    );
}

async function discoveryWallTime(tagged: number, runs: number): Promise<void> {
    const times: number[] = [];
    let stateBytes = 0;
    let calls = 0;
    let taken = 0;
    let leftOut = 0;
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
            leftOut = state.leftOut?.count ?? 0;
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
        `  run state carried by Step Functions: ${stateBytes} bytes (${((100 * stateBytes) / STEP_FUNCTIONS_PAYLOAD_LIMIT).toFixed(0)}% of the 256 KB limit), ${taken} images taken, ${leftOut} left out for a later run`,
    );
}

async function largestRunThatFits(): Promise<void> {
    console.log(
        `\nLargest run that fits: images admitted to one run (budget ${RUN_IMAGES_BUDGET_BYTES} bytes of the 256 KiB state)`,
    );
    const shapes: [string, (i: number) => { name: string; baseName?: string }][] = [
        ["short names (img-0001)", (i) => ({ name: `img-${String(i).padStart(4, "0")}` })],
        [
            "typical names (60 characters)",
            (i) => ({ name: `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Office-And-Line-Of-Business-Apps` }),
        ],
        [
            "longest names (100 characters) with a 256-character BaseName tag",
            (i) => ({ name: `${String(i).padStart(4, "0")}${"x".repeat(96)}`, baseName: "é".repeat(256) }),
        ],
    ];
    for (const [label, entry] of shapes) {
        const planned = Array.from({ length: 5000 }, (_, i) => ({ ...entry(i), status: "queued" }));
        const { admitted, leftOut } = admitWithinBudget(planned, "AutoUpdate", "2026-12-01");
        console.log(
            `  ${label.padEnd(66)} ${String(admitted.length).padStart(5)} of 5000 (${leftOut?.count ?? 0} left out)`,
        );
    }
    const tagged = 3000;
    const specs: FakeImageSpec[] = Array.from({ length: tagged }, (_, i) => ({
        name: `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Office-And-Line-Of-Business-Apps`,
        tags: { AutoUpdate: "Enabled" },
        update: { outcome: "FAILED", failureMessage: "é".repeat(400), minutes: 30 },
    }));
    const fake = new FakeAppStreamAccount(specs);
    fake.quota = tagged;
    let largest = 0;
    const { final } = await runToEnd(
        fake,
        runSettings({ batchSize: 500, maxChecks: 1000 }),
        30,
        RUN_STARTED_AT,
        (state) => (largest = Math.max(largest, payloadBytes(state))),
    );
    const withError = payloadBytes({
        settings: final.settings,
        run: final,
        error: { Error: "Lambda.Unknown", Cause: "x".repeat(32_768) },
    });
    console.log(
        `  a ${tagged}-image run where every update fails with a 400-character message: ${final.images.length} taken, ${final.leftOut?.count ?? 0} left out`,
    );
    console.log(
        `  largest run state: ${largest} bytes; with the settings and a 32,768-character error beside it: ${withError} bytes (${((100 * withError) / STEP_FUNCTIONS_PAYLOAD_LIMIT).toFixed(0)}% of 256 KiB)`,
    );
}

async function main(): Promise<number> {
    // It takes no arguments; an unknown one is an error rather than silently ignored.
    parseCommandLine("npm run bench", {});
    await archiveFigures();
    await wholeRunFigures();
    await discoveryWallTime(500, 3);
    await largestRunThatFits();
    return 0;
}

runScript("bench", main);
