/**
 * Rollout: which fleets move to the new version of their image. A fleet opts in with the same tag
 * as images. AppStream lets UpdateFleet change ImageName while a fleet is STOPPED, and while an
 * Always-On or On-Demand fleet is RUNNING (sessions in progress keep their instance, new sessions
 * get the new image); an Elastic fleet's image changes only while it is stopped, and a fleet in
 * STARTING or STOPPING refuses every update (UpdateFleet, AppStream API reference).
 */
import type { FleetInfo } from "../run/appstream-api";
import { rolloutTarget } from "./invariants";

export type RolloutOutcome = "rolledOut" | "failed" | "skipped" | "notOptedIn";

export interface FleetRecord {
    readonly fleet: string;
    readonly image: string;
    readonly newImage: string;
    outcome: RolloutOutcome;
    /** Why it was skipped or failed. */
    detail?: string;
    /** UpdateFleet got no clear answer and the fleet could not be read back: whether it moved is unknown. */
    effectUnknown?: boolean;
}

/** One image this run updated: the name fleets use now, the new name, and the new image's OS. */
export interface ImageUpdate {
    readonly image: string;
    readonly newImage: string;
    readonly platform?: string;
}

/** Why AppStream would refuse to change this fleet's image now, or undefined when it allows it. */
export function rolloutRefusal(fleet: FleetInfo, update: ImageUpdate): string | undefined {
    if (fleet.platform && update.platform && fleet.platform !== update.platform) {
        return `the fleet runs ${fleet.platform} and ${update.newImage} is ${update.platform}`;
    }
    if (fleet.state === "STOPPED") return undefined;
    if (fleet.state === "RUNNING") {
        return fleet.fleetType === "ELASTIC"
            ? "an Elastic fleet's image can be changed only while the fleet is stopped"
            : undefined;
    }
    return `the fleet is ${fleet.state}; AppStream changes a fleet's image only while it is RUNNING or STOPPED`;
}

/** The AWS CLI's Region option for the commands the email gives, or nothing when the Region is unknown. */
export function regionOption(region?: string): string {
    return region ? ` --region ${region}` : "";
}

/** The AWS CLI command that rolls a fleet out by hand. */
export function updateFleetCommand(fleet: string, newImage: string, region?: string): string {
    return `aws appstream update-fleet --name ${fleet} --image-name ${newImage}${regionOption(region)}`;
}

/** A fleet on a version of one of our lineages, with what the run knows of it. */
export interface FleetOnLineage {
    readonly fleet: FleetInfo;
    /** The name of the fleet's image (from ImageName, or from ImageArn). */
    readonly image: string;
    /** Its lineage's AVAILABLE versions, newest first. */
    readonly lineage: readonly { readonly name: string; readonly platform?: string }[];
    /** Whether the fleet carries the opt-in tag; an Error when its tags could not be read. */
    readonly optedIn: boolean | Error;
}

/**
 * I3 for each fleet on a version of one of our lineages: roll it out when it is opted in, on an
 * older version, and AppStream allows it; otherwise a record saying why not. A fleet not opted in
 * is recorded only when its image was updated in this run (`updatedThisRun`), so each run lists it
 * once, beside the update that concerns it.
 */
export function planRollout(
    fleets: readonly FleetOnLineage[],
    updatedThisRun: ReadonlySet<string>,
): { roll: FleetRecord[]; records: FleetRecord[] } {
    const roll: FleetRecord[] = [];
    const records: FleetRecord[] = [];
    for (const { fleet, image, lineage, optedIn } of [...fleets].sort((a, b) =>
        a.fleet.name.localeCompare(b.fleet.name),
    )) {
        const target = rolloutTarget(image, lineage);
        if (target === undefined) continue;
        const record: FleetRecord = { fleet: fleet.name, image, newImage: target, outcome: "skipped" };
        if (optedIn instanceof Error) {
            records.push({
                ...record,
                outcome: "failed",
                detail: `could not read its tags, so whether it is opted in is unknown: ${optedIn.message}`,
            });
            continue;
        }
        if (!optedIn) {
            if (updatedThisRun.has(image)) records.push({ ...record, outcome: "notOptedIn" });
            continue;
        }
        const platform = lineage[0].platform;
        const refusal = rolloutRefusal(fleet, { image, newImage: target, platform });
        if (refusal) records.push({ ...record, detail: refusal });
        else roll.push(record);
    }
    return { roll, records };
}
