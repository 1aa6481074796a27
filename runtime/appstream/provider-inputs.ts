/** How the dynamic providers read their inputs, which may still be unknown during a preview. */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** Pulumi's placeholder for an input not known yet (`unknownValue` of @pulumi/pulumi/runtime/rpc). */
export const UNKNOWN_INPUT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A plain, known, non-empty string input. */
export function isKnownString(value: unknown): value is string {
    return typeof value === "string" && value !== "" && value !== UNKNOWN_INPUT;
}

/** The check failure of a missing `region` input, if it is missing; an unknown one is accepted. */
export function regionFailures(region: unknown): dynamic.CheckFailure[] {
    return typeof region === "string" && region !== ""
        ? []
        : [{ property: "region", reason: "region must be an AWS Region name, e.g. eu-west-1" }];
}
