/**
 * The image lifecycle's guarantees, written once. The run decides with the functions below (which
 * version may be deleted, which version a fleet moves to), and the fault-injection simulation
 * (test/simulation) checks every execution against the same statements on the fake account's
 * ground truth, after every step and at the end. The README states them as guarantees.
 */

export const INVARIANTS = {
    I1: "never delete a version within keepImageVersions of its lineage; the newest AVAILABLE version; one in use by a fleet (any state; by name or ARN) or an image builder, or that is the base of a pending update; one a fleet left during this run; one shared with another account; one this tool did not make; the source of a FAILED update",
    I2: "every CreateUpdatedImage that AppStream accepted in an execution is followed to an outcome and reported in that execution's summary, across step retries and two runs at once",
    I3: "an opted-in fleet on an older version of an updated lineage (this account's image only) moves to the newest AVAILABLE version as soon as AppStream allows it, in the same run or the next, and is listed in every summary until then; no other fleet is ever changed",
    I4: "quotas are never exceeded; when retention can free room during the run, every opted-in image is started in that run",
    I5: "the summary and the email say exactly what happened, tag by tag and deletion by deletion",
} as const;

export type InvariantId = keyof typeof INVARIANTS;

/** Why retention keeps a version (I1), or why deleting it did not happen. */
export type KeptBecause =
    | "newest"
    | "withinKeep"
    | "notSuperseded"
    | "baseOfPendingUpdate"
    | "sourceOfFailedUpdate"
    | "usedByFleet"
    | "usedByImageBuilder"
    | "fleetsLeftThisRun"
    | "shared"
    | "deleteFailed";

/** What is known of one version of a lineage when deciding whether it may be deleted. */
export interface VersionFacts {
    /** Its place among its lineage's AVAILABLE versions, newest first (0 is the newest). */
    readonly position: number;
    /** Its opt-in tag says Completed: this tool updated it, so a newer version supersedes it. */
    readonly superseded: boolean;
    /** Fleets (by name or ARN, in any state) and image builders that use it: "fleet kiosk", "image builder b". */
    readonly users: readonly string[];
    /** An image being made (PENDING or CREATING) was started from it. */
    readonly baseOfPendingUpdate: boolean;
    /** Its update ended FAILED: it is the newest good version of its lineage's failed step. */
    readonly sourceOfFailedUpdate: boolean;
    /** A fleet was moved off it during this run; sessions started before may still stream from it. */
    readonly fleetsLeftThisRun: boolean;
}

/**
 * I1: why a version must be kept, or undefined when retention may delete it. Whether it is shared
 * with another account is asked of AppStream for each version this lets through, just before the
 * DeleteImage; a version this tool did not make is never in a lineage at all (see versionsOf).
 */
export function deletionProtection(facts: VersionFacts, keepImageVersions: number): KeptBecause | undefined {
    if (facts.position === 0) return "newest";
    if (facts.position < Math.max(1, keepImageVersions)) return "withinKeep";
    if (!facts.superseded) return "notSuperseded";
    if (facts.baseOfPendingUpdate) return "baseOfPendingUpdate";
    if (facts.sourceOfFailedUpdate) return "sourceOfFailedUpdate";
    if (facts.users.some((user) => user.startsWith("fleet "))) return "usedByFleet";
    if (facts.users.length > 0) return "usedByImageBuilder";
    if (facts.fleetsLeftThisRun) return "fleetsLeftThisRun";
    return undefined;
}

/**
 * I3: the version an opted-in fleet should stream, or undefined when it already streams it or its
 * image is not a version of this lineage. `lineage` is the lineage's AVAILABLE versions, newest
 * first; `fleetImage` is the name of the fleet's image, already known to be this account's.
 */
export function rolloutTarget(fleetImage: string, lineage: readonly { readonly name: string }[]): string | undefined {
    const newest = lineage[0]?.name;
    if (newest === undefined || newest === fleetImage) return undefined;
    return lineage.some((version) => version.name === fleetImage) ? newest : undefined;
}

/** `arn:<partition>:appstream:<region>:<account>:image/` of an image ARN; undefined for another shape. */
export function imageArnPrefixOf(arn: string | undefined): string | undefined {
    const at = arn?.lastIndexOf(":image/") ?? -1;
    return arn && at >= 0 ? arn.slice(0, at + ":image/".length) : undefined;
}

/**
 * I3's "this account's image only": a fleet that streams another account's shared image of the
 * same name is never moved. A fleet is known to stream our image when its ImageArn has our account's
 * prefix; without an ImageArn, only when its ImageName is one of our private images.
 */
export function streamsOurImage(
    fleet: { readonly imageName?: string; readonly imageArn?: string },
    ourImageArnPrefix: string,
    ourImageNames: ReadonlySet<string>,
): boolean {
    if (fleet.imageArn) return imageArnPrefixOf(fleet.imageArn) === ourImageArnPrefix;
    return fleet.imageName !== undefined && ourImageNames.has(fleet.imageName);
}
