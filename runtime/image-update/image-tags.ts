/** The tags the updater reads and writes on images. */
import {
    BASE_NAME_TAG_KEY,
    COMPLETED_TAG_VALUE,
    MAX_IMAGE_TAGS,
    NEXT_VERSION_TAG_KEY,
    RunSettings,
} from "./run-settings";

export type Tags = Record<string, string>;

export function isTaggedForUpdate(tags: Tags, settings: Pick<RunSettings, "tagKey" | "tagValue">): boolean {
    return tags[settings.tagKey] === settings.tagValue;
}

/**
 * Tags of the new image: the old image's tags, plus BaseName (so the next name is built from the
 * same base) and the opt-in tag (so the new image is picked up next cycle). The updater's own tags
 * win; aws: tags cannot be set by callers; past 50, the old tags that do not fit are reported.
 */
export function newImageTags(
    oldTags: Tags,
    baseName: string,
    settings: Pick<RunSettings, "tagKey" | "tagValue">,
): { tags: Tags; dropped: string[] } {
    const tags: Tags = { [BASE_NAME_TAG_KEY]: baseName, [settings.tagKey]: settings.tagValue };
    const dropped: string[] = [];
    const own = new Set([BASE_NAME_TAG_KEY, NEXT_VERSION_TAG_KEY, settings.tagKey]);
    for (const key of Object.keys(oldTags).sort()) {
        if (own.has(key) || key.toLowerCase().startsWith("aws:")) continue;
        if (Object.keys(tags).length < MAX_IMAGE_TAGS) tags[key] = oldTags[key];
        else dropped.push(key);
    }
    return { tags, dropped };
}

/** Written on the old image once its update has started: it is never updated twice. */
export function completedTags(tagKey: string, newImageName: string): Tags {
    return { [tagKey]: COMPLETED_TAG_VALUE, [NEXT_VERSION_TAG_KEY]: newImageName };
}

/** Written on the old image when its update failed, so the next scheduled run tries again. */
export function reEnabledTags(settings: Pick<RunSettings, "tagKey" | "tagValue">): Tags {
    return { [settings.tagKey]: settings.tagValue };
}
