import * as pulumi from "@pulumi/pulumi";
import { UnknownValueError } from "@pulumi/policy";

/** A value Pulumi cannot know yet: during preview, an output of a resource that does not exist. */
export class Unknown {
    constructor(public readonly path: string) {}
}

export function isUnknown(value: unknown): value is Unknown {
    return value instanceof Unknown;
}

/** The first unknown value inside `value`, if any. */
export function findUnknown(value: unknown): Unknown | undefined {
    if (isUnknown(value)) return value;
    if (Array.isArray(value)) {
        for (const item of value) {
            const found = findUnknown(item);
            if (found) return found;
        }
    } else if (isPlainObject(value)) {
        for (const item of Object.values(value)) {
            const found = findUnknown(item);
            if (found) return found;
        }
    }
    return undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value) && !isUnknown(value);
}

// The framework's proxy hands back the real object under this key; assets need it, because their
// promise-valued fields cannot be awaited through a proxy.
const PROXY_TARGET = "__getSpecialProxyTarget";

/**
 * Copies resource properties as handed to a policy into plain values, with every value that is
 * unknown during preview replaced by an `Unknown`. The framework's proxy throws on reading an
 * unknown value, which would abandon the whole policy; copying first lets a policy check what is
 * known and defer only what is not.
 */
export function plainValues(value: unknown, path = ""): unknown {
    if (typeof value !== "object" || value === null) return value;
    if (pulumi.asset.Asset.isInstance(value) || pulumi.asset.Archive.isInstance(value)) {
        return (value as unknown as Record<string, unknown>)[PROXY_TARGET] ?? value;
    }
    const read = (key: string | number, at: string): unknown => {
        try {
            return plainValues((value as Record<string | number, unknown>)[key], at);
        } catch (error) {
            if (error instanceof UnknownValueError) return new Unknown(at);
            throw error;
        }
    };
    if (Array.isArray(value)) return Array.from(value, (_: unknown, i: number) => read(i, `${path}[${i}]`));
    return Object.fromEntries(Object.keys(value).map((key) => [key, read(key, path ? `${path}.${key}` : key)]));
}
