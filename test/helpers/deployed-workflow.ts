/**
 * What `pulumi up` would deploy for the image-update workflow with a given stack config, read from
 * the real program under mocks: the state-machine definition, the schedule's input, and the
 * serialized Lambda handler.
 */
import { RunInput } from "../../runtime/image-update/run/run-settings";
import { STATE, StateMachineDefinition } from "../../runtime/image-update/run/state-machine";
import { LambdaHandler, archiveFiles, loadSerializedHandler, zippedSize } from "./lambda-archive";
import { withEnvironment } from "./environment";
import { RunOptions, runProgram } from "./program";

export interface DeployedWorkflow {
    readonly definition: StateMachineDefinition;
    readonly input: RunInput;
    readonly handler: LambdaHandler;
    readonly pollIntervalMinutes: number;
    /** The function's environment variables, as Lambda sets them. */
    readonly environment: Record<string, string>;
    /** The function's archive: file name -> content. */
    readonly archive: Record<string, string>;
    readonly archiveZippedBytes: number;
}

/**
 * `plant` replaces text in the serialized __index.js before it is loaded: a negative control's
 * defect, planted in what `pulumi up` would upload. Each replacement must match.
 */
export async function deployedWorkflow(
    options: RunOptions = {},
    plant: readonly [string | RegExp, string][] = [],
): Promise<DeployedWorkflow> {
    const run = await runProgram(options);
    const definition: StateMachineDefinition = JSON.parse(
        run.one("aws:sfn/stateMachine:StateMachine", "image-updates-state-machine").inputs.definition,
    );
    const input: RunInput = JSON.parse(
        run.one("aws:scheduler/schedule:Schedule", "image-updates-schedule").inputs.target.input,
    );
    const fn = run.one("aws:lambda/function:Function", "image-updates-function");
    const archive = await archiveFiles(fn);
    let indexJs = archive["__index.js"];
    for (const [from, to] of plant) {
        const next = indexJs.replace(from, to);
        if (next === indexJs) throw new Error(`the plant ${String(from)} matched nothing in __index.js`);
        indexJs = next;
    }
    const handler = loadSerializedHandler(indexJs);
    // The function's environment variables, as Lambda sets them, for each invocation only.
    const variables: Record<string, string> = fn.inputs.environment?.variables ?? {};
    const inEnvironment: LambdaHandler = (event, context) => withEnvironment(variables, () => handler(event, context));
    return {
        definition,
        input,
        handler: inEnvironment,
        pollIntervalMinutes: (definition.States[STATE.wait].Seconds as number) / 60,
        environment: variables,
        archive,
        archiveZippedBytes: zippedSize(archive),
    };
}
