import * as assert from "assert";
import { completedTags, newImageTags, reEnabledTags } from "../../../../runtime/image-update/lifecycle/image-tags";

const SETTINGS = { tagKey: "AutoUpdate", tagValue: "Enabled" };

describe("image tags", () => {
    it("the new image keeps the old tags and gets BaseName and the opt-in tag", () => {
        const { tags, dropped } = newImageTags(
            {
                Team: "Finance",
                AutoUpdate: "Enabled",
                NextVersion: "old",
                BaseName: "stale",
                "aws:cloudformation:stack-name": "x",
            },
            "Office",
            SETTINGS,
        );
        assert.deepStrictEqual(tags, { BaseName: "Office", AutoUpdate: "Enabled", Team: "Finance" });
        assert.deepStrictEqual(dropped, []);
    });

    it("leaves two of AppStream's 50 tags free, for NextVersion and FleetsLeft, and says which old tags did not fit", () => {
        const old = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"]));
        const { tags, dropped } = newImageTags(old, "Office", SETTINGS);
        assert.strictEqual(Object.keys(tags).length, 48);
        assert.strictEqual(tags.BaseName, "Office");
        assert.strictEqual(tags.AutoUpdate, "Enabled");
        assert.deepStrictEqual(
            dropped,
            Array.from({ length: 14 }, (_, i) => `k${46 + i}`),
        );
        // Next cycle the new image is the old one: Completed, NextVersion and FleetsLeft still fit.
        const next = completedTags("AutoUpdate", "Office-Updated-2027-01-01", tags);
        assert.strictEqual(Object.keys({ ...tags, ...next.tags, FleetsLeft: "2027-01-01" }).length, 50);
        assert.strictEqual(next.nextVersionSkipped, false);
    });

    it("only lowercase aws: keys are reserved, as AppStream's TagKey pattern says", () => {
        const { tags } = newImageTags({ "AWS:Team": "Finance", "aws:createdBy": "x" }, "Office", SETTINGS);
        assert.deepStrictEqual(Object.keys(tags).sort(), ["AWS:Team", "AutoUpdate", "BaseName"]);
    });

    it("the old image is marked Completed with its next version, or re-enabled after a failure", () => {
        assert.deepStrictEqual(completedTags("AutoUpdate", "Office-Updated-2026-12-01", { AutoUpdate: "Enabled" }), {
            tags: { AutoUpdate: "Completed", NextVersion: "Office-Updated-2026-12-01" },
            nextVersionSkipped: false,
        });
        assert.deepStrictEqual(reEnabledTags({ tagKey: "Patch", tagValue: "monthly" }), { Patch: "monthly" });
    });

    it("an old image already holding 50 tags gets Completed but not NextVersion", () => {
        const full = Object.fromEntries([
            ["AutoUpdate", "Enabled"],
            ...Array.from({ length: 49 }, (_, i) => [`k${i}`, "v"]),
        ]);
        assert.deepStrictEqual(completedTags("AutoUpdate", "Office-Updated-2026-12-01", full), {
            tags: { AutoUpdate: "Completed" },
            nextVersionSkipped: true,
        });
        // An existing NextVersion is overwritten, so it still fits.
        const withNext = { ...full, NextVersion: "older" };
        delete (withNext as Record<string, string>).k0;
        assert.strictEqual(
            completedTags("AutoUpdate", "Office-Updated-2026-12-01", withNext).nextVersionSkipped,
            false,
        );
    });
});
