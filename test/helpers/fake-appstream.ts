/**
 * A stateful, in-memory AppStream account behind `aws-sdk-client-mock`: the SDK client's `send`
 * is answered from it, so the real adapter, paginator and error classes are exercised. Updates
 * progress on a simulated clock that the caller advances (one poll interval per check).
 */
import {
    AppStreamClient,
    CreateUpdatedImageCommand,
    CreateUpdatedImageCommandInput,
    DescribeImagesCommand,
    DescribeImagesCommandInput,
    Image,
    IncompatibleImageException,
    InvalidParameterCombinationException,
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
    /** For an image being made by an update: when it finishes, and how. */
    finishesAt?: number;
    outcome?: "AVAILABLE" | "FAILED";
    failureMessage?: string;
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
    private readonly throttles = new Map<string, number>();

    constructor(specs: readonly FakeImageSpec[] = []) {
        for (const spec of specs) this.add(spec);
    }

    add(spec: FakeImageSpec): void {
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
            if (image.finishesAt !== undefined && image.finishesAt <= this.minutes) {
                image.state = image.outcome ?? "AVAILABLE";
                image.finishesAt = undefined;
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
        return {
            Name: image.name,
            Arn: image.arn,
            State: image.state as Image["State"],
            Visibility: image.visibility as Image["Visibility"],
            DisplayName: image.displayName,
            Description: image.description,
            CreatedTime: new Date(image.createdTime),
            StateChangeReason:
                image.state === "FAILED"
                    ? { Code: "IMAGE_UPDATE_FAILURE", Message: image.failureMessage ?? "update failed" }
                    : undefined,
        };
    }

    async describeImages(input: DescribeImagesCommandInput) {
        await this.enter("DescribeImages", input);
        const max = input.MaxResults ?? 25;
        if (max > 25) {
            throw new InvalidParameterCombinationException({ message: "MaxResults must be <= 25", $metadata: {} });
        }
        if (input.Names) {
            const missing = input.Names.filter((n) => !this.images.has(n));
            if (missing.length > 0) {
                throw new ResourceNotFoundException({ message: `Image ${missing[0]} not found`, $metadata: {} });
            }
            return { Images: input.Names.map((n) => this.toImage(this.images.get(n)!)) };
        }
        const all = [...this.images.values()]
            .filter((i) => !input.Type || i.visibility === input.Type)
            .sort((a, b) => a.name.localeCompare(b.name));
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
        Object.assign(image.tags, input.Tags);
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
        if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,100}$/.test(newName) || /^(amazon|aws|appstream)/i.test(newName)) {
            throw new InvalidParameterCombinationException({ message: `invalid name ${newName}`, $metadata: {} });
        }
        if ((input.newImageDisplayName ?? "").length > 100 || (input.newImageDescription ?? "").length > 256) {
            throw new InvalidParameterCombinationException({
                message: "display name or description too long",
                $metadata: {},
            });
        }
        if (Object.keys(input.newImageTags ?? {}).length > 50) {
            throw new InvalidParameterCombinationException({ message: "more than 50 tags", $metadata: {} });
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
            state: "PENDING",
            visibility: "PRIVATE",
            displayName: input.newImageDisplayName,
            description: input.newImageDescription,
            createdTime: new Date(Date.UTC(2026, 0, 1) + this.minutes * 60_000).toISOString(),
            tags: { ...(input.newImageTags ?? {}) },
            finishesAt: this.minutes + (existing.spec?.minutes ?? 60),
            outcome: existing.spec?.outcome ?? "AVAILABLE",
            failureMessage: existing.spec?.failureMessage,
            updatedFrom: existing.name,
        });
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight());
        return { image: this.toImage(this.images.get(newName)!), canUpdateImage: true };
    }
}

/** Answers every AppStreamClient call from `account` until `restore()`. */
export function mockAppStream(account: FakeAppStreamAccount): { restore(): void } {
    const mock = mockClient(AppStreamClient);
    mock.on(DescribeImagesCommand).callsFake((input) => account.describeImages(input));
    mock.on(ListTagsForResourceCommand).callsFake((input) => account.listTags(input));
    mock.on(TagResourceCommand).callsFake((input) => account.tagResource(input));
    mock.on(CreateUpdatedImageCommand).callsFake((input) => account.createUpdatedImage(input));
    return { restore: () => mock.restore() };
}

/** Captures every SES SendEmail until `restore()`. */
export function mockSes(): { sent: SendEmailCommandInput[]; restore(): void } {
    const sent: SendEmailCommandInput[] = [];
    const mock = mockClient(SESClient);
    mock.on(SendEmailCommand).callsFake(async (input: SendEmailCommandInput) => {
        sent.push(input);
        return { MessageId: `message-${sent.length}` };
    });
    return { sent, restore: () => mock.restore() };
}
