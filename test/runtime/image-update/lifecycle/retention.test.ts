/** Which versions retention deletes and why it keeps the others (pure planning; the workflow suites run it on the fake account). */
import * as assert from "assert";
import {
    ImageVersion,
    imageUsers,
    mayBeVersionOf,
    planRetention,
    updateSources,
    versionsOf,
} from "../../../../runtime/image-update/lifecycle/retention";

const version = (name: string, day: number, tags: Record<string, string>, state = "AVAILABLE"): ImageVersion => ({
    name,
    state,
    createdTime: `2026-${String(day).padStart(2, "0")}-01T00:00:00.000Z`,
    tags,
});
// The Office family across four months, as the updater leaves it: each older version marked Completed.
const FAMILY = [
    version("Office", 1, { AutoUpdate: "Completed", NextVersion: "Office-Updated-2026-09-01" }),
    version("Office-Updated-2026-09-01", 9, { BaseName: "Office", AutoUpdate: "Completed", NextVersion: "x" }),
    version("Office-Updated-2026-10-01", 10, { BaseName: "Office", AutoUpdate: "Completed", NextVersion: "y" }),
    version("Office-Updated-2026-11-01", 11, { BaseName: "Office", AutoUpdate: "Enabled" }),
];
const NONE = new Set<string>();
const plan = (
    images: ImageVersion[],
    keep: number,
    usedBy = new Map<string, string[]>(),
    more: Partial<{ pendingUpdateBases: Set<string>; failedUpdateSources: Set<string>; leftThisRun: Set<string> }> = {},
) =>
    planRetention({
        bases: ["Office"],
        images,
        keep,
        tagKey: "AutoUpdate",
        context: { usedBy, pendingUpdateBases: NONE, failedUpdateSources: NONE, leftThisRun: NONE, ...more },
    }).map((d) => [d.image, d.kept ?? "delete", ...(d.detail ? [d.detail] : [])]);

describe("version retention", () => {
    it("keeps the newest keepImageVersions and deletes the superseded versions beyond them", () => {
        assert.deepStrictEqual(plan(FAMILY, 2), [
            ["Office-Updated-2026-11-01", "newest"],
            ["Office-Updated-2026-10-01", "withinKeep"],
            ["Office-Updated-2026-09-01", "delete"],
            ["Office", "delete"],
        ]);
    });

    it("never deletes the newest AVAILABLE version, one in use, one not superseded, or another family's", () => {
        const images = [
            ...FAMILY.slice(0, 3),
            // The newest update failed: the newest AVAILABLE version is the October one.
            version("Office-Updated-2026-11-01", 11, { BaseName: "Office", AutoUpdate: "Enabled" }, "FAILED"),
            version("Office-manual-copy", 12, { AutoUpdate: "Enabled" }),
            version("Office-Updated-2026-08-01", 8, { BaseName: "Office", AutoUpdate: "Enabled" }),
            version("Excel-Updated-2026-05-01", 5, { BaseName: "Excel", AutoUpdate: "Completed" }),
        ];
        const usedBy = new Map([["Office-Updated-2026-09-01", ["fleet kiosk"]]]);
        assert.deepStrictEqual(plan(images, 1, usedBy), [
            ["Office-Updated-2026-10-01", "newest"],
            ["Office-Updated-2026-09-01", "usedByFleet", "fleet kiosk"],
            ["Office-Updated-2026-08-01", "notSuperseded"],
            ["Office", "delete"],
        ]);
        assert.deepStrictEqual(plan(FAMILY, 0)[0], ["Office-Updated-2026-11-01", "newest"], "keep 0 plans as keep 1");
    });

    it("keeps the base of an update in flight, the source of a failed update and a version fleets left in this run", () => {
        const keepAll = plan(FAMILY, 1, new Map(), {
            pendingUpdateBases: new Set(["Office-Updated-2026-10-01"]),
            failedUpdateSources: new Set(["Office-Updated-2026-09-01"]),
            leftThisRun: new Set(["Office"]),
        });
        assert.deepStrictEqual(keepAll, [
            ["Office-Updated-2026-11-01", "newest"],
            ["Office-Updated-2026-10-01", "baseOfPendingUpdate"],
            ["Office-Updated-2026-09-01", "sourceOfFailedUpdate"],
            ["Office", "fleetsLeftThisRun"],
        ]);
    });

    it("finds the bases of updates in flight (BaseImageArn) and the sources of failed updates (NextVersion)", () => {
        const arn = (name: string) => `arn:aws:appstream:eu-west-1:123456789012:image/${name}`;
        const tags: Record<string, Record<string, string>> = {
            A: { AutoUpdate: "Completed", NextVersion: "A-Updated-2026-12-01" },
            B: { AutoUpdate: "Completed", NextVersion: "B-Updated-2026-12-01" },
        };
        const sources = updateSources(
            [
                { name: "A", state: "AVAILABLE" },
                { name: "B", state: "AVAILABLE" },
                { name: "A-Updated-2026-12-01", state: "FAILED", baseImageArn: arn("A") },
                { name: "B-Updated-2026-12-01", state: "CREATING", baseImageArn: arn("B") },
            ],
            (name) => tags[name],
        );
        assert.deepStrictEqual([[...sources.pending], [...sources.failed]], [["B"], ["A"]]);
    });

    it("reads the tags only of images whose names can be versions of the run's families", () => {
        const bases = ["Office", "Finance Apps (v2)"];
        for (const name of ["Office", "Office-Updated-2026-11-01", "Finance-Apps-v2-Updated-2026-11-01"]) {
            assert.ok(mayBeVersionOf(name, bases), name);
        }
        for (const name of ["Excel", "Offic", "Finance-Apps-Updated-2026-11-01"])
            assert.ok(!mayBeVersionOf(name, bases), name);
    });

    it("knows who uses an image: fleets by name or ARN, image builders by ARN", () => {
        const users = imageUsers(
            [
                { name: "kiosk", imageName: "Office" },
                { name: "lab", imageArn: "arn:aws:appstream:eu-west-1:123456789012:image/Office" },
            ],
            [{ name: "builder", imageArn: "arn:aws:appstream:eu-west-1:123456789012:image/Excel" }],
        );
        assert.deepStrictEqual(Object.fromEntries(users), {
            Office: ["fleet kiosk", "fleet lab"],
            Excel: ["image builder builder"],
        });
        assert.deepStrictEqual(
            versionsOf("Office", FAMILY, "AutoUpdate").map((v) => v.name),
            ["Office-Updated-2026-11-01", "Office-Updated-2026-10-01", "Office-Updated-2026-09-01", "Office"],
        );
    });
});
