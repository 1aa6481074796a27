/**
 * Each peak fleet's capacity now, from DescribeFleets, one fleet per call: a fleet named in the
 * records may have been deleted or renamed since, and DescribeFleets refuses a whole list with
 * ResourceNotFoundException when one name in it is unknown. A fleet that cannot be read gets its
 * reason instead of a capacity; the others are unaffected. The few calls (one per fleet that ran a
 * session) use the SDK's own retries.
 */
import { AppStreamClient, DescribeFleetsCommand, Fleet } from "@aws-sdk/client-appstream";
import { errorReason } from "../../aws/errors";
import type { FleetCapacity } from "./usage-digest";

/** A fleet's capacity in sessions, as DescribeFleets describes it (AppStream API reference, Fleet). */
export function capacityOf(
    fleet: Pick<Fleet, "FleetType" | "MaxConcurrentSessions" | "MaxSessionsPerInstance"> &
        Partial<Pick<Fleet, "ComputeCapacityStatus">>,
): FleetCapacity {
    if (fleet.FleetType === "ELASTIC") {
        return fleet.MaxConcurrentSessions === undefined
            ? { unknown: "DescribeFleets gave no MaxConcurrentSessions" }
            : { fleetType: "ELASTIC", sessions: fleet.MaxConcurrentSessions };
    }
    const status = fleet.ComputeCapacityStatus;
    if (status?.Desired === undefined || (fleet.FleetType !== "ALWAYS_ON" && fleet.FleetType !== "ON_DEMAND")) {
        return { unknown: `DescribeFleets gave no desired capacity for a ${fleet.FleetType ?? "fleet of no type"}` };
    }
    // A multi-session fleet holds MaxSessionsPerInstance sessions per instance; DesiredUserSessions
    // is that product, where AppStream gives it.
    const perInstance = fleet.MaxSessionsPerInstance ?? 1;
    return {
        fleetType: fleet.FleetType,
        desiredInstances: status.Desired,
        sessions: status.DesiredUserSessions ?? status.Desired * perInstance,
    };
}

export async function fleetCapacities(
    client: AppStreamClient,
    names: readonly string[],
): Promise<Map<string, FleetCapacity>> {
    const capacities = new Map<string, FleetCapacity>();
    for (const name of names) {
        try {
            const out = await client.send(new DescribeFleetsCommand({ Names: [name] }));
            const fleet = out.Fleets?.find((f) => f.Name === name);
            capacities.set(name, fleet ? capacityOf(fleet) : { unknown: "DescribeFleets did not list it" });
        } catch (err) {
            capacities.set(name, { unknown: `DescribeFleets: ${errorReason(err)}` });
        }
    }
    return capacities;
}
