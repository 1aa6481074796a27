/**
 * The fake Resource Groups Tagging API (GetResources, answered from the fake AppStream account)
 * against its botocore model and its API reference, through the runtime's own adapter.
 */
import * as assert from "assert";
import { AppStreamClient } from "@aws-sdk/client-appstream";
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from "@aws-sdk/client-resource-groups-tagging-api";
import { appStreamApi } from "../../runtime/image-update/run/appstream-api";
import { expectModelRefusals } from "../helpers/contract-hooks";
import { FakeAppStreamAccount, mockAppStream } from "../helpers/fake-appstream";
import { VALIDATION_ERROR } from "../helpers/service-model";

describe("the fake Resource Groups Tagging API (GetResources) answers as its model and reference say", () => {
    const account = new FakeAppStreamAccount([
        ...Array.from({ length: 130 }, (_, i) => ({ name: `img-${i}`, tags: { AutoUpdate: "Enabled", Owner: "ops" } })),
        { name: "done", tags: { AutoUpdate: "Completed" } },
        { name: "other", tags: { Team: "x" } },
        { name: "bare" },
    ]);
    let mock: { restore(): void };
    const tagging = new ResourceGroupsTaggingAPIClient({});
    const api = appStreamApi(new AppStreamClient({}), tagging);
    beforeEach(() => (mock = mockAppStream(account)));
    afterEach(() => mock.restore());

    it("finds every image with the tag key, whatever its value, with all its tags, and no other", async () => {
        const found = await api.findTaggedImages("AutoUpdate");
        assert.strictEqual(found.size, 131);
        assert.deepStrictEqual(found.get(account.arnOf("img-7")), { AutoUpdate: "Enabled", Owner: "ops" });
        assert.deepStrictEqual(found.get(account.arnOf("done")), { AutoUpdate: "Completed" });
        assert.ok(!found.has(account.arnOf("other")) && !found.has(account.arnOf("bare")));
    });

    it("ends a listing with an empty PaginationToken, which the SDK paginator stops on", async () => {
        const last = await tagging.send(
            new GetResourcesCommand({ ResourceTypeFilters: ["appstream:image"], PaginationToken: "page-100" }),
        );
        assert.strictEqual(last.PaginationToken, "");
    });

    it("reads the tags of named images 100 per call, leaving out an image never tagged", async () => {
        const before = account.callsOf("GetResources").length;
        const arns = [...account.images.values()].map((image) => image.arn);
        const tags = await api.readTagsInBulk(arns);
        const calls = account.callsOf("GetResources").slice(before);
        assert.deepStrictEqual(
            calls.map((call) => (call.input.ResourceARNList as string[]).length),
            [100, 33],
        );
        assert.strictEqual(tags.size, 132);
        assert.ok(!tags.has(account.arnOf("bare")));
    });

    it("refuses ResourceARNList beside TagFilters or pagination (InvalidParameterException, per the reference)", async () => {
        const arn = account.arnOf("img-1");
        for (const input of [
            { ResourceARNList: [arn], TagFilters: [{ Key: "AutoUpdate" }] },
            { ResourceARNList: [arn], ResourcesPerPage: 10 },
            { ResourcesPerPage: 101 },
        ]) {
            await assert.rejects(tagging.send(new GetResourcesCommand(input)), { name: "InvalidParameterException" });
        }
    });

    it("refuses what the model refuses: more than 100 ARNs in one call", async () => {
        expectModelRefusals();
        const arns = Array.from({ length: 101 }, (_, i) => account.arnOf(`img-${i}`));
        await assert.rejects(tagging.send(new GetResourcesCommand({ ResourceARNList: arns })), {
            name: VALIDATION_ERROR,
        });
    });
});
