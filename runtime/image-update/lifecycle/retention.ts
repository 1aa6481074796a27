/**
 * Version retention: which versions of an image family a run may delete. A family is every
 * AVAILABLE private image of one base name that this automation made (it carries BaseName) or
 * updated (it carries NextVersion). Only versions the run has superseded (the opt-in tag set to
 * Completed) beyond the newest `keep` are deleted, and never one a fleet or image builder uses;
 * whether it is shared with other accounts is asked of AppStream afterwards, for each candidate.
 */
import { baseNameOf, updateSuffix, updatedImageName } from "./image-names";
import type { Tags } from "./image-tags";
import { BASE_NAME_TAG_KEY, COMPLETED_TAG_VALUE, NEXT_VERSION_TAG_KEY } from "../run/run-settings";

export interface ImageVersion {
    readonly name: string;
    readonly state: string;
    readonly createdTime?: string;
    readonly tags: Tags;
}

/** Why a version was kept. */
export type KeptBecause =
    "newest" | "withinKeep" | "notSuperseded" | "usedByFleet" | "usedByImageBuilder" | "shared" | "deleteFailed";

export interface RetentionDecision {
    readonly image: string;
    readonly base: string;
    /** Undefined when the version is to be deleted. */
    readonly kept?: KeptBecause;
    /** Who uses it, or why deleting it failed. */
    readonly detail?: string;
}

/** Whether an image is a version this automation made or updated. */
export function isManagedVersion(tags: Tags): boolean {
    return tags[BASE_NAME_TAG_KEY] !== undefined || tags[NEXT_VERSION_TAG_KEY] !== undefined;
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
export function versionsOf(base: string, images: readonly ImageVersion[]): ImageVersion[] {
    return images
        .filter(
            (image) =>
                image.state === "AVAILABLE" &&
                isManagedVersion(image.tags) &&
                baseNameOf(image.name, image.tags[BASE_NAME_TAG_KEY]) === base,
        )
        .sort((a, b) => (b.createdTime ?? "").localeCompare(a.createdTime ?? "") || b.name.localeCompare(a.name));
}

/**
 * What to do with each version of each base: keep the newest `keep` (at least the newest one),
 * and of the older ones delete those superseded by this automation and used by no fleet or image
 * builder. `usedBy` maps an image name to who uses it ("fleet kiosk").
 */
export function planRetention(opts: {
    readonly bases: readonly string[];
    readonly images: readonly ImageVersion[];
    readonly keep: number;
    readonly tagKey: string;
    readonly usedBy: ReadonlyMap<string, readonly string[]>;
}): RetentionDecision[] {
    const keep = Math.max(1, opts.keep);
    const decisions: RetentionDecision[] = [];
    for (const base of [...new Set(opts.bases)].sort()) {
        versionsOf(base, opts.images).forEach((version, index) => {
            const decide = (kept?: KeptBecause, detail?: string) =>
                decisions.push({ image: version.name, base, ...(kept ? { kept } : {}), ...(detail ? { detail } : {}) });
            const users = opts.usedBy.get(version.name) ?? [];
            if (index === 0) decide("newest");
            else if (index < keep) decide("withinKeep");
            else if (version.tags[opts.tagKey] !== COMPLETED_TAG_VALUE) decide("notSuperseded");
            else if (users.some((user) => user.startsWith("fleet "))) decide("usedByFleet", users.join(", "));
            else if (users.length > 0) decide("usedByImageBuilder", users.join(", "));
            else decide();
        });
    }
    return decisions;
}

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
