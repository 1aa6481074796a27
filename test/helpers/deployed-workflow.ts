/**
 * What `pulumi up` would deploy for the image-update workflow with a given stack config, read from
 * the real program under mocks: the state-machine definition, the schedule's input, and the
 * serialized Lambda handler.
 */
import { RunInput } from "../../runtime/image-update/run-settings";
import { STATE, StateMachineDefinition } from "../../runtime/image-update/state-machine";
import { LambdaHandler, archiveFiles, loadSerializedHandler, zippedSize } from "./lambda-archive";
import { RunOptions, runProgram } from "./program";

export interface DeployedWorkflow {
    readonly definition: StateMachineDefinition;
    readonly input: RunInput;
    readonly handler: LambdaHandler;
    readonly pollIntervalMinutes: number;
    /** The function's archive: file name -> content. */
    readonly archive: Record<string, string>;
    readonly archiveZippedBytes: number;
}

export async function deployedWorkflow(options: RunOptions = {}): Promise<DeployedWorkflow> {
    const run = await runProgram(options);
    const definition: StateMachineDefinition = JSON.parse(
        run.one("aws:sfn/stateMachine:StateMachine", "image-updates-state-machine").inputs.definition,
    );
    const input: RunInput = JSON.parse(
        run.one("aws:scheduler/schedule:Schedule", "image-updates-schedule").inputs.target.input,
    );
    const archive = await archiveFiles(run.one("aws:lambda/function:Function", "image-updates-function"));
    return {
        definition,
        input,
        handler: loadSerializedHandler(archive["__index.js"]),
        pollIntervalMinutes: (definition.States[STATE.wait].Seconds as number) / 60,
        archive,
        archiveZippedBytes: zippedSize(archive),
    };
}
