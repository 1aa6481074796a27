/**
 * Rollout: which fleets move to the new version of their image. A fleet opts in with the same tag
 * as images. AppStream lets UpdateFleet change ImageName while a fleet is STOPPED, and while an
 * Always-On or On-Demand fleet is RUNNING (sessions in progress keep their instance, new sessions
 * get the new image); an Elastic fleet's image changes only while it is stopped, and a fleet in
 * STARTING or STOPPING refuses every update (UpdateFleet, AppStream API reference).
 */
import type { FleetInfo } from "../run/appstream-api";

export type RolloutOutcome = "rolledOut" | "failed" | "skipped" | "notOptedIn";

export interface FleetRecord {
    readonly fleet: string;
    readonly image: string;
    readonly newImage: string;
    outcome: RolloutOutcome;
    /** Why it was skipped or failed. */
    detail?: string;
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

/** The AWS CLI command that rolls a fleet out by hand. */
export function updateFleetCommand(fleet: string, newImage: string, region?: string): string {
    return `aws appstream update-fleet --name ${fleet} --image-name ${newImage}${region ? ` --region ${region}` : ""}`;
}

/**
 * For every fleet on an updated image: roll it out when it is opted in and AppStream allows it,
 * otherwise a record saying why not. A fleet already on the new image (a retried step) counts as
 * rolled out.
 */
export function planRollout(
    fleets: readonly FleetInfo[],
    updates: readonly ImageUpdate[],
    optedIn: (fleet: FleetInfo) => boolean,
): { roll: FleetRecord[]; records: FleetRecord[] } {
    const roll: FleetRecord[] = [];
    const records: FleetRecord[] = [];
    for (const fleet of [...fleets].sort((a, b) => a.name.localeCompare(b.name))) {
        const update = updates.find((u) => fleet.imageName === u.image || fleet.imageName === u.newImage);
        if (!update) continue;
        const record: FleetRecord = {
            fleet: fleet.name,
            image: update.image,
            newImage: update.newImage,
            outcome: "skipped",
        };
        if (!optedIn(fleet)) {
            if (fleet.imageName === update.image) records.push({ ...record, outcome: "notOptedIn" });
            continue;
        }
        if (fleet.imageName === update.newImage) {
            records.push({ ...record, outcome: "rolledOut" });
            continue;
        }
        const refusal = rolloutRefusal(fleet, update);
        if (refusal) records.push({ ...record, detail: refusal });
        else roll.push(record);
    }
    return { roll, records };
}
