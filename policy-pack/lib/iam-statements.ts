/**
 * The one IAM normalizer every policy uses. A policy document may arrive as a JSON string or an
 * object; `Statement` as one object or an array; `Action`/`Resource` as a string or an array.
 * Whatever the shape, it becomes a list of statements with arrays, and actions are matched
 * case-insensitively with IAM's `*` and `?` wildcards.
 */
import { Unknown, findUnknown, isPlainObject } from "./plain-values";

export interface Statement {
    /** Position in the document, for messages: "statement 2". */
    readonly index: number;
    readonly sid?: string;
    readonly allow: boolean;
    readonly actions: string[];
    readonly notActions: string[];
    readonly resources: string[];
    readonly notResources: string[];
    readonly principals: Record<string, string[]> | "*" | undefined;
    readonly notPrincipal: boolean;
    readonly condition: Record<string, Record<string, unknown>>;
}

export type ParsedDocument =
    | { readonly kind: "parsed"; readonly statements: Statement[] }
    | { readonly kind: "unknown"; readonly unknown: Unknown }
    | { readonly kind: "invalid"; readonly reason: string };

const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const strings = (value: unknown): string[] => asList(value).map(String);

/** Parses a policy document in any shape Pulumi accepts. */
export function parseDocument(document: unknown): ParsedDocument {
    const unknown = findUnknown(document);
    if (unknown) return { kind: "unknown", unknown };
    let value = document;
    if (typeof value === "string") {
        try {
            value = JSON.parse(value);
        } catch {
            return { kind: "invalid", reason: "is not valid JSON" };
        }
    }
    if (!isPlainObject(value)) return { kind: "invalid", reason: "is not a JSON object" };
    const statements = asList(value.Statement).map((raw, index): Statement => {
        const s = isPlainObject(raw) ? raw : {};
        const principal = s.Principal ?? s.NotPrincipal;
        return {
            index: index + 1,
            sid: typeof s.Sid === "string" ? s.Sid : undefined,
            // Only an exact "Deny" denies; anything else is treated as a grant, the safe reading.
            allow: s.Effect !== "Deny",
            actions: strings(s.Action),
            notActions: strings(s.NotAction),
            resources: strings(s.Resource),
            notResources: strings(s.NotResource),
            principals:
                principal === "*"
                    ? "*"
                    : isPlainObject(principal)
                      ? Object.fromEntries(Object.entries(principal).map(([k, v]) => [k, strings(v)]))
                      : undefined,
            notPrincipal: s.NotPrincipal !== undefined,
            condition: isPlainObject(s.Condition) ? (s.Condition as Record<string, Record<string, unknown>>) : {},
        };
    });
    return { kind: "parsed", statements };
}

/** Whether an IAM pattern (`*`, `?`, any case) matches a value, the way IAM matches actions. */
export function iamPatternMatches(pattern: string, value: string): boolean {
    const regex = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${regex}$`, "i").test(value);
}

export const hasWildcard = (pattern: string) => /[*?]/.test(pattern);

/** Whether a statement grants `action` (through Action or NotAction), ignoring resources and conditions. */
export function grantsAction(statement: Statement, action: string): boolean {
    if (!statement.allow) return false;
    if (statement.notActions.length > 0) return !statement.notActions.some((p) => iamPatternMatches(p, action));
    return statement.actions.some((p) => iamPatternMatches(p, action));
}

/** Names the statement in messages: `statement 2 ("Sid")`. */
export function describeStatement(statement: Statement): string {
    return statement.sid ? `statement ${statement.index} ("${statement.sid}")` : `statement ${statement.index}`;
}

/** Condition keys a statement tests, lower-cased, whatever the operator. */
export function conditionKeys(statement: Statement): string[] {
    return Object.values(statement.condition).flatMap((block) =>
        isPlainObject(block) ? Object.keys(block).map((k) => k.toLowerCase()) : [],
    );
}
