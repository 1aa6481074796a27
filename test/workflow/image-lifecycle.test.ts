/**
 * The image lifecycle as deployed: quotas, version retention and rollout to opted-in fleets, run by
 * the real state-machine definition (aws-local-stepfunctions) with every Task answered by the
 * serialized Lambda against the fake account, month after month. The fake enforces AppStream's
 * image quota on CreateUpdatedImage, refuses DeleteImage for an image in use and UpdateFleet in the
 * states its reference forbids, and every call is validated against the botocore models.
 */
import * as assert from "assert";
import { RunInput } from "../../runtime/image-update/run/run-settings";
import { DeployedWorkflow, deployedWorkflow } from "../helpers/deployed-workflow";
import { FakeAppStreamAccount, FakeFleetSpec, FakeImageSpec, mockAppStream, mockSes } from "../helpers/fake-appstream";
import { LocalWorkflowRun, runLocalWorkflow } from "../helpers/local-workflow";
import { sdkError } from "../helpers/sdk-errors";
import { inLambdaRegion } from "../helpers/environment";

const EMAIL_CONFIG = { notifyEmails: '["ops@example.com"]', senderEmail: "appstream@example.com" };
const DECEMBER = "2026-12-01T12:00:00Z";
const JANUARY = "2027-01-01T12:00:00Z";
const updated = (base: string, month = "2026-12-01") => `${base}-Updated-${month}`;
const optedIn = (name: string): FakeImageSpec => ({ name, tags: { AutoUpdate: "Enabled" } });
const OPT_IN = { AutoUpdate: "Enabled" };
const FIVE = ["CAD", "ERP", "Excel", "Office", "Teams"];

describe("image lifecycle as deployed (quotas, retention, rollout; real ASL + serialized handler)", function () {
    this.timeout(120_000);
    let ses: ReturnType<typeof mockSes>;
    let appstream: { restore(): void } | undefined;
    const deployments = new Map<string, Promise<DeployedWorkflow>>();
    const deploy = (config: Record<string, string> = {}) => {
        const key = JSON.stringify(config);
        if (!deployments.has(key)) deployments.set(key, deployedWorkflow({ config: { ...EMAIL_CONFIG, ...config } }));
        return deployments.get(key)!;
    };
    inLambdaRegion();
    beforeEach(() => {
        ses = mockSes();
    });
    afterEach(() => {
        ses.restore();
        appstream?.restore();
        appstream = undefined;
    });

    /** One run; `loseResult` makes Step Functions retry the steps whose result it says is lost. */
    async function month(
        deployed: DeployedWorkflow,
        account: FakeAppStreamAccount,
        startedAt: string,
        loseResult?: (state: string) => boolean,
    ) {
        appstream?.restore();
        appstream = mockAppStream(account);
        const sent = ses.sent.length;
        const run: LocalWorkflowRun = await runLocalWorkflow({
            definition: deployed.definition,
            handler: deployed.handler,
            input: deployed.input as RunInput,
            account,
            pollIntervalMinutes: deployed.pollIntervalMinutes,
            startedAt,
            loseResult,
        });
        const email = ses.sent[sent];
        return {
            run,
            subject: email?.Message?.Subject?.Data ?? "",
            text: email?.Message?.Body?.Text?.Data ?? "",
            checks: run.steps.filter((s) => s.state === "CheckUpdates").length,
        };
    }

    const creates = (account: FakeAppStreamAccount, from: number) =>
        account.calls.slice(from).filter((c) => c.command === "CreateUpdatedImage" && !c.input.dryRun).length;

    /** Five opted-in images on a quota of ten: December fills it. */
    async function fullAfterDecember() {
        const account = new FakeAppStreamAccount(FIVE.map(optedIn));
        account.imageQuota = 10;
        const december = await month(await deploy(), account, DECEMBER);
        assert.strictEqual(december.run.status, "SUCCEEDED", december.text);
        assert.strictEqual(account.images.size, 10);
        return account;
    }

    it("a second month on a full image quota, retention off: nothing is started, the quota is named, nothing is 'pending at timeout'", async () => {
        const account = await fullAfterDecember();
        const before = account.calls.length;
        const january = await month(await deploy(), account, JANUARY);

        assert.deepStrictEqual([january.run.status, january.run.error], ["FAILED", "ImageUpdatesFailed"]);
        // No update that cannot fit is started, and the run does not wait 24 hours for nothing.
        assert.strictEqual(creates(account, before), 0);
        assert.strictEqual(january.checks, 0);
        assert.match(
            january.subject,
            /^ACTION NEEDED \(5 not started\): .*0 updated, 0 failed, 0 up to date, 0 pending, 5 blocked by a quota/,
        );
        assert.ok(january.text.includes("image quota reached: 10 of 10 images; 5 updates not started."), january.text);
        // None is reported pending at timeout; the empty section is left out.
        assert.ok(!january.text.includes("Still pending at timeout"), january.text);
        assert.match(
            january.text,
            /turn on retention \(keepImageVersions; with 1 it would delete the 5 superseded version\(s\)/,
        );
        assert.match(
            january.text,
            /raise the quota L-E1182CCA in Service Quotas \(service appstream2\): https:\/\/eu-west-1\.console/,
        );
        // What retention would delete: the five originals December superseded.
        const wouldDelete = january.text.split("these superseded versions would be deleted (5):\n")[1];
        assert.ok(wouldDelete, january.text);
        for (const name of FIVE) assert.ok(wouldDelete.includes(`  - ${name}\n`), name);
        assert.strictEqual(account.deleted.length, 0);
        assert.ok(january.text.includes("images: 10 of 10 (L-E1182CCA, Service Quotas)"), january.text);
    });

    it("the same month with retention on (keepImageVersions 1): retention makes room, every image is updated, old versions are deleted", async () => {
        const account = await fullAfterDecember();
        const january = await month(await deploy({ keepImageVersions: "1" }), account, JANUARY);

        assert.strictEqual(january.run.status, "SUCCEEDED", january.text);
        for (const name of FIVE)
            assert.deepStrictEqual(account.updatesOf(updated(name)), [updated(name, "2027-01-01")]);
        // Before the updates the originals went; after them the December versions.
        assert.deepStrictEqual(account.deleted.slice(0, 5).sort(), [...FIVE].sort());
        assert.deepStrictEqual(account.deleted.slice(5).sort(), FIVE.map((n) => updated(n)).sort());
        assert.deepStrictEqual([...account.images.keys()].sort(), FIVE.map((n) => updated(n, "2027-01-01")).sort());
        assert.match(january.subject, /5 updated, 0 failed, 0 up to date, 0 pending, 10 old version\(s\) deleted$/);
        assert.ok(january.text.includes("Old versions deleted (10):"), january.text);
        assert.ok(january.text.includes(`  - ${updated("Office", "2027-01-01")}: the newest version`), january.text);
    });

    it("defect 2: with keepImageVersions 2 on a full quota, no version within keep is deleted before an update succeeds; the updates are blocked and the advice says how to make room", async () => {
        const account = await fullAfterDecember();
        const january = await month(await deploy({ keepImageVersions: "2" }), account, JANUARY);

        // Each lineage holds exactly two versions: deleting one before its new version exists could leave it at one for good.
        assert.deepStrictEqual(account.deleted, []);
        assert.strictEqual(creates(account, 0), 5, "only December's five");
        assert.deepStrictEqual([january.run.status, january.run.error], ["FAILED", "ImageUpdatesFailed"]);
        assert.ok(january.text.includes("image quota reached: 10 of 10 images; 5 updates not started."), january.text);
        assert.match(
            january.text,
            /Retention \(keepImageVersions = 2\) could not make enough room\. Lower keepImageVersions/,
        );
        assert.ok(january.text.includes(`  - Office: one of the newest 2 (keepImageVersions)`), january.text);
    });

    it("defect 1: an unreadable quota on an account with a raised quota and keep 3 deletes nothing and updates every image", async () => {
        const lineage = (base: string): FakeImageSpec[] => [
            {
                name: base,
                createdTime: "2026-09-01T00:00:00.000Z",
                tags: { AutoUpdate: "Completed", NextVersion: updated(base, "2026-10-01") },
            },
            {
                name: updated(base, "2026-10-01"),
                createdTime: "2026-10-01T00:00:00.000Z",
                tags: { BaseName: base, AutoUpdate: "Completed", NextVersion: updated(base, "2026-11-01") },
            },
            {
                name: updated(base, "2026-11-01"),
                createdTime: "2026-11-01T00:00:00.000Z",
                tags: { BaseName: base, AutoUpdate: "Enabled" },
            },
        ];
        const specs = [...lineage("A"), ...lineage("B"), ...lineage("C"), { name: "X" }, { name: "Y" }, { name: "Z" }];
        for (const quotaRead of ["denied", "0", "below use"] as const) {
            const account = new FakeAppStreamAccount(specs);
            account.imageQuota = 50;
            if (quotaRead === "denied") account.quotaReadError = sdkError("NoSuchResourceException", "no quota");
            if (quotaRead === "0") account.reportedQuotas = { images: 0 };
            if (quotaRead === "below use") account.reportedQuotas = { images: 10 };
            const { run, text } = await month(await deploy({ keepImageVersions: "3" }), account, DECEMBER);
            for (const base of ["A", "B", "C"]) {
                assert.strictEqual(account.updatesOf(updated(base, "2026-11-01")).length, 1, quotaRead);
            }
            // Nothing is deleted to make room; once the new versions exist, only the fourth of each lineage goes.
            const firstDelete = account.calls.findIndex((c) => c.command === "DeleteImage");
            const lastCreate = account.calls
                .map((c) => c.command === "CreateUpdatedImage" && !c.input.dryRun)
                .lastIndexOf(true);
            assert.ok(
                firstDelete === -1 || firstDelete > lastCreate,
                `${quotaRead}: deleted before an update was accepted`,
            );
            assert.deepStrictEqual([...account.deleted].sort(), ["A", "B", "C"], `${quotaRead}: ${text}`);
            assert.strictEqual(run.status, "SUCCEEDED", `${quotaRead}: ${text}`);
        }
    });

    it("defect 7: retention on a nearly full quota frees room during the run, and every opted-in image is started in that run", async () => {
        const account = new FakeAppStreamAccount([
            optedIn("A"),
            optedIn("B"),
            optedIn("C"),
            ...["P", "Q", "R", "S", "T", "U"].map((name) => ({ name })),
        ]);
        account.imageQuota = 10;
        const { run, text } = await month(await deploy({ keepImageVersions: "1" }), account, DECEMBER);
        for (const base of ["A", "B", "C"]) assert.deepStrictEqual(account.updatesOf(base), [updated(base)], text);
        // Each original goes once its new version exists, and its place serves the next image.
        assert.deepStrictEqual([...account.deleted].sort(), ["A", "B", "C"], text);
        assert.ok(account.images.size <= 10);
        assert.strictEqual(run.status, "SUCCEEDED", text);
    });

    it("room retention frees at the run's last check is used: the blocked image is started, reported still running, and the next run follows it (the simulation, seed 3001)", async () => {
        const account = new FakeAppStreamAccount([
            optedIn("A"),
            optedIn("B"),
            ...["P", "Q", "R", "S", "T", "U", "V"].map((name) => ({ name })),
        ]);
        account.imageQuota = 10;
        // One check per run: at 60 minutes, when A's update (60 minutes) is done.
        const deployed = await deploy({ keepImageVersions: "1", maxWaitHours: "1", pollIntervalMinutes: "60" });
        const december = await month(deployed, account, DECEMBER);
        assert.strictEqual(december.checks, 1, december.text);
        assert.deepStrictEqual(account.deleted, ["A"], december.text);
        assert.deepStrictEqual(account.updatesOf("B"), [updated("B")], december.text);
        assert.match(
            december.text,
            /Still pending at timeout \(1\):\n {2}- B -> B-Updated-2026-12-01 \(still running after 1 check;/,
        );
        assert.doesNotMatch(december.text, /Image quota reached/i);
        assert.ok(account.images.size <= 10);

        const later = await month(deployed, account, "2026-12-01T14:00:00Z");
        assert.strictEqual(later.run.status, "SUCCEEDED", later.text);
        assert.deepStrictEqual(account.updatesOf("B"), [updated("B")], "followed, not started again");
        assert.deepStrictEqual(account.deleted, ["A", "B"], later.text);
    });

    it("defect 3: an opted-in fleet that could not be rolled out is moved by the next run, and listed until then", async () => {
        const account = new FakeAppStreamAccount([optedIn("Office")], {
            fleets: [{ name: "office-prod", imageName: "Office", state: "STOPPING", tags: OPT_IN }],
        });
        const december = await month(await deploy(), account, DECEMBER);
        assert.strictEqual(account.fleets.get("office-prod")!.imageName, "Office");
        assert.match(december.text, /office-prod \(Office -> Office-Updated-2026-12-01\): the fleet is STOPPING/);
        // Still stopping at the next run: listed again.
        const again = await month(await deploy(), account, "2026-12-01T18:00:00Z");
        assert.match(again.text, /office-prod \(Office -> Office-Updated-2026-12-01\): the fleet is STOPPING/);
        account.fleets.get("office-prod")!.state = "STOPPED";
        const january = await month(await deploy(), account, JANUARY);
        // At the start of the run it moves to December's version, and then on to January's when that is made.
        assert.deepStrictEqual(
            account.fleetMoves.map((m) => [m.from, m.to]),
            [
                ["Office", updated("Office")],
                [updated("Office"), updated("Office", "2027-01-01")],
            ],
        );
        assert.match(january.text, /office-prod: Office-Updated-2026-12-01 -> Office-Updated-2027-01-01/);
        // January's own update moves it on to the newest version.
        assert.strictEqual(account.fleets.get("office-prod")!.imageName, updated("Office", "2027-01-01"));
    });

    it("defect 6: a fleet on another account's shared image of the same name is never moved", async () => {
        const account = new FakeAppStreamAccount([optedIn("Office")], {
            fleets: [
                { name: "partner", imageName: "Office", imageAccount: "999999999999", tags: OPT_IN },
                { name: "ours", imageName: "Office", tags: { ...OPT_IN, "pulumi:stack": "prod" } },
            ],
        });
        await month(await deploy(), account, DECEMBER);
        assert.strictEqual(account.fleets.get("partner")!.imageName, "Office");
        assert.strictEqual(account.fleets.get("ours")!.imageName, updated("Office"));
        assert.deepStrictEqual(
            account.fleetMoves.map((m) => m.fleet),
            ["ours"],
        );
        // The fleet carries a Pulumi tag: its next deploy would move it back, and the email says so.
        const { text } = await month(await deploy(), account, JANUARY);
        assert.match(text, /ours: Office-Updated-2026-12-01 -> Office-Updated-2027-01-01 .*Pulumi manages this fleet/);
    });

    it("defects 4 and 8: when setting a failed update's opt-in tag back fails, the deployed Lambda does not crash, the email says so, and the next run takes it up again", async () => {
        const account = new FakeAppStreamAccount([
            { ...optedIn("Office"), update: { outcome: "FAILED", failureMessage: "disk full" } },
        ]);
        let failTagging = true;
        account.faultHook = (command, input) =>
            failTagging && command === "TagResource" && (input.Tags as Record<string, string>)?.AutoUpdate === "Enabled"
                ? { kind: "error", name: "AccessDeniedException", httpStatusCode: 400 }
                : undefined;
        const december = await month(await deploy(), account, DECEMBER);
        assert.deepStrictEqual(
            december.run.steps.filter((s) => s.error).map((s) => s.error),
            [],
            "no step failed",
        );
        assert.strictEqual(account.images.get("Office")!.tags.AutoUpdate, "Completed");
        assert.match(
            december.text,
            /Its opt-in tag could not be set back to AutoUpdate=Enabled, so no later run takes it up until you run: aws appstream tag-resource/,
        );
        assert.ok(!december.text.includes("It keeps its opt-in tag"), december.text);
        failTagging = false;
        const january = await month(await deploy(), account, JANUARY);
        assert.ok(
            account.calls.some(
                (c) =>
                    c.command === "CreateUpdatedImage" &&
                    c.input.newImageName === updated("Office", "2027-01-01") &&
                    !c.input.dryRun,
            ),
            january.text,
        );
    });

    it("when setting a failed update's opt-in tag back gets no answer and cannot be read back, the email says the tag is unknown, not that it was not set back (the simulation, seed 3002)", async () => {
        const account = new FakeAppStreamAccount([
            { ...optedIn("Office"), update: { outcome: "FAILED", failureMessage: "disk full" } },
        ]);
        let setBack = 0;
        account.faultHook = (command, input) => {
            if (command === "TagResource" && (input.Tags as Record<string, string>)?.AutoUpdate === "Enabled") {
                // The first write takes effect and its answer is lost; every later one is refused.
                return setBack++ === 0
                    ? { kind: "lostAnswer" }
                    : { kind: "error", name: "InvalidAccountStatusException", httpStatusCode: 400 };
            }
            // From then on the image's tags cannot be read.
            if (command === "ListTagsForResource" && setBack > 0) return { kind: "throttle" };
            return undefined;
        };
        const december = await month(await deploy(), account, DECEMBER);
        assert.ok(setBack >= 2, "set back, then tried again");
        assert.strictEqual(account.images.get("Office")!.tags.AutoUpdate, "Enabled", "the lost write took effect");
        assert.match(
            december.text,
            /Whether it carries the opt-in tag AutoUpdate=Enabled is unknown; to have the next run try it: aws appstream tag-resource/,
        );
        assert.ok(!december.text.includes("could not be set back"), december.text);
    });

    it("when setting a failed update's opt-in tag back is refused but another execution already set it back, the email says it keeps its opt-in tag (the simulation, seed 3004)", async () => {
        const account = new FakeAppStreamAccount([
            { ...optedIn("Office"), update: { outcome: "FAILED", failureMessage: "disk full" } },
        ]);
        account.faultHook = (command, input) => {
            if (command !== "TagResource" || (input.Tags as Record<string, string>)?.AutoUpdate !== "Enabled")
                return undefined;
            // A second execution following the same update has just written the tag.
            account.images.get("Office")!.tags.AutoUpdate = "Enabled";
            return { kind: "error", name: "AccessDeniedException", httpStatusCode: 400 };
        };
        const december = await month(await deploy(), account, DECEMBER);
        assert.match(december.text, /It keeps its opt-in tag AutoUpdate=Enabled, so the next run tries it again/);
        assert.ok(!december.text.includes("could not be set back"), december.text);
    });

    it("defect 5: a StartRun that Step Functions retries after it started updates still follows and reports every one of them", async () => {
        const account = new FakeAppStreamAccount(FIVE.map(optedIn));
        let lost = 0;
        const { run, subject, text } = await month(
            await deploy(),
            account,
            DECEMBER,
            (state) => state === "StartRun" && lost++ === 0,
        );
        assert.strictEqual(lost, 2, "StartRun ran twice");
        assert.strictEqual(run.status, "SUCCEEDED", text);
        assert.strictEqual(creates(account, 0), 5);
        assert.match(subject, /5 updated, 0 failed/);
    });

    it("a version a CheckUpdates deleted before it could store its result is not reported kept when the retried check cannot list images (the simulation, seed 2027)", async () => {
        const previous = updated("CAD", "2026-11-01");
        const account = new FakeAppStreamAccount([
            { name: "CAD", tags: { AutoUpdate: "Completed", NextVersion: previous } },
            { name: previous, tags: { ...OPT_IN, BaseName: "CAD" }, createdTime: "2026-11-01T13:00:00.000Z" },
        ]);
        // Once the check that saw the new version has deleted the old one, it cannot store its
        // result (S3 fails past the SDK's retries), and the retry's listing of private images fails.
        let lost = 0;
        account.faultHook = (command, input) => {
            if (command === "DescribeImages" && !input.Names && account.deleted.includes(previous))
                return { kind: "error", name: "InvalidParameterCombinationException", httpStatusCode: 400 };
            if (command === "PutObject" && account.deleted.includes(previous) && lost++ === 0)
                return { kind: "error", name: "InternalError", httpStatusCode: 500 };
            return undefined;
        };
        const { run, text } = await month(await deploy({ keepImageVersions: "1" }), account, DECEMBER);
        assert.ok(lost >= 2, "the check that deleted the old version ran again");
        assert.ok(
            run.steps.some((step) => step.state === "CheckUpdates" && step.error?.startsWith("RunStateUnavailable")),
            text,
        );
        // Rollout lists the fleets first and, with none on this account's images, needs no listing
        // of images: only retention is cut short, and the run reports it.
        assert.strictEqual(run.status, "SUCCEEDED", text);
        assert.ok(
            run.steps.some((step) => step.state === "NotifySummary" && !step.error),
            text,
        );
        assert.ok(
            text.includes(
                "retention did not finish: InvalidParameterCombinationException: injected InvalidParameterCombinationException (DescribeImages); it deleted nothing more, and the next run tries again",
            ),
            text,
        );
        assert.ok(!account.images.has(previous), "the lost attempt deleted the old version");
        assert.ok(!text.includes(`${previous}: the newest version\n`), text);
        assert.ok(
            text.includes(
                `${previous}: the newest version when last read; retention could not list images since, so whether it still exists is unknown`,
            ),
            text,
        );
    });

    it("defect 5: a LimitExceededException whose recount is throttled does not fail StartRun", async () => {
        const account = new FakeAppStreamAccount(FIVE.map(optedIn));
        let limited = false;
        let throttledRecounts = 0;
        account.faultHook = (command, input) => {
            if (command === "CreateUpdatedImage" && !input.dryRun && input.existingImageName === "ERP" && !limited) {
                limited = true;
                return { kind: "error", name: "LimitExceededException", httpStatusCode: 400 };
            }
            // The recount is throttled past the SDK's retries, for a while.
            return limited && command === "DescribeImageBuilders" && throttledRecounts++ < 3
                ? { kind: "throttle" }
                : undefined;
        };
        const { run, subject, text } = await month(await deploy(), account, DECEMBER);
        assert.strictEqual(run.steps[0].error, undefined, text);
        assert.strictEqual(run.status, "SUCCEEDED", text);
        assert.match(subject, /5 updated, 0 failed/);
    });

    it("rolls new versions out to opted-in fleets, skips the fleets AppStream would refuse, and lists the others with the command", async () => {
        const fleets: FakeFleetSpec[] = [
            { name: "office-prod", imageName: "Office", tags: OPT_IN },
            { name: "office-pilot", imageName: "Office", state: "STOPPED", fleetType: "ALWAYS_ON", tags: OPT_IN },
            { name: "office-elastic", imageName: "Office", fleetType: "ELASTIC", tags: OPT_IN },
            { name: "office-stopping", imageName: "Office", state: "STOPPING", tags: OPT_IN },
            { name: "office-busy", imageName: "Office", tags: OPT_IN, updateError: "ConcurrentModificationException" },
            { name: "excel-manual", imageName: "Excel", tags: { Team: "Finance" } },
        ];
        const account = new FakeAppStreamAccount([optedIn("Office"), optedIn("Excel")], { fleets });
        const { run, text, subject } = await month(await deploy({ keepImageVersions: "1" }), account, DECEMBER);

        const imageOf = (fleet: string) => account.fleets.get(fleet)!.imageName;
        assert.strictEqual(imageOf("office-prod"), updated("Office"));
        assert.strictEqual(imageOf("office-pilot"), updated("Office"));
        for (const fleet of ["office-elastic", "office-stopping", "office-busy"])
            assert.strictEqual(imageOf(fleet), "Office");
        assert.strictEqual(imageOf("excel-manual"), "Excel");

        // A fleet that needs a person makes the run ask for action, with what to run.
        assert.deepStrictEqual([run.status, run.error], ["FAILED", "ImageUpdatesFailed"]);
        assert.match(subject, /2 updated, 0 failed, 0 up to date, 0 pending, 2 fleet\(s\) rolled out/);
        const command = (fleet: string, image: string) =>
            `aws appstream update-fleet --name ${fleet} --image-name ${image} --region eu-west-1`;
        assert.ok(text.includes("Fleets rolled out to the new image (2):"), text);
        assert.match(
            text,
            /office-elastic \(Office -> Office-Updated-2026-12-01\): an Elastic fleet's image can be changed only while the fleet is stopped/,
        );
        assert.match(
            text,
            /office-stopping \(.*\): the fleet is STOPPING; AppStream changes a fleet's image only while it is RUNNING or STOPPED/,
        );
        assert.match(text, /office-busy \(.*\): ConcurrentModificationException: UpdateFleet office-busy failed/);
        assert.ok(text.includes(`When it can be updated: ${command("office-stopping", updated("Office"))}`), text);
        assert.ok(
            text.includes(`excel-manual uses Excel. To roll it out: ${command("excel-manual", updated("Excel"))}`),
            text,
        );

        // Retention never deletes an image a fleet still uses: rollout is what frees the old version.
        assert.deepStrictEqual(account.deleted, []);
        assert.match(text, /  - Office: in use by fleet office-busy, fleet office-elastic, fleet office-stopping/);
        assert.match(text, /  - Excel: in use by fleet excel-manual/);
    });

    it("reports an opted-in fleet whose tags cannot be read as failed, not as 'not opted in', and leaves it alone", async () => {
        const fleets: FakeFleetSpec[] = [
            { name: "office-prod", imageName: "Office", tags: OPT_IN },
            { name: "office-gone", imageName: "Office", tags: OPT_IN, tagsUnreadable: true },
        ];
        const account = new FakeAppStreamAccount([optedIn("Office")], { fleets });
        const { text } = await month(await deploy(), account, DECEMBER);

        assert.strictEqual(account.fleets.get("office-prod")!.imageName, updated("Office"));
        assert.strictEqual(account.fleets.get("office-gone")!.imageName, "Office");
        assert.match(
            text,
            /office-gone \(Office -> Office-Updated-2026-12-01\): could not read its tags, so whether it is opted in is unknown: ResourceNotFoundException/,
        );
        assert.ok(!text.includes("office-gone uses Office"), text);
    });

    it("keeps a version an image builder uses or one shared with another account, and deletes the rest", async () => {
        const account = new FakeAppStreamAccount(
            [
                {
                    name: "Office",
                    createdTime: "2026-09-01T00:00:00.000Z",
                    tags: { AutoUpdate: "Completed", NextVersion: updated("Office", "2026-10-01") },
                },
                {
                    name: updated("Office", "2026-10-01"),
                    createdTime: "2026-10-01T00:00:00.000Z",
                    tags: { BaseName: "Office", AutoUpdate: "Completed", NextVersion: updated("Office", "2026-11-01") },
                    sharedWith: ["111122223333"],
                },
                {
                    name: updated("Office", "2026-11-01"),
                    createdTime: "2026-11-01T00:00:00.000Z",
                    tags: { BaseName: "Office", AutoUpdate: "Enabled" },
                },
            ],
            { builders: [{ name: "office-builder", imageName: "Office" }] },
        );
        const { run, text } = await month(await deploy({ keepImageVersions: "1" }), account, DECEMBER);

        assert.strictEqual(run.status, "SUCCEEDED", text);
        assert.deepStrictEqual(account.deleted, [updated("Office", "2026-11-01")]);
        assert.ok(text.includes(`  - ${updated("Office", "2026-10-01")}: shared with other accounts`), text);
        assert.ok(text.includes("  - Office: in use by image builder office-builder"), text);
    });

    it("asks DescribeImagePermissions before every deletion, but not for the report of what keepImageVersions: 1 would delete when AppStream says FALSE (only when it says so)", async () => {
        const lineage = (): FakeImageSpec[] => [
            {
                name: "Office",
                createdTime: "2026-09-01T00:00:00.000Z",
                tags: { AutoUpdate: "Completed", NextVersion: updated("Office", "2026-11-01") },
            },
            {
                name: updated("Office", "2026-11-01"),
                createdTime: "2026-11-01T00:00:00.000Z",
                tags: { BaseName: "Office", AutoUpdate: "Enabled" },
            },
        ];
        const permissionChecks = (account: FakeAppStreamAccount) =>
            account.callsOf("DescribeImagePermissions").map((c) => c.input.Name);

        const reportOnly = new FakeAppStreamAccount(lineage());
        const off = await month(await deploy(), reportOnly, DECEMBER);
        assert.strictEqual(off.run.status, "SUCCEEDED", off.text);
        assert.deepStrictEqual(reportOnly.deleted, []);
        assert.deepStrictEqual(permissionChecks(reportOnly), []);
        assert.ok(
            off.text.includes(
                `with keepImageVersions = 1 these superseded versions would be deleted (2):\n  - Office\n  - ${updated("Office", "2026-11-01")}\n`,
            ),
            off.text,
        );

        // AppStream may leave the field out (it is optional in the model): then the report asks too.
        const silent = new FakeAppStreamAccount(lineage());
        silent.describesSharing = false;
        await month(await deploy(), silent, DECEMBER);
        assert.deepStrictEqual(permissionChecks(silent), ["Office", updated("Office", "2026-11-01")]);

        const deleting = new FakeAppStreamAccount(lineage());
        const on = await month(await deploy({ keepImageVersions: "1" }), deleting, DECEMBER);
        assert.strictEqual(on.run.status, "SUCCEEDED", on.text);
        assert.deepStrictEqual(deleting.deleted, ["Office", updated("Office", "2026-11-01")]);
        assert.deepStrictEqual([...permissionChecks(deleting)].sort(), [...deleting.deleted].sort());
    });

    it("a quota read that is denied falls back to the documented defaults and says so", async () => {
        const account = new FakeAppStreamAccount([optedIn("Office"), optedIn("Excel")]);
        account.quotaReadError = sdkError(
            "AccessDeniedException",
            "User is not authorized to perform servicequotas:GetServiceQuota",
        );
        const { run, text } = await month(await deploy(), account, DECEMBER);

        assert.strictEqual(run.status, "SUCCEEDED", text);
        assert.strictEqual(account.updatesOf("Office").length, 1);
        assert.match(
            text,
            /images: 4 of 10 \(L-E1182CCA, documented default; AccessDeniedException: User is not authorized/,
        );
        assert.match(text, /concurrent image updates: 0 of 5 \(L-9B6418E0, documented default; AccessDeniedException/);
    });
});

describe("the fake account's lifecycle contract (negative controls)", () => {
    let appstream: { restore(): void } | undefined;
    afterEach(() => appstream?.restore());

    it("refuses an update past the image quota, DeleteImage of an image in use, and UpdateFleet while a fleet is STOPPING", async () => {
        const { AppStreamClient, CreateUpdatedImageCommand, DeleteImageCommand, UpdateFleetCommand } =
            await import("@aws-sdk/client-appstream");
        const account = new FakeAppStreamAccount([optedIn("Office"), optedIn("Spare")], {
            fleets: [{ name: "stopping", imageName: "Office", state: "STOPPING" }],
        });
        account.imageQuota = 2;
        appstream = mockAppStream(account);
        const client = new AppStreamClient({ region: "eu-west-1", maxAttempts: 1 });
        const failure = (promise: Promise<unknown>) =>
            promise.then(
                () => "accepted",
                (err: Error) => err.name,
            );
        assert.strictEqual(
            await failure(
                client.send(new CreateUpdatedImageCommand({ existingImageName: "Office", newImageName: "Office-2" })),
            ),
            "LimitExceededException",
        );
        assert.strictEqual(
            await failure(client.send(new DeleteImageCommand({ Name: "Office" }))),
            "ResourceInUseException",
        );
        assert.strictEqual(
            await failure(client.send(new UpdateFleetCommand({ Name: "stopping", ImageName: "Spare" }))),
            "OperationNotPermittedException",
        );
        account.fleets.get("stopping")!.state = "STOPPED";
        assert.strictEqual(
            await failure(client.send(new UpdateFleetCommand({ Name: "stopping", ImageName: "Spare" }))),
            "accepted",
        );
        assert.strictEqual(await failure(client.send(new DeleteImageCommand({ Name: "Office" }))), "accepted");
    });
});
