/**
 * The image-update run, one step per Lambda invocation: `startRun` discovers the tagged images,
 * reads the account's quotas, makes room when retention is on, and starts the first batch;
 * `checkRun` polls, rolls new versions out to opted-in fleets, starts the next batch or times out,
 * and applies retention when the run ends; `summarize` says what happened. The state machine carries the RunState between steps, so every step is a pure
 * function of the state and what AppStream answers; a retried step is safe because a new image
 * that already exists is adopted, not started twice.
 */
import { errorName, errorReason } from "../../aws/errors";
import { AppStreamApi, ImageInfo, errorDisposition } from "./appstream-api";
import { RetentionRecord, applyRetention, regionOf, rollOut } from "../lifecycle/lifecycle";
import {
    QuotaApi,
    QuotaName,
    QuotaUsage,
    Quotas,
    quotaHit,
    quotaUsage,
    readQuotas,
    updateRoom,
} from "../lifecycle/quotas";
import type { FleetRecord, ImageUpdate } from "../lifecycle/rollout";
import { TAG_READ_CONCURRENCY, mapWithConcurrency } from "./concurrency";
import {
    updatedDescription,
    updatedDisplayName,
    baseNameOf,
    runDateOf,
    updatedImageName,
} from "../lifecycle/image-names";
import { Tags, completedTags, isTaggedForUpdate, newImageTags, reEnabledTags } from "../lifecycle/image-tags";
import { BASE_NAME_TAG_KEY, NEXT_VERSION_TAG_KEY, RunSettings } from "./run-settings";
import { BoundedRecords, LeftOut, admitWithinBudget, appendNote, boundedDetail } from "./state-budget";

/** `blocked`: never started, because an AppStream quota had no room for it. */
export type ImageStatus = "queued" | "updating" | "updated" | "failed" | "upToDate" | "timedOut" | "blocked";

/** The quota that holds an image back; `otherQuota` when AppStream refused and none of the three read is full. */
export type HeldBy = QuotaName | "otherQuota";

/**
 * One tagged image. Step Functions carries the whole run state between steps and caps it at
 * 256 KB (see state-budget), so an entry holds only what cannot be derived: the ARN comes from the
 * run's prefix, the new name from the base name and the date, and the base name is kept only when
 * it is not the name.
 */
export interface ImageEntry {
    readonly name: string;
    /** Present only when it differs from `name` (a BaseName tag, or a stripped update suffix). */
    readonly baseName?: string;
    status: ImageStatus;
    /** Why it failed, or the last retryable error while queued. */
    reason?: string;
    /** Something the admin should know that did not stop the image. */
    note?: string;
    /** Retryable errors met while starting it. */
    attempts?: number;
    /** Tags still to write on the old image (a failed TagResource is retried at the next check). */
    pendingOldImageTags?: Tags;
    /** The quota that kept it from starting (while queued, and once blocked). */
    waitingFor?: HeldBy;
}

export interface RunState {
    readonly runDate: string;
    readonly settings: RunSettings;
    /** `arn:<partition>:appstream:<region>:<account>:image/`, shared by every image of the run. */
    readonly imageArnPrefix: string;
    checks: number;
    done: boolean;
    images: ImageEntry[];
    /** Tagged images this run could not hold; they keep their opt-in tag for a later run. */
    leftOut?: LeftOut;
    /** The three AppStream quotas, read once at the start. */
    quotas?: Quotas;
    /** What the account used of them when last counted. */
    quotaUsage?: QuotaUsage;
    /** Fleets on an updated image: rolled out, skipped, failed, or not opted in. */
    fleets?: BoundedRecords<FleetRecord>;
    /** Versions retention deleted (or, with keepImageVersions 0, would delete) and those it kept. */
    retention?: BoundedRecords<RetentionRecord>;
}

export const baseOf = (entry: ImageEntry): string => entry.baseName ?? entry.name;
export const newNameOf = (state: RunState, entry: ImageEntry): string => updatedImageName(baseOf(entry), state.runDate);
const arnOf = (state: RunState, name: string): string => `${state.imageArnPrefix}${name}`;

export interface SummaryItem {
    readonly name: string;
    readonly newName?: string;
    readonly detail?: string;
}

/** Images a quota kept from starting, with the quota's value and use. */
export interface QuotaBlock {
    readonly quota: HeldBy;
    readonly value?: number;
    readonly used?: number;
    readonly source?: Quotas[QuotaName]["source"];
    readonly notStarted: string[];
    /** AppStream's own words, when the refusal matched none of the three quotas. */
    readonly message?: string;
}

export interface RunSummary {
    readonly runDate: string;
    readonly outcome: "SUCCEEDED" | "FAILED";
    readonly region?: string;
    readonly updated: SummaryItem[];
    readonly failed: SummaryItem[];
    readonly upToDate: SummaryItem[];
    readonly pendingAtTimeout: SummaryItem[];
    readonly quotaBlocks: QuotaBlock[];
    readonly quotas?: Quotas;
    readonly quotaUsage?: QuotaUsage;
    readonly fleets: FleetRecord[];
    readonly fleetsOmitted: number;
    /** keepImageVersions: 0 means retention is off and `retention` lists what it would delete. */
    readonly keepImageVersions: number;
    readonly retention: RetentionRecord[];
    readonly retentionOmitted: number;
    readonly leftOut?: LeftOut;
    /** The opt-in tag, named in the commands about failed images. */
    readonly optInTag: { readonly key: string; readonly value: string };
    /** ARN of an image without its name: `arn:<partition>:appstream:<region>:<account>:image/`. */
    readonly imageArnPrefix: string;
}

/** Said of an old image that already holds AppStream's 50 tags, whichever way the run learns it. */
const nextVersionSkippedNote = (entry: ImageEntry) =>
    `${entry.name} holds AppStream's 50 tags, so it was not given NextVersion`;

/** What discovery read about an image, kept for this invocation so the first batch does not read it twice. */
type ImageCache = Map<string, { tags: Tags; displayName?: string }>;

/** Finds the tagged images, plans their names, makes room when it can, and starts the first batch. */
export async function startRun(
    api: AppStreamApi,
    settings: RunSettings,
    startedAt: string,
    quotaApi: QuotaApi,
): Promise<RunState> {
    const runDate = runDateOf(startedAt, settings.timeZone);
    const privateImages = await api.listPrivateImages();
    const available = privateImages.filter((image) => image.state === "AVAILABLE");
    const cache: ImageCache = new Map();
    const images: ImageEntry[] = [];
    await mapWithConcurrency(available, TAG_READ_CONCURRENCY, async (image) => {
        try {
            const tags = await api.listTags(image.arn);
            cache.set(image.name, { tags, displayName: image.displayName });
            if (isTaggedForUpdate(tags, settings)) images.push(plan(image.name, tags));
        } catch (err) {
            // Whether it is tagged is unknown: report it rather than silently skip it.
            const reason = boundedDetail(`could not read its tags: ${errorReason(err)}`);
            images.push({ name: image.name, status: "failed", reason });
        }
    });
    const { admitted, leftOut } = admitWithinBudget(images, settings.tagKey, runDate);
    const imageArnPrefix = available[0]?.arn.slice(0, available[0].arn.lastIndexOf("/") + 1) ?? "";
    const state: RunState = {
        runDate,
        settings,
        imageArnPrefix,
        checks: 0,
        done: false,
        images: admitted,
        ...(leftOut ? { leftOut } : {}),
        quotas: await readQuotas(quotaApi),
    };
    markNameClashes(state, available);
    const knownTags = new Map([...cache].map(([name, known]) => [name, known.tags]));
    const afterRetention = await makeRoom(api, state, privateImages, knownTags);
    await fillBatch(api, state, cache, afterRetention);
    await endIfDone(api, state);
    return state;
}

/** The base names of this run's images: retention considers these families only. */
const runBases = (state: RunState, entries = state.images) => entries.map(baseOf);

/**
 * With retention on: first the versions beyond keepImageVersions that earlier runs could not
 * delete; then, if the image quota still has no room for every queued update, as many superseded
 * versions of the queued images' families as needed, oldest first, leaving each family one version
 * fewer than keepImageVersions, which its new version brings back up. Returns the private images
 * as they are afterwards.
 */
async function makeRoom(
    api: AppStreamApi,
    state: RunState,
    privateImages: ImageInfo[],
    knownTags: ReadonlyMap<string, Tags>,
): Promise<ImageInfo[]> {
    const keep = state.settings.keepImageVersions;
    const queued = state.images.filter((entry) => entry.status === "queued");
    if (keep === 0 || queued.length === 0) return privateImages;
    let images = privateImages;
    const without = (deleted: string[]) => images.filter((image) => !deleted.includes(image.name));
    images = without((await applyRetention(api, state, { bases: runBases(state), keep, images, knownTags })).deleted);
    const room = () => state.quotas!.images.value - quotaUsage(images, []).images;
    if (keep === 1 || room() >= queued.length) return images;
    // Only images that have an update will take a place: ask AppStream (a dry run) before deleting anything.
    const updatable = await updatableOf(api, state, queued);
    const needed = updatable.length - room();
    if (needed > 0) {
        const pass = { bases: runBases(state, updatable), keep: keep - 1, limit: needed, images, knownTags };
        images = without((await applyRetention(api, state, pass)).deleted);
    }
    return images;
}

/**
 * The queued images AppStream has an update for (CreateUpdatedImage's dry run). One that has
 * none is up to date now; one whose dry run fails is left for startUpdate to report.
 */
async function updatableOf(api: AppStreamApi, state: RunState, queued: ImageEntry[]): Promise<ImageEntry[]> {
    const answers = await mapWithConcurrency(queued, TAG_READ_CONCURRENCY, (entry) =>
        api.canUpdate(entry.name, newNameOf(state, entry)).catch(() => undefined),
    );
    queued.forEach((entry, i) => {
        if (answers[i] === false) entry.status = "upToDate";
    });
    return queued.filter((_entry, i) => answers[i] === true);
}

/**
 * When nothing is left to run: retention over the run's families (or what it would delete), and
 * the quotas' use as the run leaves them, for the summary.
 */
async function endIfDone(api: AppStreamApi, state: RunState): Promise<void> {
    state.done = !hasWork(state);
    if (!state.done) return;
    try {
        const { deleted, listed } = await applyRetention(api, state, {
            bases: runBases(state),
            keep: state.settings.keepImageVersions,
        });
        if (listed) {
            // What retention just listed, less what it deleted: no second listing for the summary's figures.
            const images = listed.images.filter((image) => !deleted.includes(image.name));
            state.quotaUsage = quotaUsage(images, listed.builders);
            return;
        }
    } catch (err) {
        // Listing what retention needs failed: the updates are done, so the run still reports them.
        state.retention ??= { items: [], omitted: 0 };
        state.retention.items.push({
            image: "(retention)",
            kept: "deleteFailed",
            detail: boundedDetail(errorReason(err)),
        });
    }
    // The summary's figures; when the count fails, the last one stands.
    await countUsage(api, state).catch(() => undefined);
}

function plan(name: string, tags: Tags): ImageEntry {
    const baseName = baseNameOf(name, tags[BASE_NAME_TAG_KEY]);
    return { name, ...(baseName !== name ? { baseName } : {}), status: "queued" };
}

/**
 * Two images with one base name would get one new name. Only the newest is updated; the others
 * are reported. An image already named as this cycle's update is this cycle's result.
 */
function markNameClashes(state: RunState, available: readonly ImageInfo[]): void {
    const created = new Map(available.map((image) => [image.name, image.createdTime ?? ""]));
    const byNewName = new Map<string, ImageEntry[]>();
    for (const entry of state.images) {
        if (entry.status !== "queued") continue;
        const newName = newNameOf(state, entry);
        if (newName === entry.name) {
            entry.status = "upToDate";
            entry.note = "it is already this cycle's updated image";
            continue;
        }
        byNewName.set(newName, [...(byNewName.get(newName) ?? []), entry]);
    }
    for (const [newName, entries] of byNewName) {
        if (entries.length < 2) continue;
        const [newest, ...others] = [...entries].sort((a, b) =>
            (created.get(b.name) ?? "").localeCompare(created.get(a.name) ?? ""),
        );
        for (const other of others) {
            other.status = "failed";
            other.reason = boundedDetail(
                `shares base name "${baseOf(other)}" with the newer ${newest.name}, and only one image can become ${newName}; give each image its own BaseName tag, or remove the opt-in tag from the older one`,
            );
        }
    }
}

function count(state: RunState, status: ImageStatus): number {
    return state.images.filter((image) => image.status === status).length;
}

function hasWork(state: RunState): boolean {
    return state.images.some((image) => image.status === "queued" || image.status === "updating");
}

/**
 * Starts queued images until `batchSize` are in flight or a quota has no room, stopping early when
 * AppStream pushes back. The image quota does not free up during a run (its own updates only add
 * images), so images it holds back are blocked at once; the builder and concurrent-update quotas
 * free up as updates finish, so images they hold back wait for the next check.
 */
async function fillBatch(
    api: AppStreamApi,
    state: RunState,
    cache: ImageCache,
    privateImages?: ImageInfo[],
): Promise<void> {
    let inFlight = count(state, "updating");
    if (inFlight >= state.settings.batchSize || !state.images.some((entry) => entry.status === "queued")) return;
    const usage = await countUsage(api, state, privateImages);
    for (const entry of state.images) {
        if (inFlight >= state.settings.batchSize) return;
        if (entry.status !== "queued") continue;
        const { room, limitedBy } = updateRoom(state.quotas!, usage);
        if (room <= 0) return holdBack(state, limitedBy);
        const result = await startUpdate(api, state, entry, cache);
        if (result === "started") {
            inFlight++;
            usage.images++;
            usage.imageBuilders++;
            usage.concurrentUpdates++;
        }
        if (result === "limit") {
            // Which quota AppStream enforced: the one the recount shows full.
            const hit = quotaHit(state.quotas!, await countUsage(api, state));
            return holdBack(state, hit ?? "otherQuota");
        }
        // Throttling will not clear within this invocation: wait for the next check.
        if (result === "backOff") return;
    }
}

async function countUsage(api: AppStreamApi, state: RunState, privateImages?: ImageInfo[]): Promise<QuotaUsage> {
    const [images, builders] = await Promise.all([
        privateImages ? Promise.resolve(privateImages) : api.listPrivateImages(),
        api.listImageBuilders(),
    ]);
    state.quotaUsage = quotaUsage(images, builders);
    return { ...state.quotaUsage };
}

/** Marks the queued images as held back by `quota`: blocked for the image quota, waiting otherwise. */
function holdBack(state: RunState, quota: HeldBy): void {
    for (const entry of state.images) {
        if (entry.status !== "queued") continue;
        entry.waitingFor = quota;
        if (quota === "images") entry.status = "blocked";
    }
}

async function startUpdate(
    api: AppStreamApi,
    state: RunState,
    entry: ImageEntry,
    cache: ImageCache,
): Promise<"started" | "skipped" | "backOff" | "limit"> {
    const { settings, runDate } = state;
    const newName = newNameOf(state, entry);
    // Unknown when an earlier run already started the update: then NextVersion is written if it fits.
    let oldTags: Tags | undefined;
    try {
        if (!(await api.canUpdate(entry.name, newName))) {
            entry.status = "upToDate";
            return "skipped";
        }
        const known = cache.get(entry.name) ?? (await readImage(api, state, entry.name));
        const { tags, dropped } = newImageTags(known.tags, baseOf(entry), settings);
        await api.createUpdatedImage({
            existingImageName: entry.name,
            newImageName: newName,
            displayName: updatedDisplayName(known.displayName, baseOf(entry), runDate),
            description: updatedDescription(entry.name, runDate),
            tags,
        });
        if (dropped.length > 0) {
            entry.note = appendNote(
                undefined,
                `not copied to the new image (AppStream allows 50 tags, and one is kept free for NextVersion): ${dropped.join(", ")}`,
            );
        }
        oldTags = known.tags;
    } catch (err) {
        const disposition = errorDisposition(err);
        if (disposition === "retry") {
            entry.attempts = (entry.attempts ?? 0) + 1;
            entry.reason = boundedDetail(errorReason(err));
            return errorName(err) === "LimitExceededException" ? "limit" : "backOff";
        }
        if (disposition === "fail" || !(await madeByUs(api, state, entry))) {
            entry.status = "failed";
            entry.reason = boundedDetail(
                disposition === "fail"
                    ? errorReason(err)
                    : `an image named ${newName} already exists and was not made from this image`,
            );
            return "skipped";
        }
        entry.note = appendNote(
            entry.note,
            `${newName} already existed (an earlier run started it); it is followed, not started again`,
        );
    }
    entry.status = "updating";
    entry.reason = undefined;
    entry.waitingFor = undefined;
    const completed = completedTags(settings.tagKey, newName, oldTags ?? {});
    entry.pendingOldImageTags = completed.tags;
    if (completed.nextVersionSkipped) {
        entry.note = appendNote(entry.note, nextVersionSkippedNote(entry));
    }
    await writeOldImageTags(api, state, entry);
    return "started";
}

/** Tags and display name of an image discovered in an earlier invocation. */
async function readImage(api: AppStreamApi, state: RunState, name: string) {
    const [tags, [info]] = await Promise.all([api.listTags(arnOf(state, name)), api.describeImages([name])]);
    return { tags, displayName: info?.displayName };
}

/** An existing image with the new name is ours when it carries this entry's BaseName tag. */
async function madeByUs(api: AppStreamApi, state: RunState, entry: ImageEntry): Promise<boolean> {
    try {
        const tags = await api.listTags(arnOf(state, newNameOf(state, entry)));
        return tags[BASE_NAME_TAG_KEY] === baseOf(entry);
    } catch {
        return false;
    }
}

async function writeOldImageTags(api: AppStreamApi, state: RunState, entry: ImageEntry): Promise<void> {
    const pending = entry.pendingOldImageTags;
    if (!pending) return;
    try {
        await api.tagImage(arnOf(state, entry.name), pending);
        entry.pendingOldImageTags = undefined;
    } catch (err) {
        const { [NEXT_VERSION_TAG_KEY]: nextVersion, ...withoutNextVersion } = pending;
        if (errorName(err) === "LimitExceededException" && nextVersion !== undefined) {
            // The image already holds AppStream's 50 tags: Completed alone still stops a second update.
            entry.pendingOldImageTags = withoutNextVersion;
            entry.note = appendNote(entry.note, nextVersionSkippedNote(entry));
            return writeOldImageTags(api, state, entry);
        }
        // The update itself is unaffected; the tag is written again at the next check.
        const failure = `tagging ${entry.name} failed (${errorReason(err)}); retried at the next check`;
        if (!entry.note?.includes(`tagging ${entry.name} failed`)) entry.note = appendNote(entry.note, failure);
    }
}

/** Polls running updates, starts the next batch, and ends the run when all are done or time is up. */
export async function checkRun(api: AppStreamApi, previous: RunState): Promise<RunState> {
    const state: RunState = structuredClone(previous);
    state.checks++;
    const updating = state.images.filter((image) => image.status === "updating");
    const finished: ImageUpdate[] = [];
    if (updating.length > 0) {
        const newNames = updating.map((entry) => newNameOf(state, entry));
        const found = new Map((await api.describeImages(newNames)).map((i) => [i.name, i]));
        for (const [i, entry] of updating.entries()) {
            const image = found.get(newNames[i]);
            if (!image) {
                entry.status = "failed";
                entry.reason = boundedDetail(`the new image ${newNames[i]} no longer exists`);
            } else if (image.state === "AVAILABLE") {
                entry.status = "updated";
                finished.push({ image: entry.name, newImage: newNames[i], platform: image.platform });
            } else if (image.state === "FAILED") {
                entry.status = "failed";
                entry.reason = boundedDetail(image.stateReason || "the update failed without a reason");
            }
            if (entry.status === "failed") entry.pendingOldImageTags = reEnabledTags(state.settings);
        }
    }
    await rollOut(api, state, finished);
    for (const entry of state.images) await writeOldImageTags(api, state, entry);
    if (hasWork(state) && state.checks >= state.settings.maxChecks) {
        for (const entry of state.images) {
            if (entry.status === "updating") {
                entry.status = "timedOut";
                entry.reason = `still running after ${state.checks} checks; AppStream finishes it on its own`;
            } else if (entry.status === "queued") {
                // Held back by a quota the whole time: reported under that quota, not as a timeout.
                entry.status = entry.waitingFor ? "blocked" : "timedOut";
                if (!entry.waitingFor) {
                    entry.reason = boundedDetail(
                        `not started before the run timed out${entry.reason ? ` (last error: ${entry.reason})` : ""}`,
                    );
                }
            }
        }
    } else {
        await fillBatch(api, state, new Map());
    }
    await endIfDone(api, state);
    return state;
}

/** What the run did, grouped the way the email reports it. */
export function summarize(state: RunState): RunSummary {
    const pick = (status: ImageStatus, detail: (i: ImageEntry) => string | undefined) =>
        state.images
            .filter((image) => image.status === status)
            .map((image) => ({ name: image.name, newName: newNameOf(state, image), detail: detail(image) }));
    const updated = pick("updated", (i) => i.note);
    const failed = pick("failed", (i) => i.reason);
    const upToDate = pick("upToDate", (i) => i.note).map(({ name, detail }) => ({ name, detail }));
    const pendingAtTimeout = pick("timedOut", (i) => i.reason);
    const quotaBlocks = quotaBlocksOf(state);
    const fleets = state.fleets?.items ?? [];
    const fleetsNeedAction = fleets.some((f) => f.outcome === "failed" || f.outcome === "skipped");
    const needsAction = failed.length + pendingAtTimeout.length + quotaBlocks.length > 0 || fleetsNeedAction;
    return {
        runDate: state.runDate,
        outcome: needsAction ? "FAILED" : "SUCCEEDED",
        region: regionOf(state),
        updated,
        failed,
        upToDate,
        pendingAtTimeout,
        quotaBlocks,
        ...(state.quotas ? { quotas: state.quotas } : {}),
        ...(state.quotaUsage ? { quotaUsage: state.quotaUsage } : {}),
        fleets,
        fleetsOmitted: state.fleets?.omitted ?? 0,
        keepImageVersions: state.settings.keepImageVersions,
        retention: state.retention?.items ?? [],
        retentionOmitted: state.retention?.omitted ?? 0,
        ...(state.leftOut ? { leftOut: state.leftOut } : {}),
        optInTag: { key: state.settings.tagKey, value: state.settings.tagValue },
        imageArnPrefix: state.imageArnPrefix,
    };
}

/**
 * The lifecycle counts the email's subject and the notify result both give: images a quota kept
 * from starting, fleets rolled out, and versions deleted (none while retention is off, whatever
 * the summary says it would delete).
 */
export function lifecycleCounts(summary: RunSummary): {
    blockedByQuota: number;
    fleetsRolledOut: number;
    imagesDeleted: number;
} {
    return {
        blockedByQuota: summary.quotaBlocks.reduce((n, block) => n + block.notStarted.length, 0),
        fleetsRolledOut: summary.fleets.filter((f) => f.outcome === "rolledOut").length,
        imagesDeleted: summary.keepImageVersions > 0 ? summary.retention.filter((r) => !r.kept).length : 0,
    };
}

function quotaBlocksOf(state: RunState): QuotaBlock[] {
    const blocked = state.images.filter((image) => image.status === "blocked");
    const held = [...new Set(blocked.map((image) => image.waitingFor ?? "otherQuota"))];
    return held.map((quota) => {
        const images = blocked.filter((image) => (image.waitingFor ?? "otherQuota") === quota);
        if (quota === "otherQuota") {
            return { quota, notStarted: images.map((i) => i.name), message: images.find((i) => i.reason)?.reason };
        }
        const value = state.quotas?.[quota];
        return {
            quota,
            value: value?.value,
            used: state.quotaUsage?.[quota],
            source: value?.source,
            notStarted: images.map((i) => i.name),
        };
    });
}
