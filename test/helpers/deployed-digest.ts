/**
 * What `pulumi up` would deploy for the usage digest with a given stack config, read from the real
 * program under mocks: the schedule's input and the serialized function, loaded as Lambda loads it
 * and invoked with its environment variables and an invocation context.
 */
import { DigestInput } from "../../runtime/insights/digest/digest-handler";
import { LambdaHandler, archiveFiles, loadSerializedHandler } from "./lambda-archive";
import { withEnvironment } from "./environment";
import { ProgramRun, REGION, RunOptions, runProgram } from "./program";

export const DIGEST_FUNCTION = "insights-digest-function";
export const DIGEST_SCHEDULE = "insights-digest-schedule";

export interface DeployedDigest {
    readonly run: ProgramRun;
    /** The schedule's input. */
    readonly input: DigestInput;
    /** The serialized function, invoked as the schedule would invoke it (its ARN in the context). */
    readonly invoke: (event?: unknown) => Promise<unknown>;
    readonly archive: Record<string, string>;
}

/** Undefined when the stack deploys no digest. */
export async function deployedDigest(options: RunOptions): Promise<DeployedDigest | undefined> {
    const run = await runProgram(options);
    const fn = run.ofType("aws:lambda/function:Function").find((f) => f.name === DIGEST_FUNCTION);
    if (!fn) return undefined;
    const input: DigestInput = JSON.parse(
        run.one("aws:scheduler/schedule:Schedule", DIGEST_SCHEDULE).inputs.target.input,
    );
    const archive = await archiveFiles(fn);
    const handler: LambdaHandler = loadSerializedHandler(archive["__index.js"]);
    const variables: Record<string, string> = { ...fn.inputs.environment?.variables, AWS_REGION: REGION };
    const invoke = (event: unknown = input) =>
        withEnvironment(variables, () => handler(event, { invokedFunctionArn: fn.state.arn }));
    return { run, input, invoke, archive };
}
