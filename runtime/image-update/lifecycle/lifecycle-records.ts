/**
 * What the lifecycle steps record on a run: the fleets they rolled out (or why not) and the fate of
 * every version retention looked at. The run state carries these records between steps; the
 * lifecycle needs only this part of it, so it does not depend on the run's own types.
 */
import type { RunSettings } from "../run/run-settings";
import { errorReason } from "../../aws/errors";
import { BoundedRecords, boundedDetail, emptyRecords, upsertRecord } from "../run/state-budget";
import type { KeptBecause } from "./invariants";
import type { FleetRecord } from "./rollout";

export interface RetentionRecord {
    readonly image: string;
    /** Undefined when the version was deleted (or, with retention off, would be). */
    readonly kept?: KeptBecause;
    /** Who uses it, or why deleting it failed. */
    readonly detail?: string;
    /**
     * Whether the version still exists is unknown: DeleteImage got no clear answer and the image
     * could not be read back, or (on a kept version) a later retention pass could not list images.
     */
    readonly effectUnknown?: boolean;
}

/** The part of a run the lifecycle steps read and write. */
export interface LifecycleRun {
    /** The run's date, which names this cycle's versions. */
    readonly runDate: string;
    readonly settings: Pick<RunSettings, "tagKey" | "tagValue" | "keepImageVersions">;
    /** `arn:<partition>:appstream:<region>:<account>:image/`: our account's images. */
    readonly imageArnPrefix: string;
    fleets?: BoundedRecords<FleetRecord>;
    retention?: BoundedRecords<RetentionRecord>;
}

export function recordFleet(run: LifecycleRun, record: FleetRecord): void {
    run.fleets ??= emptyRecords();
    upsertRecord(run.fleets, record, (r) => r.fleet);
}

export function recordRetention(run: LifecycleRun, record: RetentionRecord): void {
    run.retention ??= emptyRecords();
    upsertRecord(run.retention, record, (r) => r.image);
}

/** The record of a retention pass that failed as a whole. */
export const RETENTION_FAILURE = "(retention)";

/** The record of a rollout pass that could not list fleets and images. */
export const FLEET_LISTING_FAILURE = "(fleets could not be listed)";

/** A record about a whole pass, not about one image or fleet: its name is in parentheses. */
export function isPassRecord(name: string): boolean {
    return name.startsWith("(");
}

/**
 * A retention pass that could not list images. Versions earlier passes recorded as kept were not
 * read again, and an attempt of this step whose result Step Functions lost may have deleted them
 * (the simulation, seed 2027): their records no longer claim they exist (I5). The next pass that
 * lists images records them afresh.
 */
export function recordRetentionFailure(run: LifecycleRun, err: unknown): void {
    const failure: RetentionRecord = {
        image: RETENTION_FAILURE,
        kept: "deleteFailed",
        detail: boundedDetail(errorReason(err)),
    };
    run.retention ??= emptyRecords();
    // The failure itself is kept past the records' budget: it is what the email must say.
    run.retention.items = [
        ...run.retention.items
            .filter((record) => record.image !== RETENTION_FAILURE)
            .map((record) =>
                record.kept !== undefined && !isPassRecord(record.image) ? { ...record, effectUnknown: true } : record,
            ),
        failure,
    ];
}

/** The Region of the run, from its image ARN prefix (`arn:<partition>:appstream:<region>:…`). */
export function regionOf(run: Pick<LifecycleRun, "imageArnPrefix">): string | undefined {
    return run.imageArnPrefix.split(":")[3] || undefined;
}

/** Images fleets were moved off during this run: retention keeps them until the next run (I1). */
export function imagesLeftThisRun(run: LifecycleRun): Set<string> {
    return new Set((run.fleets?.items ?? []).filter((f) => f.outcome === "rolledOut").map((f) => f.image));
}
