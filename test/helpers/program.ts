/**
 * Runs the real program (`index.ts`) under `pulumi.runtime.setMocks` and records every resource
 * it registers, with the inputs Pulumi would send to the engine.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RegisterResourceRequest, RegisterResourceResponse } from "@pulumi/pulumi/proto/resource_pb";
import { getMonitor } from "@pulumi/pulumi/runtime/settings";
import { qualifiedConfigKey } from "../../config";
import { USAGE_REPORT_BUCKET } from "./fake-usage-report-subscriptions";

export const ACCOUNT_ID = "123456789012";
export const REGION = "eu-west-1";
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export { USAGE_REPORT_BUCKET } from "./fake-usage-report-subscriptions";
export const USAGE_REPORT_SUBSCRIPTION_TYPE = "pulumi-nodejs:dynamic/appstream:UsageReportSubscription";
export const ELASTIC_FLEET_SESSION_SCRIPTS_TYPE = "pulumi-nodejs:dynamic/appstream:ElasticFleetSessionScripts";
/** Stack config that turns on every optional resource: usage reports and one Elastic fleet. */
export const USAGE_REPORTS_AND_ONE_FLEET = {
    "appstream-ops:usageReports": "true",
    "appstream-ops:elasticFleets": '["elastic-fleet-1"]',
};

export type Inputs = Record<string, any>;

export interface RecordedResource {
    readonly type: string;
    readonly name: string;
    readonly inputs: Inputs;
    readonly state: Inputs;
    /** As the engine would name it, with the parent types in its qualified type. */
    readonly urn: string;
    readonly parent: string;
    /** False for component resources. */
    readonly custom: boolean;
    readonly dependencies: string[];
}

export interface ProgramRun {
    readonly resources: RecordedResource[];
    /** What the program told `pulumi.log.warn`: what preview would show as warnings. */
    readonly warnings: string[];
    /** The stack outputs (the program's exports), resolved. */
    readonly outputs: Record<string, unknown>;
    /** All resources of a type token, e.g. `aws:s3/bucket:Bucket`. */
    ofType(type: string): RecordedResource[];
    /** The one resource with this type and logical name; fails when there is not exactly one. */
    one(type: string, name: string): RecordedResource;
}

/** Reads an Output's value with async/await (never assert inside `apply`). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Computed outputs a real provider would return, derived from the inputs. */
function providerState(type: string, name: string, inputs: Inputs): { id: string; state: Inputs } {
    const physical = `${name}-0a1b2c3`;
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? physical;
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
        }
        case "aws:iam/role:Role": {
            const roleName = inputs.name ?? physical;
            return {
                id: roleName,
                state: { ...inputs, name: roleName, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}` },
            };
        }
        case "aws:lambda/function:Function": {
            const functionName = inputs.name ?? physical;
            return {
                id: functionName,
                state: {
                    ...inputs,
                    name: functionName,
                    arn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
                },
            };
        }
        case "aws:sfn/stateMachine:StateMachine": {
            const machineName = inputs.name ?? physical;
            const arn = `arn:aws:states:${REGION}:${ACCOUNT_ID}:stateMachine:${machineName}`;
            return { id: arn, state: { ...inputs, name: machineName, arn } };
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const groupName = inputs.name ?? `${inputs.namePrefix ?? ""}${physical}`;
            return {
                id: groupName,
                state: {
                    ...inputs,
                    name: groupName,
                    arn: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:${groupName}`,
                },
            };
        }
        case "aws:sqs/queue:Queue": {
            const queueName = inputs.name ?? physical;
            return {
                id: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${queueName}`,
                state: {
                    ...inputs,
                    name: queueName,
                    arn: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${queueName}`,
                    url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${queueName}`,
                },
            };
        }
        case "aws:sns/topic:Topic": {
            const topicName = inputs.name ?? physical;
            const arn = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:${topicName}`;
            return { id: arn, state: { ...inputs, name: topicName, arn } };
        }
        case "aws:iam/rolePolicy:RolePolicy":
        case "aws:scheduler/schedule:Schedule":
        case "aws:athena/workgroup:Workgroup":
        case "aws:glue/catalogDatabase:CatalogDatabase":
        case "aws:glue/catalogTable:CatalogTable": {
            const resourceName = inputs.name ?? physical;
            return { id: resourceName, state: { ...inputs, name: resourceName } };
        }
        case USAGE_REPORT_SUBSCRIPTION_TYPE:
            return {
                id: REGION,
                state: { ...inputs, s3BucketName: USAGE_REPORT_BUCKET, schedule: "DAILY", subscriptionErrors: [] },
            };
        default:
            return { id: `${physical}-id`, state: { ...inputs } };
    }
}

/**
 * What a provider knows at preview: the inputs and the autonamed physical name (autonaming happens
 * before the resource exists), but no computed output such as an ARN or id.
 */
function previewState(type: string, name: string, inputs: Inputs): { id: string; state: Inputs } {
    const { state } = providerState(type, name, inputs);
    const nameKey = type === "aws:s3/bucket:Bucket" ? "bucket" : "name";
    return { id: "", state: state[nameKey] === undefined ? inputs : { ...inputs, [nameKey]: state[nameKey] } };
}

function invokeResult(token: string): Inputs {
    switch (token) {
        case "aws:index/getRegion:getRegion":
            return { id: REGION, name: REGION, region: REGION, endpoint: `ec2.${REGION}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                id: ACCOUNT_ID,
                accountId: ACCOUNT_ID,
                arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`,
                userId: "AIDTEST",
            };
        default:
            throw new Error(`unexpected invoke ${token}`);
    }
}

function forgetProjectModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (
            file.startsWith(PROJECT_ROOT) &&
            !file.includes(`${path.sep}node_modules${path.sep}`) &&
            // Helpers stay loaded; fixture programs run afresh like index.ts.
            (!file.includes(`${path.sep}test${path.sep}`) ||
                file.includes(`${path.sep}test${path.sep}fixtures${path.sep}`))
        ) {
            delete require.cache[file];
        }
    }
}

/** Notes the URN, parent and dependencies the mock monitor gives each registration. */
function recordRegistrations(
    registrations: Map<string, Pick<RecordedResource, "urn" | "parent" | "custom" | "dependencies">>,
) {
    const monitor = getMonitor() as unknown as {
        registerResource(
            request: RegisterResourceRequest,
            callback: (error: unknown, response?: RegisterResourceResponse) => void,
        ): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (request, callback) =>
        register(request, (error, response) => {
            if (response) {
                registrations.set(`${request.getType()}::${request.getName()}`, {
                    urn: response.getUrn(),
                    parent: request.getParent(),
                    custom: request.getCustom(),
                    dependencies: request.getDependenciesList(),
                });
            }
            callback(error, response);
        });
}

export interface RunOptions {
    /** Stack config in namespace appstream-ops, raw strings as a stack file would give them. */
    config?: Record<string, string>;
    stack?: string;
    preview?: boolean;
    /** Program to load, relative to the project root. @default "index.ts" */
    program?: string;
}

/**
 * Loads `index.ts` afresh under mocks. Rejects with the program's error when it throws (for
 * example on invalid config).
 */
export function runProgram(options: RunOptions = {}): Promise<ProgramRun> {
    return runUnderMocks(() => import(path.join(PROJECT_ROOT, options.program ?? "index.ts")), options);
}

/**
 * Runs `load` under mocks, after the config is set and project modules are forgotten, and records
 * what it registers. `load` returns the values to treat as stack outputs.
 */
export async function runUnderMocks(
    load: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    options: RunOptions = {},
): Promise<ProgramRun> {
    const registered: Omit<RecordedResource, "urn" | "parent" | "custom" | "dependencies">[] = [];
    const registrations = new Map<string, Pick<RecordedResource, "urn" | "parent" | "custom" | "dependencies">>();
    // Config first: the program reads it when it is imported. A test of the dev stack with no
    // config stands for every default, which the program takes only from a stack with at least one
    // setting of its own (missingStackSettings): usagePipeline, at its default.
    const config = options.config ?? {};
    const settings =
        Object.keys(config).length === 0 && options.stack === undefined ? { usagePipeline: "true" } : config;
    pulumi.runtime.setAllConfig(
        Object.fromEntries(Object.entries(settings).map(([k, v]) => [qualifiedConfigKey(k), v])),
    );
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const known = options.preview ? previewState : providerState;
                const { id, state } = known(args.type, args.name, args.inputs);
                registered.push({ type: args.type, name: args.name, inputs: args.inputs, state });
                return { id, state };
            },
            call(args) {
                return invokeResult(args.token);
            },
        },
        "appstream-ops",
        options.stack ?? "dev",
        options.preview ?? false,
    );
    recordRegistrations(registrations);
    forgetProjectModules();
    const warnings: string[] = [];
    const warn = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => void warnings.push(message);
    let program: Record<string, unknown>;
    try {
        program = await load();
    } finally {
        pulumi.log.warn = warn;
    }
    const outputs: Record<string, unknown> = {};
    if (!options.preview) {
        for (const [key, value] of Object.entries(program)) {
            outputs[key] = pulumi.Output.isInstance(value) ? await promiseOf(value) : value;
        }
    }
    // Let registrations whose outputs nobody exports reach the mock monitor.
    await pulumi.runtime.disconnect();
    const resources = registered.map((r): RecordedResource => {
        const registration = registrations.get(`${r.type}::${r.name}`);
        if (!registration) throw new Error(`no registration recorded for ${r.type} ${r.name}`);
        return { ...r, ...registration };
    });
    return {
        resources,
        warnings,
        outputs,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && r.name === name);
            if (found.length !== 1) {
                const all = resources.map((r) => `${r.type}/${r.name}`).join(", ");
                throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${all}`);
            }
            return found[0];
        },
    };
}
