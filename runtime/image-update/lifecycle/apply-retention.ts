/**
 * Retention against AppStream: deletes the versions deletionProtection (I1) lets go, oldest first,
 * after asking AppStream whether each is shared; with retention off it only records what it would
 * delete. A DeleteImage that fails is read back, so the record says what is true (I5).
 */
import { errorName, errorReason } from "../../aws/errors";
import type { AppStreamApi, ImageBuilderInfo, ImageInfo } from "../run/appstream-api";
import { readTagsOf } from "../run/tag-reads";
import { boundedDetail } from "../run/state-budget";
import type { Tags } from "./image-tags";
import { LifecycleRun, RetentionRecord, imagesLeftThisRun, isPassRecord, recordRetention } from "./lifecycle-records";
import { RetentionDecision, imageUsers, mayBeVersionOf, planRetention, updateSources } from "./retention";

const withoutBase = ({ image, kept, detail }: RetentionDecision): RetentionRecord => ({
    image,
    ...(kept ? { kept } : {}),
    ...(detail ? { detail } : {}),
});

export interface RetentionPass {
    /** Base names whose versions are considered. */
    readonly bases: readonly string[];
    /** Versions to keep per base; 0 plans as if 1, but deletes nothing (retention off). */
    readonly keep: number;
    /** Delete at most this many (making room for waiting updates), oldest first. @default no limit */
    readonly limit?: number;
    /** The private images, when the caller has just listed them. */
    readonly images?: readonly ImageInfo[];
    /** Tags already read in this invocation. */
    readonly knownTags?: ReadonlyMap<string, Tags>;
    /** Images this run's updates in flight were started from (also when AppStream omits BaseImageArn). */
    readonly inFlightSources?: readonly string[];
    /** Images whose update failed in this run. */
    readonly failedSources?: readonly string[];
}

/**
 * The AVAILABLE private images that may be versions of `bases`, with their tags (read in bulk; see
 * tag-reads); an image whose tags cannot be read is no version of ours, so it is kept.
 */
async function imagesWithTags(
    api: AppStreamApi,
    images: readonly ImageInfo[],
    bases: readonly string[],
    known: ReadonlyMap<string, Tags>,
) {
    const available = images.filter((image) => image.state === "AVAILABLE" && mayBeVersionOf(image.name, bases));
    const tags = new Map(known);
    await readTagsOf(api, available, tags);
    return available.map((image) => ({
        name: image.name,
        arn: image.arn,
        state: image.state,
        createdTime: image.createdTime,
        tags: tags.get(image.name) ?? {},
    }));
}

const sameTags = (a: Tags, b: Tags) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([key, value]) => b[key] === value);

/**
 * A version an earlier pass recorded that is no longer listed was deleted since: by an attempt of
 * this step whose result Step Functions lost (and retried), or by hand. Its record must not go on
 * saying it was kept (I5). With retention off nothing of ours deleted it, so the record goes.
 */
function forgetVanished(run: LifecycleRun, images: readonly ImageInfo[], keep: number): void {
    if (!run.retention) return;
    const listed = new Set(images.map((image) => image.name));
    run.retention.items = run.retention.items.flatMap((record) => {
        if (isPassRecord(record.image) || listed.has(record.image) || record.kept === undefined) return [record];
        if (keep === 0) return [];
        return [{ image: record.image, detail: "deleted by an attempt of this run whose result was lost, or by hand" }];
    });
}

/** After a DeleteImage error: read the image back, so the record says whether it is gone. */
async function afterFailedDelete(api: AppStreamApi, image: string, err: unknown): Promise<RetentionRecord> {
    // Already gone (a retried step deleted it): what was asked for is done.
    if (errorName(err) === "ResourceNotFoundException") return { image };
    try {
        const [found] = await api.describeImages([image]);
        if (!found || found.state === "DELETING") return { image };
        return { image, kept: "deleteFailed", detail: boundedDetail(errorReason(err)) };
    } catch (readErr) {
        return {
            image,
            kept: "deleteFailed",
            effectUnknown: true,
            detail: boundedDetail(
                `${errorReason(err)}; the image could not be read back (${errorReason(readErr)}), so whether it was deleted is unknown`,
            ),
        };
    }
}

/**
 * Deletes the superseded versions of `bases` that I1 lets go; records every version's fate.
 * Returns the names it deleted, and what it listed, so the caller need not list it again.
 */
export async function applyRetention(
    api: AppStreamApi,
    run: LifecycleRun,
    pass: RetentionPass,
): Promise<{ deleted: string[]; listed?: { images: readonly ImageInfo[]; builders: ImageBuilderInfo[] } }> {
    if (pass.bases.length === 0) return { deleted: [] };
    const [images, fleets, builders] = await Promise.all([
        pass.images ? Promise.resolve(pass.images) : api.listPrivateImages(),
        api.listFleets(),
        api.listImageBuilders(),
    ]);
    forgetVanished(run, images, pass.keep);
    const known = pass.knownTags ?? new Map<string, Tags>();
    const versions = await imagesWithTags(api, images, pass.bases, known);
    const usedBy = imageUsers(fleets, builders);
    const plan = () => {
        const versionTags = new Map(versions.map((v) => [v.name, v.tags]));
        const sources = updateSources(images, (name) => versionTags.get(name) ?? known.get(name));
        return planRetention({
            bases: pass.bases,
            images: versions,
            keep: pass.keep,
            tagKey: run.settings.tagKey,
            context: {
                usedBy,
                runDate: run.runDate,
                pendingUpdateBases: new Set([...sources.pending, ...(pass.inFlightSources ?? [])]),
                failedUpdateSources: new Set([...sources.failed, ...(pass.failedSources ?? [])]),
                leftThisRun: imagesLeftThisRun(run),
            },
        });
    };
    let decisions = plan();
    if (pass.keep > 0) {
        // A deletion is decided on AppStream's own tags, never on the Tagging API's index alone: it
        // may not show yet what this run wrote minutes ago (FleetsLeft, Completed, NextVersion).
        // Each image about to go is read again, and the plan is made again if any tag changed.
        const confirmed = new Set<string>();
        for (;;) {
            const unconfirmed = decisions.filter((d) => d.kept === undefined && !confirmed.has(d.image));
            if (unconfirmed.length === 0) break;
            let changed = false;
            for (const { image } of unconfirmed) {
                confirmed.add(image);
                const version = versions.find((v) => v.name === image)!;
                // Unreadable now: no version of ours, as when it could not be read before, so it is kept.
                const fresh = await api.listTags(version.arn).catch((): Tags => ({}));
                if (!sameTags(fresh, version.tags)) {
                    version.tags = fresh;
                    changed = true;
                }
            }
            if (changed) decisions = plan();
        }
    }
    const created = new Map(versions.map((v) => [v.name, v.createdTime ?? ""]));
    // What DescribeImages said of each image's sharing: true, false, or nothing (undefined).
    const sharingSaid = new Map(images.map((i) => [i.name, i.sharedWithOthers]));
    const candidates = decisions
        .filter((d) => d.kept === undefined)
        .sort((a, b) => (created.get(a.image) ?? "").localeCompare(created.get(b.image) ?? ""));
    const deleted: string[] = [];
    for (const decision of decisions.filter((d) => d.kept !== undefined)) recordRetention(run, withoutBase(decision));
    for (const { image } of candidates) {
        // Making room deletes no more than needed; the rest is decided when the run ends.
        if (pass.limit !== undefined && deleted.length >= pass.limit) break;
        let shared: boolean;
        try {
            // A deletion asks DescribeImagePermissions as well: an image is never deleted on one field's
            // word. With retention off nothing is deleted, and AppStream's own "FALSE" is enough for
            // the report of what keepImageVersions: 1 would delete (one call per candidate saved).
            const said = sharingSaid.get(image);
            const reportOnly = pass.keep === 0 && said === false;
            shared = said === true || (!reportOnly && (await api.isSharedWithOtherAccounts(image)));
        } catch (err) {
            // Gone already (a retried step deleted it), or unknown: an image is never deleted unasked.
            const gone = errorName(err) === "ResourceNotFoundException";
            const record: RetentionRecord = gone
                ? { image }
                : { image, kept: "deleteFailed", detail: boundedDetail(`sharing not readable: ${errorReason(err)}`) };
            recordRetention(run, record);
            if (gone && pass.keep > 0) deleted.push(image);
            continue;
        }
        if (shared) {
            recordRetention(run, { image, kept: "shared" });
            continue;
        }
        // With retention off (keep 0) the record says what would be deleted, and nothing is.
        if (pass.keep === 0) {
            recordRetention(run, { image });
            continue;
        }
        const record = await api.deleteImage(image).then(
            (): RetentionRecord => ({ image }),
            (err: unknown) => afterFailedDelete(api, image, err),
        );
        recordRetention(run, record);
        if (record.kept === undefined) deleted.push(image);
    }
    return { deleted, listed: { images, builders } };
}
