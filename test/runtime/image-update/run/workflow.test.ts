import * as assert from "assert";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { appStreamApi } from "../../../../runtime/image-update/run/appstream-api";
import { IMAGE_NAME_PATTERN } from "../../../../runtime/image-update/lifecycle/image-names";
import { RunState } from "../../../../runtime/image-update/run/run-state";
import { summarize } from "../../../../runtime/image-update/run/run-summary";
import { checkRun, startRun } from "../../../../runtime/image-update/run/workflow";
import { RUN_STARTED_AT, quotasApi, runSettings, runToEnd } from "../../../helpers/direct-run";
import { FakeAppStreamAccount, FakeImageSpec, mockAppStream } from "../../../helpers/fake-appstream";

const STARTED_AT = RUN_STARTED_AT;
const settings = runSettings;
const NEW = (base: string) => `${base}-Updated-2026-12-01`;

const tagged = (name: string, extra: Partial<FakeImageSpec> = {}): FakeImageSpec => ({
    ...extra,
    name,
    tags: { AutoUpdate: "Enabled", ...(extra.tags ?? {}) },
});

const statusOf = (state: RunState) => Object.fromEntries(state.images.map((i) => [i.name, i.status]));

describe("image update workflow (runtime, against a stateful fake AppStream account)", () => {
    it("finds private AVAILABLE images tagged AutoUpdate=Enabled across pages of 25, and nothing else", async () => {
        const account = new FakeAppStreamAccount([
            ...Array.from({ length: 40 }, (_, i) => tagged(`tagged-${String(i).padStart(2, "0")}`)),
            ...Array.from({ length: 30 }, (_, i) => ({ name: `plain-${i}`, tags: { Team: "x" } })),
            tagged("public-tagged", { visibility: "PUBLIC" }),
            tagged("shared-tagged", { visibility: "SHARED" }),
            tagged("still-building", { state: "PENDING" }),
            { name: "wrong-value", tags: { AutoUpdate: "Completed" } },
        ]);
        const mock = mockAppStream(account);
        try {
            const state = await startRun(appStreamApi(new AppStreamClient({})), settings(), STARTED_AT, quotasApi());
            assert.deepStrictEqual(
                state.images.map((i) => i.name),
                Array.from({ length: 40 }, (_, i) => `tagged-${String(i).padStart(2, "0")}`),
            );
            const pages = account.callsOf("DescribeImages").filter((c) => !c.input.Names);
            // 74 private images at 25 per page.
            assert.strictEqual(pages.length, 3);
            for (const page of pages) assert.deepStrictEqual([page.input.Type, page.input.MaxResults], ["PRIVATE", 25]);
        } finally {
            mock.restore();
        }
    });

    it("updates every tagged image in batches no larger than batchSize and leaves untagged ones untouched", async () => {
        const account = new FakeAppStreamAccount([
            ...Array.from({ length: 12 }, (_, i) => tagged(`app-${i}`, { update: { minutes: 45 + 20 * (i % 4) } })),
            { name: "untagged", tags: { Team: "Finance" } },
        ]);
        account.quota = 10;
        const { final, inFlightAfterEachStep } = await runToEnd(account, settings({ batchSize: 3 }));
        assert.ok(Math.max(...inFlightAfterEachStep) <= 3, `in flight: ${inFlightAfterEachStep}`);
        assert.strictEqual(account.maxInFlight, 3);
        for (let i = 0; i < 12; i++) {
            assert.deepStrictEqual(account.updatesOf(`app-${i}`), [NEW(`app-${i}`)], `app-${i}`);
        }
        assert.deepStrictEqual(account.updatesOf("untagged"), []);
        assert.deepStrictEqual(account.images.get("untagged")!.tags, { Team: "Finance" });
        const dryRunsOrCreates = account
            .callsOf("CreateUpdatedImage")
            .filter((c) => c.input.existingImageName === "untagged");
        assert.deepStrictEqual(dryRunsOrCreates, []);
        assert.strictEqual(summarize(final).updated.length, 12);
        assert.strictEqual(summarize(final).outcome, "SUCCEEDED");
    });

    it("tags the new image with the old tags, BaseName and the opt-in tag, and marks the old one Completed", async () => {
        const account = new FakeAppStreamAccount([tagged("Office", { tags: { Team: "Finance", "aws:x": "y" } })]);
        await runToEnd(account, settings());
        assert.deepStrictEqual(account.images.get(NEW("Office"))!.tags, {
            BaseName: "Office",
            AutoUpdate: "Enabled",
            Team: "Finance",
        });
        assert.deepStrictEqual(account.images.get("Office")!.tags, {
            AutoUpdate: "Completed",
            NextVersion: NEW("Office"),
            Team: "Finance",
            "aws:x": "y",
        });
    });

    it("next month, the new image is updated from its BaseName, so names do not grow", async () => {
        const account = new FakeAppStreamAccount([
            tagged("Office-Updated-2026-11-01", { tags: { BaseName: "Office" } }),
            { name: "Office", tags: { AutoUpdate: "Completed", NextVersion: "Office-Updated-2026-11-01" } },
        ]);
        await runToEnd(account, settings());
        assert.deepStrictEqual(account.updatesOf("Office-Updated-2026-11-01"), [NEW("Office")]);
        assert.deepStrictEqual(account.updatesOf("Office"), []);
    });

    it("skips an image whose dry run says it is already up to date, without making a new image", async () => {
        const account = new FakeAppStreamAccount([
            tagged("current", { update: { available: false } }),
            tagged("stale"),
        ]);
        const { final } = await runToEnd(account, settings());
        assert.deepStrictEqual(statusOf(final), { current: "upToDate", stale: "updated" });
        assert.deepStrictEqual(account.updatesOf("current"), []);
        assert.deepStrictEqual(account.images.get("current")!.tags, { AutoUpdate: "Enabled" });
        const calls = account.callsOf("CreateUpdatedImage").filter((c) => c.input.existingImageName === "current");
        assert.deepStrictEqual(
            calls.map((c) => c.input.dryRun),
            [true],
        );
        assert.deepStrictEqual(summarize(final).upToDate, [{ name: "current", detail: undefined }]);
    });

    it("gives long and odd base names valid new names that AppStream accepts", async () => {
        const odd = [
            tagged("x".repeat(101)),
            tagged("Finance-image", { tags: { BaseName: "Finance Apps: v2 Crème" } }),
            tagged("Base-AWS", { tags: { BaseName: "AWS base image" } }),
            tagged("b2", { tags: { BaseName: "___" } }),
        ];
        const account = new FakeAppStreamAccount(odd);
        const { final } = await runToEnd(account, settings());
        assert.deepStrictEqual(
            final.images.map((i) => [i.name.slice(0, 12), account.updatesOf(i.name), i.status]),
            [
                ["b2", [NEW("image")], "updated"],
                ["Base-AWS", [NEW("img-AWS-base-image")], "updated"],
                ["Finance-imag", [NEW("Finance-Apps-v2-Creme")], "updated"],
                ["xxxxxxxxxxxx", [NEW("x".repeat(82))], "updated"],
            ],
        );
        for (const image of final.images) assert.match(account.updatesOf(image.name)[0], IMAGE_NAME_PATTERN);
        // The odd BaseName tag is carried over as it was, so next month starts from the same base.
        assert.strictEqual(account.images.get(NEW("Finance-Apps-v2-Creme"))!.tags.BaseName, "Finance Apps: v2 Crème");
    });

    it("reports per-image failures with their reasons and still updates the others", async () => {
        const account = new FakeAppStreamAccount([
            tagged("a-ok"),
            tagged("b-incompatible", { update: { error: "IncompatibleImageException" } }),
            tagged("c-not-permitted", { update: { error: "OperationNotPermittedException" } }),
            tagged("d-not-found", { update: { error: "ResourceNotFoundException" } }),
            tagged("e-fails-later", {
                update: { outcome: "FAILED", failureMessage: "Windows Update error 0x80070005" },
            }),
            tagged("f-ok"),
        ]);
        const { final } = await runToEnd(account, settings({ batchSize: 2 }));
        const summary = summarize(final);
        assert.deepStrictEqual(
            summary.updated.map((i) => i.name),
            ["a-ok", "f-ok"],
        );
        assert.deepStrictEqual(
            summary.failed.map((i) => [i.name, i.detail]),
            [
                [
                    "b-incompatible",
                    "IncompatibleImageException: Image b-incompatible is not compatible with managed image updates",
                ],
                [
                    "c-not-permitted",
                    "OperationNotPermittedException: Managed image updates are not permitted for image c-not-permitted",
                ],
                ["d-not-found", "ResourceNotFoundException: Image d-not-found was not found"],
                ["e-fails-later", "IMAGE_UPDATE_FAILURE: Windows Update error 0x80070005"],
            ],
        );
        assert.strictEqual(summary.outcome, "FAILED");
        // A failed update re-enables the old image, so the next scheduled run tries again.
        assert.strictEqual(account.images.get("e-fails-later")!.tags.AutoUpdate, "Enabled");
        // Rejected images were never marked Completed.
        assert.strictEqual(account.images.get("b-incompatible")!.tags.AutoUpdate, "Enabled");
    });

    it("retries throttling and LimitExceeded later in the run instead of failing the image", async () => {
        const account = new FakeAppStreamAccount(Array.from({ length: 6 }, (_, i) => tagged(`img-${i}`)));
        account.quota = 2;
        // Service Quotas says 5 while AppStream enforces 2, so AppStream's LimitExceeded is what holds images back.
        account.reportedQuotas = { concurrentUpdates: 5 };
        account.throttle("CreateUpdatedImage", 3);
        account.throttle("TagResource", 1);
        const { final } = await runToEnd(account, settings({ batchSize: 5 }));
        assert.deepStrictEqual(new Set(Object.values(statusOf(final))), new Set(["updated"]));
        assert.ok(account.maxInFlight <= 2, `${account.maxInFlight}`);
        for (let i = 0; i < 6; i++) {
            assert.deepStrictEqual(account.updatesOf(`img-${i}`), [NEW(`img-${i}`)]);
            assert.strictEqual(account.images.get(`img-${i}`)!.tags.AutoUpdate, "Completed", `img-${i}`);
        }
        const limited = account.calls.filter((c) => c.command === "CreateUpdatedImage" && !c.input.dryRun);
        assert.ok(limited.length > 6, "expected some creates to be refused and retried");
    });

    it("a re-run adopts an update already started instead of reporting an error or starting it twice", async () => {
        const account = new FakeAppStreamAccount([tagged("Office"), tagged("Excel")]);
        const mock = mockAppStream(account);
        let first: RunState;
        try {
            first = await startRun(appStreamApi(new AppStreamClient({})), settings(), STARTED_AT, quotasApi());
        } finally {
            mock.restore();
        }
        assert.deepStrictEqual(statusOf(first), { Excel: "updating", Office: "updating" });
        // As if the first run's tag write had been lost: Office is still opted in.
        account.images.get("Office")!.tags.AutoUpdate = "Enabled";
        const { final } = await runToEnd(account, settings());
        // Excel is marked Completed and its update of this cycle is still being made: followed, not lost.
        assert.deepStrictEqual(statusOf(final), { Excel: "updated", Office: "updated" });
        const noteOf = (name: string) => final.images.find((i) => i.name === name)?.note ?? "";
        // Its new image names it as its base (BaseImageArn): followed from the listing, before any call.
        assert.match(noteOf("Office"), /was started by an earlier attempt of this run or by a run at the same time/);
        assert.match(noteOf("Excel"), /was started by an earlier attempt of this run or by a run at the same time/);
        assert.deepStrictEqual(account.updatesOf("Office"), [NEW("Office")]);
        assert.deepStrictEqual(account.updatesOf("Excel"), [NEW("Excel")]);
    });

    it("an unrelated image that already has the new name is a failure, not adopted", async () => {
        const account = new FakeAppStreamAccount([
            tagged("Office"),
            { name: NEW("Office"), tags: { Owner: "someone else" } },
        ]);
        const { final } = await runToEnd(account, settings());
        assert.deepStrictEqual(statusOf(final), { Office: "failed" });
        assert.match(final.images[0].reason!, /already exists and was not made from this image/);
    });

    it("of two images with one base name, only the newer is updated and the other is reported", async () => {
        const account = new FakeAppStreamAccount([
            tagged("Office-old", { tags: { BaseName: "Office" }, createdTime: "2026-01-01T00:00:00Z" }),
            tagged("Office-new", { tags: { BaseName: "Office" }, createdTime: "2026-06-01T00:00:00Z" }),
        ]);
        const { final } = await runToEnd(account, settings());
        assert.deepStrictEqual(statusOf(final), { "Office-new": "updated", "Office-old": "failed" });
        assert.match(
            final.images.find((i) => i.name === "Office-old")!.reason!,
            /shares base name "Office" with the newer Office-new/,
        );
    });

    it("an image that already is this cycle's update is up to date, never updated again", async () => {
        const account = new FakeAppStreamAccount([tagged(NEW("Office"), { tags: { BaseName: "Office" } })]);
        const { final } = await runToEnd(account, settings());
        assert.deepStrictEqual(statusOf(final), { [NEW("Office")]: "upToDate" });
        assert.deepStrictEqual(account.callsOf("CreateUpdatedImage"), []);
    });

    it("polls all running updates with one DescribeImages call per 25 names", async () => {
        const account = new FakeAppStreamAccount(Array.from({ length: 30 }, (_, i) => tagged(`img-${i}`)));
        account.quota = 30;
        await runToEnd(account, settings({ batchSize: 30 }));
        const polls = account.callsOf("DescribeImages").filter((c) => c.input.Names);
        // One check (after 30 minutes nothing is done; after 60 all are): 2 checks x 2 calls.
        assert.deepStrictEqual(
            polls.map((c) => (c.input.Names as string[]).length),
            [25, 5, 25, 5],
        );
    });

    it("a check with images waiting lists the private images once for them and for rollout, and a later batch reads only the tags of an image it listed", async () => {
        const account = new FakeAppStreamAccount(
            ["a", "b", "c"].map((name) => tagged(name, { update: { minutes: 30 } })),
            { fleets: [{ name: "fleet-a", imageName: "a", tags: { AutoUpdate: "Enabled" } }] },
        );
        const listingsPerStep: number[] = [];
        let seen = 0;
        const { final } = await runToEnd(account, settings({ batchSize: 1 }), 30, RUN_STARTED_AT, () => {
            const step = account.calls.slice(seen);
            seen = account.calls.length;
            listingsPerStep.push(
                step.filter((c) => c.command === "DescribeImages" && !c.input.Names && !c.input.NextToken).length,
            );
        });
        assert.deepStrictEqual(statusOf(final), { a: "updated", b: "updated", c: "updated" });
        // Each check but the last has an image waiting and an update that became AVAILABLE: one
        // listing serves both. The last lists for rollout, and retention lists afresh: it deletes,
        // so it never works from a listing older than the step's own changes.
        assert.deepStrictEqual(listingsPerStep.slice(0, -1), [1, 1, 1], `listings per step: ${listingsPerStep}`);
        const byName = account.callsOf("DescribeImages").flatMap((c) => (c.input.Names as string[] | undefined) ?? []);
        assert.deepStrictEqual(
            byName.filter((name) => !name.endsWith("-Updated-2026-12-01")),
            [],
            "only new images are described by name",
        );
        assert.strictEqual(account.fleets.get("fleet-a")!.imageName, NEW("a"));
    });

    it("ends at maxChecks and reports updates still running as pending at timeout", async () => {
        const account = new FakeAppStreamAccount([
            tagged("slow", { update: { minutes: 600 } }),
            tagged("quick", { update: { minutes: 30 } }),
            tagged("waiting", { update: { minutes: 30 } }),
        ]);
        const { final, checks } = await runToEnd(account, settings({ batchSize: 1, maxChecks: 4 }));
        assert.strictEqual(checks, 4);
        const summary = summarize(final);
        assert.deepStrictEqual(
            [...summary.updated, ...summary.pendingAtTimeout].map((i) => [i.name, i.detail]),
            [
                ["quick", undefined],
                ["slow", "still running after 4 checks; AppStream finishes it on its own"],
                ["waiting", "not started before the run timed out"],
            ],
        );
        assert.strictEqual(summary.outcome, "FAILED");
    });

    it("out of the invocation's time, a step starts one update and leaves the rest queued for the next check", async () => {
        const account = new FakeAppStreamAccount(
            Array.from({ length: 4 }, (_, i) => tagged(`app-${i}`, { update: { minutes: 30 } })),
        );
        const mock = mockAppStream(account);
        try {
            const api = appStreamApi(new AppStreamClient({}));
            const outOfTime = { mayStartUpdates: () => false };
            const started = await startRun(api, settings(), STARTED_AT, quotasApi(), outOfTime);
            assert.deepStrictEqual(Object.values(statusOf(started)), ["updating", "queued", "queued", "queued"]);
            assert.strictEqual(started.done, false);
            account.advance(30);
            const checked = await checkRun(api, JSON.parse(JSON.stringify(started)), outOfTime);
            assert.deepStrictEqual(Object.values(statusOf(checked)), ["updated", "updating", "queued", "queued"]);
            // With time, the rest start at once.
            account.advance(30);
            const inTime = await checkRun(api, JSON.parse(JSON.stringify(checked)));
            assert.deepStrictEqual(Object.values(statusOf(inTime)), ["updated", "updated", "updating", "updating"]);
        } finally {
            mock.restore();
        }
    });

    it("honours a custom opt-in tag", async () => {
        const account = new FakeAppStreamAccount([
            { name: "monthly", tags: { Patch: "monthly" } },
            tagged("default-tag"),
        ]);
        const { final } = await runToEnd(account, settings({ tagKey: "Patch", tagValue: "monthly" }));
        assert.deepStrictEqual(statusOf(final), { monthly: "updated" });
        assert.deepStrictEqual(account.images.get("monthly")!.tags, {
            Patch: "Completed",
            NextVersion: NEW("monthly"),
        });
    });

    it("when the Tagging API fails, discovery asks AppStream image by image; an image whose tags cannot be read is reported, and the others go on", async () => {
        const account = new FakeAppStreamAccount([tagged("a"), tagged("b")]);
        account.throttle("GetResources", 1);
        account.throttle("ListTagsForResource", 1);
        const { final } = await runToEnd(account, settings());
        const summary = summarize(final);
        assert.strictEqual(summary.updated.length + summary.failed.length, 2);
        assert.strictEqual(summary.failed.length, 1);
        assert.match(summary.failed[0].detail!, /could not read its tags: ThrottlingException/);
    });

    describe("finding opted-in images with the Resource Groups Tagging API", () => {
        const start = async (account: FakeAppStreamAccount, overrides = {}) => {
            const mock = mockAppStream(account);
            try {
                return await startRun(
                    appStreamApi(new AppStreamClient({})),
                    settings(overrides),
                    STARTED_AT,
                    quotasApi(),
                );
            } finally {
                mock.restore();
            }
        };

        it("asks for the images that carry the opt-in tag key, page by page, and reads no untagged image's tags", async () => {
            const account = new FakeAppStreamAccount([
                ...Array.from({ length: 150 }, (_, i) => tagged(`app-${String(i).padStart(3, "0")}`)),
                ...Array.from({ length: 40 }, (_, i) => ({ name: `team-${i}`, tags: { Team: "x" } })),
                ...Array.from({ length: 10 }, (_, i) => ({ name: `bare-${i}` })),
            ]);
            account.quota = 300;
            const state = await start(account, { batchSize: 5 });
            assert.strictEqual(state.images.length, 150);
            const queries = account.callsOf("GetResources");
            // 150 tagged images at GetResources' largest page of 100.
            assert.strictEqual(queries.length, 2);
            for (const query of queries) {
                assert.deepStrictEqual(query.input.ResourceTypeFilters, ["appstream:image"]);
                assert.deepStrictEqual(query.input.TagFilters, [{ Key: "AutoUpdate" }]);
                assert.strictEqual(query.input.ResourcesPerPage, 100);
            }
            // The first batch was started on the tags discovery read: no image's tags were read alone.
            assert.deepStrictEqual(account.callsOf("ListTagsForResource"), []);
        });

        it("an image tagged minutes before the run, which the Tagging API does not show yet, is taken up by a later run", async () => {
            const account = new FakeAppStreamAccount([tagged("early"), { name: "late", tags: { Team: "x" } }]);
            // The Tagging API is eventually consistent: here its index lags AppStream by 10 minutes.
            account.taggingLagMinutes = 10;
            await account.tagResource({ ResourceArn: account.arnOf("late"), Tags: { AutoUpdate: "Enabled" } });
            assert.deepStrictEqual(statusOf(await start(account)), { early: "updating" });
            account.advance(10);
            assert.deepStrictEqual(statusOf(await start(account)), { early: "updating", late: "updating" });
        });

        it("deletes a version on AppStream's own tags, not on a Completed the Tagging API still shows", async () => {
            const account = new FakeAppStreamAccount([
                {
                    name: "app",
                    createdTime: "2026-01-01T00:00:00Z",
                    tags: { AutoUpdate: "Completed", NextVersion: "app-Updated-2026-11-01" },
                },
                {
                    name: "app-Updated-2026-11-01",
                    createdTime: "2026-11-01T12:00:00Z",
                    tags: { AutoUpdate: "Enabled", BaseName: "app" },
                },
            ]);
            account.taggingLagMinutes = 1;
            // An administrator took "app" out of retention's hands a moment ago (its opt-in tag no
            // longer says Completed); the Tagging API's index has not caught up.
            account.images.get("app")!.tags = { AutoUpdate: "Keep", NextVersion: "app-Updated-2026-11-01" };
            const { final } = await runToEnd(account, settings({ keepImageVersions: 1 }));
            assert.deepStrictEqual(statusOf(final), { "app-Updated-2026-11-01": "updated" });
            assert.deepStrictEqual(account.deleted, ["app-Updated-2026-11-01"]);
            assert.ok(account.images.has("app"), "app was deleted on the Tagging API's stale tags");
        });
    });

    describe("checks that count instead of listing", () => {
        it("no check lists the private images while the run's own count of the quotas leaves room", async () => {
            const account = new FakeAppStreamAccount(
                Array.from({ length: 6 }, (_, i) => tagged(`app-${i}`, { update: { minutes: 40 } })),
            );
            account.quota = 2;
            const listingsAt: number[] = [];
            const { final } = await runToEnd(account, settings({ batchSize: 2 }), 30, STARTED_AT, () =>
                listingsAt.push(account.callsOf("DescribeImages").filter((c) => !c.input.Names).length),
            );
            assert.deepStrictEqual(Object.values(statusOf(final)), Array(6).fill("updated"));
            // Discovery lists once; the checks poll by name; retention lists once when the run ends.
            assert.deepStrictEqual(
                listingsAt.map((n, i) => n - (listingsAt[i - 1] ?? 0)),
                [1, ...Array(listingsAt.length - 2).fill(0), 1],
            );
            assert.ok(account.maxInFlight <= 2);
        });

        it("after an attempt that never stored its result, a check lists the private images and follows what that attempt started", async () => {
            const account = new FakeAppStreamAccount([tagged("a"), tagged("b")]);
            account.quota = 1;
            const mock = mockAppStream(account);
            try {
                const api = appStreamApi(new AppStreamClient({}));
                const started = await startRun(api, settings({ batchSize: 1 }), STARTED_AT, quotasApi());
                account.advance(60);
                // The lost attempt: it saw a finish and started b, then its result was never stored.
                await checkRun(api, structuredClone(started));
                assert.deepStrictEqual(account.updatesOf("b"), [NEW("b")]);
                const retried = await checkRun(api, structuredClone(started), { afterLostAttempt: true });
                const b = retried.images.find((i) => i.name === "b")!;
                assert.strictEqual(b.status, "updating");
                assert.match(b.note ?? "", /was made although its start did not say so; it is followed/);
                assert.ok(account.callsOf("DescribeImages").some((c) => !c.input.Names && c.at === account.minutes));
            } finally {
                mock.restore();
            }
        });
    });

    describe("a second run of the same day meets this cycle's FAILED update (the simulation, seeds 2027 and 2028)", () => {
        async function afterFailedRun() {
            const account = new FakeAppStreamAccount([
                tagged("App0", {
                    update: { outcome: "FAILED", failureMessage: "the agent update failed", minutes: 20 },
                }),
            ]);
            await runToEnd(account, settings());
            assert.strictEqual(account.images.get("App0")!.tags.AutoUpdate, "Enabled");
            return account;
        }
        const startAgain = async (account: FakeAppStreamAccount) => {
            const mock = mockAppStream(account);
            try {
                return await startRun(appStreamApi(new AppStreamClient({})), settings(), STARTED_AT, quotasApi());
            } finally {
                mock.restore();
            }
        };

        it("found opted in: reported failed, and never marked Completed", async () => {
            const account = await afterFailedRun();
            const state = await startAgain(account);
            assert.deepStrictEqual(statusOf(state), { App0: "failed" });
            assert.match(state.images[0].reason!, /App0-Updated-2026-12-01, this cycle's update of it, failed/);
            assert.strictEqual(account.images.get("App0")!.tags.AutoUpdate, "Enabled");
        });

        it("found still marked Completed (the tag set back is not seen yet): reported failed, and its tag set back", async () => {
            const account = await afterFailedRun();
            account.images.get("App0")!.tags.AutoUpdate = "Completed";
            const state = await startAgain(account);
            assert.deepStrictEqual(statusOf(state), { App0: "failed" });
            assert.match(
                state.images[0].reason!,
                /already exists and failed: IMAGE_UPDATE_FAILURE: the agent update failed/,
            );
            assert.strictEqual(account.images.get("App0")!.tags.AutoUpdate, "Enabled");
        });
    });
});
