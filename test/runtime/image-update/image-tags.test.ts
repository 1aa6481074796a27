import * as assert from "assert";
import { completedTags, newImageTags, reEnabledTags } from "../../../runtime/image-update/image-tags";

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

    it("never exceeds AppStream's 50 tags and says which old tags did not fit", () => {
        const old = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"]));
        const { tags, dropped } = newImageTags(old, "Office", SETTINGS);
        assert.strictEqual(Object.keys(tags).length, 50);
        assert.strictEqual(tags.BaseName, "Office");
        assert.strictEqual(tags.AutoUpdate, "Enabled");
        assert.deepStrictEqual(
            dropped,
            Array.from({ length: 12 }, (_, i) => `k${48 + i}`),
        );
    });

    it("the old image is marked Completed with its next version, or re-enabled after a failure", () => {
        assert.deepStrictEqual(completedTags("AutoUpdate", "Office-Updated-2026-12-01"), {
            AutoUpdate: "Completed",
            NextVersion: "Office-Updated-2026-12-01",
        });
        assert.deepStrictEqual(reEnabledTags({ tagKey: "Patch", tagValue: "monthly" }), { Patch: "monthly" });
    });
});
