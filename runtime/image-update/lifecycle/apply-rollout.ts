/**
 * Rollout against AppStream (I3): every opted-in fleet on an older version of one of our lineages
 * is pointed at the lineage's newest AVAILABLE version, whenever a run meets it, not only in the
 * check where a new version appears. A fleet AppStream refuses now (STARTING, STOPPING, a running
 * Elastic fleet) or whose UpdateFleet fails is recorded and tried again at the next check and the
 * next run. A fleet on another account's image is never touched. One fleet's failure never stops
 * the others.
 */
import { errorName, errorReason } from "../../aws/errors";
import type { AppStreamApi, FleetInfo, ImageInfo } from "../run/appstream-api";
import { TAG_READ_CONCURRENCY, mapWithConcurrency } from "../run/concurrency";
import { readTagsOf } from "../run/tag-reads";
import { boundedDetail } from "../run/state-budget";
import { baseNameOf } from "./image-names";
import { Tags, isTaggedForUpdate } from "./image-tags";
import { imageArnPrefixOf, streamsOurImage } from "./invariants";
import { FLEET_LISTING_FAILURE, LifecycleRun, isPassRecord, recordFleet } from "./lifecycle-records";
import { imageNameOfArn, isManagedVersion, mayBeVersionOf, versionsOf } from "./retention";
import { FleetOnLineage, FleetRecord, planRollout } from "./rollout";
import { BASE_NAME_TAG_KEY, FLEETS_LEFT_TAG_KEY, MAX_IMAGE_TAGS } from "../run/run-settings";

/** What this invocation already read: the private images and the tags of some of them. */
export interface KnownImages {
    readonly images?: readonly ImageInfo[];
    /** Image name -> tags, filled as tags are read. */
    readonly tags: Map<string, Tags>;
}

/** Tag key prefixes IaC tools leave on what they manage, and the tool's name. */
const IAC_TAG_PREFIXES: [string, string][] = [
    ["aws:cloudformation:", "CloudFormation"],
    ["pulumi:", "Pulumi"],
    ["terraform", "Terraform"],
];

function iacManager(tags: Tags): string | undefined {
    const keys = Object.keys(tags).map((key) => key.toLowerCase());
    return IAC_TAG_PREFIXES.find(([prefix]) => keys.some((key) => key.startsWith(prefix)))?.[1];
}

/**
 * Rolls out every opted-in fleet that streams an older version of one of our lineages.
 * `updatedThisRun` names the images this run updated, for the "not opted in" records.
 */
export async function rollOutLineages(
    api: AppStreamApi,
    run: LifecycleRun,
    known: KnownImages,
    updatedThisRun: ReadonlySet<string>,
): Promise<void> {
    let fleets: FleetInfo[];
    let images: readonly ImageInfo[];
    try {
        fleets = await api.listFleets();
        // Only a fleet on one of this account's images can be rolled out: with none, the private
        // images need not be listed (a fleet that names its image without an ARN may be one).
        const anyOnOurs = fleets.some((fleet) =>
            fleet.imageArn ? imageArnPrefixOf(fleet.imageArn) === run.imageArnPrefix : fleet.imageName !== undefined,
        );
        images = known.images ?? (anyOnOurs ? await api.listPrivateImages() : []);
    } catch (err) {
        recordFleet(run, {
            fleet: FLEET_LISTING_FAILURE,
            image: "-",
            newImage: "-",
            outcome: "failed",
            detail: boundedDetail(
                `the fleets and images could not be listed, so none was rolled out: ${errorReason(err)}`,
            ),
        });
        return;
    }
    const stale = run.fleets?.items.find((record) => record.fleet === FLEET_LISTING_FAILURE);
    if (stale) run.fleets!.items = run.fleets!.items.filter((record) => record !== stale);
    const byName = new Map(images.map((image) => [image.name, image]));
    const ours = new Set(byName.keys());
    // Fleets on one of our AVAILABLE images, with the image's name whether the fleet names it or its ARN.
    const onOurImages = fleets
        .filter((fleet) => streamsOurImage(fleet, run.imageArnPrefix, ours))
        .map((fleet) => ({ fleet, image: byName.get(fleet.imageName ?? imageNameOfArn(fleet.imageArn) ?? "") }))
        .filter((f): f is { fleet: FleetInfo; image: ImageInfo } => f.image?.state === "AVAILABLE");
    const { tagKey } = run.settings;
    // An image an AVAILABLE update was made from belongs to its lineage even when the tags that say
    // so could not be written (a failed or lost TagResource).
    const updated = new Set([
        ...updatedThisRun,
        ...images.filter((i) => i.state === "AVAILABLE").flatMap((i) => imageNameOfArn(i.baseImageArn) ?? []),
    ]);
    const bases = new Map<string, string>();
    // A fleet whose image's lineage cannot be read in full waits: moving it to what looks newest could be wrong.
    const unreadable = (fleet: FleetInfo, image: string, what: string) =>
        recordFleet(run, {
            fleet: fleet.name,
            image,
            newImage: "(unknown)",
            outcome: "failed",
            detail: `${what} could not be read, so whether it has a newer version is unknown; retried at the next check`,
        });
    // The images fleets stream, and then every version of their lineages, each in a few bulk reads.
    await readTagsOf(
        api,
        onOurImages.map(({ image }) => image),
        known.tags,
    );
    for (const { fleet, image } of onOurImages) {
        // Read above, in bulk and then one by one (tag-reads): missing here means unreadable now.
        const tags = known.tags.get(image.name);
        if (!tags) unreadable(fleet, image.name, `the tags of ${image.name}`);
        else if (isManagedVersion(tags, tagKey) || updated.has(image.name)) {
            bases.set(image.name, baseNameOf(image.name, tags[BASE_NAME_TAG_KEY]));
        }
    }
    const lineages = new Map<string, ReturnType<typeof versionsOf>>();
    const incomplete = new Set<string>();
    const allBases = [...new Set(bases.values())];
    await readTagsOf(
        api,
        images.filter((image) => image.state === "AVAILABLE" && mayBeVersionOf(image.name, allBases)),
        known.tags,
    );
    for (const base of allBases) {
        const candidates = images.filter((image) => image.state === "AVAILABLE" && mayBeVersionOf(image.name, [base]));
        const versions = candidates.map((image) => {
            const tags = known.tags.get(image.name);
            if (!tags) incomplete.add(base);
            return {
                name: image.name,
                state: image.state,
                createdTime: image.createdTime,
                platform: image.platform,
                tags: tags ?? {},
            };
        });
        lineages.set(base, versionsOf(base, versions, tagKey, updated));
    }
    for (const { fleet, image } of onOurImages) {
        const base = bases.get(image.name);
        if (base !== undefined && incomplete.has(base)) unreadable(fleet, image.name, `the versions of ${base}`);
    }
    const concerned = onOurImages.filter(({ image }) => {
        const base = bases.get(image.name);
        return base !== undefined && !incomplete.has(base) && lineages.get(base)?.[0]?.name !== image.name;
    });
    // Fleets an IaC tool manages, by the tag it leaves: its next deploy sets the image back.
    const managedBy = new Map<string, string>();
    const planned: FleetOnLineage[] = await mapWithConcurrency(
        concerned,
        TAG_READ_CONCURRENCY,
        async ({ fleet, image }) => ({
            fleet,
            image: image.name,
            lineage: lineages.get(bases.get(image.name)!)!,
            optedIn: await api.listTags(fleet.arn).then(
                (tags) => {
                    const tool = iacManager(tags);
                    if (tool) managedBy.set(fleet.name, tool);
                    return isTaggedForUpdate(tags, run.settings);
                },
                (err: unknown) => new Error(errorReason(err)),
            ),
        }),
    );
    const { roll, records } = planRollout(planned, updatedThisRun);
    for (const record of records)
        recordFleet(run, { ...record, ...(record.detail ? { detail: boundedDetail(record.detail) } : {}) });
    const marked = new Set<string>();
    for (const record of roll) {
        // Marked before the move, so the mark survives a step whose result is lost (I1).
        if (!marked.has(record.image)) {
            const failure = await markLeft(api, run, record.image);
            if (failure) {
                recordFleet(run, { ...record, outcome: "failed", detail: boundedDetail(failure) });
                continue;
            }
            marked.add(record.image);
            const tags = known.tags.get(record.image);
            if (tags) known.tags.set(record.image, { ...tags, [FLEETS_LEFT_TAG_KEY]: run.runDate });
        }
        try {
            await api.setFleetImage(record.fleet, record.newImage);
            const tool = managedBy.get(record.fleet);
            recordFleet(run, {
                ...record,
                outcome: "rolledOut",
                ...(tool
                    ? {
                          detail: `${tool} manages this fleet: set its image there too, or its next deploy moves it back`,
                      }
                    : {}),
            });
        } catch (err) {
            recordFleet(run, await readBack(api, record, err));
        }
    }
    // A fleet an earlier check could not move may have been moved since (by a lost answer, or by hand).
    for (const record of run.fleets?.items ?? []) {
        if (record.outcome === "rolledOut" || record.outcome === "notOptedIn") continue;
        const fleet = fleets.find((f) => f.name === record.fleet);
        const image = fleet && (fleet.imageName ?? imageNameOfArn(fleet.imageArn));
        if (image === record.newImage) recordFleet(run, { ...record, outcome: "rolledOut", detail: undefined });
    }
}

/**
 * Tags the version fleets are about to leave with the run's date (FleetsLeft); an error that
 * another check may not meet is returned, and the fleet waits. An image that already holds
 * AppStream's 50 tags cannot take the mark: its fleets move anyway, and the run state alone keeps
 * the version (a lost step may then forget it).
 */
async function markLeft(api: AppStreamApi, run: LifecycleRun, image: string): Promise<string | undefined> {
    const arn = `${run.imageArnPrefix}${image}`;
    try {
        await api.tagImage(arn, { [FLEETS_LEFT_TAG_KEY]: run.runDate });
        return undefined;
    } catch (err) {
        // Only an image that really holds AppStream's 50 tags moves on without the mark.
        if (errorName(err) === "LimitExceededException") {
            const tags = await api.listTags(arn).catch(() => undefined);
            if (tags && Object.keys(tags).length >= MAX_IMAGE_TAGS) return undefined;
        }
        return `${image} could not be marked as left by fleets (${errorReason(err)}), so it was not rolled out yet; retried at the next check`;
    }
}

/**
 * An UpdateFleet that failed may still have taken effect (the answer was lost): read the fleet back
 * and record what is true, or say that it is unknown.
 */
async function readBack(api: AppStreamApi, record: FleetRecord, err: unknown): Promise<FleetRecord> {
    try {
        const [fleet] = await api.describeFleets([record.fleet]);
        if (fleet && (fleet.imageName ?? imageNameOfArn(fleet.imageArn)) === record.newImage) {
            return { ...record, outcome: "rolledOut" as const };
        }
        return { ...record, outcome: "failed" as const, detail: boundedDetail(errorReason(err)) };
    } catch (readErr) {
        return {
            ...record,
            outcome: "failed" as const,
            effectUnknown: true,
            detail: boundedDetail(
                `${errorReason(err)}; the fleet could not be read back (${errorReason(readErr)}), so whether it moved is unknown`,
            ),
        };
    }
}

/**
 * At the end of a run, the fleets still recorded as not rolled out are read again: another
 * execution, or a person, may have moved them since the record was made (I5). When they cannot be
 * read, the record says that whether they moved since is unknown.
 */
export async function confirmWaitingFleets(api: AppStreamApi, run: LifecycleRun): Promise<void> {
    const waiting = (run.fleets?.items ?? []).filter(
        (r) => (r.outcome === "failed" || r.outcome === "skipped") && !isPassRecord(r.fleet) && !r.effectUnknown,
    );
    if (waiting.length === 0) return;
    let fleets: FleetInfo[];
    try {
        fleets = await api.describeFleets(waiting.map((r) => r.fleet));
    } catch (err) {
        for (const record of waiting) {
            const detail = `${record.detail ?? "not rolled out"}; whether it has moved since is unknown (${errorReason(err)})`;
            recordFleet(run, { ...record, effectUnknown: true, detail: boundedDetail(detail) });
        }
        return;
    }
    for (const record of waiting) {
        const fleet = fleets.find((f) => f.name === record.fleet);
        if (fleet && (fleet.imageName ?? imageNameOfArn(fleet.imageArn)) === record.newImage) {
            recordFleet(run, { ...record, outcome: "rolledOut", detail: undefined });
        }
    }
}
