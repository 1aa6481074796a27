/**
 * The resources the engine has shown this analyzer so far, by URN. The analyzer process lives for
 * one preview or update, and the engine shows a resource before it creates it, after the resources
 * its inputs come from: so a resource check can look at the resources it depends on.
 */
import { ResourceValidationArgs } from "@pulumi/policy";
import { StackResource, toStackResource } from "./stack-resources";

const seen = new Map<string, StackResource>();

/** Records this resource (its latest inputs) and returns every resource seen so far. */
export function seeResource(args: ResourceValidationArgs): StackResource[] {
    seen.set(args.urn, toStackResource(args));
    return [...seen.values()];
}

/** For tests, which evaluate many stacks in one process; the engine starts a process per update. */
export function forgetSeenResources(): void {
    seen.clear();
}
