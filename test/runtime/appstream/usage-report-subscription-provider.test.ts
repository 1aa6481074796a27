import * as assert from "assert";
import { AppStreamClient, ResourceNotFoundException } from "@aws-sdk/client-appstream";
import { AwsClientStub } from "aws-sdk-client-mock";
import {
    UsageReportSubscriptionInputs as Inputs,
    UsageReportSubscriptionOutputs as Outputs,
    usageReportSubscriptionProvider,
} from "../../../runtime/appstream/usage-report-subscription-provider";
import { mockAppStream } from "../../helpers/appstream-handlers";
import { FAST_TUNING, asDeployed } from "../../helpers/dynamic-provider";
import {
    FakeUsageReportSubscriptions,
    SubscriptionOperation,
    USAGE_REPORT_BUCKET,
} from "../../helpers/fake-usage-report-subscriptions";
import { sdkError } from "../../helpers/sdk-errors";

const REGION = "eu-west-1";
const notFound = () => new ResourceNotFoundException({ message: "No subscription", $metadata: {} });

describe("Usage report subscription provider (serialized, against aws-sdk-client-mock)", () => {
    let mock: AwsClientStub<AppStreamClient>;
    let account: FakeUsageReportSubscriptions;
    let provider: Awaited<ReturnType<typeof asDeployed<Inputs, Outputs>>>;

    before(async () => {
        provider = await asDeployed(usageReportSubscriptionProvider(FAST_TUNING));
    });
    beforeEach(() => {
        account = new FakeUsageReportSubscriptions();
        mock = mockAppStream(account.handlers);
    });
    afterEach(() => mock.restore());

    const subscribed: Outputs = {
        region: REGION,
        s3BucketName: USAGE_REPORT_BUCKET,
        schedule: "DAILY",
        subscriptionErrors: [],
    };

    it("create subscribes and outputs the report bucket and schedule", async () => {
        assert.deepStrictEqual(await provider.create({ region: REGION }), { id: REGION, outs: subscribed });
        assert.strictEqual(account.creates, 1);
    });

    it("create is idempotent: an existing subscription is adopted, not created again", async () => {
        await provider.create({ region: REGION });
        const again = await provider.create({ region: REGION });
        assert.strictEqual(account.creates, 1);
        assert.strictEqual(again.outs!.s3BucketName, USAGE_REPORT_BUCKET);
    });

    it("read reports the real subscription, with the errors AppStream recorded", async () => {
        account.subscribed = true;
        account.subscriptionErrors = [
            { ErrorCode: "ACCESS_DENIED", ErrorMessage: "AppStream could not write to the bucket" },
        ];
        assert.deepStrictEqual(await provider.read(REGION, subscribed), {
            id: REGION,
            props: {
                ...subscribed,
                subscriptionErrors: ["ACCESS_DENIED: AppStream could not write to the bucket"],
            },
        });
    });

    it("read reports the resource gone when the Region is unsubscribed, however AppStream says it", async () => {
        assert.deepStrictEqual(await provider.read(REGION, subscribed), { id: "" });
        account.faults.push(notFound());
        assert.deepStrictEqual(await provider.read(REGION, subscribed), { id: "" });
    });

    it("delete unsubscribes and calls nothing else: the reports and their bucket stay", async () => {
        account.subscribed = true;
        await provider.delete(REGION, subscribed);
        assert.strictEqual(account.subscribed, false);
        assert.deepStrictEqual(
            mock.calls().map((c) => (c.args[0] as object).constructor.name),
            ["DeleteUsageReportSubscriptionCommand"],
        );
    });

    it("delete is idempotent: an unsubscribed Region is fine", async () => {
        await provider.delete(REGION, subscribed);
        assert.strictEqual(account.subscribed, false);
    });

    // Each operation in turn: throttled twice, then answered.
    const throttled: [SubscriptionOperation, () => Promise<unknown>, boolean][] = [
        ["DescribeUsageReportSubscriptions", () => provider.read(REGION, subscribed), true],
        ["CreateUsageReportSubscription", () => provider.create({ region: REGION }), false],
        ["DeleteUsageReportSubscription", () => provider.delete(REGION, subscribed), true],
    ];
    for (const [operation, call, before] of throttled) {
        it(`retries a throttled ${operation}`, async () => {
            account.subscribed = before;
            account.faultsOf[operation].push(sdkError("ThrottlingException"), sdkError("ThrottlingException"));
            await call();
            assert.strictEqual(account.calls[operation], 3, "two throttled tries, then the answer");
            assert.strictEqual(account.subscribed, operation === "DescribeUsageReportSubscriptions" || !before);
        });
    }

    const failures: [string, () => Promise<unknown>, boolean, string][] = [
        [
            "create",
            () => provider.create({ region: REGION }),
            false,
            "CreateUsageReportSubscription in eu-west-1 failed: InvalidAccountStatusException: account not active",
        ],
        [
            "delete",
            () => provider.delete(REGION, subscribed),
            true,
            "DeleteUsageReportSubscription in eu-west-1 failed: InvalidAccountStatusException: account not active",
        ],
    ];
    for (const [step, call, before, message] of failures) {
        it(`a failed ${step} says why and leaves AppStream as the state records it`, async () => {
            account.subscribed = before;
            // Once, inside the fake: a caller that retried such an error would then succeed.
            account.faultsOf[`${step === "create" ? "Create" : "Delete"}UsageReportSubscription`].push(
                sdkError("InvalidAccountStatusException", "account not active"),
            );
            await assert.rejects(call(), { message });
            // No state after a failed create, and unsubscribed; state kept after a failed delete, and subscribed.
            assert.strictEqual(account.subscribed, before);
        });
    }

    it("a Region change replaces the subscription; nothing else changes it", async () => {
        assert.deepStrictEqual(await provider.diff(REGION, subscribed, { region: "us-east-1" }), {
            changes: true,
            replaces: ["region"],
            deleteBeforeReplace: false,
        });
        assert.strictEqual((await provider.diff(REGION, subscribed, { region: REGION })).changes, false);
    });

    it("check requires a Region", async () => {
        assert.deepStrictEqual((await provider.check({} as Inputs, { region: "" })).failures, [
            { property: "region", reason: "region must be an AWS Region name, e.g. eu-west-1" },
        ]);
    });
});
