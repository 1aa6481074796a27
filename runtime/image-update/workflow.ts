/**
 * The image-update run, one step per Lambda invocation: `startRun` discovers the tagged images and
 * starts the first batch, `checkRun` polls, starts the next batch or times out, `summarize` says
 * what happened. The state machine carries the RunState between steps, so every step is a pure
 * function of the state and what AppStream answers; a retried step is safe because a new image
 * that already exists is adopted, not started twice.
 */
import { AppStreamApi, ImageInfo, errorDisposition, errorReason } from "./appstream-api";
import { updatedDescription, updatedDisplayName, baseNameOf, runDateOf, updatedImageName } from "./image-names";
import { Tags, completedTags, isTaggedForUpdate, newImageTags, reEnabledTags } from "./image-tags";
import { BASE_NAME_TAG_KEY, RunSettings } from "./run-settings";

/** Tags are read one image at a time; a few at once keeps discovery fast and under AppStream's rate limits. */
export const TAG_READ_CONCURRENCY = 8;

export type ImageStatus = "queued" | "updating" | "updated" | "failed" | "upToDate" | "timedOut";

export interface ImageEntry {
    readonly name: string;
    readonly arn: string;
    readonly baseName: string;
    readonly newName: string;
    readonly displayName?: string;
    status: ImageStatus;
    /** Why it failed, or the last retryable error while queued. */
    reason?: string;
    /** Something the admin should know that did not stop the image. */
    note?: string;
    /** Retryable errors met while starting it. */
    attempts: number;
    /** Tags still to write on the old image (a failed TagResource is retried at the next check). */
    pendingOldImageTags?: Tags;
}

export interface RunState {
    readonly runDate: string;
    readonly settings: RunSettings;
    checks: number;
    done: boolean;
    images: ImageEntry[];
}

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
}

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

/** The ARN of another image in the same account and Region. */
function imageArn(siblingArn: string, name: string): string {
    return siblingArn.replace(/image\/[^/]*$/, `image/${name}`);
}

/** Tags read during this invocation, so the first batch does not read them twice. */
type TagCache = Map<string, Tags>;

/** Finds the tagged images, plans their names and starts the first batch. */
export async function startRun(api: AppStreamApi, settings: RunSettings, startedAt: string): Promise<RunState> {
    const runDate = runDateOf(startedAt, settings.timeZone);
    const available = (await api.listPrivateImages()).filter((image) => image.state === "AVAILABLE");
    const cache: TagCache = new Map();
    const images: ImageEntry[] = [];
    const tagged: { image: ImageInfo; tags: Tags }[] = [];
    await mapWithConcurrency(available, TAG_READ_CONCURRENCY, async (image) => {
        try {
            const tags = await api.listTags(image.arn);
            cache.set(image.arn, tags);
            if (isTaggedForUpdate(tags, settings)) tagged.push({ image, tags });
        } catch (err) {
            // Whether it is tagged is unknown: report it rather than silently skip it.
            images.push({
                ...plan(image, {}, runDate),
                status: "failed",
                reason: `could not read its tags: ${errorReason(err)}`,
            });
        }
    });
    for (const { image, tags } of tagged) images.push(plan(image, tags, runDate));
    images.sort((a, b) => a.name.localeCompare(b.name));
    markNameClashes(images, available);
    const state: RunState = { runDate, settings, checks: 0, done: false, images };
    await fillBatch(api, state, cache);
    state.done = !hasWork(state);
    return state;
}

function plan(image: ImageInfo, tags: Tags, runDate: string): ImageEntry {
    const baseName = baseNameOf(image.name, tags[BASE_NAME_TAG_KEY]);
    return {
        name: image.name,
        arn: image.arn,
        baseName,
        newName: updatedImageName(baseName, runDate),
        displayName: image.displayName,
        status: "queued",
        attempts: 0,
    };
}

/**
 * Two images with one base name would get one new name. Only the newest is updated; the others
 * are reported. An image already named as this cycle's update is this cycle's result.
 */
function markNameClashes(images: ImageEntry[], available: readonly ImageInfo[]): void {
    const created = new Map(available.map((image) => [image.name, image.createdTime ?? ""]));
    const byNewName = new Map<string, ImageEntry[]>();
    for (const entry of images) {
        if (entry.status !== "queued") continue;
        if (entry.newName === entry.name) {
            entry.status = "upToDate";
            entry.note = "it is already this cycle's updated image";
            continue;
        }
        byNewName.set(entry.newName, [...(byNewName.get(entry.newName) ?? []), entry]);
    }
    for (const [newName, entries] of byNewName) {
        if (entries.length < 2) continue;
        const [newest, ...others] = [...entries].sort((a, b) =>
            (created.get(b.name) ?? "").localeCompare(created.get(a.name) ?? ""),
        );
        for (const other of others) {
            other.status = "failed";
            other.reason = `shares base name "${other.baseName}" with the newer ${newest.name}, and only one image can become ${newName}; give each image its own BaseName tag, or remove the opt-in tag from the older one`;
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
async function fillBatch(api: AppStreamApi, state: RunState, cache: TagCache): Promise<void> {
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
    cache: TagCache,
): Promise<"started" | "skipped" | "backOff"> {
    const { settings, runDate } = state;
    try {
        if (!(await api.canUpdate(entry.name, entry.newName))) {
            entry.status = "upToDate";
            return "skipped";
        }
        const oldTags = cache.get(entry.arn) ?? (await api.listTags(entry.arn));
        const { tags, dropped } = newImageTags(oldTags, entry.baseName, settings);
        await api.createUpdatedImage({
            existingImageName: entry.name,
            newImageName: entry.newName,
            displayName: updatedDisplayName(entry.displayName, entry.baseName, runDate),
            description: updatedDescription(entry.name, runDate),
            tags,
        });
        if (dropped.length > 0) {
            entry.note = `not copied to the new image (AppStream allows 50 tags): ${dropped.join(", ")}`;
        }
    } catch (err) {
        const disposition = errorDisposition(err);
        if (disposition === "retry") {
            entry.attempts++;
            entry.reason = errorReason(err);
            return "backOff";
        }
        if (disposition === "fail" || !(await madeByUs(api, entry))) {
            entry.status = "failed";
            entry.reason =
                disposition === "fail"
                    ? errorReason(err)
                    : `an image named ${entry.newName} already exists and was not made from this image`;
            return "skipped";
        }
        entry.note = `${entry.newName} already existed (an earlier run started it); it is followed, not started again`;
    }
    entry.status = "updating";
    entry.reason = undefined;
    entry.pendingOldImageTags = completedTags(settings.tagKey, entry.newName);
    await writeOldImageTags(api, entry);
    return "started";
}

/** An existing image with the new name is ours when it carries this entry's BaseName tag. */
async function madeByUs(api: AppStreamApi, entry: ImageEntry): Promise<boolean> {
    try {
        const tags = await api.listTags(imageArn(entry.arn, entry.newName));
        return tags[BASE_NAME_TAG_KEY] === entry.baseName;
    } catch {
        return false;
    }
}

async function writeOldImageTags(api: AppStreamApi, entry: ImageEntry): Promise<void> {
    if (!entry.pendingOldImageTags) return;
    try {
        await api.tagImage(entry.arn, entry.pendingOldImageTags);
        entry.pendingOldImageTags = undefined;
    } catch (err) {
        // The update itself is unaffected; the tag is written again at the next check.
        entry.note = `tagging ${entry.name} failed (${errorReason(err)}); retried at the next check`;
    }
}

/** Polls running updates, starts the next batch, and ends the run when all are done or time is up. */
export async function checkRun(api: AppStreamApi, previous: RunState): Promise<RunState> {
    const state: RunState = structuredClone(previous);
    state.checks++;
    const updating = state.images.filter((image) => image.status === "updating");
    if (updating.length > 0) {
        const found = new Map((await api.describeImages(updating.map((i) => i.newName))).map((i) => [i.name, i]));
        for (const entry of updating) {
            const image = found.get(entry.newName);
            if (!image) {
                entry.status = "failed";
                entry.reason = `the new image ${entry.newName} no longer exists`;
            } else if (image.state === "AVAILABLE") {
                entry.status = "updated";
            } else if (image.state === "FAILED") {
                entry.status = "failed";
                entry.reason = image.stateReason || "the update failed without a reason";
            }
            if (entry.status === "failed") entry.pendingOldImageTags = reEnabledTags(state.settings);
        }
    }
    for (const entry of state.images) await writeOldImageTags(api, entry);
    if (hasWork(state) && state.checks >= state.settings.maxChecks) {
        for (const entry of state.images) {
            if (entry.status === "updating") {
                entry.status = "timedOut";
                entry.reason = `still running after ${state.checks} checks; AppStream finishes it on its own`;
            } else if (entry.status === "queued") {
                entry.status = "timedOut";
                entry.reason = `not started before the run timed out${entry.reason ? ` (last error: ${entry.reason})` : ""}`;
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
            .map((image) => ({ name: image.name, newName: image.newName, detail: detail(image) }));
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
    };
}
