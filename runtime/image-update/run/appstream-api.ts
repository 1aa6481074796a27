/**
 * The AppStream calls of the update workflow: a thin adapter over the SDK v3 client, so the
 * workflow reads as decisions and tests can count and fake every call.
 */
import {
    AppStreamClient,
    CreateUpdatedImageCommand,
    DeleteImageCommand,
    DescribeFleetsCommand,
    DescribeImageBuildersCommand,
    DescribeImagePermissionsCommand,
    DescribeImagesCommand,
    DescribeImagesCommandInput,
    Fleet,
    Image,
    ListTagsForResourceCommand,
    TagResourceCommand,
    UpdateFleetCommand,
} from "@aws-sdk/client-appstream";
import {
    GetResourcesCommand,
    GetResourcesCommandInput,
    ResourceGroupsTaggingAPIClient,
    ResourceTagMapping,
} from "@aws-sdk/client-resource-groups-tagging-api";
import { errorName, isTransientError } from "../../aws/errors";
import { PacedCalls, UNPACED } from "../../aws/paced-calls";
import type { Tags } from "../lifecycle/image-tags";

/**
 * DescribeImages returns at most 25 images per page (DescribeImagesMaxResults in the service
 * model), also when asked by name, so every call follows NextToken.
 */
export const DESCRIBE_PAGE_SIZE = 25;

/**
 * GetResources' largest page ("You can specify a minimum of 1 and a maximum value of 100",
 * ResourcesPerPage in the Resource Groups Tagging API reference), and the most ARNs one
 * ResourceARNList may name (ResourceARNListForGet in the model).
 */
export const TAGGING_PAGE_SIZE = 100;

/** The Resource Groups Tagging API's name for AppStream images (`service:resourceType`, as in their ARNs). */
export const IMAGE_RESOURCE_TYPE = "appstream:image";

export interface ImageInfo {
    readonly name: string;
    readonly arn: string;
    readonly state: string;
    readonly displayName?: string;
    readonly createdTime?: string;
    /** StateChangeReason ("<code>: <message>") and the ImageErrors messages, joined. */
    readonly stateReason?: string;
    /** The operating system (PlatformType), which a fleet must share with its image. */
    readonly platform?: string;
    /** The image it was made from; for an update in flight, the image being updated. */
    readonly baseImageArn?: string;
    /** DescribeImages' ImageSharedWithOthers: true or false as AppStream says it; undefined when it does not say. */
    readonly sharedWithOthers?: boolean;
}

export interface FleetInfo {
    readonly name: string;
    readonly arn: string;
    readonly state: string;
    readonly fleetType?: string;
    readonly platform?: string;
    readonly imageName?: string;
    readonly imageArn?: string;
}

export interface ImageBuilderInfo {
    readonly name: string;
    readonly state: string;
    /** The image it was launched from; an image in use by a builder is never deleted. */
    readonly imageArn?: string;
}

export interface UpdateRequest {
    readonly existingImageName: string;
    readonly newImageName: string;
    readonly displayName: string;
    readonly description: string;
    readonly tags: Tags;
}

export interface AppStreamApi {
    /** Every private image in the account and Region, page by page. */
    listPrivateImages(): Promise<ImageInfo[]>;
    /** ListTagsForResource: the tags AppStream holds now. */
    listTags(arn: string): Promise<Tags>;
    /**
     * The images that carry `tagKey` (any value), with all their tags, in a few GetResources calls
     * however many images the account has. The Tagging API is eventually consistent: a tag written
     * in the last minutes may not show yet.
     */
    findTaggedImages(tagKey: string): Promise<Map<string, Tags>>;
    /**
     * The tags of `arns` as the Tagging API holds them, 100 per GetResources call. An ARN it does
     * not return has never been tagged, no longer exists, or is too new to show: the caller reads
     * those with listTags where it matters.
     */
    readTagsInBulk(arns: readonly string[]): Promise<Map<string, Tags>>;
    /** CreateUpdatedImage with dryRun: whether an update is available. */
    canUpdate(existingImageName: string, newImageName: string): Promise<boolean>;
    createUpdatedImage(request: UpdateRequest): Promise<void>;
    /** The named images that exist, in as few calls as possible; missing names are left out. */
    describeImages(names: readonly string[]): Promise<ImageInfo[]>;
    tagImage(arn: string, tags: Tags): Promise<void>;
    /** Every fleet of the account and Region (DescribeFleets follows NextToken). */
    listFleets(): Promise<FleetInfo[]>;
    /** The named fleets that exist (DescribeFleets by name), to see whether an unanswered UpdateFleet took effect. */
    describeFleets(names: readonly string[]): Promise<FleetInfo[]>;
    /** Every image builder of the account and Region. */
    listImageBuilders(): Promise<ImageBuilderInfo[]>;
    /** Whether the image is shared with another account (DescribeImagePermissions lists any, on any page). */
    isSharedWithOtherAccounts(imageName: string): Promise<boolean>;
    deleteImage(imageName: string): Promise<void>;
    /** Points a fleet at another image (UpdateFleet ImageName); running sessions keep theirs. */
    setFleetImage(fleetName: string, imageName: string): Promise<void>;
}

/** Every item of a NextToken-paged call, page after page. */
async function allPages<T>(page: (nextToken?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
        const out = await page(nextToken);
        items.push(...(out.items ?? []));
        nextToken = out.nextToken;
    } while (nextToken);
    return items;
}

function fleetInfo(fleet: Fleet): FleetInfo {
    return {
        name: fleet.Name ?? "",
        arn: fleet.Arn ?? "",
        state: fleet.State ?? "UNKNOWN",
        fleetType: fleet.FleetType,
        platform: fleet.Platform,
        imageName: fleet.ImageName,
        imageArn: fleet.ImageArn,
    };
}

/** Why an image is in its state: StateChangeReason, then each ImageErrors entry that adds something. */
function stateReasonOf(image: Image): string | undefined {
    const reason = image.StateChangeReason;
    const parts = reason ? [[reason.Code, reason.Message].filter(Boolean).join(": ")] : [];
    for (const error of image.ImageErrors ?? []) {
        const text = [error.ErrorCode, error.ErrorMessage].filter(Boolean).join(": ");
        if (text && !parts.some((part) => part.includes(error.ErrorMessage ?? text))) parts.push(text);
    }
    return parts.filter(Boolean).join("; ") || undefined;
}

function imageInfo(image: Image): ImageInfo {
    return {
        name: image.Name ?? "",
        arn: image.Arn ?? "",
        state: image.State ?? "UNKNOWN",
        displayName: image.DisplayName,
        createdTime: image.CreatedTime?.toISOString(),
        stateReason: stateReasonOf(image),
        platform: image.Platform,
        baseImageArn: image.BaseImageArn,
        sharedWithOthers:
            image.ImageSharedWithOthers === undefined ? undefined : image.ImageSharedWithOthers === "TRUE",
    };
}

/** GetResources' tags (a list of Key/Value) by ARN. */
function tagsByArn(mappings: readonly ResourceTagMapping[]): Map<string, Tags> {
    return new Map(
        mappings.flatMap(({ ResourceARN, Tags: tags }) =>
            ResourceARN
                ? [[ResourceARN, Object.fromEntries((tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]))]]
                : [],
        ),
    );
}

/**
 * `tagging` answers the tag queries across many images (Resource Groups Tagging API); it is made
 * beside the AppStream client unless the caller passes one. Every call goes through `paced`, which
 * spaces and retries them (the Lambda's); the unit tests of the workflow pass none.
 */
export function appStreamApi(
    client: AppStreamClient,
    tagging: ResourceGroupsTaggingAPIClient = new ResourceGroupsTaggingAPIClient({}),
    paced: PacedCalls = UNPACED,
): AppStreamApi {
    /** Every image DescribeImages answers for `input`, page after page. */
    const describeAll = (input: DescribeImagesCommandInput): Promise<ImageInfo[]> =>
        allPages(async (NextToken) => {
            const command = new DescribeImagesCommand({ ...input, MaxResults: DESCRIBE_PAGE_SIZE, NextToken });
            const out = await paced.call("DescribeImages", "read", () => client.send(command));
            return { items: (out.Images ?? []).map(imageInfo), nextToken: out.NextToken };
        });
    /** Every mapping GetResources answers for `input`, page after page. */
    const getResources = (input: GetResourcesCommandInput): Promise<ResourceTagMapping[]> =>
        allPages(async (PaginationToken) => {
            const command = new GetResourcesCommand({ ...input, PaginationToken });
            const out = await paced.call("GetResources", "read", () => tagging.send(command));
            return { items: out.ResourceTagMappingList, nextToken: out.PaginationToken };
        });
    const describeChunk = async (names: string[]): Promise<ImageInfo[]> => {
        try {
            return await describeAll({ Names: names });
        } catch (err) {
            if ((err as Error).name !== "ResourceNotFoundException") throw err;
            if (names.length === 1) return [];
            // One missing name fails the whole call: ask one name at a time to keep the others.
            const found = await Promise.all(names.map((name) => describeChunk([name])));
            return found.flat();
        }
    };
    return {
        listPrivateImages: () => describeAll({ Type: "PRIVATE" }),
        async listTags(arn) {
            const command = new ListTagsForResourceCommand({ ResourceArn: arn });
            const out = await paced.call("ListTagsForResource", "read", () => client.send(command));
            return out.Tags ?? {};
        },
        async findTaggedImages(tagKey) {
            const mappings = await getResources({
                ResourceTypeFilters: [IMAGE_RESOURCE_TYPE],
                TagFilters: [{ Key: tagKey }],
                ResourcesPerPage: TAGGING_PAGE_SIZE,
            });
            return tagsByArn(mappings);
        },
        async readTagsInBulk(arns) {
            const chunks: string[][] = [];
            for (let i = 0; i < arns.length; i += TAGGING_PAGE_SIZE) chunks.push(arns.slice(i, i + TAGGING_PAGE_SIZE));
            const mappings: ResourceTagMapping[] = [];
            // One after another, within the API's rate; ResourceARNList takes no pagination parameters, so each answer is whole.
            for (const ResourceARNList of chunks) {
                const command = new GetResourcesCommand({ ResourceARNList });
                const answer = await paced.call("GetResources", "read", () => tagging.send(command));
                mappings.push(...(answer.ResourceTagMappingList ?? []));
            }
            return tagsByArn(mappings);
        },
        async canUpdate(existingImageName, newImageName) {
            const command = new CreateUpdatedImageCommand({ existingImageName, newImageName, dryRun: true });
            // A dry run changes nothing: it may be tried again whatever the failure.
            const out = await paced.call("CreateUpdatedImage", "read", () => client.send(command));
            return out.canUpdateImage === true;
        },
        async createUpdatedImage(request) {
            await paced.call("CreateUpdatedImage", "write", () =>
                client.send(
                    new CreateUpdatedImageCommand({
                        existingImageName: request.existingImageName,
                        newImageName: request.newImageName,
                        newImageDisplayName: request.displayName,
                        newImageDescription: request.description,
                        newImageTags: request.tags,
                        dryRun: false,
                    }),
                ),
            );
        },
        async describeImages(names) {
            const chunks: string[][] = [];
            for (let i = 0; i < names.length; i += DESCRIBE_PAGE_SIZE) {
                chunks.push(names.slice(i, i + DESCRIBE_PAGE_SIZE));
            }
            const found = await Promise.all(chunks.map(describeChunk));
            return found.flat();
        },
        async tagImage(arn, tags) {
            const command = new TagResourceCommand({ ResourceArn: arn, Tags: tags });
            await paced.call("TagResource", "write", () => client.send(command));
        },
        listFleets: () =>
            allPages(async (NextToken) => {
                const command = new DescribeFleetsCommand({ NextToken });
                const out = await paced.call("DescribeFleets", "read", () => client.send(command));
                return { items: (out.Fleets ?? []).map(fleetInfo), nextToken: out.NextToken };
            }),
        async describeFleets(names) {
            if (names.length === 0) return [];
            try {
                const command = new DescribeFleetsCommand({ Names: [...names] });
                const out = await paced.call("DescribeFleets", "read", () => client.send(command));
                return (out.Fleets ?? []).map(fleetInfo);
            } catch (err) {
                if (errorName(err) === "ResourceNotFoundException") return [];
                throw err;
            }
        },
        listImageBuilders: () =>
            allPages(async (NextToken) => {
                const command = new DescribeImageBuildersCommand({ NextToken });
                const out = await paced.call("DescribeImageBuilders", "read", () => client.send(command));
                const builders = (out.ImageBuilders ?? []).map((builder) => ({
                    name: builder.Name ?? "",
                    state: builder.State ?? "UNKNOWN",
                    imageArn: builder.ImageArn,
                }));
                return { items: builders, nextToken: out.NextToken };
            }),
        async isSharedWithOtherAccounts(imageName) {
            // Any shared account keeps the image; a page may come back empty with a NextToken, so follow it.
            let NextToken: string | undefined;
            do {
                const command = new DescribeImagePermissionsCommand({ Name: imageName, NextToken });
                const out = await paced.call("DescribeImagePermissions", "read", () => client.send(command));
                if ((out.SharedImagePermissionsList ?? []).length > 0) return true;
                NextToken = out.NextToken;
            } while (NextToken);
            return false;
        },
        async deleteImage(imageName) {
            const command = new DeleteImageCommand({ Name: imageName });
            await paced.call("DeleteImage", "write", () => client.send(command));
        },
        async setFleetImage(fleetName, imageName) {
            const command = new UpdateFleetCommand({ Name: fleetName, ImageName: imageName });
            await paced.call("UpdateFleet", "write", () => client.send(command));
        },
    };
}

/** What a failed AppStream call means for one image. */
export type ErrorDisposition = "retry" | "exists" | "fail";

// Quota and concurrency limits clear as other updates finish; throttling clears with time.
const LIMIT_ERRORS = ["LimitExceededException", "ConcurrentModificationException"];

export function errorDisposition(err: unknown): ErrorDisposition {
    const name = errorName(err);
    if (name === "ResourceAlreadyExistsException") return "exists";
    return LIMIT_ERRORS.includes(name) || isTransientError(err) ? "retry" : "fail";
}
