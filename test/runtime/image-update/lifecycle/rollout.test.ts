/**
 * When AppStream lets UpdateFleet change a fleet's image, per the UpdateFleet API reference: any
 * attribute while STOPPED; ImageName of an Always-On or On-Demand fleet while RUNNING; an Elastic
 * fleet's image not while RUNNING; nothing while STARTING or STOPPING. (The reference's last line,
 * "If the fleet is in the STARTING or STOPPED state, you can't update it", contradicts its first;
 * we follow the first, which the fake enforces too, and say so here.)
 */
import * as assert from "assert";
import type { FleetInfo } from "../../../../runtime/image-update/run/appstream-api";
import {
    FleetOnLineage,
    planRollout,
    rolloutRefusal,
    updateFleetCommand,
} from "../../../../runtime/image-update/lifecycle/rollout";
import { rolloutTarget, streamsOurImage } from "../../../../runtime/image-update/lifecycle/invariants";

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

    it("moves opted-in fleets on an older version to the lineage's newest, records the others, leaves the newest alone", () => {
        const lineage = [
            { name: UPDATE.newImage, platform: "WINDOWS_SERVER_2022" },
            { name: "Office-Updated-2026-11-01", platform: "WINDOWS_SERVER_2022" },
            { name: "Office", platform: "WINDOWS_SERVER_2022" },
        ];
        const on = (f: FleetInfo, optedIn: boolean | Error = true): FleetOnLineage => ({
            fleet: f,
            image: f.imageName!,
            lineage,
            optedIn,
        });
        const { roll, records } = planRollout(
            [
                on(fleet("opted", "RUNNING")),
                // Left behind by an earlier run: it moves too, to the newest.
                on(fleet("behind", "STOPPED", { imageName: "Office-Updated-2026-11-01" })),
                on(fleet("stopping", "STOPPING")),
                on(fleet("manual", "RUNNING"), false),
                on(fleet("manual-old", "RUNNING", { imageName: "Office-Updated-2026-11-01" }), false),
                on(fleet("unreadable", "RUNNING"), new Error("AccessDeniedException: no")),
                on(fleet("done", "RUNNING", { imageName: UPDATE.newImage })),
            ],
            new Set(["Office"]),
        );
        assert.deepStrictEqual(
            roll.map((r) => [r.fleet, r.image, r.newImage]),
            [
                ["behind", "Office-Updated-2026-11-01", UPDATE.newImage],
                ["opted", "Office", UPDATE.newImage],
            ],
        );
        // Not opted in is said beside this run's update only; the newest version needs nothing.
        assert.deepStrictEqual(
            records.map((r) => [r.fleet, r.outcome]),
            [
                ["manual", "notOptedIn"],
                ["stopping", "skipped"],
                ["unreadable", "failed"],
            ],
        );
        assert.strictEqual(
            updateFleetCommand("manual", UPDATE.newImage, "eu-west-1"),
            "aws appstream update-fleet --name manual --image-name Office-Updated-2026-12-01 --region eu-west-1",
        );
    });

    it("the target is the lineage's newest AVAILABLE version, and only for a version of that lineage", () => {
        const lineage = [{ name: "Office-Updated-2026-12-01" }, { name: "Office" }];
        assert.strictEqual(rolloutTarget("Office", lineage), "Office-Updated-2026-12-01");
        assert.strictEqual(rolloutTarget("Office-Updated-2026-12-01", lineage), undefined);
        assert.strictEqual(rolloutTarget("Excel", lineage), undefined);
        assert.strictEqual(rolloutTarget("Office", []), undefined);
    });

    it("a fleet streams our image only when its ImageArn is our account's, or (without one) when we own the name", () => {
        const ours = "arn:aws:appstream:eu-west-1:123456789012:image/";
        const names = new Set(["Office"]);
        assert.ok(streamsOurImage({ imageName: "Office", imageArn: `${ours}Office` }, ours, names));
        assert.ok(
            !streamsOurImage(
                { imageName: "Office", imageArn: "arn:aws:appstream:eu-west-1:999999999999:image/Office" },
                ours,
                names,
            ),
        );
        assert.ok(streamsOurImage({ imageName: "Office" }, ours, names));
        assert.ok(!streamsOurImage({ imageName: "Excel" }, ours, names));
    });
});
