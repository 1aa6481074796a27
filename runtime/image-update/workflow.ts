/**
 * The image-update run, one step per Lambda invocation: `startRun` discovers the tagged images and
 * starts the first batch, `checkRun` polls, starts the next batch or times out, `summarize` says
 * what happened. The state machine carries the RunState between steps, so every step is a pure
 * function of the state and what AppStream answers; a retried step is safe because a new image
 * that already exists is adopted, not started twice.
 */
import { errorName, errorReason } from "../aws/errors";
import { AppStreamApi, ImageInfo, errorDisposition } from "./appstream-api";
import { updatedDescription, updatedDisplayName, baseNameOf, runDateOf, updatedImageName } from "./image-names";
import { Tags, completedTags, isTaggedForUpdate, newImageTags, reEnabledTags } from "./image-tags";
import { BASE_NAME_TAG_KEY, NEXT_VERSION_TAG_KEY, RunSettings } from "./run-settings";
import { LeftOut, admitWithinBudget, appendNote, boundedDetail } from "./state-budget";

/** Tags are read one image at a time; a few at once keeps discovery fast and under AppStream's rate limits. */
export const TAG_READ_CONCURRENCY = 8;

export type ImageStatus = "queued" | "updating" | "updated" | "failed" | "upToDate" | "timedOut";

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
}

export const baseOf = (entry: ImageEntry): string => entry.baseName ?? entry.name;
export const newNameOf = (state: RunState, entry: ImageEntry): string => updatedImageName(baseOf(entry), state.runDate);
const arnOf = (state: RunState, name: string): string => `${state.imageArnPrefix}${name}`;

export interface SummaryItem {
    readonly name: string;
    readonly newName?: string;
    readonly detail?: string;
}

export interface RunSummary {
    readonly runDate: string;
    readonly outcome: "SUCCEEDED" | "FAILED";
    readonly updated: SummaryItem[];
    readonly failed: SummaryItem[];
    readonly upToDate: SummaryItem[];
    readonly pendingAtTimeout: SummaryItem[];
    readonly leftOut?: LeftOut;
}

/** Said of an old image that already holds AppStream's 50 tags, whichever way the run learns it. */
const nextVersionSkippedNote = (entry: ImageEntry) =>
    `${entry.name} holds AppStream's 50 tags, so it was not given NextVersion`;

/** Runs `work` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
    items: readonly T[],
    limit: number,
    work: (item: T) => Promise<R>,
): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** What discovery read about an image, kept for this invocation so the first batch does not read it twice. */
type ImageCache = Map<string, { tags: Tags; displayName?: string }>;

/** Finds the tagged images, plans their names and starts the first batch. */
export async function startRun(api: AppStreamApi, settings: RunSettings, startedAt: string): Promise<RunState> {
    const runDate = runDateOf(startedAt, settings.timeZone);
    const available = (await api.listPrivateImages()).filter((image) => image.state === "AVAILABLE");
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
    };
    markNameClashes(state, available);
    await fillBatch(api, state, cache);
    state.done = !hasWork(state);
    return state;
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

/** Starts queued images until `batchSize` are in flight, stopping early when AppStream pushes back. */
async function fillBatch(api: AppStreamApi, state: RunState, cache: ImageCache): Promise<void> {
    let inFlight = count(state, "updating");
    for (const entry of state.images) {
        if (inFlight >= state.settings.batchSize) return;
        if (entry.status !== "queued") continue;
        const result = await startUpdate(api, state, entry, cache);
        if (result === "started") inFlight++;
        // A quota or throttling error will not clear within this invocation: wait for the next check.
        if (result === "backOff") return;
    }
}

async function startUpdate(
    api: AppStreamApi,
    state: RunState,
    entry: ImageEntry,
    cache: ImageCache,
): Promise<"started" | "skipped" | "backOff"> {
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
            return "backOff";
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
            } else if (image.state === "FAILED") {
                entry.status = "failed";
                entry.reason = boundedDetail(image.stateReason || "the update failed without a reason");
            }
            if (entry.status === "failed") entry.pendingOldImageTags = reEnabledTags(state.settings);
        }
    }
    for (const entry of state.images) await writeOldImageTags(api, state, entry);
    if (hasWork(state) && state.checks >= state.settings.maxChecks) {
        for (const entry of state.images) {
            if (entry.status === "updating") {
                entry.status = "timedOut";
                entry.reason = `still running after ${state.checks} checks; AppStream finishes it on its own`;
            } else if (entry.status === "queued") {
                entry.status = "timedOut";
                entry.reason = boundedDetail(
                    `not started before the run timed out${entry.reason ? ` (last error: ${entry.reason})` : ""}`,
                );
            }
        }
    } else {
        await fillBatch(api, state, new Map());
    }
    state.done = !hasWork(state);
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
    return {
        runDate: state.runDate,
        outcome: failed.length > 0 || pendingAtTimeout.length > 0 ? "FAILED" : "SUCCEEDED",
        updated,
        failed,
        upToDate,
        pendingAtTimeout,
        ...(state.leftOut ? { leftOut: state.leftOut } : {}),
    };
}
