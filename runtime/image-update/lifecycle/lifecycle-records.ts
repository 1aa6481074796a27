/**
 * What the lifecycle steps record on a run: the fleets they rolled out (or why not) and the fate of
 * every version retention looked at. The run state carries these records between steps; the
 * lifecycle needs only this part of it, so it does not depend on the run's own types.
 */
import type { RunSettings } from "../run/run-settings";
import { BoundedRecords, emptyRecords, upsertRecord } from "../run/state-budget";
import type { KeptBecause } from "./invariants";
import type { FleetRecord } from "./rollout";

export interface RetentionRecord {
    readonly image: string;
    /** Undefined when the version was deleted (or, with retention off, would be). */
    readonly kept?: KeptBecause;
    /** Who uses it, or why deleting it failed. */
    readonly detail?: string;
    /** DeleteImage got no clear answer and the image could not be read back: whether it is gone is unknown. */
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

/** The Region of the run, from its image ARN prefix (`arn:<partition>:appstream:<region>:…`). */
export function regionOf(run: Pick<LifecycleRun, "imageArnPrefix">): string | undefined {
    return run.imageArnPrefix.split(":")[3] || undefined;
}

/** Images fleets were moved off during this run: retention keeps them until the next run (I1). */
export function imagesLeftThisRun(run: LifecycleRun): Set<string> {
    return new Set((run.fleets?.items ?? []).filter((f) => f.outcome === "rolledOut").map((f) => f.image));
}
