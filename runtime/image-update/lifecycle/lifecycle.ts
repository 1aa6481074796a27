/**
 * What a run does around the updates themselves: point opted-in fleets at the new versions, and
 * delete superseded versions (or, with retention off, say which it would delete). Every call that
 * fails for one fleet or one image is recorded against it and the others go on.
 */
import { errorName, errorReason } from "../../aws/errors";
import type { AppStreamApi, FleetInfo, ImageBuilderInfo, ImageInfo } from "../run/appstream-api";
import { isTaggedForUpdate, Tags } from "./image-tags";
import { RetentionDecision, imageNameOfArn, imageUsers, mayBeVersionOf, planRetention } from "./retention";
import { TAG_READ_CONCURRENCY, mapWithConcurrency } from "../run/concurrency";
import { FleetRecord, ImageUpdate, planRollout } from "./rollout";
import { boundedDetail, emptyRecords, upsertRecord } from "../run/state-budget";
import type { RunState } from "../run/workflow";

export type RetentionRecord = Omit<RetentionDecision, "base">;

const withoutBase = ({ image, kept, detail }: RetentionDecision): RetentionRecord => ({
    image,
    ...(kept ? { kept } : {}),
    ...(detail ? { detail } : {}),
});

/** The Region of the run, from its image ARN prefix (`arn:<partition>:appstream:<region>:…`). */
export function regionOf(state: RunState): string | undefined {
    return state.imageArnPrefix.split(":")[3] || undefined;
}

function recordFleet(state: RunState, record: FleetRecord): void {
    state.fleets ??= emptyRecords();
    upsertRecord(state.fleets, record, (r) => r.fleet);
}

/**
 * Points every opted-in fleet that uses an updated image at its new version. Fleets not opted in,
 * or in a state AppStream refuses, are recorded with the reason; one failed UpdateFleet does not
 * stop the others.
 */
export async function rollOut(api: AppStreamApi, state: RunState, updates: readonly ImageUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    let fleets: FleetInfo[];
    try {
        fleets = await api.listFleets();
    } catch (err) {
        for (const update of updates) {
            recordFleet(state, {
                fleet: "(fleets could not be listed)",
                image: update.image,
                newImage: update.newImage,
                outcome: "failed",
                detail: boundedDetail(`DescribeFleets failed: ${errorReason(err)}`),
            });
        }
        return;
    }
    const names = new Set(updates.flatMap((u) => [u.image, u.newImage]));
    // A fleet may name its image by ARN only.
    const concerned = fleets
        .map((fleet) => ({ ...fleet, imageName: fleet.imageName ?? imageNameOfArn(fleet.imageArn) }))
        .filter((fleet) => fleet.imageName !== undefined && names.has(fleet.imageName));
    const read = await mapWithConcurrency(concerned, TAG_READ_CONCURRENCY, async (fleet) => ({
        fleet,
        tags: await api.listTags(fleet.arn).catch((err: Error) => err),
    }));
    // A fleet whose tags cannot be read is neither rolled out nor called "not opted in": it failed.
    const tagsOf = new Map<string, Tags>();
    for (const { fleet, tags } of read) {
        if (!(tags instanceof Error)) {
            tagsOf.set(fleet.name, tags);
            continue;
        }
        const update = updates.find((u) => u.image === fleet.imageName);
        if (!update) continue;
        recordFleet(state, {
            fleet: fleet.name,
            image: update.image,
            newImage: update.newImage,
            outcome: "failed",
            detail: boundedDetail(
                `could not read its tags, so whether it is opted in is unknown: ${errorReason(tags)}`,
            ),
        });
    }
    const readable = concerned.filter((fleet) => tagsOf.has(fleet.name));
    const optedIn = (fleet: FleetInfo) => isTaggedForUpdate(tagsOf.get(fleet.name) ?? {}, state.settings);
    const { roll, records } = planRollout(readable, updates, optedIn);
    for (const record of records) recordFleet(state, record);
    for (const record of roll) {
        try {
            await api.setFleetImage(record.fleet, record.newImage);
            recordFleet(state, { ...record, outcome: "rolledOut" });
        } catch (err) {
            recordFleet(state, { ...record, outcome: "failed", detail: boundedDetail(errorReason(err)) });
        }
    }
}

/**
 * The AVAILABLE private images that may be versions of `bases`, with their tags; an image whose
 * tags cannot be read is left out of retention.
 */
async function imagesWithTags(
    api: AppStreamApi,
    images: readonly ImageInfo[],
    bases: readonly string[],
    known: ReadonlyMap<string, Tags>,
) {
    const available = images.filter((image) => image.state === "AVAILABLE" && mayBeVersionOf(image.name, bases));
    return mapWithConcurrency(available, TAG_READ_CONCURRENCY, async (image) => ({
        name: image.name,
        state: image.state,
        createdTime: image.createdTime,
        // Unreadable tags make an image no version of ours: it is kept, never deleted.
        tags: known.get(image.name) ?? (await api.listTags(image.arn).catch((): Tags => ({}))),
    }));
}

export interface RetentionPass {
    /** Base names whose versions are considered. */
    readonly bases: readonly string[];
    /** Versions to keep per base; 0 plans as if 1, but deletes nothing (retention off). */
    readonly keep: number;
    /** Delete at most this many (making room for new updates), oldest first. @default no limit */
    readonly limit?: number;
    /** The private images, when the caller has just listed them. */
    readonly images?: readonly ImageInfo[];
    /** Tags already read in this invocation. */
    readonly knownTags?: ReadonlyMap<string, Tags>;
}

/**
 * Deletes the superseded versions of `bases` beyond the newest `keep`, except those in use or
 * shared; records every version's fate. Returns the names it deleted, and what it listed, so the
 * caller need not list it again.
 */
export async function applyRetention(
    api: AppStreamApi,
    state: RunState,
    pass: RetentionPass,
): Promise<{ deleted: string[]; listed?: { images: readonly ImageInfo[]; builders: ImageBuilderInfo[] } }> {
    if (pass.bases.length === 0) return { deleted: [] };
    state.retention ??= emptyRecords();
    const record = (decision: RetentionRecord) => upsertRecord(state.retention!, decision, (r) => r.image);
    const [images, fleets, builders] = await Promise.all([
        pass.images ? Promise.resolve(pass.images) : api.listPrivateImages(),
        api.listFleets(),
        api.listImageBuilders(),
    ]);
    const versions = await imagesWithTags(api, images, pass.bases, pass.knownTags ?? new Map());
    const decisions = planRetention({
        bases: pass.bases,
        images: versions,
        keep: pass.keep,
        tagKey: state.settings.tagKey,
        usedBy: imageUsers(fleets, builders),
    });
    const created = new Map(versions.map((v) => [v.name, v.createdTime ?? ""]));
    const candidates = decisions
        .filter((d) => d.kept === undefined)
        .sort((a, b) => (created.get(a.image) ?? "").localeCompare(created.get(b.image) ?? ""));
    const deleted: string[] = [];
    for (const decision of decisions.filter((d) => d.kept !== undefined)) record(withoutBase(decision));
    for (const candidate of candidates) {
        const { image } = candidate;
        // Making room deletes no more than needed; the rest is decided when the run ends.
        if (pass.limit !== undefined && deleted.length >= pass.limit) break;
        try {
            if (await api.isSharedWithOtherAccounts(image)) {
                record({ image, kept: "shared" });
                continue;
            }
            // With retention off (keep 0) the record says what would be deleted, and nothing is.
            if (pass.keep > 0) await api.deleteImage(image);
            record({ image });
            if (pass.keep > 0) deleted.push(image);
        } catch (err) {
            // Already gone (a retried step deleted it): what was asked for is done.
            if (errorName(err) === "ResourceNotFoundException") {
                record({ image });
                if (pass.keep > 0) deleted.push(image);
            } else {
                record({ image, kept: "deleteFailed", detail: boundedDetail(errorReason(err)) });
            }
        }
    }
    return { deleted, listed: { images, builders } };
}
