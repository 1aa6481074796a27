/**
 * The image-update run, one step per Lambda invocation: `startRun` discovers the tagged images,
 * reads the account's quotas, rolls fleets left behind by earlier runs out, makes room when
 * retention is on, and starts the first batch; `checkRun` polls, rolls new versions out to opted-in
 * fleets, starts the next batch or times out, and applies retention when nothing is left to run.
 *
 * A step may be retried by Step Functions with the same input, and a second execution may run at
 * the same time. Both are safe because everything a step changes can be found again in AppStream:
 * a new image that already exists is adopted, not started twice; an image marked Completed whose
 * update of this cycle is still being made is followed again; a fleet already on the newest version
 * counts as rolled out. After its first call has changed anything, a step catches every error and
 * records it, so no deletion or rollout is made by an attempt whose result is lost.
 */
import { errorName, errorReason, isTransientError } from "../../aws/errors";
import { AppStreamApi, ImageInfo, TAGGING_PAGE_SIZE, errorDisposition } from "./appstream-api";
import { applyRetention } from "../lifecycle/apply-retention";
import { recordRetentionFailure } from "../lifecycle/lifecycle-records";
import { KnownImages, confirmWaitingFleets, rollOutLineages } from "../lifecycle/apply-rollout";
import { QuotaApi, QuotaUsage, quotaHit, quotaUsage, readQuotas, updateRoom } from "../lifecycle/quotas";
import { IN_FLIGHT_STATES, imageNameOfArn } from "../lifecycle/retention";
import { TAG_READ_CONCURRENCY, mapWithConcurrency } from "./concurrency";
import { readTagsOf } from "./tag-reads";
import {
    updatedDescription,
    updatedDisplayName,
    baseNameOf,
    runDateOf,
    updateSuffix,
    updatedImageName,
} from "../lifecycle/image-names";
import { Tags, completedTags, isTaggedForUpdate, newImageTags, reEnabledTags } from "../lifecycle/image-tags";
import { BASE_NAME_TAG_KEY, COMPLETED_TAG_VALUE, NEXT_VERSION_TAG_KEY, RunSettings } from "./run-settings";
import { HeldBy, ImageEntry, ImageStatus, RunState, arnOf, baseOf, newNameOf } from "./run-state";
import { appendNote, boundedDetail } from "./state-budget";

/** Said of an old image that already holds AppStream's 50 tags, whichever way the run learns it. */
const nextVersionSkippedNote = (entry: ImageEntry) =>
    `${entry.name} holds AppStream's 50 tags, so it was not given NextVersion`;

/** What discovery read about an image, kept for this invocation so the first batch does not read it twice. */
type ImageCache = Map<string, { tags: Tags; displayName?: string }>;

/** What a step is told of its invocation. */
export interface StepOptions {
    /**
     * Whether another update may start now, `startedSoFar` having been tried in this call; when it
     * says no, the rest wait, queued, for the next check (the Lambda's time,
     * runtime/image-update/run/invocation-pacing.ts). @default always
     */
    readonly mayStartUpdates?: (startedSoFar: number) => boolean;
}

/** Finds the tagged images, plans their names, makes room when it can, and starts the first batch. */
export async function startRun(
    api: AppStreamApi,
    settings: RunSettings,
    startedAt: string,
    quotaApi: QuotaApi,
    options: StepOptions = {},
): Promise<RunState> {
    const runDate = runDateOf(startedAt, settings.timeZone);
    // The one call that may fail the step: nothing has been changed yet.
    const privateImages = await api.listPrivateImages();
    const available = privateImages.filter((image) => image.state === "AVAILABLE");
    const byName = new Map(privateImages.map((image) => [image.name, image]));
    const cache: ImageCache = new Map();
    const known: KnownImages = { images: privateImages, tags: new Map() };
    const images: ImageEntry[] = [];
    // Updates of this cycle being made (or made since this execution started), by the image they were made from.
    const madeThisCycle = new Map(
        privateImages
            .filter(
                (made) =>
                    made.name.endsWith(updateSuffix(runDate)) &&
                    (IN_FLIGHT_STATES.includes(made.state) || (made.createdTime ?? "") >= startedAt),
            )
            .flatMap((made) => {
                const source = imageNameOfArn(made.baseImageArn);
                return source ? [[source, made.name] as const] : [];
            }),
    );
    // The images that carry the opt-in tag key (Enabled, Completed or another value), from the
    // Tagging API in a few calls: an untagged image costs no call of its own. Its index is
    // eventually consistent, so a tag set minutes before the run may be seen by the next run only
    // (see README). If it cannot be read, AppStream is asked image by image.
    const tagged = await api.findTaggedImages(settings.tagKey).catch(() => undefined);
    const toDiscover = tagged ? available.filter((image) => tagged.has(image.arn)) : available;
    await mapWithConcurrency(toDiscover, TAG_READ_CONCURRENCY, async (image) => {
        try {
            const tags = tagged?.get(image.arn) ?? (await api.listTags(image.arn));
            cache.set(image.name, { tags, displayName: image.displayName });
            known.tags.set(image.name, tags);
            const entry = await discover(api, image, tags, { settings, runDate, startedAt, byName });
            if (entry) images.push(entry);
        } catch (err) {
            // An update of this cycle in flight from it is followed all the same (a retried step's).
            const made = madeThisCycle.get(image.name);
            if (made) {
                // Marking it Completed again is harmless, and needed if the lost attempt's tag write failed.
                const pendingOldImageTags = completedTags(settings.tagKey, made, {}).tags;
                const note = `${made} is being made from it; followed`;
                images.push({ name: image.name, newName: made, status: "updating", note, pendingOldImageTags });
                return;
            }
            // Whether it is tagged is unknown: report it rather than silently skip it.
            const reason = boundedDetail(`could not read its tags: ${errorReason(err)}`);
            images.push({ name: image.name, status: "failed", reason, tagsUnread: true });
        }
    });
    images.sort((a, b) => a.name.localeCompare(b.name));
    const anyImage = available[0] ?? privateImages[0];
    const imageArnPrefix = anyImage?.arn.slice(0, anyImage.arn.lastIndexOf("/") + 1) ?? "";
    const state: RunState = {
        runDate,
        settings,
        imageArnPrefix,
        checks: 0,
        done: false,
        images,
        quotas: await readQuotas(quotaApi),
    };
    markNameClashes(state, available);
    // Fleets an earlier run could not move (I3): as soon as a run can, it moves them.
    await rollOutLineages(api, state, known, new Set());
    const afterRetention = await makeRoom(api, state, privateImages, known.tags);
    await fillBatch(api, state, options, cache, afterRetention);
    await finishStep(api, state, options);
    return state;
}

interface DiscoveryContext {
    readonly settings: RunSettings;
    readonly runDate: string;
    readonly startedAt: string;
    readonly byName: ReadonlyMap<string, ImageInfo>;
}

/**
 * What the run does with one AVAILABLE private image, from its tags: an opted-in image is queued;
 * an image marked Completed whose update of this cycle is still being made (a retried StartRun, or
 * a second execution) is followed, not lost (I2); an image whose last update FAILED while its
 * opt-in tag could not be set back is taken up again (I5). Anything else is left alone.
 */
async function discover(
    api: AppStreamApi,
    image: ImageInfo,
    tags: Tags,
    { settings, runDate, startedAt, byName }: DiscoveryContext,
): Promise<ImageEntry | undefined> {
    // "" for an image without one: updatedDisplayName treats both alike, and "" says it was read.
    const entry = plan(image.name, tags, image.displayName ?? "");
    const thisCycle = updatedImageName(baseOf(entry), runDate);
    if (isTaggedForUpdate(tags, settings)) {
        // This cycle's update exists already, made from this image (an attempt whose result and tag write were lost).
        const made = byName.get(thisCycle);
        if (!made?.baseImageArn || imageNameOfArn(made.baseImageArn) !== image.name) return entry;
        if (made.state === "FAILED") {
            // That update already failed (and its run set the opt-in tag back): reported as failed,
            // and never marked Completed, which nothing in this run would undo if it stopped.
            const reason = `${thisCycle}, this cycle's update of it, failed: ${made.stateReason || "AppStream gave no reason"}`;
            return { ...entry, status: "failed", reason: boundedDetail(reason) };
        }
        return {
            ...entry,
            status: "updating",
            note: `${thisCycle} was started by an earlier attempt of this run or by a run at the same time; it is followed, not started again`,
            pendingOldImageTags: completedTags(settings.tagKey, thisCycle, tags).tags,
        };
    }
    if (tags[settings.tagKey] !== COMPLETED_TAG_VALUE) return undefined;
    const next = byName.get(tags[NEXT_VERSION_TAG_KEY] ?? thisCycle);
    if (!next) return undefined;
    if (next.state === "FAILED") {
        return {
            ...entry,
            note: `its update to ${next.name} failed and its opt-in tag had not been set back; it is taken up again`,
            pendingOldImageTags: reEnabledTags(settings),
        };
    }
    const madeThisExecution = next.state === "AVAILABLE" && (next.createdTime ?? "") >= startedAt;
    if (next.name !== thisCycle || !(IN_FLIGHT_STATES.includes(next.state) || madeThisExecution)) return undefined;
    if (!(await madeFrom(api, next, image, baseOf(entry)))) return undefined;
    return {
        ...entry,
        status: "updating",
        note: `${next.name} was started by an earlier attempt of this run or by a run at the same time; it is followed, not started again`,
    };
}

/** Whether `made` was made from `source`: its BaseImageArn says so, or (without one) its BaseName tag. */
async function madeFrom(api: AppStreamApi, made: ImageInfo, source: ImageInfo, base: string): Promise<boolean> {
    if (made.baseImageArn) return imageNameOfArn(made.baseImageArn) === source.name;
    try {
        return (await api.listTags(made.arn))[BASE_NAME_TAG_KEY] === base;
    } catch {
        return false;
    }
}

/** The base names of this run's images: retention considers these families only. */
const runBases = (state: RunState, entries = state.images) => entries.map(baseOf);
const namesWith = (state: RunState, status: ImageStatus) =>
    state.images.filter((entry) => entry.status === status).map((entry) => entry.name);

/**
 * With retention on: the versions beyond keepImageVersions that earlier runs could not delete, so
 * their places serve this run's updates. Never a version within keepImageVersions (I1): when the
 * image quota still has no room, the updates wait for room the run itself frees, or are blocked.
 * Returns the private images as they are afterwards.
 */
async function makeRoom(
    api: AppStreamApi,
    state: RunState,
    privateImages: ImageInfo[],
    knownTags: ReadonlyMap<string, Tags>,
): Promise<ImageInfo[]> {
    const keep = state.settings.keepImageVersions;
    if (keep === 0 || !state.images.some((entry) => entry.status === "queued")) return privateImages;
    try {
        const { deleted } = await applyRetention(api, state, {
            bases: runBases(state),
            keep,
            images: privateImages,
            knownTags,
            inFlightSources: namesWith(state, "updating"),
        });
        return privateImages.filter((image) => !deleted.includes(image.name));
    } catch (err) {
        recordRetentionFailure(state, err);
        return privateImages;
    }
}

/**
 * The end of every step. Images held back by the image quota wait only while retention is on and
 * an update of this run is in flight (its new version may supersede one retention can delete);
 * otherwise they are blocked. When nothing else is left, retention runs; if it deleted anything,
 * blocked images are started after all (I4), and the run goes on (at its last check, they run on after it).
 */
async function finishStep(api: AppStreamApi, state: RunState, options: StepOptions): Promise<void> {
    const retentionOn = state.settings.keepImageVersions > 0;
    const blockIdle = () => {
        const inFlight = state.images.some((entry) => entry.status === "updating");
        for (const entry of state.images) {
            if (entry.status === "queued" && entry.waitingFor === "images" && (!retentionOn || !inFlight)) {
                entry.status = "blocked";
            }
        }
    };
    blockIdle();
    if (hasWork(state)) return;
    const deleted = await endRetention(api, state);
    const blocked = state.images.filter((entry) => entry.status === "blocked" && entry.waitingFor === "images");
    if (retentionOn && deleted > 0 && blocked.length > 0) {
        for (const entry of blocked) entry.status = "queued";
        await fillBatch(api, state, options, new Map());
        blockIdle();
        // Room freed at the run's last check is used too (I4; the simulation, seed 3001): what starts
        // now runs on after the run, is reported still running, and the next run follows it.
        if (state.checks >= state.settings.maxChecks) timeOut(state);
    }
    await writeAllOldImageTags(api, state);
    state.done = !hasWork(state);
    if (state.done) await confirmWaitingFleets(api, state);
}

/**
 * Retention over the run's families (or what it would delete), and the quotas' use as the run
 * leaves them, for the summary. Returns how many versions it deleted.
 */
async function endRetention(api: AppStreamApi, state: RunState): Promise<number> {
    try {
        const { deleted, listed } = await applyRetention(api, state, {
            bases: runBases(state),
            keep: state.settings.keepImageVersions,
            failedSources: namesWith(state, "failed"),
        });
        if (listed) {
            // What retention just listed, less what it deleted: no second listing for the summary's figures.
            const images = listed.images.filter((image) => !deleted.includes(image.name));
            state.quotaUsage = quotaUsage(images, listed.builders);
            return deleted.length;
        }
    } catch (err) {
        // Listing what retention needs failed: the updates are done, so the run still reports them.
        recordRetentionFailure(state, err);
    }
    // The summary's figures; when the count fails, the last one stands.
    await countUsage(api, state).catch(() => undefined);
    return 0;
}

function plan(name: string, tags: Tags, displayName?: string): ImageEntry {
    const baseName = baseNameOf(name, tags[BASE_NAME_TAG_KEY]);
    return {
        name,
        ...(baseName !== name ? { baseName } : {}),
        ...(displayName !== undefined ? { displayName } : {}),
        status: "queued",
    };
}

/**
 * Two images with one base name would get one new name. Only the newest is updated; the others
 * are reported. An image already named as this cycle's update is this cycle's result.
 */
function markNameClashes(state: RunState, available: readonly ImageInfo[]): void {
    const created = new Map(available.map((image) => [image.name, image.createdTime ?? ""]));
    const byNewName = new Map<string, ImageEntry[]>();
    for (const entry of state.images) {
        if (entry.status !== "queued" && entry.status !== "updating") continue;
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
        // One being followed already owns the new name; otherwise the newest image does.
        const [owner, ...others] = [...entries].sort(
            (a, b) =>
                Number(b.status === "updating") - Number(a.status === "updating") ||
                (created.get(b.name) ?? "").localeCompare(created.get(a.name) ?? ""),
        );
        for (const other of others) {
            other.status = "failed";
            other.pendingOldImageTags = undefined;
            other.reason = boundedDetail(
                `shares base name "${baseOf(other)}" with ${owner.status === "updating" ? "" : "the newer "}${owner.name}, and only one image can become ${newName}; give each image its own BaseName tag, or remove the opt-in tag from the older one`,
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
 * AppStream pushes back. Images a quota holds back wait (see finishStep for the image quota).
 */
async function fillBatch(
    api: AppStreamApi,
    state: RunState,
    { mayStartUpdates = () => true }: StepOptions,
    cache: ImageCache,
    privateImages?: ImageInfo[],
): Promise<void> {
    let inFlight = count(state, "updating");
    if (inFlight >= state.settings.batchSize || !state.images.some((entry) => entry.status === "queued")) return;
    // The quotas' use as the run keeps count of it from step to step. AppStream is asked again
    // (every private image and builder listed) only when nothing is counted yet or the step has
    // just listed the images, when the count says a quota is full (someone may have freed room),
    // and when AppStream refuses an update (below).
    const carried = privateImages === undefined && state.quotaUsage ? { ...state.quotaUsage } : undefined;
    let usage: QuotaUsage;
    try {
        usage =
            carried && updateRoom(state.quotas!, carried).room > 0
                ? carried
                : await countUsage(api, state, privateImages);
    } catch (err) {
        // Without the count no update starts; the next check counts again.
        for (const entry of state.images) {
            if (entry.status === "queued") entry.reason = boundedDetail(`quota use not counted: ${errorReason(err)}`);
        }
        return;
    }
    const tagsRead = new Map<string, Tags>();
    let tried = 0;
    for (const entry of state.images) {
        if (inFlight >= state.settings.batchSize) return;
        if (entry.status !== "queued") continue;
        // Out of the invocation's time for starting work: the rest start at the next check. One
        // image is always tried, so a step that spent its time listing still makes progress.
        if (tried > 0 && !mayStartUpdates(tried)) return;
        tried++;
        const { room, limitedBy } = updateRoom(state.quotas!, usage);
        if (room <= 0) return holdBack(state, limitedBy);
        const result = await startUpdate(api, state, entry, cache, tagsRead, privateImages);
        if (result === "started") {
            inFlight++;
            usage.images++;
            usage.imageBuilders++;
            usage.concurrentUpdates++;
            state.quotaUsage = { ...usage };
        }
        if (result === "limit") {
            // Which quota AppStream enforced: the one the recount shows full (unknown when it cannot be counted).
            const recount = await countUsage(api, state).catch(() => undefined);
            const hit = recount && quotaHit(state.quotas!, recount);
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

/** Marks the queued images as held back by `quota`; finishStep decides whether they wait or are blocked. */
function holdBack(state: RunState, quota: HeldBy): void {
    for (const entry of state.images) {
        if (entry.status === "queued") entry.waitingFor = quota;
    }
}

async function startUpdate(
    api: AppStreamApi,
    state: RunState,
    entry: ImageEntry,
    cache: ImageCache,
    tagsRead: Map<string, Tags>,
    privateImages?: readonly ImageInfo[],
): Promise<"started" | "skipped" | "backOff" | "limit"> {
    const { settings, runDate } = state;
    const newName = newNameOf(state, entry);
    // Unknown when an earlier run already started the update: then NextVersion is written if it fits.
    let oldTags: Tags | undefined;
    let creating = false;
    try {
        if (!(await api.canUpdate(entry.name, newName))) {
            entry.status = "upToDate";
            return "skipped";
        }
        const known = cache.get(entry.name) ?? (await readImage(api, state, entry, tagsRead, privateImages));
        const { tags, dropped } = newImageTags(known.tags, baseOf(entry), settings);
        creating = true;
        await api.createUpdatedImage({
            existingImageName: entry.name,
            newImageName: newName,
            displayName: updatedDisplayName(known.displayName, baseOf(entry), runDate),
            description: updatedDescription(entry.name, runDate),
            tags,
        });
        if (dropped.length > 0) {
            entry.note = appendNote(
                entry.note,
                `not copied to the new image (AppStream allows 50 tags, and two are kept free for NextVersion and FleetsLeft): ${dropped.join(", ")}`,
            );
        }
        oldTags = known.tags;
    } catch (err) {
        const disposition = errorDisposition(err);
        if (disposition === "retry") {
            // A CreateUpdatedImage without an answer may have been accepted: look before trying again (I2).
            const accepted = creating && isTransientError(err) ? await lookUp(api, state, entry) : false;
            if (!accepted) {
                entry.attempts = (entry.attempts ?? 0) + 1;
                entry.reason = boundedDetail(errorReason(err));
                entry.createUnanswered = accepted === undefined ? true : undefined;
                return errorName(err) === "LimitExceededException" ? "limit" : "backOff";
            }
            entry.note = appendNote(
                entry.note,
                `CreateUpdatedImage answered ${errorName(err)}, yet ${newName} was made`,
            );
        } else {
            const ours = disposition === "exists" ? await madeByUs(api, state, entry) : false;
            if (ours === undefined) {
                // Whether the existing image is ours is unknown now: ask again at the next check.
                entry.attempts = (entry.attempts ?? 0) + 1;
                entry.reason = boundedDetail(`${newName} exists and its tags could not be read`);
                return "backOff";
            }
            if (!ours) {
                entry.status = "failed";
                entry.reason = boundedDetail(
                    disposition === "fail"
                        ? errorReason(err)
                        : `an image named ${newName} already exists and was not made from this image`,
                );
                return "skipped";
            }
            // Ours, and already FAILED: nothing to follow, and marking the old image Completed now
            // would outlive this run if it stopped before its next check (the simulation, seed 2028).
            const [existing] = await api.describeImages([newName]).catch((): ImageInfo[] => []);
            if (existing?.state === "FAILED") {
                entry.status = "failed";
                entry.reason = boundedDetail(
                    `${newName}, this cycle's update of it, already exists and failed: ${existing.stateReason || "AppStream gave no reason"}`,
                );
                return "skipped";
            }
            entry.note = appendNote(
                entry.note,
                `${newName} already existed (an earlier run started it); it is followed, not started again`,
            );
        }
    }
    entry.status = "updating";
    entry.reason = undefined;
    entry.waitingFor = undefined;
    entry.createUnanswered = undefined;
    const completed = completedTags(settings.tagKey, newName, oldTags ?? {});
    entry.pendingOldImageTags = completed.tags;
    if (completed.nextVersionSkipped) {
        entry.note = appendNote(entry.note, nextVersionSkippedNote(entry));
    }
    await writeOldImageTags(api, state, entry);
    return "started";
}

/** Whether this entry's new image exists and is ours; undefined when AppStream cannot tell now. */
async function lookUp(api: AppStreamApi, state: RunState, entry: ImageEntry): Promise<boolean | undefined> {
    try {
        const [found] = await api.describeImages([newNameOf(state, entry)]);
        if (!found) return false;
        return found.baseImageArn ? imageNameOfArn(found.baseImageArn) === entry.name : madeByUs(api, state, entry);
    } catch {
        return undefined;
    }
}

/**
 * Tags and display name of an image discovered in an earlier invocation. Its tags come in one bulk
 * read with those of the queued images after it (the Tagging API, 100 a call); the display name
 * from this step's listing of the private images when it has one.
 */
async function readImage(
    api: AppStreamApi,
    state: RunState,
    entry: ImageEntry,
    tagsRead: Map<string, Tags>,
    privateImages?: readonly ImageInfo[],
) {
    const { name } = entry;
    if (!tagsRead.has(name)) {
        const queued = state.images.filter((e) => e.status === "queued" && e.name !== name && !tagsRead.has(e.name));
        const names = [name, ...queued.map((e) => e.name)].slice(0, TAGGING_PAGE_SIZE);
        await readTagsOf(
            api,
            names.map((n) => ({ name: n, arn: arnOf(state, n) })),
            tagsRead,
        );
    }
    // Discovery kept the display name; a state from before it did (or an adopted entry) asks for it.
    const listed = "displayName" in entry ? entry : privateImages?.find((image) => image.name === name);
    const [tags, [info]] = await Promise.all([
        // Not read in bulk nor alone: ask once more, so the error is AppStream's own (retried or reported).
        tagsRead.get(name) ?? api.listTags(arnOf(state, name)),
        listed ? Promise.resolve([listed]) : api.describeImages([name]),
    ]);
    return { tags, displayName: info?.displayName };
}

/**
 * An existing image with the new name is ours when it carries this entry's BaseName tag; undefined
 * when its tags cannot be read now (the next check asks again).
 */
async function madeByUs(api: AppStreamApi, state: RunState, entry: ImageEntry): Promise<boolean | undefined> {
    try {
        const tags = await api.listTags(arnOf(state, newNameOf(state, entry)));
        return tags[BASE_NAME_TAG_KEY] === baseOf(entry);
    } catch (err) {
        return errorName(err) === "ResourceNotFoundException" ? false : undefined;
    }
}

/**
 * Writes the tags still owed to an old image; a failure is kept on the entry and tried again at
 * the next check and at the run's end, and the summary says which tags were never written (I5).
 */
async function writeOldImageTags(api: AppStreamApi, state: RunState, entry: ImageEntry): Promise<void> {
    const pending = entry.pendingOldImageTags;
    if (!pending) return;
    try {
        await api.tagImage(arnOf(state, entry.name), pending);
        tagsWritten(entry);
    } catch (err) {
        if (errorName(err) === "LimitExceededException" && pending[NEXT_VERSION_TAG_KEY] !== undefined) {
            // The image already holds AppStream's 50 tags: Completed alone still stops a second update.
            // (A copy and delete, not a destructuring with a computed key: see eslint.config.mjs.)
            const withoutNextVersion = { ...pending };
            delete withoutNextVersion[NEXT_VERSION_TAG_KEY];
            entry.pendingOldImageTags = withoutNextVersion;
            entry.note = appendNote(entry.note, nextVersionSkippedNote(entry));
            return writeOldImageTags(api, state, entry);
        }
        // Read the tags back (I5): a write whose answer was lost may have taken effect, and another
        // execution may have written the same tags (the simulation, seeds 3002 and 3004).
        const inPlace = await tagsInPlace(api, state, entry.name, pending);
        if (inPlace) {
            tagsWritten(entry);
            return;
        }
        const unanswered = isTransientError(err) && inPlace === undefined;
        // Only a read-back settles an earlier unanswered write; a later refusal says nothing of it.
        if (unanswered) entry.tagWriteUnknown = true;
        else if (inPlace === false) entry.tagWriteUnknown = undefined;
        entry.tagError = boundedDetail(
            `${errorReason(err)}${unanswered ? "; the tags could not be read back, so whether the write took effect is unknown" : ""}`,
        );
    }
}

/** The old image carries the tags owed to it: nothing is owed, failed or unknown any more. */
function tagsWritten(entry: ImageEntry): void {
    entry.pendingOldImageTags = undefined;
    entry.tagError = undefined;
    entry.tagWriteUnknown = undefined;
}

/** Whether the image carries every one of `tags` now; undefined when its tags cannot be read. */
async function tagsInPlace(api: AppStreamApi, state: RunState, name: string, tags: Tags): Promise<boolean | undefined> {
    try {
        const current = await api.listTags(arnOf(state, name));
        return Object.entries(tags).every(([key, value]) => current[key] === value);
    } catch {
        return undefined;
    }
}

async function writeAllOldImageTags(api: AppStreamApi, state: RunState): Promise<void> {
    for (const entry of state.images) await writeOldImageTags(api, state, entry);
}

/** Polls running updates, starts the next batch, and ends the run when all are done or time is up. */
export interface CheckOptions extends StepOptions {
    /**
     * An earlier attempt of this check began and never stored its result (run-store): it may have
     * started queued images, so every private image is looked at.
     */
    readonly afterLostAttempt?: boolean;
}

export async function checkRun(api: AppStreamApi, previous: RunState, options: CheckOptions = {}): Promise<RunState> {
    const state: RunState = structuredClone(previous);
    state.checks++;
    // Queued images may have been started all the same: a new image made from one (BaseImageArn)
    // is followed. After a lost attempt any of them may have been; otherwise only one whose
    // CreateUpdatedImage got no answer, looked up by its new name. (Another execution's start of
    // the same image is found when this run starts it: ResourceAlreadyExists.) These reads may
    // fail the step: nothing has been changed yet in this attempt.
    const queued = state.images.filter((image) => image.status === "queued");
    const listing = options.afterLostAttempt && queued.length > 0 ? await api.listPrivateImages() : undefined;
    const unanswered = queued.filter((entry) => entry.createUnanswered).map((entry) => newNameOf(state, entry));
    const lookedUp = listing ?? (unanswered.length > 0 ? await api.describeImages(unanswered) : undefined);
    if (lookedUp) adoptStarted(state, lookedUp);
    const polled = state.images.filter((image) => image.status === "updating");
    const updatedNow = new Set<string>();
    let found = new Map<string, ImageInfo>();
    if (polled.length > 0) {
        const newNames = polled.map((entry) => newNameOf(state, entry));
        found = new Map((await api.describeImages(newNames)).map((i) => [i.name, i]));
        for (const [i, entry] of polled.entries()) {
            const image = found.get(newNames[i]);
            if (!image) {
                entry.status = "failed";
                entry.reason = boundedDetail(`the new image ${newNames[i]} no longer exists`);
            } else if (image.state === "AVAILABLE") {
                entry.status = "updated";
                updatedNow.add(entry.name);
            } else if (image.state === "FAILED") {
                entry.status = "failed";
                entry.reason = boundedDetail(image.stateReason || "the update failed without a reason");
            }
            if (entry.status === "failed") entry.pendingOldImageTags = reEnabledTags(state.settings);
            if (entry.status !== "updating") releaseQuotas(state, image === undefined);
        }
    }
    const fleetsWaiting = (state.fleets?.items ?? []).some((f) => f.outcome === "failed" || f.outcome === "skipped");
    if (updatedNow.size > 0 || fleetsWaiting) {
        // This check's listing, if it made one, with each polled image as polling just found it:
        // rollout then needs no second listing to see the versions that became AVAILABLE.
        const images = listing?.map((image) => found.get(image.name) ?? image);
        await rollOutLineages(api, state, { images, tags: new Map() }, updatedNow);
    }
    await writeAllOldImageTags(api, state);
    if (hasWork(state) && state.checks >= state.settings.maxChecks) {
        timeOut(state);
    } else {
        await fillBatch(api, state, options, new Map(), listing);
    }
    await finishStep(api, state, options);
    return state;
}

/**
 * An update of the run ended: its temporary image builder and its place among concurrent updates
 * are free again in the run's count; its new image stays (AVAILABLE or FAILED) unless it is gone.
 */
function releaseQuotas(state: RunState, imageGone: boolean): void {
    const usage = state.quotaUsage;
    if (!usage) return;
    usage.concurrentUpdates = Math.max(0, usage.concurrentUpdates - 1);
    usage.imageBuilders = Math.max(0, usage.imageBuilders - 1);
    if (imageGone) usage.images = Math.max(0, usage.images - 1);
}

/** Follows the queued images whose new image of this cycle exists and names them as its base. */
function adoptStarted(state: RunState, listing: readonly ImageInfo[]): void {
    const byName = new Map(listing.map((image) => [image.name, image]));
    for (const entry of state.images) {
        if (entry.status !== "queued") continue;
        const newName = newNameOf(state, entry);
        if (imageNameOfArn(byName.get(newName)?.baseImageArn) !== entry.name) continue;
        entry.status = "updating";
        entry.reason = undefined;
        entry.waitingFor = undefined;
        entry.createUnanswered = undefined;
        entry.note = appendNote(entry.note, `${newName} was made although its start did not say so; it is followed`);
        entry.pendingOldImageTags = completedTags(state.settings.tagKey, newName, {}).tags;
    }
}

/** maxChecks reached: what is still running or never started is reported, each as it is. */
function timeOut(state: RunState): void {
    for (const entry of state.images) {
        if (entry.status === "updating") {
            entry.status = "timedOut";
            entry.reason = `still running after ${state.checks} check${state.checks === 1 ? "" : "s"}; AppStream finishes it on its own`;
        } else if (entry.status === "queued") {
            // Held back by a quota the whole time: reported under that quota, not as a timeout.
            entry.status = entry.waitingFor ? "blocked" : "timedOut";
            if (entry.waitingFor) continue;
            const lastError = entry.reason ? ` (last error: ${entry.reason})` : "";
            entry.reason = boundedDetail(
                entry.createUnanswered
                    ? `its last CreateUpdatedImage got no answer${lastError}, so it may be running: check ${newNameOf(state, entry)} with aws appstream describe-images`
                    : `not started before the run timed out${lastError}`,
            );
        }
    }
}
