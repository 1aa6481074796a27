/**
 * npm run bench
 *
 * Prints the image updater's figures; nothing here is a pass/fail test.
 *  1. the Lambda archive Pulumi would upload (raw and zipped bytes);
 *  2. whole runs of 50, 500 and 3,000 tagged images as deployed (the state machine on
 *     aws-local-stepfunctions, the serialized Lambda, paced, on a virtual clock): AWS calls per
 *     tagged image by API, images left out, the largest payload between steps, and the slowest
 *     invocation;
 *  3. the run of 3,000 tagged images again with AppStream answering in 25 ms and throttling one
 *     call in 20: the slowest invocation, as Lambda would time it.
 */
import { FUNCTION_TIMEOUT_SECONDS } from "../runtime/image-update/run/invocation-pacing";
import { DEFAULT_APPSTREAM_CALLS_PER_SECOND } from "../runtime/image-update/run/run-settings";
import { deployedWorkflow } from "../test/helpers/deployed-workflow";
import { OPERATION_SERVICES } from "../test/helpers/fake-appstream";
import { ScaleRun, scaleRun, slowestInvocation } from "../test/helpers/scale-run";
import { parseCommandLine, runScript } from "./lib/cli";

const LATENCY_MS = 25;
const THROTTLE_EVERY = 20;

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

const column = (values: string[]) => values.map((v) => v.padStart(12)).join("");
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const isS3 = (api: string) => OPERATION_SERVICES[api] === "s3";

function describeSlowest(runs: readonly { options: { tagged: number }; run: ScaleRun }[]): void {
    const slowest = runs.map(({ run }) => slowestInvocation(run));
    console.log(`  ${"slowest invocation".padEnd(34)}${column(slowest.map((s) => seconds(s.elapsedMs)))}`);
    console.log(`  ${"  its step".padEnd(34)}${column(slowest.map((s) => s.state))}`);
    console.log(`  ${"  its AWS calls".padEnd(34)}${column(slowest.map((s) => String(s.calls)))}`);
}

async function wholeRunFigures(): Promise<void> {
    const runs: { options: (typeof WHOLE_RUNS)[number]; run: ScaleRun }[] = [];
    for (const options of WHOLE_RUNS) runs.push({ options, run: await scaleRun(options) });
    console.log(
        `\nWhole runs as deployed (state machine + serialized Lambda, ${DEFAULT_APPSTREAM_CALLS_PER_SECOND} AppStream calls a second per operation): N tagged + N untagged images, 1 in 10 tagged images already up to date, checks every 30 minutes`,
    );
    console.log(`  ${"".padEnd(34)}${column(runs.map((r) => `${r.options.tagged} tagged`))}`);
    console.log(
        `  ${"batch size = concurrent quota".padEnd(34)}${column(runs.map((r) => String(r.options.batchSize)))}`,
    );
    const checks = (r: ScaleRun) => r.invocations.filter((i) => i.state === "CheckUpdates").length;
    console.log(`  ${"checks".padEnd(34)}${column(runs.map((r) => String(checks(r.run))))}`);
    console.log(`  ${"images taken".padEnd(34)}${column(runs.map((r) => String(r.run.taken)))}`);
    console.log(
        `  ${"images left out (goal 0)".padEnd(34)}${column(runs.map((r) => String(r.options.tagged - r.run.taken)))}`,
    );
    console.log("  AWS calls per tagged image (AppStream, the Tagging API, Service Quotas; S3 apart):");
    const apis = [...new Set(runs.flatMap((r) => [...r.run.calls.keys()]))].sort();
    const perImage = (r: (typeof runs)[number], api: string) =>
        ((r.run.calls.get(api) ?? 0) / r.options.tagged).toFixed(2);
    for (const api of apis.filter((a) => !isS3(a))) {
        console.log(`    ${api.padEnd(32)}${column(runs.map((r) => perImage(r, api)))}`);
    }
    const withoutS3 = (r: ScaleRun) => [...r.calls].reduce((n, [api, count]) => n + (isS3(api) ? 0 : count), 0);
    console.log(
        `    ${"total (goal at most 5)".padEnd(32)}${column(runs.map((r) => (withoutS3(r.run) / r.options.tagged).toFixed(2)))}`,
    );
    console.log("  run-state calls (S3) per step:");
    for (const api of apis.filter(isS3)) {
        console.log(
            `    ${api.padEnd(32)}${column(runs.map((r) => ((r.run.calls.get(api) ?? 0) / r.run.invocations.length).toFixed(2)))}`,
        );
    }
    console.log(
        `  ${"largest payload between steps".padEnd(34)}${column(runs.map((r) => `${r.run.largestPayload} B`))}`,
    );
    describeSlowest(runs);
    console.log(`  ${"execution".padEnd(34)}${column(runs.map((r) => r.run.run.status))}`);
    console.log(
        `  (Step Functions' payload limit is 256 KiB; the Lambda's timeout is ${FUNCTION_TIMEOUT_SECONDS} s; times are the virtual clock's: pacing and back-off, no latency)`,
    );
}

async function throttledRunFigures(): Promise<void> {
    const options = { tagged: 3000, batchSize: 100, latencyMs: LATENCY_MS, throttleEvery: THROTTLE_EVERY };
    const run = await scaleRun(options);
    const appStreamCalls = [...run.calls].reduce((n, [api, count]) => n + (OPERATION_SERVICES[api] ? 0 : count), 0);
    console.log(
        `\nThe 3,000-image run with every call answered in ${LATENCY_MS} ms and 1 AppStream call in ${THROTTLE_EVERY} throttled (virtual clock)`,
    );
    console.log(
        `  images taken: ${run.taken} of ${options.tagged}; execution ${run.run.status}; emails ${run.emailsSent}`,
    );
    console.log(`  AppStream calls: ${appStreamCalls}, of which throttled and tried again: ${run.throttled}`);
    const slowest = slowestInvocation(run);
    console.log(
        `  slowest invocation: ${seconds(slowest.elapsedMs)} (${slowest.state}, ${slowest.calls} AWS calls) of the ${FUNCTION_TIMEOUT_SECONDS} s timeout`,
    );
    const checks = run.invocations.filter((i) => i.state === "CheckUpdates").map((i) => i.elapsedMs);
    checks.sort((a, b) => a - b);
    console.log(
        `  checks: ${checks.length}, median ${seconds(checks[Math.floor(checks.length / 2)])}, slowest ${seconds(checks[checks.length - 1])}`,
    );
}

async function main(): Promise<number> {
    // It takes no arguments; an unknown one is an error rather than silently ignored.
    parseCommandLine("npm run bench", {});
    await archiveFigures();
    await wholeRunFigures();
    await throttledRunFigures();
    return 0;
}

runScript("bench", main);
