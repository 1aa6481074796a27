/**
 * When AppStream lets UpdateFleet change a fleet's image, per the UpdateFleet API reference: any
 * attribute while STOPPED; ImageName of an Always-On or On-Demand fleet while RUNNING; an Elastic
 * fleet's image not while RUNNING; nothing while STARTING or STOPPING. (The reference's last line,
 * "If the fleet is in the STARTING or STOPPED state, you can't update it", contradicts its first;
 * we follow the first, which the fake enforces too, and say so here.)
 */
import * as assert from "assert";
import type { FleetInfo } from "../../../../runtime/image-update/run/appstream-api";
import { planRollout, rolloutRefusal, updateFleetCommand } from "../../../../runtime/image-update/lifecycle/rollout";

const fleet = (name: string, state: string, more: Partial<FleetInfo> = {}): FleetInfo => ({
    name,
    arn: `arn:aws:appstream:eu-west-1:123456789012:fleet/${name}`,
    state,
    fleetType: "ON_DEMAND",
    platform: "WINDOWS_SERVER_2022",
    imageName: "Office",
    ...more,
});
const UPDATE = { image: "Office", newImage: "Office-Updated-2026-12-01", platform: "WINDOWS_SERVER_2022" };

describe("rollout to opted-in fleets", () => {
    it("follows the states and fleet types UpdateFleet allows", () => {
        const refusal = (f: FleetInfo) => rolloutRefusal(f, UPDATE) ?? "allowed";
        assert.strictEqual(refusal(fleet("a", "RUNNING")), "allowed");
        assert.strictEqual(refusal(fleet("b", "RUNNING", { fleetType: "ALWAYS_ON" })), "allowed");
        assert.strictEqual(refusal(fleet("c", "STOPPED", { fleetType: "ELASTIC" })), "allowed");
        assert.match(refusal(fleet("d", "RUNNING", { fleetType: "ELASTIC" })), /only while the fleet is stopped/);
        assert.match(refusal(fleet("e", "STARTING")), /the fleet is STARTING/);
        assert.match(refusal(fleet("f", "STOPPING")), /the fleet is STOPPING/);
        assert.match(refusal(fleet("g", "RUNNING", { platform: "WINDOWS_SERVER_2019" })), /runs WINDOWS_SERVER_2019/);
    });

    it("rolls out opted-in fleets, records the others, and counts a fleet already on the new image as rolled out", () => {
        const fleets = [
            fleet("opted", "RUNNING"),
            fleet("stopping", "STOPPING"),
            fleet("manual", "RUNNING"),
            fleet("done", "RUNNING", { imageName: UPDATE.newImage }),
            fleet("other", "RUNNING", { imageName: "Excel" }),
        ];
        const optedIn = (f: FleetInfo) => f.name !== "manual";
        const { roll, records } = planRollout(fleets, [UPDATE], optedIn);
        assert.deepStrictEqual(
            roll.map((r) => r.fleet),
            ["opted"],
        );
        assert.deepStrictEqual(
            records.map((r) => [r.fleet, r.outcome]),
            [
                ["done", "rolledOut"],
                ["manual", "notOptedIn"],
                ["stopping", "skipped"],
            ],
        );
        assert.strictEqual(
            updateFleetCommand("manual", UPDATE.newImage, "eu-west-1"),
            "aws appstream update-fleet --name manual --image-name Office-Updated-2026-12-01 --region eu-west-1",
        );
    });
});
