import * as assert from "assert";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import {
    ElasticFleetSessionScriptsInputs as Inputs,
    ElasticFleetSessionScriptsOutputs as Outputs,
    elasticFleetSessionScriptsProvider,
} from "../../../runtime/appstream/elastic-fleet-session-scripts-provider";
import { UNKNOWN_INPUT } from "../../../runtime/appstream/provider-inputs";
import { FAST_TUNING, asDeployed } from "../../helpers/dynamic-provider";
import { FakeFleet, FakeFleets, throttled } from "../../helpers/fake-fleets";
import { sdkError } from "../../helpers/sdk-errors";

const REGION = "eu-west-1";
const BUNDLE = { s3Bucket: "usage-assets-0a1b2c3", s3Key: "session-scripts/elastic-fleet/session-scripts.zip" };
const inputs = (fleetName: string, location = BUNDLE): Inputs => ({ region: REGION, fleetName, ...location });

const elastic = (name: string, states = ["RUNNING"], location?: FakeFleet["location"]): FakeFleet => ({
    name,
    fleetType: "ELASTIC",
    states,
    location,
});

describe("Elastic fleet session-scripts provider (serialized, against aws-sdk-client-mock)", () => {
    let aws: FakeFleets;
    let provider: Awaited<ReturnType<typeof asDeployed<Inputs, Outputs>>>;

    before(async () => {
        provider = await asDeployed(elasticFleetSessionScriptsProvider(FAST_TUNING));
    });
    afterEach(() => aws?.restore());

    const given = (...fleets: FakeFleet[]) => (aws = new FakeFleets(fleets));
    const failureOf = async (call: Promise<unknown>): Promise<string> => {
        try {
            await call;
        } catch (err) {
            return (err as Error).message;
        }
        assert.fail("expected the call to fail");
    };

    describe("create", () => {
        it("points a running Elastic fleet at the bundle, and records what AppStream answered", async () => {
            given(elastic("design"));
            const result = await provider.create(inputs("design"));
            assert.deepStrictEqual(result, { id: "design", outs: inputs("design") });
            assert.deepStrictEqual(aws.updates(), [
                {
                    Name: "design",
                    SessionScriptS3Location: { S3Bucket: BUNDLE.s3Bucket, S3Key: BUNDLE.s3Key },
                },
            ]);
            assert.deepStrictEqual(aws.fleets.get("design")!.location, {
                S3Bucket: BUNDLE.s3Bucket,
                S3Key: BUNDLE.s3Key,
            });
        });

        it("updates a STOPPED fleet too, without starting it", async () => {
            given(elastic("design", ["STOPPED"]));
            await provider.create(inputs("design"));
            assert.deepStrictEqual(aws.calls(), ["DescribeFleetsCommand", "UpdateFleetCommand"]);
            assert.deepStrictEqual(aws.fleets.get("design")!.states, ["STOPPED"]);
        });

        it("waits while the fleet is STARTING, then updates it once", async () => {
            given(elastic("design", ["STARTING", "STARTING", "RUNNING"]));
            await provider.create(inputs("design"));
            assert.deepStrictEqual(aws.calls(), [
                "DescribeFleetsCommand",
                "DescribeFleetsCommand",
                "DescribeFleetsCommand",
                "UpdateFleetCommand",
            ]);
        });

        it("gives up on a fleet that stays STOPPING, naming it and its state, without calling UpdateFleet", async () => {
            given(elastic("design", ["STOPPING"]));
            const message = await failureOf(provider.create(inputs("design")));
            assert.match(
                message,
                /^Elastic fleet "design" in eu-west-1 is still STOPPING after 0 minutes; AppStream accepts no fleet update while a fleet is STARTING or STOPPING\. Run pulumi up again once it is RUNNING or STOPPED\.$/,
            );
            assert.deepStrictEqual(aws.updates(), []);
        });

        it("rejects a fleet that does not exist, naming it and the config key", async () => {
            given(elastic("design"));
            assert.strictEqual(
                await failureOf(provider.create(inputs("Design"))),
                'Elastic fleet "Design" does not exist in eu-west-1. Fleet names are case-sensitive: fix or remove it in appstream-ops:elasticFleets.',
            );
            assert.deepStrictEqual(aws.updates(), []);
        });

        it("rejects an Always-on fleet, saying where its session scripts come from instead", async () => {
            given({ name: "kiosk", fleetType: "ALWAYS_ON", states: ["RUNNING"] });
            assert.strictEqual(
                await failureOf(provider.create(inputs("kiosk"))),
                'Fleet "kiosk" in eu-west-1 is ALWAYS_ON, not ELASTIC: only Elastic fleets take a SessionScriptS3Location. Remove it from appstream-ops:elasticFleets; Always-on and On-demand fleets run the session scripts installed on their image (see the imageBuilderInstallCommand output).',
            );
            assert.deepStrictEqual(aws.updates(), []);
        });

        it("retries throttled DescribeFleets and UpdateFleet calls", async () => {
            given(elastic("design"));
            aws.faults.DescribeFleets.push(throttled(), throttled());
            aws.faults.UpdateFleet.push(throttled());
            await provider.create(inputs("design"));
            assert.strictEqual(aws.calls().filter((c) => c === "UpdateFleetCommand").length, 2);
            assert.ok(aws.fleets.get("design")!.location);
        });

        it("fails with the call, the fleet and AWS's reason once throttling outlasts the retries", async () => {
            given(elastic("design"));
            aws.faults.UpdateFleet.push(throttled(), throttled(), throttled(), throttled());
            assert.strictEqual(
                await failureOf(provider.create(inputs("design"))),
                'UpdateFleet of Elastic fleet "design" in eu-west-1 failed: ThrottlingException: Rate exceeded',
            );
            assert.strictEqual(aws.updates().length, FAST_TUNING.retry.maxAttempts);
            assert.strictEqual(aws.fleets.get("design")!.location, undefined);
        });

        it("does not retry an error that another try cannot fix", async () => {
            given(elastic("design"));
            aws.faults.UpdateFleet.push(sdkError("InvalidParameterCombinationException", "bad location"));
            assert.strictEqual(
                await failureOf(provider.create(inputs("design"))),
                'UpdateFleet of Elastic fleet "design" in eu-west-1 failed: InvalidParameterCombinationException: bad location',
            );
            assert.strictEqual(aws.updates().length, 1);
        });
    });

    describe("check (runs at preview)", () => {
        it("recognises Pulumi's own placeholder for unknown inputs", () => {
            assert.strictEqual(UNKNOWN_INPUT, unknownValue);
        });

        it("accepts an existing Elastic fleet, with the bundle not known yet", async () => {
            given(elastic("design"));
            const news = { ...inputs("design"), s3Bucket: UNKNOWN_INPUT, s3Key: UNKNOWN_INPUT };
            assert.deepStrictEqual(await provider.check({} as Inputs, news), { inputs: news, failures: [] });
        });

        const cases: [string, Partial<Inputs>, string][] = [
            [
                "a name AppStream cannot have",
                { fleetName: "design fleet" },
                '"design fleet" is not an AppStream fleet name: 1-101 letters, digits, _ . or -, starting with a letter or digit',
            ],
            [
                "a missing fleet",
                { fleetName: "gone" },
                'Elastic fleet "gone" does not exist in eu-west-1. Fleet names are case-sensitive: fix or remove it in appstream-ops:elasticFleets.',
            ],
            [
                "an On-demand fleet",
                { fleetName: "ondemand" },
                'Fleet "ondemand" in eu-west-1 is ON_DEMAND, not ELASTIC: only Elastic fleets take a SessionScriptS3Location. Remove it from appstream-ops:elasticFleets; Always-on and On-demand fleets run the session scripts installed on their image (see the imageBuilderInstallCommand output).',
            ],
        ];
        for (const [what, change, reason] of cases) {
            it(`fails preview on ${what}, on the fleetName property`, async () => {
                given(elastic("design"), { name: "ondemand", fleetType: "ON_DEMAND", states: ["RUNNING"] });
                const result = await provider.check({} as Inputs, { ...inputs("design"), ...change });
                assert.deepStrictEqual(result.failures, [{ property: "fleetName", reason }]);
            });
        }

        it("asks AppStream nothing while the Region is unknown", async () => {
            given(elastic("design"));
            const result = await provider.check({} as Inputs, { ...inputs("design"), region: UNKNOWN_INPUT });
            assert.deepStrictEqual(result.failures, []);
            assert.deepStrictEqual(aws.calls(), []);
        });
    });

    describe("diff", () => {
        const olds = inputs("design");
        it("replaces on another fleet or Region", async () => {
            assert.deepStrictEqual(await provider.diff("design", olds, inputs("other")), {
                changes: true,
                replaces: ["fleetName"],
                deleteBeforeReplace: false,
            });
            assert.deepStrictEqual((await provider.diff("design", olds, { ...olds, region: "us-east-1" })).replaces, [
                "region",
            ]);
        });
        it("updates in place on a new bundle location, and reports no change otherwise", async () => {
            const moved = await provider.diff("design", olds, inputs("design", { ...BUNDLE, s3Key: "v2.zip" }));
            assert.deepStrictEqual(moved, { changes: true, replaces: [], deleteBeforeReplace: false });
            assert.strictEqual((await provider.diff("design", olds, inputs("design"))).changes, false);
        });
    });

    describe("read (refresh)", () => {
        it("reports the location AppStream holds", async () => {
            given(elastic("design", ["RUNNING"], { S3Bucket: "other", S3Key: "x.zip" }));
            assert.deepStrictEqual(await provider.read("design", inputs("design")), {
                id: "design",
                props: { region: REGION, fleetName: "design", s3Bucket: "other", s3Key: "x.zip" },
            });
        });
        it("reports an empty location when it was removed, so the next up sets it again", async () => {
            given(elastic("design"));
            const read = await provider.read("design", inputs("design"));
            assert.deepStrictEqual(read.props, { region: REGION, fleetName: "design", s3Bucket: "", s3Key: "" });
            assert.strictEqual((await provider.diff("design", read.props!, inputs("design"))).changes, true);
        });
        it("reports the resource gone with its fleet", async () => {
            given();
            assert.deepStrictEqual(await provider.read("design", inputs("design")), { id: "" });
        });
    });

    describe("update and delete", () => {
        it("update moves the fleet to the new location", async () => {
            given(elastic("design", ["RUNNING"], { S3Bucket: BUNDLE.s3Bucket, S3Key: BUNDLE.s3Key }));
            const news = inputs("design", { ...BUNDLE, s3Key: "v2.zip" });
            assert.deepStrictEqual(await provider.update("design", inputs("design"), news), { outs: news });
            assert.strictEqual(aws.fleets.get("design")!.location!.S3Key, "v2.zip");
        });

        it("delete removes the location it set, and only the location", async () => {
            given(elastic("design", ["RUNNING"], { S3Bucket: BUNDLE.s3Bucket, S3Key: BUNDLE.s3Key }));
            await provider.delete("design", inputs("design"));
            assert.deepStrictEqual(aws.updates(), [
                { Name: "design", AttributesToDelete: ["SESSION_SCRIPT_S3_LOCATION"] },
            ]);
            assert.strictEqual(aws.fleets.get("design")!.location, undefined);
            assert.deepStrictEqual(aws.fleets.get("design")!.states, ["RUNNING"]);
        });

        it("delete leaves a location someone pointed elsewhere since", async () => {
            given(elastic("design", ["RUNNING"], { S3Bucket: "theirs", S3Key: "scripts.zip" }));
            await provider.delete("design", inputs("design"));
            assert.deepStrictEqual(aws.updates(), []);
            assert.deepStrictEqual(aws.fleets.get("design")!.location, { S3Bucket: "theirs", S3Key: "scripts.zip" });
        });

        it("delete of a fleet that is gone succeeds without a call to UpdateFleet", async () => {
            given();
            await provider.delete("design", inputs("design"));
            assert.deepStrictEqual(aws.calls(), ["DescribeFleetsCommand"]);
        });
    });

    describe("state never disagrees with AppStream after a failed call", () => {
        // Pulumi's bookkeeping: a successful call's outputs become the state; a failed call keeps
        // the state as it was (none, for a create).
        type Step = (state: Outputs | undefined) => Promise<Outputs | undefined>;
        const create: Step = async () => (await provider.create(inputs("design"))).outs;
        const update: Step = async (state) =>
            (await provider.update("design", state!, inputs("design", { ...BUNDLE, s3Key: "v2.zip" }))).outs;
        const remove: Step = async (state) => {
            await provider.delete("design", state!);
            return undefined;
        };
        const faults: [string, FakeFleets["faults"]["DescribeFleets"], FakeFleets["faults"]["UpdateFleet"]][] = [
            ["DescribeFleets denied", [sdkError("AccessDeniedException")], []],
            ["UpdateFleet denied", [], [sdkError("AccessDeniedException")]],
            ["UpdateFleet throttled past the retries", [], [throttled(), throttled(), throttled(), throttled()]],
            ["UpdateFleet a 500", [], Array.from({ length: 4 }, () => sdkError("InternalFailure", "oops", 500))],
        ];
        const steps: [string, Step, Outputs | undefined][] = [
            ["create", create, undefined],
            ["update", update, inputs("design")],
            ["delete", remove, inputs("design")],
        ];
        for (const [stepName, step, before] of steps) {
            for (const [fault, describeFaults, updateFaults] of faults) {
                it(`${stepName} with ${fault}`, async () => {
                    const location = before && { S3Bucket: before.s3Bucket, S3Key: before.s3Key };
                    given(elastic("design", ["RUNNING"], location));
                    aws.faults.DescribeFleets.push(...describeFaults);
                    aws.faults.UpdateFleet.push(...updateFaults);
                    let state = before;
                    try {
                        state = await step(before);
                        assert.fail(`${stepName} succeeded despite ${fault}`);
                    } catch (err) {
                        assert.ok(!(err instanceof assert.AssertionError), (err as Error).message);
                    }
                    const actual = aws.fleets.get("design")!.location;
                    if (state) {
                        assert.deepStrictEqual(actual, { S3Bucket: state.s3Bucket, S3Key: state.s3Key });
                    } else {
                        assert.strictEqual(actual, undefined);
                    }
                });
            }
        }
    });
});
