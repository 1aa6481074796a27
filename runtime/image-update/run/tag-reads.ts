/**
 * Tags of many images in few calls. The Resource Groups Tagging API answers 100 images per
 * GetResources call where ListTagsForResource answers one, but its index is eventually
 * consistent: a tag written minutes ago, or an image made minutes ago, may not show yet. So an
 * image it does not return is asked of AppStream itself, and a decision that deletes reads
 * AppStream's own tags first (apply-retention).
 */
import type { Tags } from "../lifecycle/image-tags";
import type { AppStreamApi } from "./appstream-api";
import { TAG_READ_CONCURRENCY, mapWithConcurrency } from "./concurrency";

/**
 * Fills `known` (image name -> tags) for `images`: what this invocation already read, then the
 * Tagging API in bulk, then ListTagsForResource for each image it did not return (never tagged,
 * or too new for its index). An image whose tags cannot be read stays out of `known`.
 */
export async function readTagsOf(
    api: AppStreamApi,
    images: readonly { readonly name: string; readonly arn: string }[],
    known: Map<string, Tags>,
): Promise<void> {
    const unknown = images.filter((image) => !known.has(image.name));
    if (unknown.length === 0) return;
    // The Tagging API refused or failed: AppStream answers the same question one image at a time.
    const bulk = await api.readTagsInBulk(unknown.map((image) => image.arn)).catch(() => new Map<string, Tags>());
    const missing: typeof unknown = [];
    for (const image of unknown) {
        const tags = bulk.get(image.arn);
        if (tags) known.set(image.name, tags);
        else missing.push(image);
    }
    await mapWithConcurrency(missing, TAG_READ_CONCURRENCY, async (image) => {
        try {
            known.set(image.name, await api.listTags(image.arn));
        } catch {
            // Unreadable: the caller treats it as unknown.
        }
    });
}
