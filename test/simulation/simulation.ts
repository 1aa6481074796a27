/**
 * The fault-injection simulation driver: fast-check generates cases, each runs through runCase, and
 * a case with a violated invariant fails with its seed, its shrunk counterexample and the
 * invariant's statement. Replay a failure with SIMULATION_SEED=<seed> (and SIMULATION_PATH).
 */
import fc from "fast-check";
import { deployedWorkflow } from "../helpers/deployed-workflow";
import { InvariantId } from "../../runtime/image-update/lifecycle/invariants";
import { simulationCase } from "./accounts";
import { FaultClass } from "./faults";
import { CaseResult, Deployment, describeViolations, runCase } from "./run-case";

export interface SimulationReport {
    readonly cases: number;
    readonly seconds: number;
    readonly faults: Record<FaultClass, number>;
    readonly checks: Record<InvariantId, number>;
    readonly executions: number;
}

let deployment: Promise<Deployment> | undefined;
/** The workflow `pulumi up` would deploy with image updates on: loaded once per process. */
export function simulationDeployment(): Promise<Deployment> {
    deployment ??= deployedWorkflow({
        config: { imageUpdates: "true", notifyEmails: '["ops@example.com"]', senderEmail: "appstream@example.com" },
    });
    return deployment;
}

export async function simulate(options: {
    cases: number;
    seed: number;
    path?: string;
    /** Replaces the deployed handler (the negative controls plant defects in the serialized archive). */
    deployment?: Deployment;
    /** Report the first failing case as it is, without shrinking it. */
    endOnFailure?: boolean;
}): Promise<SimulationReport> {
    const deployed = options.deployment ?? (await simulationDeployment());
    const faults: Record<FaultClass, number> = {
        throttle: 0,
        error: 0,
        lostAnswer: 0,
        stepRetry: 0,
        secondExecution: 0,
    };
    const checks: Record<InvariantId, number> = { I1: 0, I2: 0, I3: 0, I4: 0, I5: 0 };
    let cases = 0;
    let executions = 0;
    const add = (result: CaseResult) => {
        for (const [k, v] of Object.entries(result.faults)) faults[k as FaultClass] += v;
        for (const [k, v] of Object.entries(result.checks)) checks[k as InvariantId] += v;
        executions += result.executions;
    };
    const started = Date.now();
    const details = await fc.check(
        fc.asyncProperty(simulationCase, async (simulation) => {
            const result = await runCase(simulation, deployed);
            // A case runs on promises alone, so the event loop would never turn in a whole run: the
            // SDK's read of ~/.aws/credentials (begun by every client the Lambda makes) would stay
            // pending, holding each case's clients and account (3 GB by 10,000 cases).
            await new Promise((resolve) => setImmediate(resolve));
            cases++;
            add(result);
            if (result.violations.length > 0) {
                throw new Error(
                    `${describeViolations(result.violations)}\ntimeline:\n  ${result.timeline.join("\n  ")}`,
                );
            }
        }),
        {
            numRuns: options.cases,
            seed: options.seed,
            endOnFailure: options.endOnFailure ?? false,
            ...(options.path ? { path: options.path } : {}),
        },
    );
    if (details.failed) {
        const cause =
            details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
        throw new Error(
            `simulation failed: seed ${details.seed}, path ${details.counterexamplePath} (replay: SIMULATION_SEED=${details.seed} SIMULATION_PATH=${details.counterexamplePath})\n` +
                `${cause}\ncounterexample (shrunk ${details.numShrinks} times): ${fc.stringify(details.counterexample)}`,
        );
    }
    return { cases, seconds: (Date.now() - started) / 1000, faults, checks, executions };
}

export function formatReport(report: SimulationReport): string {
    const rate = (report.cases / report.seconds).toFixed(1);
    return [
        `${report.cases} cases (${report.executions} executions) in ${report.seconds.toFixed(1)} s: ${rate} cases/s`,
        `faults injected: ${Object.entries(report.faults)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
        `invariant checks: ${Object.entries(report.checks)
            .map(([k, v]) => `${k} ${v}`)
            .join(", ")}`,
    ].join("\n");
}
