/**
 * Evaluates the policy pack the way the Pulumi engine does, offline. Resources are serialized with
 * the SDK's own serializer into the protobuf requests the engine sends (unknown values become the
 * engine's unknown sentinel), and handled by @pulumi/policy's own request handlers: per-resource
 * Analyze with inputs, then one AnalyzeStack with every resource's outputs.
 */
import { EnforcementLevel, Policies } from "@pulumi/policy";
import { unknown } from "@pulumi/pulumi/output";
import * as analyzerpb from "@pulumi/pulumi/proto/analyzer_pb";
import { serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { POLICY_PACK_NAME, policies as packPolicies } from "../../policy-pack/policies";
import { DEFERRED_PREFIX } from "../../policy-pack/lib/stack-resources";
import { forgetSeenResources } from "../../policy-pack/lib/seen-resources";

// The handlers the pack's analyzer server runs for each engine request (internal to @pulumi/policy,
// which is pinned exactly). Going through them gives the real proxies, unknown handling and messages.
type RpcHandler<Req, Res> = (call: { request: Req }, callback: (error: unknown, response?: Res) => void) => void;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun(...args: unknown[]): RpcHandler<analyzerpb.AnalyzeRequest, analyzerpb.AnalyzeResponse>;
    makeAnalyzeStackRpcFun(...args: unknown[]): RpcHandler<analyzerpb.AnalyzeStackRequest, analyzerpb.AnalyzeResponse>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACK_VERSION: string = require("../../policy-pack/package.json").version;

/** A resource as the engine knows it: inputs before it is created, outputs (state) after. */
export interface EngineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly parent?: string;
    readonly custom?: boolean;
    readonly inputs: Record<string, unknown>;
    readonly state: Record<string, unknown>;
    /** Property name -> URNs of the resources its value comes from, as the engine records them. */
    readonly propertyDependencies?: Record<string, string[]>;
}

export interface Diagnostic {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    readonly urn: string;
    /** A check that needs a value not known during preview; `pulumi up` runs it again. */
    readonly deferred: boolean;
}

export interface EvaluateOptions {
    policies?: Policies;
    /** Enforcement levels by policy name, as a `--policy-pack-config` file sets them. */
    enforcement?: Record<string, EnforcementLevel>;
}

const LEVELS: Record<number, EnforcementLevel> = Object.fromEntries(
    Object.entries(analyzerpb.EnforcementLevel).map(([name, value]) => [value, name.toLowerCase() as EnforcementLevel]),
);

async function struct(props: Record<string, unknown>): Promise<Struct> {
    return Struct.fromJavaScript(await serializeProperties("policy-check", props));
}

function options(resource: EngineResource): analyzerpb.AnalyzerResourceOptions {
    const opts = new analyzerpb.AnalyzerResourceOptions();
    if (resource.parent) opts.setParent(resource.parent);
    return opts;
}

function call<Req>(
    handler: RpcHandler<Req, analyzerpb.AnalyzeResponse>,
    request: Req,
): Promise<analyzerpb.AnalyzeResponse> {
    return new Promise((resolve, reject) =>
        handler({ request }, (error, response) => (error ? reject(error) : resolve(response!))),
    );
}

function diagnostics(response: analyzerpb.AnalyzeResponse, urn = ""): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()],
        message: d.getMessage(),
        urn: d.getUrn() || urn,
        deferred: d.getMessage().startsWith(DEFERRED_PREFIX),
    }));
}

/** Every diagnostic the pack reports for these resources, resource checks first, then stack checks. */
export async function evaluatePack(resources: EngineResource[], evaluate: EvaluateOptions = {}): Promise<Diagnostic[]> {
    const levels = evaluate.enforcement ?? {};
    // A policy-config file overrides a policy's own level; the handler reads the level from the policy.
    const policies = (evaluate.policies ?? packPolicies).map((p) =>
        levels[p.name] ? { ...p, enforcementLevel: levels[p.name] } : p,
    );
    const args = [POLICY_PACK_NAME, PACK_VERSION, "advisory", policies];
    const analyze = server.makeAnalyzeRpcFun(...args);
    const analyzeStack = server.makeAnalyzeStackRpcFun(...args);

    const found: Diagnostic[] = [];
    // Each evaluation is one engine run, with an analyzer process of its own.
    forgetSeenResources();
    for (const resource of resources.filter((r) => r.custom !== false)) {
        const request = new analyzerpb.AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(resource.urn);
        request.setProperties(await struct(resource.inputs));
        request.setOptions(options(resource));
        found.push(...diagnostics(await call(analyze, request), resource.urn));
    }
    const stack = new analyzerpb.AnalyzeStackRequest();
    stack.setResourcesList(
        await Promise.all(
            resources.map(async (resource) => {
                const r = new analyzerpb.AnalyzerResource();
                r.setType(resource.type);
                r.setName(resource.name);
                r.setUrn(resource.urn);
                r.setParent(resource.parent ?? "");
                r.setProperties(await struct(resource.state));
                r.setOptions(options(resource));
                for (const [property, urns] of Object.entries(resource.propertyDependencies ?? {})) {
                    const dependencies = new analyzerpb.AnalyzerPropertyDependencies();
                    dependencies.setUrnsList(urns);
                    r.getPropertydependenciesMap().set(property, dependencies);
                }
                return r;
            }),
        ),
    );
    found.push(...diagnostics(await call(analyzeStack, stack)));
    return found;
}

/** A resource for policy tests: outputs equal inputs unless given, URN under the given parent types. */
export function engineResource(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: {
        state?: Record<string, unknown>;
        parents?: string[];
        propertyDependencies?: Record<string, string[]>;
    } = {},
): EngineResource {
    const qualified = [...(extra.parents ?? []), type].join("$");
    return {
        type,
        name,
        urn: `urn:pulumi:dev::appstream-ops::${qualified}::${name}`,
        inputs,
        state: extra.state ?? inputs,
        ...(extra.propertyDependencies ? { propertyDependencies: extra.propertyDependencies } : {}),
    };
}

/** A value not known during preview, as the program's outputs carry it. */
export const UNKNOWN: unknown = unknown;

export const violations = (found: Diagnostic[]) => found.filter((d) => !d.deferred);
export const ofPolicy = (found: Diagnostic[], policy: string) => found.filter((d) => d.policy === policy);
