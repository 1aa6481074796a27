/**
 * The image updater against limits that AWS documents and a hand-written fake used to ignore:
 * 50 tags per resource, DescribeImages pages of at most 25 (by name too), ImageErrors, and runs of
 * thousands of images (whose state lives in S3, beyond Step Functions' 256 KiB), with bounded
 * records and an email within SES's size. Each case failed on the code before these fixes.
 */
import * as assert from "assert";
import { summarize } from "../../../runtime/image-update/run/run-summary";
import { MAX_IMAGE_NAME_LENGTH } from "../../../runtime/image-update/lifecycle/image-names";
import {
    MAX_DETAIL_BYTES,
    boundedDetail,
    emptyRecords,
    payloadBytes,
    upsertRecord,
} from "../../../runtime/image-update/run/state-budget";
import { summaryEmail } from "../../../runtime/image-update/email/summary-email";
import { emailWithinSes, fitsInSes } from "../../../runtime/image-update/email/ses-size";
import { runSettings, runToEnd } from "../../helpers/direct-run";
import { FakeAppStreamAccount, FakeImageSpec, TAGS_PER_RESOURCE } from "../../helpers/fake-appstream";
import { serviceModel } from "../../helpers/service-model";

const NEW = (base: string, date = "2026-12-01") => `${base}-Updated-${date}`;
const tagged = (name: string, extra: Partial<FakeImageSpec> = {}): FakeImageSpec => ({
    ...extra,
    name,
    tags: { AutoUpdate: "Enabled", ...(extra.tags ?? {}) },
});
const manyTags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`Tag${i}`, `v${i}`]));

describe("image updater within AWS's documented limits", () => {
    it("follows NextToken when polling by name: an image on a later page is not taken for gone", async () => {
        const account = new FakeAppStreamAccount(Array.from({ length: 12 }, (_, i) => tagged(`img-${i}`)));
        account.quota = 12;
        // A page may hold fewer images than asked for, with a NextToken for the rest.
        account.pageSizeCap = 5;
        const { final } = await runToEnd(account, runSettings({ batchSize: 12 }));
        assert.deepStrictEqual(
            final.images.map((i) => i.status),
            Array.from({ length: 12 }, () => "updated"),
        );
        const polls = account.callsOf("DescribeImages").filter((c) => c.input.Names);
        assert.ok(
            polls.some((c) => c.input.NextToken !== undefined),
            "no call followed NextToken",
        );
    });

    it("follows an update through every in-progress state AppStream's model lists, and discovers only AVAILABLE images", async () => {
        const states = serviceModel("appstream").shapes.ImageState.enum!;
        const inProgress = states.filter((state) => !["AVAILABLE", "FAILED", "DELETING"].includes(state));
        assert.deepStrictEqual(inProgress, ["PENDING", "COPYING", "CREATING", "IMPORTING", "VALIDATING"]);
        const account = new FakeAppStreamAccount([
            tagged("Office", { update: { minutes: 300, inProgressStates: inProgress } }),
            ...states.filter((s) => s !== "AVAILABLE").map((state) => tagged(`busy-${state.toLowerCase()}`, { state })),
        ]);
        const seen: string[] = [];
        const { final } = await runToEnd(account, runSettings(), 30, undefined, () =>
            seen.push(account.images.get(NEW("Office"))?.state ?? "none"),
        );
        assert.deepStrictEqual(
            final.images.map((i) => [i.name, i.status]),
            [["Office", "updated"]],
        );
        for (const state of inProgress) assert.ok(seen.includes(state), `never saw ${state}: ${seen.join(",")}`);
    });

    it("reports ImageErrors as well as StateChangeReason for a failed update", async () => {
        const account = new FakeAppStreamAccount([
            tagged("Office", {
                update: {
                    outcome: "FAILED",
                    failureMessage: "Image update failed",
                    errorDetail: "The image builder could not install the Windows updates (KB5031364)",
                },
            }),
        ]);
        const { final } = await runToEnd(account, runSettings());
        assert.strictEqual(
            summarize(final).failed[0].detail,
            "IMAGE_UPDATE_FAILURE: Image update failed; INTERNAL_SERVICE_ERROR: The image builder could not install the Windows updates (KB5031364)",
        );
    });

    it("an image with 49 tags of its own is updated two months running: the new image leaves room for NextVersion", async () => {
        const account = new FakeAppStreamAccount([tagged("Office", { tags: manyTags(49) })]);
        const first = await runToEnd(account, runSettings());
        assert.strictEqual(first.final.images[0].status, "updated");
        assert.match(first.final.images[0].note ?? "", /holds AppStream's 50 tags, so it was not given NextVersion/);
        assert.strictEqual(account.images.get("Office")!.tags.AutoUpdate, "Completed");
        const made = account.images.get(NEW("Office"))!;
        assert.strictEqual(Object.keys(made.tags).length, TAGS_PER_RESOURCE - 2);
        assert.match(first.final.images[0].note ?? "", /not copied to the new image .*: Tag7, Tag8, Tag9/);

        // A month later the new image is the one updated, and its TagResource must fit.
        const second = await runToEnd(account, runSettings(), 30, "2027-01-01T12:00:00Z");
        assert.deepStrictEqual(
            second.final.images.map((i) => [i.name, i.status, i.note]),
            [[NEW("Office"), "updated", undefined]],
        );
        assert.deepStrictEqual(
            [made.tags.AutoUpdate, made.tags.NextVersion, Object.keys(made.tags).length],
            ["Completed", NEW("Office", "2027-01-01"), TAGS_PER_RESOURCE - 1],
        );
        assert.deepStrictEqual(account.callsOf("TagResource").length, 2);
    });

    it("a run over thousands of tagged images takes every one, keeps every record, and its email fits SES", async () => {
        const names = Array.from(
            { length: 3000 },
            (_, i) => `Win2022-Business-Unit-${String(i).padStart(4, "0")}-Apps`,
        );
        const account = new FakeAppStreamAccount(
            // Every update fails with the longest message, so each entry grows as large as it can.
            names.map((name) => tagged(name, { update: { outcome: "FAILED", failureMessage: "é".repeat(400) } })),
        );
        account.quota = 3000;
        const { final } = await runToEnd(account, runSettings({ batchSize: 500 }));
        // No image is left for a later run: the state lives in S3, not in Step Functions' 256 KiB.
        assert.deepStrictEqual(
            final.images.map((i) => i.name),
            names,
        );
        assert.ok(final.images.every((i) => i.status === "failed"));
        for (const image of final.images) assert.ok(payloadBytes(image.reason) <= MAX_DETAIL_BYTES);
        // The lifecycle records at their largest: every fleet and retention record as long as it can be.
        const longest = (prefix: string, i: number) => `${prefix}${i}-`.padEnd(MAX_IMAGE_NAME_LENGTH, "x");
        const detail = boundedDetail("é".repeat(400));
        final.fleets = emptyRecords();
        final.retention = emptyRecords();
        for (let i = 0; i < 500; i++) {
            upsertRecord(
                final.fleets,
                {
                    fleet: longest("fleet", i).slice(0, 100),
                    image: longest("image", i),
                    newImage: longest("new", i),
                    outcome: "failed",
                    detail,
                },
                (r) => r.fleet,
            );
            upsertRecord(final.retention, { image: longest("old", i), kept: "deleteFailed", detail }, (r) => r.image);
        }
        // Nothing is left out: the state is in S3 (earlier versions kept 20 KiB of each and counted the rest).
        for (const records of [final.fleets!, final.retention!]) {
            assert.strictEqual(records.items.length, 500);
            assert.strictEqual(records.omitted, 0);
        }
        // SES's SendEmail takes messages up to 10 MB after base64 (SES quotas, "Maximum message size"):
        // past it, the email lists the first lines and links the full report (ses-size.test.ts).
        const summary = summarize(final);
        const email = await emailWithinSes(
            (options) => summaryEmail(summary, {}, options),
            async () => ({ bucket: "run-state", key: "runs/run/report.html" }),
        );
        assert.ok(fitsInSes(email));
        assert.match(email.text, /Failed \(3000\)/);
        assert.match(email.text, /Fleets not rolled out \(500\)/);
    });
});
