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
 */
import {
    AppStreamClient,
    CreateUpdatedImageCommand,
    CreateUpdatedImageCommandInput,
    DescribeImagesCommand,
    DescribeImagesCommandInput,
    Image,
    IncompatibleImageException,
    LimitExceededException,
    ListTagsForResourceCommand,
    OperationNotPermittedException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    TagResourceCommand,
} from "@aws-sdk/client-appstream";
import { SESClient, SendEmailCommand, SendEmailCommandInput } from "@aws-sdk/client-ses";
import { mockClient } from "aws-sdk-client-mock";
import { sdkError } from "./sdk-errors";
import { VALIDATION_ERROR, modelChecked, serviceModel, shapeViolations } from "./service-model";

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

interface FakeImage {
    name: string;
    arn: string;
    state: string;
    visibility: string;
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
}

export interface RecordedCall {
    readonly command: string;
    readonly input: Record<string, unknown>;
    /** Simulated minute of the call. */
    readonly at: number;
}

function throttled(command: string): Error {
    return sdkError("ThrottlingException", `Rate exceeded (${command})`);
}

export class FakeAppStreamAccount {
    readonly images = new Map<string, FakeImage>();
    readonly calls: RecordedCall[] = [];
    /** Simulated minutes since the start. */
    minutes = 0;
    /** AppStream's concurrent image update quota: one more update is LimitExceeded. */
    quota = 5;
    /** Highest number of updates in flight at any moment. */
    maxInFlight = 0;
    /** Simulated latency of every call, in milliseconds (for the benchmark). */
    latencyMs = 0;
    /**
     * Most images one DescribeImages page holds, whatever MaxResults asks: a page may hold fewer
     * than asked and still carry a NextToken, so tests lower this to prove every caller follows
     * NextToken, also by name.
     */
    pageSizeCap = DESCRIBE_IMAGES_MAX_PAGE;
    private readonly throttles = new Map<string, number>();

    constructor(specs: readonly FakeImageSpec[] = []) {
        for (const spec of specs) this.add(spec);
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
            displayName: spec.displayName,
            createdTime: spec.createdTime ?? "2026-01-01T00:00:00.000Z",
            tags: { ...(spec.tags ?? {}) },
            spec: spec.update,
        });
    }

    arnOf(name: string): string {
        return `arn:aws:appstream:${FAKE_REGION}:${FAKE_ACCOUNT}:image/${name}`;
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
    }

    private toImage(image: FakeImage): Image {
        const failed = image.state === "FAILED";
        const message = image.failureMessage ?? "update failed";
        return {
            Name: image.name,
            Arn: image.arn,
            State: image.state as Image["State"],
            Visibility: image.visibility as Image["Visibility"],
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
                          ErrorTimestamp: new Date(Date.UTC(2026, 0, 1) + this.minutes * 60_000),
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

    private byArn(arn: string): FakeImage {
        const image = [...this.images.values()].find((i) => i.arn === arn);
        if (!image) throw new ResourceNotFoundException({ message: `${arn} not found`, $metadata: {} });
        return image;
    }

    async listTags(input: { ResourceArn?: string }) {
        await this.enter("ListTagsForResource", input);
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
        this.images.set(newName, {
            name: newName,
            arn: this.arnOf(newName),
            state: existing.spec?.inProgressStates?.[0] ?? "PENDING",
            inProgressStates: existing.spec?.inProgressStates,
            startedAt: this.minutes,
            visibility: "PRIVATE",
            displayName: input.newImageDisplayName,
            description: input.newImageDescription,
            createdTime: new Date(Date.UTC(2026, 0, 1) + this.minutes * 60_000).toISOString(),
            tags: { ...(input.newImageTags ?? {}) },
            finishesAt: this.minutes + (existing.spec?.minutes ?? 60),
            outcome: existing.spec?.outcome ?? "AVAILABLE",
            failureMessage: existing.spec?.failureMessage,
            errorDetail: existing.spec?.errorDetail,
            updatedFrom: existing.name,
        });
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight());
        return { image: this.toImage(this.images.get(newName)!), canUpdateImage: true };
    }
}

/** Answers every AppStreamClient call from `account` until `restore()`. */
export function mockAppStream(account: FakeAppStreamAccount): { restore(): void } {
    const mock = mockClient(AppStreamClient);
    const checked = <I extends object, O>(operation: string, handler: (input: I) => Promise<O>) =>
        modelChecked("appstream", operation, handler);
    mock.on(DescribeImagesCommand).callsFake(checked("DescribeImages", (input) => account.describeImages(input)));
    mock.on(ListTagsForResourceCommand).callsFake(checked("ListTagsForResource", (input) => account.listTags(input)));
    mock.on(TagResourceCommand).callsFake(checked("TagResource", (input) => account.tagResource(input)));
    mock.on(CreateUpdatedImageCommand).callsFake(
        checked("CreateUpdatedImage", (input) => account.createUpdatedImage(input)),
    );
    return { restore: () => mock.restore() };
}

/**
 * Captures every SES SendEmail until `restore()`. The model cannot say what an address is, so the
 * fake applies SES's documented rule: addresses are 7-bit ASCII (no SMTPUTF8; a Unicode domain
 * must be Punycode), and one illegal address rejects the whole message.
 */
export function mockSes(): { sent: SendEmailCommandInput[]; restore(): void } {
    const sent: SendEmailCommandInput[] = [];
    const mock = mockClient(SESClient);
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
            sent.push(input);
            return { MessageId: `message-${sent.length}` };
        }),
    );
    return { sent, restore: () => mock.restore() };
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
