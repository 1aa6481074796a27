/**
 * What a run did, grouped the way the email reports it: made from the run state alone, at the end
 * of the run or when it stopped with an error.
 */
import type { FleetRecord } from "../lifecycle/rollout";
import type { RetentionRecord } from "../lifecycle/lifecycle-records";
import { regionOf } from "../lifecycle/lifecycle-records";
import type { QuotaName, QuotaUsage, Quotas } from "../lifecycle/quotas";
import { HeldBy, ImageEntry, ImageStatus, RunState, newNameOf } from "./run-state";

export interface SummaryItem {
    readonly name: string;
    readonly newName?: string;
    readonly detail?: string;
    /**
     * Of a failed image, its opt-in tag as the run leaves it (I5): `kept` (never changed, or set
     * back), `notRestored` (set to Completed, and setting it back failed), `unknown` (its tags could
     * not be read, or setting it back got no answer and could not be read back).
     */
    readonly optIn?: "kept" | "notRestored" | "unknown";
    /** Of an updated image, why the tags that mark it updated could not be written. */
    readonly notMarked?: string;
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
    /** Updates still running when the run stopped with an error (empty for a run that finished). */
    readonly stillRunning: SummaryItem[];
    readonly quotaBlocks: QuotaBlock[];
    readonly quotas?: Quotas;
    readonly quotaUsage?: QuotaUsage;
    readonly fleets: FleetRecord[];
    readonly fleetsOmitted: number;
    /** keepImageVersions: 0 means retention is off and `retention` lists what it would delete. */
    readonly keepImageVersions: number;
    readonly retention: RetentionRecord[];
    readonly retentionOmitted: number;
    /** The opt-in tag, named in the commands about failed images. */
    readonly optInTag: { readonly key: string; readonly value: string };
    /** ARN of an image without its name: `arn:<partition>:appstream:<region>:<account>:image/`. */
    readonly imageArnPrefix: string;
}

/** What the run did, grouped the way the email reports it. */
export function summarize(state: RunState): RunSummary {
    const pick = (status: ImageStatus, detail: (i: ImageEntry) => string | undefined) =>
        state.images
            .filter((image) => image.status === status)
            .map((image) => ({ name: image.name, newName: newNameOf(state, image), detail: detail(image), image }));
    const updated = pick("updated", (i) => i.note).map(({ image, ...item }) => ({
        ...item,
        ...(image.pendingOldImageTags ? { notMarked: image.tagError ?? "TagResource failed" } : {}),
    }));
    const failed = pick("failed", (i) => i.reason).map(({ image, ...item }) => ({
        ...item,
        optIn:
            image.tagsUnread || (image.pendingOldImageTags && image.tagWriteUnknown)
                ? ("unknown" as const)
                : image.pendingOldImageTags
                  ? ("notRestored" as const)
                  : ("kept" as const),
    }));
    const stillRunning = pick("updating", (i) => i.note).map(({ image: _image, ...item }) => item);
    const upToDate = pick("upToDate", (i) => i.note).map(({ name, detail }) => ({ name, detail }));
    const pendingAtTimeout = pick("timedOut", (i) => i.reason).map(({ image: _image, ...item }) => item);
    const quotaBlocks = quotaBlocksOf(state);
    const fleets = state.fleets?.items ?? [];
    const fleetsNeedAction = fleets.some((f) => f.outcome === "failed" || f.outcome === "skipped");
    const needsAction =
        failed.length + pendingAtTimeout.length + stillRunning.length + quotaBlocks.length > 0 ||
        updated.some((item) => item.notMarked) ||
        fleetsNeedAction;
    return {
        runDate: state.runDate,
        outcome: needsAction ? "FAILED" : "SUCCEEDED",
        region: regionOf(state),
        updated,
        failed,
        upToDate,
        pendingAtTimeout,
        stillRunning,
        quotaBlocks,
        ...(state.quotas ? { quotas: state.quotas } : {}),
        ...(state.quotaUsage ? { quotaUsage: state.quotaUsage } : {}),
        fleets,
        fleetsOmitted: state.fleets?.omitted ?? 0,
        keepImageVersions: state.settings.keepImageVersions,
        retention: state.retention?.items ?? [],
        retentionOmitted: state.retention?.omitted ?? 0,
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
