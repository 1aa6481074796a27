/** The tags the updater reads and writes on images. */
import {
    BASE_NAME_TAG_KEY,
    FLEETS_LEFT_TAG_KEY,
    COMPLETED_TAG_VALUE,
    MAX_IMAGE_TAGS,
    NEXT_VERSION_TAG_KEY,
    RunSettings,
    isReservedTagKey,
} from "../run/run-settings";

export type Tags = Record<string, string>;

export function isTaggedForUpdate(tags: Tags, settings: Pick<RunSettings, "tagKey" | "tagValue">): boolean {
    return tags[settings.tagKey] === settings.tagValue;
}

/**
 * Tags of the new image: the old image's tags, plus BaseName (so the next name is built from the
 * same base) and the opt-in tag (so the new image is picked up next cycle). The updater's own tags
 * win, and aws: tags cannot be set by callers. AppStream allows 50 tags per resource, and next
 * cycle this image gets NextVersion when it is itself updated, and FleetsLeft when fleets move off
 * it, so it is given at most 48: two slots stay free, or those TagResource calls would be refused. Old tags that do not fit are
 * reported.
 */
export function newImageTags(
    oldTags: Tags,
    baseName: string,
    settings: Pick<RunSettings, "tagKey" | "tagValue">,
): { tags: Tags; dropped: string[] } {
    const tags: Tags = { [BASE_NAME_TAG_KEY]: baseName, [settings.tagKey]: settings.tagValue };
    const dropped: string[] = [];
    const own = new Set([BASE_NAME_TAG_KEY, NEXT_VERSION_TAG_KEY, FLEETS_LEFT_TAG_KEY, settings.tagKey]);
    for (const key of Object.keys(oldTags).sort()) {
        if (own.has(key) || isReservedTagKey(key)) continue;
        if (Object.keys(tags).length < MAX_IMAGE_TAGS - 2) tags[key] = oldTags[key];
        else dropped.push(key);
    }
    return { tags, dropped };
}

/**
 * Written on the old image once its update has started, so it is never updated twice: the opt-in
 * key set to Completed, and NextVersion naming the new image when the image has room for one more
 * tag (an image tagged by hand may already hold AppStream's 50). Completed alone is enough to stop
 * a second update; NextVersion only helps a person follow the chain.
 */
export function completedTags(
    tagKey: string,
    newImageName: string,
    oldTags: Tags,
): { tags: Tags; nextVersionSkipped: boolean } {
    const keys = new Set(Object.keys(oldTags));
    keys.add(tagKey);
    const nextVersionFits = keys.has(NEXT_VERSION_TAG_KEY) || keys.size < MAX_IMAGE_TAGS;
    return {
        tags: { [tagKey]: COMPLETED_TAG_VALUE, ...(nextVersionFits ? { [NEXT_VERSION_TAG_KEY]: newImageName } : {}) },
        nextVersionSkipped: !nextVersionFits,
    };
}

/** Written on the old image when its update failed, so the next scheduled run tries again. */
export function reEnabledTags(settings: Pick<RunSettings, "tagKey" | "tagValue">): Tags {
    return { [settings.tagKey]: settings.tagValue };
}
