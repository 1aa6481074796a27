/**
 * A stateful, in-memory AppStream account behind `aws-sdk-client-mock`: the SDK client's `send`
 * is answered from it, so the real adapter, paginator and error classes are exercised. Updates
 * progress on a simulated clock that the caller advances (one poll interval per check).
 *
 * Every call goes through `modelChecked`: AppStream's own service model (botocore) refuses a
 * malformed request with ValidationError, and the fake may raise only the errors the model lists
 * for the operation. Where the model cannot say it, the fake follows the AppStream documentation:
 * at most 50 tags per resource (TagResource), DescribeImages pages of at most 25 images (by name
 * too), and a failed image explains itself in ImageErrors as well as StateChangeReason.
 *
 * The account also holds the quotas a managed update consumes (images, image builders, concurrent
 * updates; Service Quotas answers their values), fleets with their state, platform, image and tags,
 * image builders, and images shared with other accounts. UpdateFleet changes a fleet's image only
 * in the states the UpdateFleet reference allows, and DeleteImage refuses an image a fleet or image
 * builder uses (ResourceInUseException). An updated image's BaseImageArn names the image it was
 * made from, as the API reference defines the field ("The ARN of the image from which this image
 * was created"); the runtime does not depend on it alone (the BaseName tag, the run state).
 */
import {
    AppStreamClient,
    CreateUpdatedImageCommand,
    CreateUpdatedImageCommandInput,
    DeleteImageCommand,
    DescribeFleetsCommand,
    DescribeImageBuildersCommand,
    DescribeImagePermissionsCommand,
    DescribeImagesCommand,
    DescribeImagesCommandInput,
    Fleet,
    Image,
    IncompatibleImageException,
    LimitExceededException,
    ListTagsForResourceCommand,
    OperationNotPermittedException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    TagResourceCommand,
    UpdateFleetCommand,
    UpdateFleetCommandInput,
} from "@aws-sdk/client-appstream";
import {
    GetResourcesCommand,
    GetResourcesCommandInput,
    InvalidParameterException,
    ResourceGroupsTaggingAPIClient,
    ResourceTagMapping,
} from "@aws-sdk/client-resource-groups-tagging-api";
import {
    GetServiceQuotaCommand,
    GetServiceQuotaCommandInput,
    ServiceQuotasClient,
} from "@aws-sdk/client-service-quotas";
import {
    GetObjectCommand,
    GetObjectCommandInput,
    PutObjectCommand,
    PutObjectCommandInput,
    S3Client,
} from "@aws-sdk/client-s3";
import { SESClient, SendEmailCommand, SendEmailCommandInput } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import * as sinon from "sinon";
import { FakeRunStateBucket } from "./fake-run-state-bucket";
import { sdkError } from "./sdk-errors";
import { ServiceName, VALIDATION_ERROR, modelChecked, serviceModel, shapeViolations } from "./service-model";

/** AppStream's documented limit of tags per resource ("Tagging Your Amazon AppStream 2.0 Resources"). */
export const TAGS_PER_RESOURCE = 50;
/** DescribeImages' largest page (DescribeImagesMaxResults in the model). */
export const DESCRIBE_IMAGES_MAX_PAGE = 25;

export const FAKE_REGION = "eu-west-1";
export const FAKE_ACCOUNT = "123456789012";

export type PermanentError =
    "IncompatibleImageException" | "OperationNotPermittedException" | "ResourceNotFoundException";

/** One image of the sample account, as a fixture spells it. */
export interface FakeImageSpec {
    name: string;
    tags?: Record<string, string>;
    /** @default "AVAILABLE" */
    state?: string;
    /** @default "PRIVATE" */
    visibility?: "PRIVATE" | "PUBLIC" | "SHARED";
    /** @default "WINDOWS_SERVER_2022" */
    platform?: string;
    /** Accounts the image is shared with (DescribeImagePermissions). */
    sharedWith?: string[];
    displayName?: string;
    /** ISO time. @default 2026-01-01 */
    createdTime?: string;
    /** What CreateUpdatedImage does with it. */
    update?: {
        /** What the dry run answers for canUpdateImage. @default true */
        available?: boolean;
        /** The dry run and the update fail with this error. */
        error?: PermanentError;
        /** The new image's final state. @default "AVAILABLE" */
        outcome?: "AVAILABLE" | "FAILED";
        /** Minutes until the new image reaches its outcome. @default 60 */
        minutes?: number;
        /** StateChangeReason message when the outcome is FAILED. */
        failureMessage?: string;
        /** ImageErrors message when the outcome is FAILED. @default failureMessage */
        errorDetail?: string;
        /** States the new image passes through, evenly over `minutes`, before its outcome. @default ["PENDING"] */
        inProgressStates?: string[];
    };
}

/** One fleet of the sample account. */
export interface FakeFleetSpec {
    name: string;
    imageName: string;
    /** @default "RUNNING" */
    state?: "STARTING" | "RUNNING" | "STOPPING" | "STOPPED";
    /** @default "ON_DEMAND" */
    fleetType?: "ALWAYS_ON" | "ON_DEMAND" | "ELASTIC";
    /** @default "WINDOWS_SERVER_2022" */
    platform?: string;
    tags?: Record<string, string>;
    /** ListTagsForResource on this fleet fails (it was deleted after DescribeFleets listed it). */
    tagsUnreadable?: boolean;
    /** UpdateFleet on this fleet fails with this error. */
    updateError?: "ConcurrentModificationException" | "ResourceNotAvailableException";
    /** The fleet streams another account's image shared with us (its ImageArn names that account). */
    imageAccount?: string;
}

/** One image builder; `imageName` is the image it was launched from. */
export interface FakeImageBuilderSpec {
    name: string;
    imageName: string;
    /** @default "STOPPED" */
    state?: string;
}

/** The quotas a managed update consumes; Infinity means the fake does not enforce it. */
export interface FakeQuotas {
    images: number;
    imageBuilders: number;
    concurrentUpdates: number;
}

/** Service Quotas' codes of the fake's quotas (the AppStream Administration Guide's quota table). */
export const FAKE_QUOTA_CODES: Record<keyof FakeQuotas, string> = {
    images: "L-E1182CCA",
    imageBuilders: "L-DE32F884",
    concurrentUpdates: "L-9B6418E0",
};

export interface FakeImage {
    name: string;
    arn: string;
    state: string;
    visibility: string;
    platform: string;
    sharedWith: string[];
    displayName?: string;
    description?: string;
    createdTime: string;
    tags: Record<string, string>;
    spec?: FakeImageSpec["update"];
    /** For an image being made by an update: when it started and finishes, the states between, and how it ends. */
    startedAt?: number;
    finishesAt?: number;
    inProgressStates?: string[];
    outcome?: "AVAILABLE" | "FAILED";
    failureMessage?: string;
    /** ImageErrors' message, when it says more than StateChangeReason. */
    errorDetail?: string;
    updatedFrom?: string;
    /** The execution whose call made it (see FakeAppStreamAccount.execution). */
    createdInExecution?: string;
}

/**
 * What the fault hook makes of one call: `throttle` and `error` fail it before it takes effect;
 * `lostAnswer` lets it take effect and then fails it with the SDK's TimeoutError, as a response
 * lost on the network would.
 */
export type InjectedFault =
    | { readonly kind: "throttle" }
    | { readonly kind: "error"; readonly name: string; readonly httpStatusCode: number }
    | { readonly kind: "lostAnswer" };

/** One UpdateFleet that AppStream accepted. */
export interface FleetMove {
    readonly fleet: string;
    readonly execution?: string;
    /** The account of the image it left, when not ours. */
    readonly fromAccount?: string;
    readonly from: string;
    readonly to: string;
    readonly at: number;
}

export interface RecordedCall {
    readonly command: string;
    readonly input: Record<string, unknown>;
    /** Simulated minute of the call. */
    readonly at: number;
}

/** The service whose model holds each operation the fake answers besides AppStream's. */
export const OPERATION_SERVICES: Record<string, ServiceName> = {
    GetObject: "s3",
    PutObject: "s3",
    GetResources: "tag",
    GetServiceQuota: "servicequotas",
};

/** Each API names its throttling error its own way (the Tagging API's model lists ThrottledException). */
function throttled(command: string): Error {
    const service = OPERATION_SERVICES[command];
    // S3 slows a caller down with 503 SlowDown (its API reference's error codes).
    if (service === "s3") return sdkError("SlowDown", `Please reduce your request rate (${command})`, 503);
    const name = service === "tag" ? "ThrottledException" : "ThrottlingException";
    return sdkError(name, `Rate exceeded (${command})`);
}

/** GetResources' page when ResourcesPerPage is not given, and its largest (the API reference: 1 to 100). */
const TAGGING_MAX_PAGE = 100;

export class FakeAppStreamAccount {
    readonly images = new Map<string, FakeImage>();
    readonly fleets = new Map<string, FakeFleetSpec & { arn: string }>();
    readonly builders = new Map<string, FakeImageBuilderSpec>();
    readonly calls: RecordedCall[] = [];
    /** Images DeleteImage removed, in order. */
    readonly deleted: string[] = [];
    /** Simulated minutes since the start. */
    minutes = 0;
    /** The wall-clock time of minute 0, for the times AppStream stamps (an image's CreatedTime). */
    epoch = Date.parse("2026-12-01T12:00:00.000Z");
    /** AppStream's concurrent image update quota: one more update is LimitExceeded. */
    quota = 5;
    /** The image and image builder quotas; the fake enforces them on CreateUpdatedImage. */
    imageQuota = Infinity;
    builderQuota = Infinity;
    /** GetServiceQuota fails with this error (e.g. AccessDeniedException). */
    quotaReadError?: Error;
    /** What Service Quotas reports instead of the enforced value (an increase not yet in effect). */
    reportedQuotas: Partial<FakeQuotas> = {};
    /** Highest number of updates in flight at any moment. */
    maxInFlight = 0;
    /** Simulated latency of every call, in milliseconds (for the benchmark). */
    latencyMs = 0;
    /**
     * Whether DescribeImages answers ImageSharedWithOthers. The model makes the field optional, so
     * the runtime must not read its absence as "not shared".
     */
    describesSharing = true;
    /**
     * Most images one DescribeImages page holds, whatever MaxResults asks: a page may hold fewer
     * than asked and still carry a NextToken, so tests lower this to prove every caller follows
     * NextToken, also by name.
     */
    pageSizeCap = DESCRIBE_IMAGES_MAX_PAGE;
    private readonly throttles = new Map<string, number>();
    /** Decides a fault for each call (the fault-injection simulation); undefined: none. */
    faultHook?: (command: string, input: Record<string, unknown>) => InjectedFault | undefined;
    /** Every UpdateFleet that took effect, in order. */
    readonly fleetMoves: FleetMove[] = [];
    /** The execution making calls now, stamped on what they create (the simulation sets it). */
    execution?: string;
    /** Calls that took effect but whose answer the fault hook dropped. */
    lostAnswers = 0;
    /**
     * How far the Resource Groups Tagging API's index lags AppStream (it is eventually consistent):
     * GetResources answers the tags each resource had this many simulated minutes ago, so a tag
     * written or an image made within them does not show yet. 0: it shows at once.
     */
    taggingLagMinutes = 0;
    /** The run-state bucket the image-update function keeps each run's state in (S3). */
    readonly runStates = new FakeRunStateBucket((command, input) => this.enter(command, input));
    /** Every resource's tags over time, for the Tagging API's view; `tags` undefined once deleted. */
    private readonly tagHistory = new Map<string, { at: number; tags?: Record<string, string> }[]>();

    constructor(
        specs: readonly FakeImageSpec[] = [],
        more: { fleets?: FakeFleetSpec[]; builders?: FakeImageBuilderSpec[] } = {},
    ) {
        for (const spec of specs) this.add(spec);
        for (const fleet of more.fleets ?? []) this.addFleet(fleet);
        for (const builder of more.builders ?? []) this.builders.set(builder.name, builder);
    }

    addFleet(spec: FakeFleetSpec): void {
        const problems = spec.tags ? shapeViolations(serviceModel("appstream"), "Tags", spec.tags, "tags") : [];
        if (problems.length > 0) throw new Error(`fixture fleet ${spec.name}: ${problems.join("; ")}`);
        const arn = `arn:aws:appstream:${FAKE_REGION}:${FAKE_ACCOUNT}:fleet/${spec.name}`;
        this.fleets.set(spec.name, { ...spec, arn, tags: { ...(spec.tags ?? {}) } });
        // A fixture's fleets were tagged long before any run: the Tagging API shows them.
        this.noteTags(arn, spec.tags ?? {}, -Infinity);
    }

    /** The quotas as Service Quotas reports them (an unenforced quota as a large number). */
    quotaValues(): FakeQuotas {
        const reported = (value: number) => (Number.isFinite(value) ? value : 1_000_000);
        return {
            images: reported(this.imageQuota),
            imageBuilders: reported(this.builderQuota),
            concurrentUpdates: reported(this.quota),
            ...this.reportedQuotas,
        };
    }

    add(spec: FakeImageSpec): void {
        // A fixture may hold only tags AppStream can store (AWS's own aws: tags aside).
        const userTags = Object.fromEntries(Object.entries(spec.tags ?? {}).filter(([k]) => !k.startsWith("aws:")));
        const problems =
            Object.keys(userTags).length > 0
                ? shapeViolations(serviceModel("appstream"), "Tags", userTags, "tags")
                : [];
        if (problems.length > 0) throw new Error(`fixture image ${spec.name}: ${problems.join("; ")}`);
        this.images.set(spec.name, {
            name: spec.name,
            arn: this.arnOf(spec.name),
            state: spec.state ?? "AVAILABLE",
            visibility: spec.visibility ?? "PRIVATE",
            platform: spec.platform ?? "WINDOWS_SERVER_2022",
            sharedWith: spec.sharedWith ?? [],
            displayName: spec.displayName,
            createdTime: spec.createdTime ?? "2026-01-01T00:00:00.000Z",
            tags: { ...(spec.tags ?? {}) },
            spec: spec.update,
        });
        // A fixture's images were tagged long before any run: the Tagging API shows them.
        this.noteTags(this.arnOf(spec.name), spec.tags ?? {}, -Infinity);
    }

    arnOf(name: string): string {
        return `arn:aws:appstream:${FAKE_REGION}:${FAKE_ACCOUNT}:image/${name}`;
    }

    /** Records a resource's tags (or its deletion) for the Tagging API's lagging view. */
    private noteTags(arn: string, tags: Record<string, string> | undefined, at = this.minutes): void {
        const history = this.tagHistory.get(arn) ?? [];
        history.push({ at, tags: tags && { ...tags } });
        this.tagHistory.set(arn, history);
    }

    /** The tags the Tagging API holds now: each resource's as of taggingLagMinutes ago. */
    private taggingView(): Map<string, Record<string, string>> {
        // No lag: AppStream's tags as they are (also those a test sets on a fixture directly).
        if (this.taggingLagMinutes === 0) {
            return new Map([...this.images.values(), ...this.fleets.values()].map((r) => [r.arn, r.tags ?? {}]));
        }
        const asOf = this.minutes - this.taggingLagMinutes;
        const view = new Map<string, Record<string, string>>();
        for (const [arn, history] of this.tagHistory) {
            const seen = history.filter((entry) => entry.at <= asOf).at(-1);
            if (seen?.tags) view.set(arn, seen.tags);
        }
        return view;
    }

    /**
     * GetResources as the Resource Groups Tagging API reference describes it: "all the tagged or
     * previously tagged resources" (the fake has no UntagResource, so an image with tags), filtered
     * by `service[:resourceType]` and by tag filters (every filter must match; any of a filter's
     * values); TagFilters and ResourceARNList, or ResourceARNList and pagination parameters,
     * together are an InvalidParameterException; an ARN that is not there is left out, not an error.
     */
    async getResources(input: GetResourcesCommandInput) {
        await this.enter("GetResources", input);
        const invalid = (message: string) => new InvalidParameterException({ message, $metadata: {} });
        const paginated = input.PaginationToken || input.ResourcesPerPage !== undefined || input.TagsPerPage;
        if (input.ResourceARNList && (input.TagFilters?.length || paginated)) {
            throw invalid("ResourceARNList cannot be specified with TagFilters or pagination parameters");
        }
        const perPage = input.ResourcesPerPage ?? TAGGING_MAX_PAGE;
        if (perPage < 1 || perPage > TAGGING_MAX_PAGE)
            throw invalid(`ResourcesPerPage ${perPage} is not between 1 and 100`);
        const view = this.taggingView();
        const typeOf = (arn: string) => `appstream:${arn.split(":")[5]?.split("/")[0]}`;
        const matches = ([arn, tags]: [string, Record<string, string>]) =>
            Object.keys(tags).length > 0 &&
            (!input.ResourceARNList || input.ResourceARNList.includes(arn)) &&
            (!input.ResourceTypeFilters?.length ||
                input.ResourceTypeFilters.some((type) => type === "appstream" || type === typeOf(arn))) &&
            (input.TagFilters ?? []).every(
                (filter) =>
                    filter.Key !== undefined &&
                    filter.Key in tags &&
                    (!filter.Values?.length || filter.Values.includes(tags[filter.Key])),
            );
        const all = [...view].filter(matches).sort(([a], [b]) => a.localeCompare(b));
        const start = input.PaginationToken ? Number(input.PaginationToken.replace("page-", "")) : 0;
        const page = input.ResourceARNList ? all : all.slice(start, start + perPage);
        const mappings: ResourceTagMapping[] = page.map(([arn, tags]) => ({
            ResourceARN: arn,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }));
        // The API ends a listing with an empty PaginationToken, not an absent one.
        const next = !input.ResourceARNList && start + perPage < all.length ? `page-${start + perPage}` : "";
        return { ResourceTagMappingList: mappings, PaginationToken: next };
    }

    /** The next `times` calls of `command` (e.g. "CreateUpdatedImage") fail with ThrottlingException. */
    throttle(command: string, times: number): void {
        this.throttles.set(command, times);
    }

    /** Moves the simulated clock; updates whose time has come reach their outcome. */
    advance(minutes: number): void {
        this.minutes += minutes;
        for (const image of this.images.values()) {
            if (image.finishesAt === undefined) continue;
            if (image.finishesAt <= this.minutes) {
                image.state = image.outcome ?? "AVAILABLE";
                image.finishesAt = undefined;
            } else if (image.inProgressStates && image.startedAt !== undefined) {
                const states = image.inProgressStates;
                const done = (this.minutes - image.startedAt) / (image.finishesAt - image.startedAt);
                image.state = states[Math.min(states.length - 1, Math.floor(done * states.length))];
            }
        }
    }

    inFlight(): number {
        return [...this.images.values()].filter((i) => i.finishesAt !== undefined).length;
    }

    /** Updates made from an image, by name of the new image. */
    updatesOf(name: string): string[] {
        return [...this.images.values()].filter((i) => i.updatedFrom === name).map((i) => i.name);
    }

    callsOf(command: string): RecordedCall[] {
        return this.calls.filter((c) => c.command === command);
    }

    private async enter(command: string, input: object): Promise<void> {
        this.calls.push({ command, input: input as Record<string, unknown>, at: this.minutes });
        if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
        const left = this.throttles.get(command) ?? 0;
        if (left > 0) {
            this.throttles.set(command, left - 1);
            throw throttled(command);
        }
        const fault = this.faultHook?.(command, input as Record<string, unknown>);
        if (fault?.kind === "throttle") throw throttled(command);
        if (fault?.kind === "error") {
            throw sdkError(fault.name, `injected ${fault.name} (${command})`, fault.httpStatusCode);
        }
        if (fault?.kind === "lostAnswer") this.pendingLostAnswer = command;
    }

    /** Set by enter() when the hook chose lostAnswer; mockAppStream fails the call after it succeeded. */
    pendingLostAnswer?: string;

    private toImage(image: FakeImage): Image {
        const failed = image.state === "FAILED";
        const message = image.failureMessage ?? "update failed";
        return {
            Name: image.name,
            Arn: image.arn,
            // An update's new image names the image it was made from.
            ...(image.updatedFrom ? { BaseImageArn: this.arnOf(image.updatedFrom) } : {}),
            ...(this.describesSharing
                ? { ImageSharedWithOthers: image.sharedWith.length > 0 ? ("TRUE" as const) : ("FALSE" as const) }
                : {}),
            State: image.state as Image["State"],
            Visibility: image.visibility as Image["Visibility"],
            Platform: image.platform as Image["Platform"],
            DisplayName: image.displayName,
            Description: image.description,
            CreatedTime: new Date(image.createdTime),
            StateChangeReason: failed ? { Code: "IMAGE_UPDATE_FAILURE", Message: message } : undefined,
            // A failed update explains itself here too, often in more detail than StateChangeReason.
            ImageErrors: failed
                ? [
                      {
                          ErrorCode: "INTERNAL_SERVICE_ERROR",
                          ErrorMessage: image.errorDetail ?? message,
                          ErrorTimestamp: new Date(this.epoch + this.minutes * 60_000),
                      },
                  ]
                : undefined,
        };
    }

    async describeImages(input: DescribeImagesCommandInput) {
        await this.enter("DescribeImages", input);
        const max = Math.min(input.MaxResults || DESCRIBE_IMAGES_MAX_PAGE, this.pageSizeCap);
        let all: FakeImage[];
        if (input.Names) {
            const missing = input.Names.filter((n) => !this.images.has(n));
            if (missing.length > 0) {
                throw new ResourceNotFoundException({ message: `Image ${missing[0]} not found`, $metadata: {} });
            }
            all = input.Names.map((n) => this.images.get(n)!);
        } else {
            all = [...this.images.values()]
                .filter((i) => !input.Type || i.visibility === input.Type)
                .sort((a, b) => a.name.localeCompare(b.name));
        }
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const page = all.slice(start, start + max);
        const next = start + max < all.length ? String(start + max) : undefined;
        return { Images: page.map((i) => this.toImage(i)), NextToken: next };
    }

    private byArn(arn: string): { arn: string; tags: Record<string, string> } {
        const resource = [...this.images.values(), ...this.fleets.values()].find((r) => r.arn === arn);
        if (!resource) throw new ResourceNotFoundException({ message: `${arn} not found`, $metadata: {} });
        return resource as { arn: string; tags: Record<string, string> };
    }

    async listTags(input: { ResourceArn?: string }) {
        await this.enter("ListTagsForResource", input);
        if ([...this.fleets.values()].some((f) => f.arn === input.ResourceArn && f.tagsUnreadable)) {
            throw new ResourceNotFoundException({ message: `${input.ResourceArn} not found`, $metadata: {} });
        }
        return { Tags: { ...this.byArn(input.ResourceArn ?? "").tags } };
    }

    async tagResource(input: { ResourceArn?: string; Tags?: Record<string, string> }) {
        await this.enter("TagResource", input);
        const image = this.byArn(input.ResourceArn ?? "");
        const merged = { ...image.tags, ...input.Tags };
        if (Object.keys(merged).length > TAGS_PER_RESOURCE) {
            const message = `The tag limit of ${TAGS_PER_RESOURCE} per resource would be exceeded (${Object.keys(merged).length} tags).`;
            throw new LimitExceededException({ message, $metadata: {} });
        }
        image.tags = merged;
        this.noteTags(image.arn, merged);
        return {};
    }

    async createUpdatedImage(input: CreateUpdatedImageCommandInput) {
        await this.enter("CreateUpdatedImage", input);
        const existing = this.images.get(input.existingImageName ?? "");
        if (!existing) {
            throw new ResourceNotFoundException({ message: `${input.existingImageName} not found`, $metadata: {} });
        }
        const error = existing.spec?.error;
        if (error === "IncompatibleImageException") {
            const message = `Image ${existing.name} is not compatible with managed image updates`;
            throw new IncompatibleImageException({ message, $metadata: {} });
        }
        if (error === "OperationNotPermittedException") {
            const message = `Managed image updates are not permitted for image ${existing.name}`;
            throw new OperationNotPermittedException({ message, $metadata: {} });
        }
        if (error === "ResourceNotFoundException") {
            throw new ResourceNotFoundException({ message: `Image ${existing.name} was not found`, $metadata: {} });
        }
        if (input.dryRun) return { canUpdateImage: existing.spec?.available ?? true };
        const newName = input.newImageName ?? "";
        // The name pattern, lengths and 50-tag cap are the model's (checked before this runs); the
        // reserved prefixes are documented in the CreateImageBuilder/CreateUpdatedImage references.
        if (/^(amazon|aws|appstream)/i.test(newName)) {
            throw sdkError(VALIDATION_ERROR, `The name ${newName} starts with a reserved prefix`);
        }
        if (this.images.has(newName)) {
            throw new ResourceAlreadyExistsException({ message: `${newName} already exists`, $metadata: {} });
        }
        if (this.inFlight() >= this.quota) {
            throw new LimitExceededException({ message: "concurrent image update limit reached", $metadata: {} });
        }
        const imageCount = [...this.images.values()].filter((i) => i.visibility === "PRIVATE").length;
        if (imageCount >= this.imageQuota) {
            throw new LimitExceededException({
                message: "The image limit for this account has been reached.",
                $metadata: {},
            });
        }
        if (this.builders.size + this.inFlight() >= this.builderQuota) {
            throw new LimitExceededException({ message: "The image builder limit has been reached.", $metadata: {} });
        }
        this.images.set(newName, {
            name: newName,
            arn: this.arnOf(newName),
            platform: existing.platform,
            sharedWith: [],
            state: existing.spec?.inProgressStates?.[0] ?? "PENDING",
            inProgressStates: existing.spec?.inProgressStates,
            startedAt: this.minutes,
            visibility: "PRIVATE",
            displayName: input.newImageDisplayName,
            description: input.newImageDescription,
            createdTime: new Date(this.epoch + this.minutes * 60_000).toISOString(),
            tags: { ...(input.newImageTags ?? {}) },
            finishesAt: this.minutes + (existing.spec?.minutes ?? 60),
            outcome: existing.spec?.outcome ?? "AVAILABLE",
            failureMessage: existing.spec?.failureMessage,
            errorDetail: existing.spec?.errorDetail,
            updatedFrom: existing.name,
            createdInExecution: this.execution,
        });
        this.noteTags(this.arnOf(newName), input.newImageTags ?? {});
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight());
        return { image: this.toImage(this.images.get(newName)!), canUpdateImage: true };
    }

    /** Fleets and image builders that use an image, by name or ARN. */
    usersOf(name: string): string[] {
        const arn = this.arnOf(name);
        return [
            ...[...this.fleets.values()]
                .filter((f) => f.imageName === name && !f.imageAccount)
                .map((f) => `fleet ${f.name}`),
            ...[...this.builders.values()]
                .filter((b) => this.arnOf(b.imageName) === arn)
                .map((b) => `image builder ${b.name}`),
        ];
    }

    private toFleet(fleet: FakeFleetSpec & { arn: string }): Fleet {
        return {
            Name: fleet.name,
            Arn: fleet.arn,
            FleetType: fleet.fleetType ?? "ON_DEMAND",
            State: fleet.state ?? "RUNNING",
            Platform: (fleet.platform ?? "WINDOWS_SERVER_2022") as Fleet["Platform"],
            ImageName: fleet.imageName,
            ImageArn: fleet.imageAccount
                ? `arn:aws:appstream:${FAKE_REGION}:${fleet.imageAccount}:image/${fleet.imageName}`
                : this.arnOf(fleet.imageName),
            InstanceType: "stream.standard.medium",
            ComputeCapacityStatus: { Desired: 1, Running: 1, InUse: 0, Available: 1 },
        };
    }

    /** DescribeFleets pages of at most FLEETS_PAGE fleets (the API takes no MaxResults). */
    async describeFleets(input: { Names?: string[]; NextToken?: string }) {
        await this.enter("DescribeFleets", input);
        const all = input.Names
            ? input.Names.map((name) => {
                  const fleet = this.fleets.get(name);
                  if (!fleet)
                      throw new ResourceNotFoundException({ message: `fleet ${name} not found`, $metadata: {} });
                  return fleet;
              })
            : [...this.fleets.values()].sort((a, b) => a.name.localeCompare(b.name));
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const next = start + FLEETS_PAGE < all.length ? String(start + FLEETS_PAGE) : undefined;
        return { Fleets: all.slice(start, start + FLEETS_PAGE).map((f) => this.toFleet(f)), NextToken: next };
    }

    /**
     * UpdateFleet's image change, as its reference allows it: any attribute while STOPPED, the
     * image of an Always-On or On-Demand fleet while RUNNING, nothing while STARTING or STOPPING.
     */
    async updateFleet(input: UpdateFleetCommandInput) {
        await this.enter("UpdateFleet", input);
        const fleet = this.fleets.get(input.Name ?? "");
        if (!fleet) throw new ResourceNotFoundException({ message: `fleet ${input.Name} not found`, $metadata: {} });
        if (fleet.updateError)
            throw sdkError(fleet.updateError, `UpdateFleet ${fleet.name} failed (${fleet.updateError})`);
        const state = fleet.state ?? "RUNNING";
        const elastic = fleet.fleetType === "ELASTIC";
        if (state !== "STOPPED" && !(state === "RUNNING" && !elastic)) {
            throw new OperationNotPermittedException({
                message: `The image of fleet ${fleet.name} cannot be changed while it is ${state}.`,
                $metadata: {},
            });
        }
        const image = this.images.get(input.ImageName ?? "");
        if (!image)
            throw new ResourceNotFoundException({ message: `image ${input.ImageName} not found`, $metadata: {} });
        if (image.state !== "AVAILABLE") {
            throw sdkError("ResourceNotAvailableException", `image ${image.name} is ${image.state}`);
        }
        if (image.platform !== (fleet.platform ?? "WINDOWS_SERVER_2022")) {
            throw new IncompatibleImageException({
                message: `image ${image.name} is ${image.platform}`,
                $metadata: {},
            });
        }
        this.fleetMoves.push({
            fleet: fleet.name,
            execution: this.execution,
            fromAccount: fleet.imageAccount,
            from: fleet.imageName,
            to: image.name,
            at: this.minutes,
        });
        fleet.imageName = image.name;
        fleet.imageAccount = undefined;
        return { Fleet: this.toFleet(fleet) };
    }

    async describeImageBuilders(input: { NextToken?: string; MaxResults?: number }) {
        await this.enter("DescribeImageBuilders", input);
        const all = [...this.builders.values()].sort((a, b) => a.name.localeCompare(b.name));
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const next = start + FLEETS_PAGE < all.length ? String(start + FLEETS_PAGE) : undefined;
        const builders = all.slice(start, start + FLEETS_PAGE).map((b) => ({
            Name: b.name,
            Arn: `arn:aws:appstream:${FAKE_REGION}:${FAKE_ACCOUNT}:image-builder/${b.name}`,
            ImageArn: this.arnOf(b.imageName),
            State: (b.state ?? "STOPPED") as never,
        }));
        return { ImageBuilders: builders, NextToken: next };
    }

    async describeImagePermissions(input: { Name?: string; MaxResults?: number; NextToken?: string }) {
        await this.enter("DescribeImagePermissions", input);
        const image = this.images.get(input.Name ?? "");
        if (!image) throw new ResourceNotFoundException({ message: `image ${input.Name} not found`, $metadata: {} });
        const max = input.MaxResults || image.sharedWith.length;
        const start = input.NextToken ? Number(input.NextToken) : 0;
        const accounts = image.sharedWith.slice(start, start + max);
        return {
            Name: image.name,
            SharedImagePermissionsList: accounts.map((sharedAccountId) => ({
                sharedAccountId,
                imagePermissions: { allowFleet: true, allowImageBuilder: true },
            })),
            NextToken: start + max < image.sharedWith.length ? String(start + max) : undefined,
        };
    }

    /** DeleteImage: refused for an image a fleet or image builder uses. */
    async deleteImage(input: { Name?: string }) {
        await this.enter("DeleteImage", input);
        const image = this.images.get(input.Name ?? "");
        if (!image) throw new ResourceNotFoundException({ message: `image ${input.Name} not found`, $metadata: {} });
        const users = this.usersOf(image.name);
        if (users.length > 0) {
            throw new ResourceInUseException({
                message: `image ${image.name} is in use by ${users.join(", ")}`,
                $metadata: {},
            });
        }
        this.images.delete(image.name);
        this.noteTags(image.arn, undefined);
        this.deleted.push(image.name);
        return { Image: { ...this.toImage(image), State: "DELETING" as const } };
    }

    async getServiceQuota(input: GetServiceQuotaCommandInput) {
        await this.enter("GetServiceQuota", input);
        if (this.quotaReadError) throw this.quotaReadError;
        const name = (Object.keys(FAKE_QUOTA_CODES) as (keyof FakeQuotas)[]).find(
            (key) => input.ServiceCode === "appstream2" && FAKE_QUOTA_CODES[key] === input.QuotaCode,
        );
        if (!name) throw sdkError("NoSuchResourceException", `no quota ${input.ServiceCode}/${input.QuotaCode}`);
        return {
            Quota: {
                ServiceCode: input.ServiceCode,
                QuotaCode: input.QuotaCode,
                QuotaArn: `arn:aws:servicequotas:${FAKE_REGION}:${FAKE_ACCOUNT}:appstream2/${input.QuotaCode}`,
                Value: this.quotaValues()[name],
                Adjustable: true,
            },
        };
    }
}

/** Fleets and image builders per page (their Describe calls take no page size, or one we do not send). */
export const FLEETS_PAGE = 10;

/** Answers every AppStreamClient (and Tagging API and Service Quotas) call from `account` until `restore()`. */
export function mockAppStream(account: FakeAppStreamAccount): { restore(): void } {
    // Each mock in a sandbox of its own: on sinon's default sandbox, a restored stub is still held,
    // and thousands of simulation cases leaked them (sinon's "potential memory leak" warning).
    const sandbox = sinon.createSandbox();
    const mock = mockClient(AppStreamClient, { sandbox });
    const checked = <I extends object, O>(operation: string, handler: (input: I) => Promise<O>) => {
        const validated = modelChecked(OPERATION_SERVICES[operation] ?? "appstream", operation, handler);
        // A lost answer happens on the network, after AppStream acted: outside the model check.
        return async (input: I) => {
            let output: O;
            try {
                output = await validated(input);
            } catch (err) {
                // A call that failed anyway has no answer to lose.
                account.pendingLostAnswer = undefined;
                throw err;
            }
            if (account.pendingLostAnswer === operation) {
                account.pendingLostAnswer = undefined;
                account.lostAnswers++;
                throw sdkError("TimeoutError", `injected: no answer to ${operation} (it took effect)`, 0);
            }
            return output;
        };
    };
    mock.on(DescribeImagesCommand).callsFake(checked("DescribeImages", (input) => account.describeImages(input)));
    mock.on(ListTagsForResourceCommand).callsFake(checked("ListTagsForResource", (input) => account.listTags(input)));
    mock.on(TagResourceCommand).callsFake(checked("TagResource", (input) => account.tagResource(input)));
    mock.on(CreateUpdatedImageCommand).callsFake(
        checked("CreateUpdatedImage", (input) => account.createUpdatedImage(input)),
    );
    mock.on(DescribeFleetsCommand).callsFake(checked("DescribeFleets", (input) => account.describeFleets(input)));
    mock.on(UpdateFleetCommand).callsFake(checked("UpdateFleet", (input) => account.updateFleet(input)));
    mock.on(DescribeImageBuildersCommand).callsFake(
        checked("DescribeImageBuilders", (input) => account.describeImageBuilders(input)),
    );
    mock.on(DescribeImagePermissionsCommand).callsFake(
        checked("DescribeImagePermissions", (input) => account.describeImagePermissions(input)),
    );
    mock.on(DeleteImageCommand).callsFake(checked("DeleteImage", (input) => account.deleteImage(input)));
    // The Tagging API answers from the same account's tags (a separate client).
    mockClient(ResourceGroupsTaggingAPIClient, { sandbox })
        .on(GetResourcesCommand)
        .callsFake(checked("GetResources", (input: GetResourcesCommandInput) => account.getResources(input)));
    // The run-state bucket (S3): the function's only S3 calls.
    const s3 = mockClient(S3Client, { sandbox });
    s3.on(GetObjectCommand).callsFake(
        checked("GetObject", (input: GetObjectCommandInput) => account.runStates.getObject(input)),
    );
    s3.on(PutObjectCommand).callsFake(
        checked("PutObject", (input: PutObjectCommandInput) => account.runStates.putObject(input)),
    );
    // Service Quotas answers the account's quotas (a separate client, the same fake account).
    const quotas = mockClient(ServiceQuotasClient, { sandbox });
    quotas
        .on(GetServiceQuotaCommand)
        .callsFake(
            modelChecked("servicequotas", "GetServiceQuota", (input: GetServiceQuotaCommandInput) =>
                account.getServiceQuota(input),
            ),
        );
    return {
        restore: () => sandbox.restore(),
    };
}

/**
 * Captures every SES SendEmail until `restore()`. The model cannot say what an address is, so the
 * fake applies SES's documented rule: addresses are 7-bit ASCII (no SMTPUTF8; a Unicode domain
 * must be Punycode), and one illegal address rejects the whole message.
 */
export function mockSes(): { sent: SendEmailCommandInput[]; restore(): void } {
    const sent: SendEmailCommandInput[] = [];
    const sandbox = sinon.createSandbox();
    const mock = mockClient(SESClient, { sandbox });
    mock.on(SendEmailCommand).callsFake(
        modelChecked("ses", "SendEmail", async (input: SendEmailCommandInput) => {
            const destination = input.Destination ?? {};
            const addresses = [
                input.Source ?? "",
                ...(destination.ToAddresses ?? []),
                ...(destination.CcAddresses ?? []),
                ...(destination.BccAddresses ?? []),
            ];
            const illegal = addresses.find((address) => !sesAcceptsAddress(address));
            if (illegal !== undefined) throw sdkError("InvalidParameterValue", `Illegal address: ${illegal}`);
            const size = sesMessageBytes(input);
            if (size > SES_MESSAGE_LIMIT_BYTES) {
                throw sdkError("MessageRejected", `Message length is ${size} bytes, more than SES accepts`);
            }
            sent.push(input);
            return { MessageId: `message-${sent.length}` };
        }),
    );
    return { sent, restore: () => sandbox.restore() };
}

/**
 * SES v1's message size limit, "10 MB per message (after base64 encoding)" (SES developer guide,
 * "Service quotas in Amazon SES"), read as 10 MiB: the fake rejects above the larger reading, so a
 * runtime that keeps under the smaller one is never refused here.
 */
const SES_MESSAGE_LIMIT_BYTES = 10 * 1024 * 1024;

/** The message as SES would send it, measured independently of the runtime: each part base64-encoded. */
function sesMessageBytes(input: SendEmailCommandInput): number {
    const parts = [input.Message?.Body?.Text?.Data, input.Message?.Body?.Html?.Data, input.Message?.Subject?.Data];
    return parts.reduce((n, part) => n + Buffer.from(part ?? "", "utf8").toString("base64").length, 0);
}

/**
 * SES's side of the address contract, written independently of the runtime's check: 7-bit ASCII
 * only (the Destination reference: "the email address string must be 7-bit ASCII"), one @, a
 * non-empty local part, and a domain of dot-separated labels.
 */
export function sesAcceptsAddress(address: string): boolean {
    if (!/^[\x21-\x7e]+$/.test(address)) return false;
    const at = address.lastIndexOf("@");
    const local = address.slice(0, at);
    const domain = address.slice(at + 1);
    return at > 0 && !local.includes("@") && /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(domain);
}
