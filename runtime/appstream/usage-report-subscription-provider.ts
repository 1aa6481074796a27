/**
 * Dynamic provider for the AppStream usage-report subscription of one account and Region. No IaC
 * tool models it: not CloudFormation (so not @pulumi/aws-native), not Terraform (so not @pulumi/aws).
 */
import type { UsageReportSubscription } from "@aws-sdk/client-appstream";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { errorName } from "../aws/errors";
import { AppStreamConnection, connectAppStream, failure } from "./appstream-connection";
import { regionFailures } from "./provider-inputs";
import { DEFAULT_PROVIDER_TUNING, ProviderTuning } from "./provider-tuning";

export interface UsageReportSubscriptionInputs {
    readonly region: string;
}

export interface UsageReportSubscriptionOutputs extends UsageReportSubscriptionInputs {
    /** The `appstream-logs-<region>-<account>-<suffix>` bucket AppStream writes the reports to. */
    readonly s3BucketName: string;
    /** How often reports are written; AppStream offers DAILY only. */
    readonly schedule: string;
    /** Why the last report generation failed, as "<code>: <message>", as of the last read. */
    readonly subscriptionErrors: string[];
}

function outputsOf(region: string, subscription: UsageReportSubscription): UsageReportSubscriptionOutputs {
    return {
        region,
        s3BucketName: subscription.S3BucketName ?? "",
        schedule: subscription.Schedule ?? "",
        subscriptionErrors: (subscription.SubscriptionErrors ?? []).map((e) =>
            [e.ErrorCode, e.ErrorMessage].filter(Boolean).join(": "),
        ),
    };
}

export function usageReportSubscriptionProvider(
    tuning: ProviderTuning = DEFAULT_PROVIDER_TUNING,
): dynamic.ResourceProvider<UsageReportSubscriptionInputs, UsageReportSubscriptionOutputs> {
    /** The Region's subscription, or undefined when there is none. */
    const current = async (appstream: AppStreamConnection) => {
        try {
            const out = await appstream.call((client, sdk) =>
                client.send(new sdk.DescribeUsageReportSubscriptionsCommand({})),
            );
            const subscription = out.UsageReportSubscriptions?.[0];
            return subscription && outputsOf(appstream.region, subscription);
        } catch (err) {
            if (errorName(err) === "ResourceNotFoundException") return undefined;
            throw failure(`DescribeUsageReportSubscriptions in ${appstream.region}`, err);
        }
    };

    return {
        async check(_olds, news) {
            return { inputs: news, failures: regionFailures(news.region) };
        },

        async diff(_id, olds, news) {
            // The subscription belongs to a Region: another Region is another subscription.
            const changes = olds.region !== news.region;
            return { changes, replaces: changes ? ["region"] : [], deleteBeforeReplace: false };
        },

        async create(inputs) {
            const appstream = await connectAppStream(inputs.region, tuning.retry);
            // Subscribing twice is harmless, but an existing subscription is kept as it is.
            const existing = await current(appstream);
            if (existing) return { id: inputs.region, outs: existing };
            const out = await appstream
                .call((client, sdk) => client.send(new sdk.CreateUsageReportSubscriptionCommand({})))
                .catch((err) => {
                    throw failure(`CreateUsageReportSubscription in ${inputs.region}`, err);
                });
            return { id: inputs.region, outs: outputsOf(inputs.region, out) };
        },

        async read(id, props) {
            const region = props?.region ?? id;
            const subscription = await current(await connectAppStream(region, tuning.retry));
            // Unsubscribed outside Pulumi: the resource is gone, and the next `up` subscribes again.
            return subscription ? { id, props: subscription } : { id: "" };
        },

        async delete(id, props) {
            const region = props?.region ?? id;
            const appstream = await connectAppStream(region, tuning.retry);
            // Only the subscription ends: the bucket and the reports in it stay.
            await appstream
                .call((client, sdk) => client.send(new sdk.DeleteUsageReportSubscriptionCommand({})))
                .catch((err) => {
                    if (errorName(err) === "ResourceNotFoundException") return;
                    throw failure(`DeleteUsageReportSubscription in ${region}`, err);
                });
        },
    };
}
