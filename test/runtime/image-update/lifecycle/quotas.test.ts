/**
 * The quota arithmetic of a run, against the AppStream Administration Guide's quota table
 * ("Service Quotas": Images L-E1182CCA 10, Image builders L-DE32F884 10, Concurrent image updates
 * L-9B6418E0 5, service code appstream2).
 */
import * as assert from "assert";
import {
    APPSTREAM_SERVICE_CODE,
    QUOTAS,
    Quotas,
    quotaHit,
    quotaUsage,
    readQuotas,
    updateRoom,
} from "../../../../runtime/image-update/lifecycle/quotas";
import { sdkError } from "../../../helpers/sdk-errors";

const image = (name: string, state = "AVAILABLE") => ({ name, arn: `arn:x:image/${name}`, state });
const quotas = (images: number, imageBuilders: number, concurrentUpdates: number): Quotas => ({
    images: { value: images, source: "serviceQuotas" },
    imageBuilders: { value: imageBuilders, source: "serviceQuotas" },
    concurrentUpdates: { value: concurrentUpdates, source: "serviceQuotas" },
});

describe("AppStream quotas of a run", () => {
    it("names the documented quota codes and defaults", () => {
        assert.strictEqual(APPSTREAM_SERVICE_CODE, "appstream2");
        assert.deepStrictEqual(
            Object.values(QUOTAS).map((q) => [q.code, q.defaultValue]),
            [
                ["L-E1182CCA", 10],
                ["L-DE32F884", 10],
                ["L-9B6418E0", 5],
            ],
        );
    });

    it("reads each quota from Service Quotas, and falls back to the documented default with the reason", async () => {
        const asked: string[] = [];
        const read = await readQuotas({
            async getQuota(service, code) {
                asked.push(`${service}/${code}`);
                if (code === "L-9B6418E0") throw sdkError("AccessDeniedException", "not authorized");
                return code === "L-E1182CCA" ? 25 : undefined;
            },
        });
        assert.deepStrictEqual(asked.sort(), [
            "appstream2/L-9B6418E0",
            "appstream2/L-DE32F884",
            "appstream2/L-E1182CCA",
        ]);
        assert.deepStrictEqual(read, {
            images: { value: 25, source: "serviceQuotas" },
            imageBuilders: { value: 10, source: "default", problem: "Service Quotas returned no value" },
            concurrentUpdates: {
                value: 5,
                source: "default",
                problem: "AccessDeniedException: not authorized",
            },
        });
    });

    it("counts images, builders and updates in flight; every update in flight also holds a builder", () => {
        const usage = quotaUsage(
            [image("a"), image("b", "PENDING"), image("c", "CREATING"), image("d", "FAILED"), image("e", "DELETING")],
            [{ name: "builder-1", state: "STOPPED" }],
        );
        assert.deepStrictEqual(usage, { images: 4, imageBuilders: 3, concurrentUpdates: 2 });
    });

    it("has room for as many updates as the fullest quota allows, and says which", () => {
        assert.deepStrictEqual(updateRoom(quotas(10, 10, 5), { images: 8, imageBuilders: 1, concurrentUpdates: 0 }), {
            room: 2,
            limitedBy: "images",
        });
        assert.deepStrictEqual(updateRoom(quotas(50, 10, 5), { images: 8, imageBuilders: 1, concurrentUpdates: 4 }), {
            room: 1,
            limitedBy: "concurrentUpdates",
        });
        assert.strictEqual(
            updateRoom(quotas(10, 10, 5), { images: 10, imageBuilders: 0, concurrentUpdates: 0 }).room,
            0,
        );
    });

    it("does not hold a run to a quota value the account already exceeds, default or read (its real quota is higher)", () => {
        const defaults: Quotas = {
            images: { value: 10, source: "default", problem: "AccessDeniedException: denied" },
            imageBuilders: { value: 10, source: "default", problem: "AccessDeniedException: denied" },
            concurrentUpdates: { value: 5, source: "default", problem: "AccessDeniedException: denied" },
        };
        assert.deepStrictEqual(updateRoom(defaults, { images: 30, imageBuilders: 2, concurrentUpdates: 0 }), {
            room: Infinity,
            limitedBy: "images",
        });
        // At exactly the default the real quota may still be higher (the simulation found a run that blocked
        // an account with room): the run tries, and AppStream's LimitExceededException decides.
        assert.deepStrictEqual(updateRoom(defaults, { images: 10, imageBuilders: 2, concurrentUpdates: 4 }), {
            room: Infinity,
            limitedBy: "images",
        });
        // A value read from Service Quotas that lags an increase does not hold either (issue 20, defect 1):
        // AppStream's LimitExceededException decides, and nothing is deleted on the strength of a quota.
        assert.deepStrictEqual(updateRoom(quotas(10, 10, 5), { images: 30, imageBuilders: 2, concurrentUpdates: 0 }), {
            room: 5,
            limitedBy: "concurrentUpdates",
        });
    });

    it("attributes a LimitExceeded to the quota the recount shows full, or to none", () => {
        assert.strictEqual(
            quotaHit(quotas(10, 10, 5), { images: 10, imageBuilders: 2, concurrentUpdates: 1 }),
            "images",
        );
        assert.strictEqual(
            quotaHit(quotas(10, 3, 5), { images: 4, imageBuilders: 3, concurrentUpdates: 1 }),
            "imageBuilders",
        );
        assert.strictEqual(
            quotaHit(quotas(10, 10, 5), { images: 4, imageBuilders: 2, concurrentUpdates: 1 }),
            undefined,
        );
    });
});
