import * as assert from "assert";
import fc from "fast-check";
import {
    IMAGE_NAME_PATTERN,
    MAX_DESCRIPTION_LENGTH,
    MAX_DISPLAY_NAME_LENGTH,
    RESERVED_NAME_PREFIX,
    baseNameOf,
    runDateOf,
    updatedDescription,
    updatedDisplayName,
    updatedImageName,
} from "../../../../runtime/image-update/lifecycle/image-names";

const DATE = "2026-12-01";

describe("image names", () => {
    const cases: [string, string][] = [
        ["Win2022-Office", "Win2022-Office-Updated-2026-12-01"],
        ["Finance Apps (v2)", "Finance-Apps-v2-Updated-2026-12-01"],
        ["Crème brûlée", "Creme-brulee-Updated-2026-12-01"],
        ["__hidden", "hidden-Updated-2026-12-01"],
        ["AWS-Base", "img-AWS-Base-Updated-2026-12-01"],
        ["appstream_golden", "img-appstream_golden-Updated-2026-12-01"],
        ["AmazonLike", "img-AmazonLike-Updated-2026-12-01"],
        ["日本語", "image-Updated-2026-12-01"],
        ["a".repeat(150), `${"a".repeat(82)}-Updated-2026-12-01`],
    ];
    for (const [base, expected] of cases) {
        it(`names the update of ${JSON.stringify(base.slice(0, 30))} ${expected.slice(0, 40)}`, () => {
            assert.strictEqual(updatedImageName(base, DATE), expected);
        });
    }

    it("every new name satisfies the API pattern, keeps the date and avoids reserved prefixes (any base name)", () => {
        fc.assert(
            fc.property(fc.string({ maxLength: 300, unit: "grapheme" }), (base) => {
                const name = updatedImageName(base, DATE);
                assert.match(name, IMAGE_NAME_PATTERN);
                assert.ok(name.endsWith(`-Updated-${DATE}`), name);
                assert.ok(!RESERVED_NAME_PREFIX.test(name), name);
            }),
            { numRuns: 2000 },
        );
    });

    it("a valid image name that fits and ends in a letter or digit is kept as the base unchanged", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,80}[a-zA-Z0-9])?$/), (base) => {
                fc.pre(!RESERVED_NAME_PREFIX.test(base));
                assert.strictEqual(updatedImageName(base, DATE), `${base}-Updated-${DATE}`);
            }),
        );
    });

    it("the base comes from the BaseName tag, so names do not grow month after month", () => {
        assert.strictEqual(baseNameOf("Office-Updated-2026-11-01", "Office"), "Office");
        assert.strictEqual(
            updatedImageName(baseNameOf("Office-Updated-2026-11-01", "Office"), DATE),
            "Office-Updated-2026-12-01",
        );
    });

    it("without a BaseName tag, earlier update suffixes (ours and day+month+year run together) are stripped", () => {
        assert.strictEqual(baseNameOf("Office-Updated-2026-11-01-Updated-2026-12-01", undefined), "Office");
        assert.strictEqual(baseNameOf("Office-Updated-01112026", undefined), "Office");
        assert.strictEqual(baseNameOf("Office-updated-build", undefined), "Office-updated-build");
        assert.strictEqual(baseNameOf("Office", "  "), "Office");
    });

    it("display names are at most 100 characters and keep the date", () => {
        fc.assert(
            fc.property(
                fc.option(fc.string({ maxLength: 300, unit: "grapheme" })),
                fc.string({ minLength: 1 }),
                (display, base) => {
                    const name = updatedDisplayName(display ?? undefined, base, DATE);
                    assert.ok(name.length <= MAX_DISPLAY_NAME_LENGTH, `${name.length}`);
                    assert.ok(name.endsWith(` (updated ${DATE})`), name);
                    assert.ok(!/[\p{Cc}]/u.test(name), JSON.stringify(name));
                },
            ),
        );
        assert.strictEqual(updatedDisplayName(undefined, "Office", DATE), "Office (updated 2026-12-01)");
        assert.strictEqual(updatedDisplayName("Office apps", "Office", DATE), "Office apps (updated 2026-12-01)");
        // Last month's tail is replaced, not appended to.
        assert.strictEqual(
            updatedDisplayName("Office apps (updated 2026-11-01)", "Office", DATE),
            "Office apps (updated 2026-12-01)",
        );
    });

    it("descriptions are at most 256 characters", () => {
        assert.ok(updatedDescription("x".repeat(101), DATE).length <= MAX_DESCRIPTION_LENGTH);
        assert.match(updatedDescription("Office", DATE), /Managed image update of Office, started 2026-12-01/);
    });

    it("the run date is the execution start in the schedule's time zone", () => {
        assert.strictEqual(runDateOf("2026-11-30T23:30:00Z", "UTC"), "2026-11-30");
        assert.strictEqual(runDateOf("2026-11-30T23:30:00Z", "Europe/Berlin"), "2026-12-01");
        assert.strictEqual(runDateOf("2026-12-01T03:00:00Z", "America/Los_Angeles"), "2026-11-30");
        assert.throws(() => runDateOf("yesterday", "UTC"), /startedAt "yesterday" is not a timestamp/);
    });
});
