/**
 * The three AppStream quotas a managed image update consumes one unit of each (AppStream
 * Administration Guide, "Service Quotas"; all per account and Region, all adjustable): an image
 * (the new one), an image builder (each update runs a temporary one) and a concurrent image update.
 * A run reads them through Service Quotas, counts what the account already uses, and never starts
 * an update that cannot fit, so a full quota is reported as such instead of as a timeout.
 */
import { errorReason } from "../../aws/errors";
import type { ImageBuilderInfo, ImageInfo } from "../run/appstream-api";
import { boundedDetail } from "../run/state-budget";
import { IN_FLIGHT_STATES } from "./retention";

/** AppStream's service code in Service Quotas. */
export const APPSTREAM_SERVICE_CODE = "appstream2";

export type QuotaName = "images" | "imageBuilders" | "concurrentUpdates";

export interface QuotaSpec {
    /** Service Quotas' code, as the documentation's quota table links it. */
    readonly code: string;
    /** The documented default, used when Service Quotas cannot be read. */
    readonly defaultValue: number;
    /** What the quota counts, as a sentence names it ("10 of 10 images"). */
    readonly unit: string;
    /** The quota's name in a sentence ("image quota reached"). */
    readonly title: string;
}

export const QUOTAS: Record<QuotaName, QuotaSpec> = {
    images: { code: "L-E1182CCA", defaultValue: 10, unit: "images", title: "image quota" },
    imageBuilders: { code: "L-DE32F884", defaultValue: 10, unit: "image builders", title: "image builder quota" },
    concurrentUpdates: {
        code: "L-9B6418E0",
        defaultValue: 5,
        unit: "concurrent image updates",
        title: "concurrent image update quota",
    },
};

export const QUOTA_NAMES = Object.keys(QUOTAS) as QuotaName[];

export interface QuotaValue {
    readonly value: number;
    /** Whether the value is the account's (Service Quotas) or the documented default. */
    readonly source: "serviceQuotas" | "default";
    /** Why Service Quotas could not be read, when the default is used. */
    readonly problem?: string;
}

export type Quotas = Record<QuotaName, QuotaValue>;
export type QuotaUsage = Record<QuotaName, number>;

export interface QuotaApi {
    /** The account's value of one quota, or undefined when Service Quotas holds none. */
    getQuota(serviceCode: string, quotaCode: string): Promise<number | undefined>;
}

/**
 * Reads the three quotas. A quota that cannot be read (the role lacks the permission, the Region
 * has no Service Quotas data, throttling) falls back to its documented default, and says why:
 * a run must not stop because it could not read a quota.
 */
export async function readQuotas(api: QuotaApi): Promise<Quotas> {
    const read = async (spec: QuotaSpec): Promise<QuotaValue> => {
        try {
            const value = await api.getQuota(APPSTREAM_SERVICE_CODE, spec.code);
            // 0 would stop every update: no account runs AppStream images on a quota of 0, so the read is wrong.
            if (typeof value === "number" && Number.isFinite(value) && value >= 1) {
                return { value: Math.floor(value), source: "serviceQuotas" };
            }
            const problem =
                value === undefined ? "Service Quotas returned no value" : `Service Quotas returned ${value}`;
            return { value: spec.defaultValue, source: "default", problem };
        } catch (err) {
            return { value: spec.defaultValue, source: "default", problem: boundedDetail(errorReason(err)) };
        }
    };
    const values = await Promise.all(QUOTA_NAMES.map((name) => read(QUOTAS[name])));
    return Object.fromEntries(QUOTA_NAMES.map((name, i) => [name, values[i]])) as Quotas;
}

/** An image being deleted no longer takes a place once it is gone. */
const LEAVING_IMAGE_STATE = "DELETING";

/**
 * What the account uses of each quota. Conservative where AppStream does not say: every image
 * being made counts as an update in flight, and each update in flight also counts as an image
 * builder, whether or not DescribeImageBuilders lists its temporary builder.
 */
export function quotaUsage(privateImages: readonly ImageInfo[], builders: readonly ImageBuilderInfo[]): QuotaUsage {
    const inFlight = privateImages.filter((image) => IN_FLIGHT_STATES.includes(image.state)).length;
    return {
        images: privateImages.filter((image) => image.state !== LEAVING_IMAGE_STATE).length,
        // Every builder the account lists counts, whatever its state (a stopped builder still holds its place).
        imageBuilders: builders.length + inFlight,
        concurrentUpdates: inFlight,
    };
}

/**
 * The value a run holds itself to. A documented default stands in for a quota that could not be
 * read, and the account's real quota may be higher: the run does not hold itself to it. Nor to a
 * value the account already exceeds (a Service Quotas value that lags an increase). In both cases
 * AppStream's LimitExceededException decides. Nothing is ever deleted on the strength of a quota
 * value (retention deletes only beyond keepImageVersions), so an unknown quota costs at most a
 * refused CreateUpdatedImage.
 */
export function effectiveQuota(quota: QuotaValue, used: number): number {
    return quota.source === "default" || used > quota.value ? Infinity : quota.value;
}

/** How many more updates fit, and which quota is the first to run out. */
export function updateRoom(quotas: Quotas, usage: QuotaUsage): { room: number; limitedBy: QuotaName } {
    let limitedBy: QuotaName = "images";
    let room = Infinity;
    for (const name of QUOTA_NAMES) {
        const free = Math.max(0, effectiveQuota(quotas[name], usage[name]) - usage[name]);
        if (free < room) {
            room = free;
            limitedBy = name;
        }
    }
    return { room, limitedBy };
}

/**
 * Which quota a LimitExceededException from CreateUpdatedImage hit: the one the recounted usage
 * shows full, or undefined when none is (another AppStream quota, such as an instance-type quota
 * of image builders, that this run does not read).
 */
export function quotaHit(quotas: Quotas, usage: QuotaUsage): QuotaName | undefined {
    // A documented default says nothing of the account's real quota: a refusal is never pinned on
    // one (the simulation found a concurrent-update refusal reported as "image quota reached").
    return QUOTA_NAMES.find((name) => usage[name] >= effectiveQuota(quotas[name], usage[name]));
}

/** The console page where the quota is raised. */
export function quotaConsoleUrl(name: QuotaName, region?: string): string {
    const host = region ? `${region}.console.aws.amazon.com` : "console.aws.amazon.com";
    return `https://${host}/servicequotas/home/services/${APPSTREAM_SERVICE_CODE}/quotas/${QUOTAS[name].code}`;
}
