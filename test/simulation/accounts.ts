/**
 * fast-check arbitraries for the fault-injection simulation: small AppStream accounts (lineages of
 * versions with their tags, fleets in every state and type, on our images by name or on another
 * account's image of the same name, image builders, shared images, quotas raised or default and
 * readable, denied or odd), run settings, and fault schedules.
 */
import fc from "fast-check";
import { updatedImageName } from "../../runtime/image-update/lifecycle/image-names";
import type { FakeFleetSpec, FakeImageBuilderSpec, FakeImageSpec } from "../helpers/fake-appstream";

export interface QuotaSetup {
    /** Enforced image quota as room left over what the account holds; undefined: not enforced. */
    readonly imageRoom?: number;
    readonly concurrentUpdates: number;
    /** How Service Quotas answers. */
    readonly read: "readable" | "denied" | "noSuchResource" | "zero" | "belowUse";
}

export interface FaultRates {
    /** Per AWS call: a throttle; half of them begin a storm that outlasts the function's retries (faults.ts). */
    readonly throttle: number;
    /** Per AppStream call: an error the operation's model lists, or a common error. */
    readonly error: number;
    /** Per mutating call (CreateUpdatedImage, TagResource, UpdateFleet, DeleteImage): it takes effect, the answer is lost. */
    readonly lostAnswer: number;
    /** Per step: the step runs, its result is lost, and Step Functions retries it. */
    readonly stepRetry: number;
    /** The first StartRun's result is lost after it started updates (the retry the issue names). */
    readonly startRunRetry: boolean;
    /**
     * Minutes the Tagging API's index lags AppStream (it is eventually consistent): 0, within one
     * step, or longer than a poll interval, so a tag the run wrote is not seen at the next check.
     */
    readonly taggingLagMinutes: number;
}

export interface SimulationCase {
    readonly images: FakeImageSpec[];
    readonly fleets: FakeFleetSpec[];
    readonly builders: FakeImageBuilderSpec[];
    readonly quotas: QuotaSetup;
    readonly settings: { keepImageVersions: number; batchSize: number; maxChecks: number };
    readonly faults: FaultRates;
    /** Seed of the fault schedule's random draws. */
    readonly faultSeed: number;
    /** Start a second execution before this check of the first (undefined: none). */
    readonly secondExecutionAtCheck?: number;
}

const MONTHS = ["2026-09-01", "2026-10-01", "2026-11-01"];
const OTHER_ACCOUNT = "999999999999";
const OPT_IN = { AutoUpdate: "Enabled" };

/** One lineage: its original and 0-2 versions this tool made, the newest opted in (or not). */
const lineage = (base: string) =>
    fc
        .record({
            versions: fc.integer({ min: 0, max: 2 }),
            optedIn: fc.boolean(),
            outcome: fc.constantFrom<"AVAILABLE" | "FAILED">("AVAILABLE", "AVAILABLE", "AVAILABLE", "FAILED"),
            minutes: fc.integer({ min: 20, max: 150 }),
            upToDate: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
            sharedOld: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
        })
        .map(({ versions, optedIn, outcome, minutes, upToDate, sharedOld }) => {
            const names = [base, ...MONTHS.slice(3 - versions).map((month) => updatedImageName(base, month))];
            return names.map((name, i): FakeImageSpec => {
                const newest = i === names.length - 1;
                const tags: Record<string, string> = {
                    ...(i > 0 ? { BaseName: base } : {}),
                    ...(newest
                        ? optedIn
                            ? OPT_IN
                            : { Team: "Apps" }
                        : { AutoUpdate: "Completed", NextVersion: names[i + 1] }),
                };
                return {
                    name,
                    tags,
                    createdTime: i === 0 ? "2026-06-01T00:00:00.000Z" : `${MONTHS[3 - versions + i - 1]}T13:00:00.000Z`,
                    ...(sharedOld && i === 0 && !newest ? { sharedWith: [OTHER_ACCOUNT] } : {}),
                    ...(newest ? { update: { outcome, minutes, available: !upToDate } } : {}),
                };
            });
        });

export const simulationCase: fc.Arbitrary<SimulationCase> = fc
    .record({
        lineages: fc
            .integer({ min: 1, max: 4 })
            .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => lineage(`App${i}`)))),
        plain: fc.integer({ min: 0, max: 2 }),
        fleets: fc.array(
            fc.record({
                pick: fc.nat(),
                otherAccount: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
                state: fc.constantFrom<FakeFleetSpec["state"]>("RUNNING", "RUNNING", "STOPPED", "STARTING", "STOPPING"),
                fleetType: fc.constantFrom<FakeFleetSpec["fleetType"]>("ON_DEMAND", "ALWAYS_ON", "ELASTIC"),
                optedIn: fc.boolean(),
            }),
            { maxLength: 4 },
        ),
        builder: fc.option(fc.nat(), { nil: undefined }),
        quotas: fc.record({
            imageRoom: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
            concurrentUpdates: fc.integer({ min: 1, max: 5 }),
            read: fc.constantFrom<QuotaSetup["read"]>(
                "readable",
                "readable",
                "denied",
                "noSuchResource",
                "zero",
                "belowUse",
            ),
        }),
        settings: fc.record({
            keepImageVersions: fc.integer({ min: 0, max: 3 }),
            batchSize: fc.integer({ min: 1, max: 3 }),
            maxChecks: fc.integer({ min: 2, max: 7 }),
        }),
        // One case in five runs without faults: only there is a run held to using all the room the
        // quotas leave (I4's second half), and each step now makes more calls that could fail.
        faults: fc.oneof(
            {
                weight: 4,
                arbitrary: fc.record({
                    throttle: fc.constantFrom(0, 0.02, 0.08),
                    error: fc.constantFrom(0, 0.02, 0.05),
                    lostAnswer: fc.constantFrom(0, 0.05, 0.15),
                    stepRetry: fc.constantFrom(0, 0.05, 0.15),
                    startRunRetry: fc.boolean(),
                    taggingLagMinutes: fc.constantFrom(0, 0, 5, 45),
                }),
            },
            {
                weight: 1,
                arbitrary: fc.record({
                    throttle: fc.constant(0),
                    error: fc.constant(0),
                    lostAnswer: fc.constant(0),
                    stepRetry: fc.constant(0),
                    startRunRetry: fc.constant(false),
                    taggingLagMinutes: fc.constantFrom(0, 5, 45),
                }),
            },
        ),
        faultSeed: fc.integer(),
        secondExecutionAtCheck: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 4 }),
    })
    .map(({ lineages, plain, fleets, builder, ...rest }) => {
        const images = [...lineages.flat(), ...Array.from({ length: plain }, (_, i) => ({ name: `Plain${i}` }))];
        const versions = lineages.flat();
        return {
            ...rest,
            images,
            fleets: fleets.map((f, i): FakeFleetSpec => {
                const image = versions[f.pick % versions.length];
                return {
                    name: `fleet-${i}`,
                    // Another account's image carries the base name of one of ours.
                    imageName: f.otherAccount ? (image.tags?.BaseName ?? image.name) : image.name,
                    ...(f.otherAccount ? { imageAccount: OTHER_ACCOUNT } : {}),
                    state: f.state,
                    fleetType: f.fleetType,
                    tags: f.optedIn ? OPT_IN : { Team: "Ops" },
                };
            }),
            builders:
                builder === undefined
                    ? []
                    : [{ name: "builder-0", imageName: versions[builder % versions.length].name }],
        };
    });
