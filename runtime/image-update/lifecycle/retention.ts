/**
 * Version retention: which versions of an image family a run may delete. A family is every
 * AVAILABLE private image of one base name that this automation made (it carries BaseName) or
 * updated (it carries NextVersion). Only versions the run has superseded (the opt-in tag set to
 * Completed) beyond the newest `keep` are deleted, and never one a fleet or image builder uses;
 * whether it is shared with other accounts is asked of AppStream afterwards, for each candidate.
 */
import { baseNameOf, updateSuffix, updatedImageName } from "./image-names";
import type { Tags } from "./image-tags";
import { BASE_NAME_TAG_KEY, COMPLETED_TAG_VALUE, FLEETS_LEFT_TAG_KEY, NEXT_VERSION_TAG_KEY } from "../run/run-settings";
import { KeptBecause, deletionProtection } from "./invariants";

export interface ImageVersion {
    readonly name: string;
    readonly state: string;
    readonly createdTime?: string;
    readonly tags: Tags;
}

export interface RetentionDecision {
    readonly image: string;
    readonly base: string;
    /** Undefined when the version is to be deleted. */
    readonly kept?: KeptBecause;
    /** Who uses it, or why deleting it failed. */
    readonly detail?: string;
}

/**
 * Whether an image is a version this automation made (it carries BaseName) or updated (it carries
 * NextVersion, or its opt-in tag says Completed, which only the updater writes).
 */
export function isManagedVersion(tags: Tags, tagKey: string): boolean {
    return (
        tags[BASE_NAME_TAG_KEY] !== undefined ||
        tags[NEXT_VERSION_TAG_KEY] !== undefined ||
        tags[tagKey] === COMPLETED_TAG_VALUE
    );
}

/**
 * Whether an image's name can be a version of one of `bases`: the original (its name, less any
 * update suffix, is the base) or one the updater named (`<sanitized base>-Updated-<date>`). Only
 * these have their tags read; an image this leaves out is never deleted.
 */
export function mayBeVersionOf(name: string, bases: readonly string[]): boolean {
    const suffix = updateSuffix("0000-00-00");
    return bases.some(
        (base) =>
            baseNameOf(name, undefined) === base ||
            name.startsWith(updatedImageName(base, "0000-00-00").slice(0, -suffix.length)),
    );
}

/** The AVAILABLE versions of `base`, newest first (by creation time, then name). */
export function versionsOf(
    base: string,
    images: readonly ImageVersion[],
    tagKey: string,
    /** Images known to be updated by this tool whatever their tags say (an update names them as its base). */
    updated: ReadonlySet<string> = new Set(),
): ImageVersion[] {
    return images
        .filter(
            (image) =>
                image.state === "AVAILABLE" &&
                (isManagedVersion(image.tags, tagKey) || updated.has(image.name)) &&
                baseNameOf(image.name, image.tags[BASE_NAME_TAG_KEY]) === base,
        )
        .sort((a, b) => (b.createdTime ?? "").localeCompare(a.createdTime ?? "") || b.name.localeCompare(a.name));
}

/** What a run knows, beyond the versions themselves, that protects a version (I1). */
export interface RetentionContext {
    /** Image name -> who uses it ("fleet kiosk", "image builder b"). */
    readonly usedBy: ReadonlyMap<string, readonly string[]>;
    /** Images an update in flight was started from. */
    readonly pendingUpdateBases: ReadonlySet<string>;
    /** Images whose update ended FAILED. */
    readonly failedUpdateSources: ReadonlySet<string>;
    /** Images a fleet was moved off during this run (its records, and the FleetsLeft tag of this run's date). */
    readonly leftThisRun: ReadonlySet<string>;
    /** The run's date: a version whose FleetsLeft tag says it was left on this date is kept. */
    readonly runDate?: string;
}

/**
 * What to do with each version of each base: deletionProtection (invariants.ts) keeps a version or
 * lets it be deleted. keep 0 (retention off) plans as keep 1, so the summary can say what would go.
 */
export function planRetention(opts: {
    readonly bases: readonly string[];
    readonly images: readonly ImageVersion[];
    readonly keep: number;
    readonly tagKey: string;
    readonly context: RetentionContext;
}): RetentionDecision[] {
    const { context } = opts;
    const decisions: RetentionDecision[] = [];
    for (const base of [...new Set(opts.bases)].sort()) {
        versionsOf(base, opts.images, opts.tagKey).forEach((version, position) => {
            const users = context.usedBy.get(version.name) ?? [];
            const kept = deletionProtection(
                {
                    position,
                    superseded: version.tags[opts.tagKey] === COMPLETED_TAG_VALUE,
                    users,
                    baseOfPendingUpdate: context.pendingUpdateBases.has(version.name),
                    sourceOfFailedUpdate: context.failedUpdateSources.has(version.name),
                    fleetsLeftThisRun:
                        context.leftThisRun.has(version.name) ||
                        (context.runDate !== undefined && version.tags[FLEETS_LEFT_TAG_KEY] === context.runDate),
                },
                opts.keep,
            );
            const detail = kept === "usedByFleet" || kept === "usedByImageBuilder" ? users.join(", ") : undefined;
            decisions.push({ image: version.name, base, ...(kept ? { kept } : {}), ...(detail ? { detail } : {}) });
        });
    }
    return decisions;
}

/**
 * Images an update in flight was started from (BaseImageArn of the PENDING and CREATING images),
 * and images whose update ended FAILED (NextVersion naming a FAILED image).
 */
export function updateSources(
    images: readonly { name: string; state: string; baseImageArn?: string }[],
    tagsOf: (name: string) => Tags | undefined,
): { pending: Set<string>; failed: Set<string> } {
    const pending = new Set<string>();
    const failedImages = new Set<string>();
    for (const image of images) {
        if (IN_FLIGHT_STATES.includes(image.state)) {
            const base = imageNameOfArn(image.baseImageArn);
            if (base) pending.add(base);
        }
        if (image.state === "FAILED") failedImages.add(image.name);
    }
    const failed = new Set<string>();
    for (const image of images) {
        const next = tagsOf(image.name)?.[NEXT_VERSION_TAG_KEY];
        if (next !== undefined && failedImages.has(next)) failed.add(image.name);
    }
    return { pending, failed };
}

// Plain arrays, not Sets: the Lambda's closure serializer copies module values, and a copied Set breaks.
/** Image states in which an image is being made: an update (or a builder's snapshot) in flight. */
export const IN_FLIGHT_STATES = ["PENDING", "CREATING"];

/** The image name in an image ARN (`arn:…:image/<name>`). */
export function imageNameOfArn(arn: string | undefined): string | undefined {
    const at = arn?.lastIndexOf(":image/") ?? -1;
    return arn && at >= 0 ? arn.slice(at + ":image/".length) : undefined;
}

/** Who uses each image: fleets by ImageName or ImageArn, image builders by ImageArn. */
export function imageUsers(
    fleets: readonly { name: string; imageName?: string; imageArn?: string }[],
    builders: readonly { name: string; imageArn?: string }[],
): Map<string, string[]> {
    const users = new Map<string, string[]>();
    const add = (image: string | undefined, user: string) => {
        if (image) users.set(image, [...(users.get(image) ?? []), user]);
    };
    for (const fleet of fleets) add(fleet.imageName ?? imageNameOfArn(fleet.imageArn), `fleet ${fleet.name}`);
    for (const builder of builders) add(imageNameOfArn(builder.imageArn), `image builder ${builder.name}`);
    return users;
}
