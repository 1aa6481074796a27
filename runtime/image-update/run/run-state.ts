/**
 * The state of one image-update run, which each step reads from the run-state bucket and writes
 * back (run-store). Every step is a function of this state and what AppStream answers.
 */
import type { QuotaName, QuotaUsage, Quotas } from "../lifecycle/quotas";
import type { LifecycleRun } from "../lifecycle/lifecycle-records";
import { updatedImageName } from "../lifecycle/image-names";
import type { Tags } from "../lifecycle/image-tags";
import type { RunSettings } from "./run-settings";

/** `blocked`: never started, because an AppStream quota had no room for it. */
export type ImageStatus = "queued" | "updating" | "updated" | "failed" | "upToDate" | "timedOut" | "blocked";

/** The quota that holds an image back; `otherQuota` when AppStream refused and none of the three read is full. */
export type HeldBy = QuotaName | "otherQuota";

/**
 * One tagged image. An entry holds only what cannot be derived, so a run of thousands of images
 * stays a small object to read and write at every step: the ARN comes from the run's prefix, the
 * new name from the base name and the date, and the base name is kept only when it is not the name.
 */
export interface ImageEntry {
    readonly name: string;
    /** Present only when it differs from `name` (a BaseName tag, or a stripped update suffix). */
    readonly baseName?: string;
    status: ImageStatus;
    /** Present only for an update adopted before its base name was known (its source's tags unreadable). */
    readonly newName?: string;
    /** Its display name when discovered, for the new image's; kept so no later step describes it again. */
    readonly displayName?: string;
    /** Why it failed, or the last retryable error while queued. */
    reason?: string;
    /** Something the admin should know that did not stop the image. */
    note?: string;
    /** Retryable errors met while starting it. */
    attempts?: number;
    /** Its last CreateUpdatedImage got no answer and the new image could not be looked up: it may be running. */
    createUnanswered?: boolean;
    /** Tags still to write on the old image (a failed TagResource is tried again at every check). */
    pendingOldImageTags?: Tags;
    /** Why the last TagResource of `pendingOldImageTags` failed. */
    tagError?: string;
    /** The last TagResource got no answer and the tags could not be read back: it may have taken effect. */
    tagWriteUnknown?: boolean;
    /** Its tags could not be read, so whether it carries the opt-in tag is unknown. */
    tagsUnread?: boolean;
    /** The quota that kept it from starting (while queued, and once blocked). */
    waitingFor?: HeldBy;
}

export interface RunState extends LifecycleRun {
    readonly runDate: string;
    readonly settings: RunSettings;
    /** `arn:<partition>:appstream:<region>:<account>:image/`, shared by every image of the run. */
    readonly imageArnPrefix: string;
    checks: number;
    done: boolean;
    images: ImageEntry[];
    /** The three AppStream quotas, read once at the start. */
    quotas?: Quotas;
    /** What the account used of them when last counted. */
    quotaUsage?: QuotaUsage;
}

export const baseOf = (entry: ImageEntry): string => entry.baseName ?? entry.name;
export const newNameOf = (state: RunState, entry: ImageEntry): string =>
    entry.newName ?? updatedImageName(baseOf(entry), state.runDate);
export const arnOf = (state: RunState, name: string): string => `${state.imageArnPrefix}${name}`;

/** The prefix under which the run-state bucket holds the runs (the Lambda's role may write nothing else). */
export const RUN_STATE_PREFIX = "runs/";

/** The run-state object's key for an execution (its name is unique per state machine for 90 days). */
export const runStateKey = (executionName: string): string => `${RUN_STATE_PREFIX}${executionName}/state.json`;

/** The full report of a run whose summary is too large for one email, beside its state (email/ses-size.ts). */
export const runReportKey = (stateKey: string): string => stateKey.replace(/[^/]*$/, "report.html");
